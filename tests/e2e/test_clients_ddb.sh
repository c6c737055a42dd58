# tests/e2e/test_clients_ddb.sh - the table service through real, unmodified clients other
# than the AWS CLIs: the AWS SDK for JavaScript v3 (client-dynamodb and lib-dynamodb's
# document client), boto3 (Debian's python3-boto3) and dynamodb-admin (npm), each pointed
# at Stratus by configuration only (AWS_ENDPOINT_URL, endpoint_url, DYNAMO_ENDPOINT).
# The npm packages are pinned by tests/clients/ddb/package-lock.json and installed with
# `npm ci` into build/clients/ddb (reused while the lock file is unchanged).

# clients_npm_ready -> sets CLIENTS_DIR; installs node_modules once per lock file (under a
# lock: several test functions run at once). Returns 1 and records a FAIL when it cannot.
clients_npm_ready() {
	local src=$ROOT/tests/clients/ddb sum out
	CLIENTS_DIR=$ROOT/build/clients/ddb
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		e2e_fail "node and npm are installed (Debian packages nodejs, npm)"
		return 1
	fi
	mkdir -p "$CLIENTS_DIR" || return 1
	sum=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)
	(
		flock 9
		if [ "$(cat "$CLIENTS_DIR/.installed" 2>/dev/null)" = "$sum" ] &&
			[ -d "$CLIENTS_DIR/node_modules/@aws-sdk/lib-dynamodb" ]; then
			exit 0
		fi
		rm -f "$CLIENTS_DIR/.installed"
		cp "$src/package.json" "$src/package-lock.json" "$CLIENTS_DIR/" || exit 1
		if ! out=$(cd "$CLIENTS_DIR" && timeout 300 npm ci --no-audit --no-fund --loglevel=error 2>&1); then
			echo "npm ci in $CLIENTS_DIR failed (is the npm registry reachable?):"
			printf '%s\n' "$out" | tail -n 15
			exit 1
		fi
		echo "$sum" >"$CLIENTS_DIR/.installed"
	) 9>"$ROOT/build/clients/.lock"
	if [ $? != 0 ]; then
		e2e_fail "npm ci of tests/clients/ddb/package-lock.json into build/clients/ddb (npm registry unreachable?)"
		return 1
	fi
	return 0
}

# clients_report TAG FILE: one e2e assertion per PASS/FAIL line the client script printed.
clients_report() {
	local tag=$1 line n=0
	while IFS= read -r line; do
		case "$line" in
			PASS\ *) e2e_pass "[$tag] ${line#PASS }"; n=$((n + 1)) ;;
			FAIL\ *) e2e_fail "[$tag] ${line#FAIL }"; n=$((n + 1)) ;;
		esac
	done <"$2"
	CLIENT_CHECKS=$n
}

test_sdk_js_dynamodb() {
	clients_npm_ready || return 1
	# The script runs from the install directory so that its imports resolve there.
	cp "$ROOT/tests/clients/ddb/sdk.mjs" "$CLIENTS_DIR/sdk.mjs" || return 1
	local out=$E2E_TMP/sdk.out rc
	(cd "$CLIENTS_DIR" && AWS_ENDPOINT_URL=$AWS_EP AWS_REGION=us-west-2 NODE_NO_WARNINGS=1 \
		timeout 120 node sdk.mjs "$(uniq_suffix)") >"$out" 2>&1
	rc=$?
	clients_report sdk-js "$out"
	assert_eq "[sdk-js] node sdk.mjs exits 0" 0 "$rc" || tail -n 20 "$out"
	assert_ge "[sdk-js] the script ran its checks" 250 "$CLIENT_CHECKS"
	assert_contains "[sdk-js] summary line" "sdk-js: $CLIENT_CHECKS passed" "$(tail -n 1 "$out")"
}

test_boto3_dynamodb() {
	if ! /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
		e2e_fail "[boto3] Debian's python3-boto3 is installed (scripts/deps.sh installs it)"
		return 1
	fi
	local out=$E2E_TMP/boto3.out rc
	AWS_ENDPOINT_URL=$AWS_EP timeout 120 /usr/bin/python3 "$ROOT/tests/clients/ddb/boto3_ddb.py" \
		"$(uniq_suffix)" >"$out" 2>&1
	rc=$?
	clients_report boto3 "$out"
	assert_eq "[boto3] boto3_ddb.py exits 0" 0 "$rc" || tail -n 20 "$out"
	assert_ge "[boto3] the script ran its checks" 100 "$CLIENT_CHECKS"
	assert_contains "[boto3] summary line" "boto3: $CLIENT_CHECKS passed" "$(tail -n 1 "$out")"
}

# ---- dynamodb-admin ----

ADMIN_PID=
admin_stop() {
	if [ -n "$ADMIN_PID" ] && kill -0 "$ADMIN_PID" 2>/dev/null; then
		kill -TERM "$ADMIN_PID" 2>/dev/null
		local i
		for ((i = 0; i < 30; i++)); do
			kill -0 "$ADMIN_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$ADMIN_PID" 2>/dev/null && kill -KILL "$ADMIN_PID" 2>/dev/null
		wait "$ADMIN_PID" 2>/dev/null
	fi
	ADMIN_PID=
}

# ddb_item_json TABLE KEYJSON -> the Item (low-level JSON) or "null", through the DynamoDB API
ddb_item_json() {
	ddb GetItem "$(jq -cn --arg t "$1" --argjson k "$2" '{TableName:$t, Key:$k, ConsistentRead:true}')"
	printf '%s' "$BODY" | jq -c '.Item // null'
}

test_dynamodb_admin() {
	clients_npm_ready || return 1
	local port adm tb tb2 log=$E2E_TMP/admin.log
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	tb="e2e-admin-$(uniq_suffix)"
	tb2="$tb-made"
	adm="http://127.0.0.1:$port"
	# Each test function is its own bash process: stop the admin however it ends.
	trap admin_stop EXIT
	trap 'admin_stop; exit 143' TERM INT

	# A table with three items, made through the DynamoDB API.
	ddb CreateTable "$(jq -cn --arg t "$tb" '{TableName:$t, BillingMode:"PAY_PER_REQUEST",
		AttributeDefinitions:[{AttributeName:"pk",AttributeType:"S"},{AttributeName:"sk",AttributeType:"N"}],
		KeySchema:[{AttributeName:"pk",KeyType:"HASH"},{AttributeName:"sk",KeyType:"RANGE"}]}')"
	assert_eq "[admin] CreateTable $tb" 200 "$ST" || return 1
	ddb BatchWriteItem "$(jq -cn --arg t "$tb" '{RequestItems:{($t):[
		{PutRequest:{Item:{pk:{S:"a"},sk:{N:"1"},name:{S:"alpha"},m:{M:{k:{N:"3"}}}}}},
		{PutRequest:{Item:{pk:{S:"a"},sk:{N:"2"},name:{S:"beta"}}}},
		{PutRequest:{Item:{pk:{S:"b"},sk:{N:"1"},name:{S:"gamma"},l:{L:[{S:"x"},{N:"7"}]}}}}]}}')"
	assert_eq "[admin] BatchWriteItem 3 items" 200 "$ST"

	# dynamodb-admin itself, on its own loopback port, pointed at Stratus.
	(cd "$E2E_TMP" && exec env DYNAMO_ENDPOINT="$AWS_EP" AWS_REGION=us-west-2 NODE_NO_WARNINGS=1 \
		node "$CLIENTS_DIR/node_modules/dynamodb-admin/dist/dynamodb-admin.js" --host 127.0.0.1 --port "$port") \
		>"$log" 2>&1 &
	ADMIN_PID=$!
	local i up=0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$ADMIN_PID" 2>/dev/null || break
		if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$adm/api/tables")" = 200 ]; then
			up=1
			break
		fi
		sleep 0.1
	done
	if ! assert_eq "[admin] dynamodb-admin answers within 10 s" 1 "$up"; then
		sed 's/^/  | /' "$log"
		return 1
	fi

	# The table list: the HTML page and its JSON twin (one DescribeTable per ListTables name).
	http GET "$adm/"
	assert_eq "[admin] GET / (table list page)" 200 "$ST"
	assert_contains "[admin] table list page links our table" "<a href='/tables/$tb'>" "$BODY"
	assert_contains "[admin] table list page lists a shipped table" "data-table-name=\"users\"" "$BODY"
	http GET "$adm/api/tables"
	assert_json "[admin] /api/tables: our table, ACTIVE, 3 items" "$BODY" \
		"[.[] | select(.TableName == \"$tb\") | {TableStatus, ItemCount, k: [.KeySchema[].AttributeName]}]" \
		'[{"TableStatus":"ACTIVE","ItemCount":3,"k":["pk","sk"]}]'
	assert_json "[admin] /api/tables: the shipped tables" "$BODY" \
		'[.[].TableName | select(. == "users" or . == "follows" or . == "auth" or . == "story" or . == "feed")] | sort' \
		'["auth","feed","follows","story","users"]'

	# Browsing: the table page, its items (Scan), a Query, one item's page, meta and TTL pages.
	http GET "$adm/tables/$tb"
	assert_eq "[admin] GET /tables/T (items page)" 200 "$ST"
	assert_contains "[admin] items page names the table" "href='/tables/$tb/meta'" "$BODY"
	http GET "$adm/tables/$tb/items"
	assert_eq "[admin] GET /tables/T/items" 200 "$ST"
	assert_json "[admin] items: the three items, as the document client reads them" "$BODY" \
		'[.Items[] | del(.__key)] | sort_by(.pk, .sk)' \
		'[{"pk":"a","sk":1,"name":"alpha","m":{"k":3}},{"pk":"a","sk":2,"name":"beta"},{"pk":"b","sk":1,"name":"gamma","l":["x",7]}]'
	assert_json "[admin] items: columns, keys first" "$BODY" '.uniqueKeys[0:2]' '["pk","sk"]'
	http GET "$adm/tables/$tb/items?pageSize=2"
	assert_json "[admin] items pageSize 2: two items and a next key" "$BODY" '{n: (.Items | length), k: (.nextKey != null)}' \
		'{"n":2,"k":true}'
	local filt
	filt=$(jq -rn '{pk:{value:"a",type:"S",operator:"="}} | tojson | @uri')
	http GET "$adm/tables/$tb/items?operationType=query&filters=$filt"
	assert_json "[admin] items by Query pk = a" "$BODY" '[.Items[].sk]' '[1,2]'
	http GET "$adm/tables/$tb/items/a,1"
	assert_eq "[admin] GET /tables/T/items/a,1 (item page)" 200 "$ST"
	assert_contains "[admin] item page shows the item" "&#34;name&#34;: &#34;alpha&#34;" "$BODY"
	http GET "$adm/tables/$tb/items/zz,9"
	assert_eq "[admin] item page of a missing item: 404" 404 "$ST"
	http GET "$adm/tables/$tb/meta"
	assert_eq "[admin] GET /tables/T/meta" 200 "$ST"
	http GET "$adm/tables/$tb/ttl"
	assert_eq "[admin] GET /tables/T/ttl (DescribeTimeToLive)" 200 "$ST"

	# Editing: create, edit, delete an item; each checked through the DynamoDB API.
	http PUT "$adm/tables/$tb/add-item" '{"pk":"new","sk":5,"name":"created","list":[1,"two",{"x":true}]}'
	assert_eq "[admin] PUT add-item" 200 "$ST"
	assert_json "[admin] add-item answers the key" "$BODY" . '{"pk":"new","sk":5}'
	assert_eq "[admin] the created item, read with GetItem" \
		'{"pk":{"S":"new"},"sk":{"N":"5"},"name":{"S":"created"},"list":{"L":[{"N":"1"},{"S":"two"},{"M":{"x":{"BOOL":true}}}]}}' \
		"$(ddb_item_json "$tb" '{"pk":{"S":"new"},"sk":{"N":"5"}}')"
	http PUT "$adm/tables/$tb/items/new,5" '{"pk":"new","sk":5,"name":"edited","n":2.5}'
	assert_eq "[admin] PUT items/new,5 (edit)" 200 "$ST"
	assert_json "[admin] edit answers the stored item" "$BODY" . '{"pk":"new","sk":5,"name":"edited","n":2.5}'
	assert_eq "[admin] the edited item, read with GetItem" \
		'{"pk":{"S":"new"},"sk":{"N":"5"},"name":{"S":"edited"},"n":{"N":"2.5"}}' \
		"$(ddb_item_json "$tb" '{"pk":{"S":"new"},"sk":{"N":"5"}}')"
	http DELETE "$adm/tables/$tb/items/new,5"
	assert_eq "[admin] DELETE items/new,5" 204 "$ST"
	assert_eq "[admin] the deleted item is gone (GetItem)" null "$(ddb_item_json "$tb" '{"pk":{"S":"new"},"sk":{"N":"5"}}')"
	http DELETE "$adm/tables/$tb/items/a,2"
	assert_eq "[admin] DELETE items/a,2" 204 "$ST"
	assert_eq "[admin] a,2 is gone, 2 items left" 2 "$(ddb_count "$tb")"

	# Tables: create one with a GSI and an LSI through the admin, purge, delete.
	http POST "$adm/create-table" "$(jq -cn --arg t "$tb2" '{TableDefinition:{TableName:$t,
		HashAttributeName:"id",HashAttributeType:"S",RangeAttributeName:"r",RangeAttributeType:"N",
		ReadCapacityUnits:3,WriteCapacityUnits:2},
		SecondaryIndexes:[{IndexType:"global",IndexName:"by_x",HashAttributeName:"x",HashAttributeType:"N",
			ReadCapacityUnits:1,WriteCapacityUnits:1},
		{IndexType:"local",IndexName:"by_y",HashAttributeName:"id",HashAttributeType:"S",
			RangeAttributeName:"y",RangeAttributeType:"S"}]}')"
	assert_eq "[admin] POST create-table" 204 "$ST"
	ddb DescribeTable "{\"TableName\":\"$tb2\"}"
	assert_json "[admin] the created table, described by DescribeTable" "$BODY" \
		'{k: [.Table.KeySchema[].AttributeName], t: .Table.ProvisionedThroughput.ReadCapacityUnits, g: [.Table.GlobalSecondaryIndexes[].IndexName], l: [.Table.LocalSecondaryIndexes[].IndexName]}' \
		'{"k":["id","r"],"t":3,"g":["by_x"],"l":["by_y"]}'
	http DELETE "$adm/tables/$tb/all"
	assert_eq "[admin] DELETE tables/T/all (purge)" 200 "$ST"
	assert_eq "[admin] purged table is empty (Scan)" 0 "$(ddb_count "$tb")"
	http DELETE "$adm/tables/$tb2"
	assert_eq "[admin] DELETE tables/T2" 204 "$ST"
	ddb DescribeTable "{\"TableName\":\"$tb2\"}"
	assert_json "[admin] deleted table: ResourceNotFoundException" "$BODY" '.__type | split("#")[1]' '"ResourceNotFoundException"'
	http DELETE "$adm/tables/$tb"
	assert_eq "[admin] DELETE tables/T" 204 "$ST"

	local apid=$ADMIN_PID alive=0
	admin_stop
	kill -0 "$apid" 2>/dev/null && alive=1
	assert_eq "[admin] dynamodb-admin stopped by its PID" 0 "$alive"
	assert_not_contains "[admin] no request failed in dynamodb-admin's log" "Exception" "$(cat "$log")"
}
