# tests/e2e/test_aws_dynamodb.sh - the table service through both AWS CLIs
# (/usr/bin/aws v2 and the pip aws v1), DynamoDB JSON 1.0 protocol.
# Behaviour per the DynamoDB API Reference (CreateTable, PutItem, UpdateItem, Query, ...).

# ddb_wait_active TABLE -> bounded poll of describe-table until TableStatus (and every GSI) is ACTIVE
ddb_wait_active() {
	local i st
	for ((i = 0; i < 50; i++)); do
		awsc dynamodb describe-table --table-name "$1"
		st=$(jqr "$OUT" '[.Table.TableStatus] + [(.Table.GlobalSecondaryIndexes // [])[].IndexStatus] | unique | join(",")')
		[ "$st" = ACTIVE ] && return 0
		sleep 0.2
	done
	echo "describe-table $1: last status [$st] rc $RC $ERR"
	return 1
}

ddb_scenario() {
	local c=$1 tb
	cli_or_skip "$c" || return 0
	tb="e2e-ddb-$c-$(uniq_suffix)"

	# --- create-table: HASH + RANGE, one GSI ---
	awsc_ok "[$c] create-table $tb" dynamodb create-table --table-name "$tb" \
		--attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
		AttributeName=color,AttributeType=S \
		--key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
		--provisioned-throughput ReadCapacityUnits=5,WriteCapacityUnits=5 \
		--global-secondary-indexes 'IndexName=by_color,KeySchema=[{AttributeName=color,KeyType=HASH},{AttributeName=sk,KeyType=RANGE}],Projection={ProjectionType=ALL},ProvisionedThroughput={ReadCapacityUnits=5,WriteCapacityUnits=5}' \
		|| return 1
	assert_json "[$c] create-table: TableName" "$OUT" .TableDescription.TableName "\"$tb\""
	assert_json "[$c] create-table: KeySchema" "$OUT" '[.TableDescription.KeySchema[] | "\(.AttributeName):\(.KeyType)"]' \
		'["pk:HASH","sk:RANGE"]'
	assert_json "[$c] create-table: GSI name" "$OUT" '[.TableDescription.GlobalSecondaryIndexes[].IndexName]' '["by_color"]'
	assert_match "[$c] create-table: status CREATING or ACTIVE" '^(CREATING|ACTIVE)$' \
		"$(jqr "$OUT" .TableDescription.TableStatus)"
	assert_json "[$c] create-table: TableArn" "$OUT" .TableDescription.TableArn \
		"\"arn:aws:dynamodb:us-west-2:000000000000:table/$tb\""
	if ddb_wait_active "$tb"; then
		e2e_pass "[$c] describe-table reaches ACTIVE (table and GSI)"
	else
		e2e_fail "[$c] describe-table reaches ACTIVE within 10 s"
		return 1
	fi
	assert_json "[$c] describe-table: throughput" "$OUT" \
		'.Table.ProvisionedThroughput | {ReadCapacityUnits, WriteCapacityUnits}' \
		'{"ReadCapacityUnits":5,"WriteCapacityUnits":5}'

	if e2e_extras "$c"; then
		# --- duplicate create-table ---
		awsc dynamodb create-table --table-name "$tb" \
			--attribute-definitions AttributeName=pk,AttributeType=S \
			--key-schema AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST
		assert_ne "[$c] create-table of an existing table fails" 0 "$RC"
		assert_contains "[$c] create-table of an existing table: ResourceInUseException" ResourceInUseException "$ERR"
	fi
	# --- put-item / get-item ---
	awsc_ok "[$c] put-item" dynamodb put-item --table-name "$tb" \
		--item '{"pk":{"S":"u1"},"sk":{"N":"1"},"color":{"S":"red"},"name":{"S":"one"},"tags":{"SS":["a","b"]}}'
	assert_eq "[$c] put-item: empty output (no ReturnValues)" "" "$(jqr "$OUT" '.Attributes // empty')"
	awsc_ok "[$c] get-item" dynamodb get-item --table-name "$tb" --consistent-read \
		--key '{"pk":{"S":"u1"},"sk":{"N":"1"}}'
	assert_json "[$c] get-item: the item" "$OUT" '.Item | {pk, sk, color, name}' \
		'{"pk":{"S":"u1"},"sk":{"N":"1"},"color":{"S":"red"},"name":{"S":"one"}}'
	assert_json "[$c] get-item: string set" "$OUT" '.Item.tags.SS | sort' '["a","b"]'
	if e2e_extras "$c"; then
		awsc_ok "[$c] get-item with a projection" dynamodb get-item --table-name "$tb" \
			--key '{"pk":{"S":"u1"},"sk":{"N":"1"}}' --projection-expression '#n' \
			--expression-attribute-names '{"#n":"name"}'
		assert_json "[$c] get-item projection: only name" "$OUT" .Item '{"name":{"S":"one"}}'
		awsc_ok "[$c] get-item of a missing key" dynamodb get-item --table-name "$tb" \
			--key '{"pk":{"S":"nope"},"sk":{"N":"1"}}'
		assert_eq "[$c] get-item of a missing key: no Item" "" "$(jqr "$OUT" '.Item // empty')"
	fi
	# --- update-item: SET + ADD counter, ALL_NEW ---
	awsc_ok "[$c] update-item SET + ADD" dynamodb update-item --table-name "$tb" \
		--key '{"pk":{"S":"u1"},"sk":{"N":"1"}}' \
		--update-expression 'SET #n = :n ADD cnt :one' \
		--expression-attribute-names '{"#n":"name"}' \
		--expression-attribute-values '{":n":{"S":"uno"},":one":{"N":"1"}}' \
		--return-values ALL_NEW
	assert_json "[$c] update-item ALL_NEW: name, cnt, color" "$OUT" '.Attributes | {name, cnt, color}' \
		'{"name":{"S":"uno"},"cnt":{"N":"1"},"color":{"S":"red"}}'
	if e2e_extras "$c"; then
		awsc_ok "[$c] update-item ADD again" dynamodb update-item --table-name "$tb" \
			--key '{"pk":{"S":"u1"},"sk":{"N":"1"}}' --update-expression 'ADD cnt :five' \
			--expression-attribute-values '{":five":{"N":"5"}}' --return-values UPDATED_NEW
		assert_json "[$c] update-item UPDATED_NEW: cnt 6" "$OUT" .Attributes '{"cnt":{"N":"6"}}'
	fi
	# --- conditional put fails ---
	awsc dynamodb put-item --table-name "$tb" \
		--item '{"pk":{"S":"u1"},"sk":{"N":"1"},"color":{"S":"blue"}}' \
		--condition-expression 'attribute_not_exists(pk)'
	assert_ne "[$c] conditional put on an existing item fails" 0 "$RC"
	assert_contains "[$c] conditional put: ConditionalCheckFailedException" \
		"ConditionalCheckFailedException" "$ERR"
	assert_contains "[$c] conditional put: message" "The conditional request failed" "$ERR"
	awsc dynamodb get-item --table-name "$tb" --key '{"pk":{"S":"u1"},"sk":{"N":"1"}}'
	assert_json "[$c] failed conditional put left the item" "$OUT" .Item.color '{"S":"red"}'
	if e2e_extras "$c"; then
		awsc dynamodb update-item --table-name "$tb" --key '{"pk":{"S":"u1"},"sk":{"N":"1"}}' \
			--update-expression 'SET cnt = :z' --condition-expression 'cnt = :z' \
			--expression-attribute-values '{":z":{"N":"0"}}'
		assert_contains "[$c] conditional update (cnt = 0 while 6): ConditionalCheckFailedException" \
			"ConditionalCheckFailedException" "$ERR"
	fi
	# --- batch-write-item: more rows ---
	local reqs
	reqs=$(jq -cn --arg t "$tb" '{($t): [
		{PutRequest:{Item:{pk:{S:"u1"},sk:{N:"2"},color:{S:"blue"}}}},
		{PutRequest:{Item:{pk:{S:"u1"},sk:{N:"3"},color:{S:"red"}}}},
		{PutRequest:{Item:{pk:{S:"u1"},sk:{N:"4"},color:{S:"green"}}}},
		{PutRequest:{Item:{pk:{S:"u1"},sk:{N:"5"},color:{S:"red"}}}},
		{PutRequest:{Item:{pk:{S:"u2"},sk:{N:"1"},color:{S:"red"}}}},
		{PutRequest:{Item:{pk:{S:"u3"},sk:{N:"9"},color:{S:"gone"}}}}]}')
	awsc_ok "[$c] batch-write-item (6 puts)" dynamodb batch-write-item --request-items "$reqs"
	assert_json "[$c] batch-write-item: UnprocessedItems empty" "$OUT" .UnprocessedItems '{}'
	if e2e_extras "$c"; then
		reqs=$(jq -cn --arg t "$tb" '{($t): [{DeleteRequest:{Key:{pk:{S:"u3"},sk:{N:"9"}}}}]}')
		awsc_ok "[$c] batch-write-item (1 delete)" dynamodb batch-write-item --request-items "$reqs"
		reqs=$(jq -cn --arg t "$tb" '{($t): {Keys:[{pk:{S:"u1"},sk:{N:"2"}},{pk:{S:"u3"},sk:{N:"9"}},{pk:{S:"u2"},sk:{N:"1"}}]}}')
		awsc_ok "[$c] batch-get-item" dynamodb batch-get-item --request-items "$reqs"
		assert_json "[$c] batch-get-item: the two present items" "$OUT" \
			"[.Responses[\"$tb\"][] | .pk.S + \"/\" + .sk.N] | sort" '["u1/2","u2/1"]'
	fi
	# --- query: key condition, descending, Limit + LastEvaluatedKey ---
	awsc_ok "[$c] query pk = u1 descending" dynamodb query --table-name "$tb" \
		--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"u1"}}' \
		--no-scan-index-forward
	assert_json "[$c] query descending: sort keys" "$OUT" '[.Items[].sk.N]' '["5","4","3","2","1"]'
	assert_json "[$c] query descending: Count" "$OUT" .Count 5
	if e2e_extras "$c"; then
		awsc_ok "[$c] query sk BETWEEN 2 AND 4" dynamodb query --table-name "$tb" \
			--key-condition-expression 'pk = :p AND sk BETWEEN :a AND :b' \
			--expression-attribute-values '{":p":{"S":"u1"},":a":{"N":"2"},":b":{"N":"4"}}'
		assert_json "[$c] query BETWEEN: ascending sort keys" "$OUT" '[.Items[].sk.N]' '["2","3","4"]'
		awsc_ok "[$c] query with a filter" dynamodb query --table-name "$tb" \
			--key-condition-expression 'pk = :p' --filter-expression 'color = :c' \
			--expression-attribute-values '{":p":{"S":"u1"},":c":{"S":"red"}}'
		assert_json "[$c] query filter: Count and ScannedCount" "$OUT" '{Count, ScannedCount}' '{"Count":3,"ScannedCount":5}'
	fi
	awsc_ok "[$c] query --limit 2 --no-paginate" dynamodb query --table-name "$tb" --no-paginate \
		--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"u1"}}' \
		--no-scan-index-forward --limit 2
	assert_json "[$c] query Limit 2: items" "$OUT" '[.Items[].sk.N]' '["5","4"]'
	assert_json "[$c] query Limit 2: LastEvaluatedKey" "$OUT" .LastEvaluatedKey '{"pk":{"S":"u1"},"sk":{"N":"4"}}'
	local lek
	lek=$(printf '%s' "$OUT" | jq -c .LastEvaluatedKey)
	awsc_ok "[$c] query from ExclusiveStartKey" dynamodb query --table-name "$tb" --no-paginate \
		--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"u1"}}' \
		--no-scan-index-forward --limit 2 --exclusive-start-key "$lek"
	assert_json "[$c] query page 2: items" "$OUT" '[.Items[].sk.N]' '["3","2"]'
	if e2e_extras "$c"; then
		lek=$(printf '%s' "$OUT" | jq -c .LastEvaluatedKey)
		awsc_ok "[$c] query page 3" dynamodb query --table-name "$tb" --no-paginate \
			--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"u1"}}' \
			--no-scan-index-forward --limit 2 --exclusive-start-key "$lek"
		assert_json "[$c] query page 3: the last item, no LastEvaluatedKey" "$OUT" '{k: [.Items[].sk.N], l: .LastEvaluatedKey}' \
			'{"k":["1"],"l":null}'
		awsc_ok "[$c] query auto-paginated by the CLI (--page-size 2)" dynamodb query --table-name "$tb" \
			--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"u1"}}' --page-size 2
		assert_json "[$c] query --page-size 2: all items ascending" "$OUT" '[.Items[].sk.N]' '["1","2","3","4","5"]'
		awsc_ok "[$c] query --max-items 3" dynamodb query --table-name "$tb" \
			--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"u1"}}' \
			--page-size 2 --max-items 3
		assert_json "[$c] query --max-items 3: items" "$OUT" '[.Items[].sk.N]' '["1","2","3"]'
		local nt
		nt=$(jqr "$OUT" '.NextToken // empty')
		assert_ne "[$c] query --max-items 3: NextToken" "" "$nt"
		awsc_ok "[$c] query --starting-token" dynamodb query --table-name "$tb" \
			--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"u1"}}' \
			--page-size 2 --max-items 3 --starting-token "$nt"
		assert_json "[$c] query --starting-token: the rest" "$OUT" '{k: [.Items[].sk.N], t: .NextToken}' '{"k":["4","5"],"t":null}'
	fi
	# --- query on the GSI ---
	awsc_ok "[$c] query GSI by_color = red" dynamodb query --table-name "$tb" --index-name by_color \
		--key-condition-expression 'color = :c' --expression-attribute-values '{":c":{"S":"red"}}'
	assert_json "[$c] GSI query: items" "$OUT" '[.Items[] | .pk.S + "/" + .sk.N] | sort' \
		'["u1/1","u1/3","u1/5","u2/1"]'
	assert_json "[$c] GSI query: sk ascending" "$OUT" '[.Items[].sk.N | tonumber] | . == sort' true
	if e2e_extras "$c"; then
		awsc_ok "[$c] query GSI --select COUNT" dynamodb query --table-name "$tb" --index-name by_color \
			--key-condition-expression 'color = :c' --expression-attribute-values '{":c":{"S":"red"}}' --select COUNT
		assert_json "[$c] GSI COUNT" "$OUT" .Count 4
		awsc dynamodb query --table-name "$tb" --index-name by_color --consistent-read \
			--key-condition-expression 'color = :c' --expression-attribute-values '{":c":{"S":"red"}}'
		assert_contains "[$c] consistent read on a GSI: ValidationException" ValidationException "$ERR"
	fi
	# --- scan ---
	if e2e_extras "$c"; then
		awsc_ok "[$c] scan $tb" dynamodb scan --table-name "$tb"
		assert_json "[$c] scan: Count" "$OUT" .Count 6
	fi
	awsc_ok "[$c] scan --table-name follows (shipped table)" dynamodb scan --table-name follows --max-items 5
	assert_json "[$c] scan follows: Items is an array" "$OUT" '.Items | type' '"array"'
	assert_json "[$c] scan follows: at most 5 items" "$OUT" '.Items | length <= 5' true

	# --- delete-item ---
	awsc_ok "[$c] delete-item ALL_OLD" dynamodb delete-item --table-name "$tb" \
		--key '{"pk":{"S":"u1"},"sk":{"N":"1"}}' --return-values ALL_OLD
	local cnt=1
	e2e_extras "$c" && cnt=6
	assert_json "[$c] delete-item ALL_OLD: old cnt" "$OUT" .Attributes.cnt "{\"N\":\"$cnt\"}"
	awsc dynamodb get-item --table-name "$tb" --key '{"pk":{"S":"u1"},"sk":{"N":"1"}}'
	assert_eq "[$c] deleted item is gone" "" "$(jqr "$OUT" '.Item // empty')"

	# --- update-table throughput ---
	awsc_ok "[$c] update-table throughput 10/7" dynamodb update-table --table-name "$tb" \
		--provisioned-throughput ReadCapacityUnits=10,WriteCapacityUnits=7
	ddb_wait_active "$tb" || e2e_fail "[$c] table ACTIVE again after update-table"
	assert_json "[$c] describe-table after update-table: throughput" "$OUT" \
		'.Table.ProvisionedThroughput | {ReadCapacityUnits, WriteCapacityUnits}' \
		'{"ReadCapacityUnits":10,"WriteCapacityUnits":7}'

	# --- update-table: add a GSI (backfilled from the table), query it, delete it ---
	# (API_UpdateTable GlobalSecondaryIndexUpdates; developer guide "Adding a global
	# secondary index to an existing table")
	awsc_ok "[$c] put-item with cnt" dynamodb put-item --table-name "$tb" \
		--item '{"pk":{"S":"u9"},"sk":{"N":"9"},"cnt":{"N":"1"},"name":{"S":"nine"}}'
	awsc_ok "[$c] update-table: create GSI by_cnt" dynamodb update-table --table-name "$tb" \
		--attribute-definitions AttributeName=cnt,AttributeType=N \
		--global-secondary-index-updates '[{"Create":{"IndexName":"by_cnt","KeySchema":[{"AttributeName":"cnt","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"},"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}}]'
	assert_json "[$c] update-table create: IndexStatus CREATING" "$OUT" \
		'[.TableDescription.GlobalSecondaryIndexes[] | select(.IndexName == "by_cnt") | .IndexStatus]' '["CREATING"]'
	ddb_wait_active "$tb" || e2e_fail "[$c] new GSI becomes ACTIVE"
	awsc_ok "[$c] query the new GSI" dynamodb query --table-name "$tb" --index-name by_cnt \
		--key-condition-expression 'cnt = :n' --expression-attribute-values '{":n":{"N":"1"}}'
	assert_json "[$c] new GSI: the item, keys only" "$OUT" '[.Items[] | keys]' '[["cnt","pk","sk"]]'
	awsc dynamodb update-table --table-name "$tb" \
		--attribute-definitions AttributeName=cnt,AttributeType=N \
		--global-secondary-index-updates '[{"Create":{"IndexName":"by_cnt","KeySchema":[{"AttributeName":"cnt","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}}]'
	assert_contains "[$c] create an existing GSI: ValidationException" \
		"Attempting to create an index which already exists" "$ERR"
	awsc_ok "[$c] update-table: delete GSI by_cnt" dynamodb update-table --table-name "$tb" \
		--global-secondary-index-updates '[{"Delete":{"IndexName":"by_cnt"}}]'
	ddb_wait_active "$tb" || e2e_fail "[$c] table ACTIVE after the GSI delete"
	assert_json "[$c] deleted GSI is gone" "$OUT" '[.Table.GlobalSecondaryIndexes[].IndexName]' '["by_color"]'

	# --- list-tables / delete-table ---
	awsc_ok "[$c] list-tables" dynamodb list-tables
	assert_json "[$c] list-tables includes $tb" "$OUT" "[.TableNames[] | select(. == \"$tb\")] | length" 1
	assert_json "[$c] list-tables includes the shipped tables" "$OUT" \
		'[.TableNames[] | select(. == "users" or . == "follows" or . == "auth" or . == "story" or . == "feed")] | sort' \
		'["auth","feed","follows","story","users"]'
	assert_json "[$c] list-tables is sorted" "$OUT" '.TableNames == (.TableNames | sort)' true
	awsc_ok "[$c] delete-table" dynamodb delete-table --table-name "$tb"
	assert_json "[$c] delete-table: TableName" "$OUT" .TableDescription.TableName "\"$tb\""
	local i gone=0
	for ((i = 0; i < 50; i++)); do
		awsc dynamodb describe-table --table-name "$tb"
		if [ "$RC" != 0 ]; then
			gone=1
			break
		fi
		sleep 0.2
	done
	assert_eq "[$c] describe-table after delete-table fails" 1 "$gone"
	assert_contains "[$c] describe-table after delete: ResourceNotFoundException" ResourceNotFoundException "$ERR"
	if e2e_extras "$c"; then
		awsc dynamodb list-tables
		assert_json "[$c] list-tables no longer has $tb" "$OUT" "[.TableNames[] | select(. == \"$tb\")] | length" 0
		awsc dynamodb get-item --table-name "$tb" --key '{"pk":{"S":"u1"},"sk":{"N":"2"}}'
		assert_contains "[$c] get-item on the deleted table: ResourceNotFoundException" ResourceNotFoundException "$ERR"
	fi
	
}

test_ddb_cli_v2() {
	ddb_scenario v2
}

test_ddb_cli_v1() {
	ddb_scenario v1
}
