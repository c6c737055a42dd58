# tests/e2e/test_aws_dynamodb_more.sh - the table service through both AWS CLIs, the parts
# test_aws_dynamodb.sh leaves out: the table waiters, transact-write-items and
# transact-get-items (cancellation reasons), update-time-to-live / describe-time-to-live,
# tag-resource / untag-resource / list-tags-of-resource, nested-path ReturnValues, and the
# CLI's own pagination with --query (JMESPath over every page), --page-size, --max-items
# and --starting-token. Behaviour per the DynamoDB API Reference and the AWS CLI's
# "Using the AWS CLI pagination options" / "Filtering output" pages.

# ddb_poll_status TABLE WANT -> bounded curl poll of DescribeTable until TableStatus is WANT
# (GONE: until ResourceNotFoundException). The CLI's table waiters sleep 20 s between
# attempts; polling first lets them succeed on their first attempt, which still runs their
# acceptors (Table.TableStatus == ACTIVE; the ResourceNotFoundException error).
ddb_poll_status() {
	local i st
	for ((i = 0; i < 100; i++)); do
		ddb DescribeTable "{\"TableName\":\"$1\"}"
		st=$(jqr "$BODY" '.Table.TableStatus // (.__type // "" | split("#")[-1])')
		[ "$st" = "$2" ] && return 0
		[ "$2" = GONE ] && [ "$st" = ResourceNotFoundException ] && return 0
		sleep 0.1
	done
	return 1
}

ddb_more_scenario() {
	local c=$1 tb arn
	cli_or_skip "$c" || return 0
	tb="e2e-ddbm-$c-$(uniq_suffix)"
	arn="arn:aws:dynamodb:us-west-2:000000000000:table/$tb"

	awsc_ok "[$c] create-table $tb" dynamodb create-table --table-name "$tb" \
		--attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
		--key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
		--billing-mode PAY_PER_REQUEST --tags Key=team,Value=e2e || return 1
	ddb_poll_status "$tb" ACTIVE || e2e_fail "[$c] $tb ACTIVE within 10 s"
	awsc_ok "[$c] wait table-exists" dynamodb wait table-exists --table-name "$tb"
	awsc dynamodb describe-table --table-name "$tb" --query 'Table.[TableStatus, BillingModeSummary.BillingMode]' \
		--output text
	assert_eq "[$c] describe-table --query --output text" "ACTIVE	PAY_PER_REQUEST" "$OUT"

	# --- transact-write-items: Put, Update, ConditionCheck in one transaction ---
	local ti
	ti=$(jq -cn --arg t "$tb" '[
		{Put:{TableName:$t, Item:{pk:{S:"a"},sk:{N:"1"},v:{N:"1"}}, ConditionExpression:"attribute_not_exists(pk)"}},
		{Put:{TableName:$t, Item:{pk:{S:"a"},sk:{N:"2"},m:{M:{x:{N:"1"},y:{S:"keep"}}}}}},
		{Update:{TableName:$t, Key:{pk:{S:"a"},sk:{N:"3"}}, UpdateExpression:"SET v = :v", ExpressionAttributeValues:{":v":{N:"3"}}}}]')
	awsc_ok "[$c] transact-write-items (2 puts, 1 update)" dynamodb transact-write-items --transact-items "$ti"
	ti=$(jq -cn --arg t "$tb" '[
		{Put:{TableName:$t, Item:{pk:{S:"a"},sk:{N:"9"}}}},
		{ConditionCheck:{TableName:$t, Key:{pk:{S:"a"},sk:{N:"1"}}, ConditionExpression:"v = :two", ExpressionAttributeValues:{":two":{N:"2"}}}}]')
	awsc dynamodb transact-write-items --transact-items "$ti"
	assert_ne "[$c] transact-write-items with a false condition fails" 0 "$RC"
	assert_contains "[$c] transact-write-items: TransactionCanceledException and its reasons" \
		"TransactionCanceledException) when calling the TransactWriteItems operation: Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]" \
		"$ERR"
	ti=$(jq -cn --arg t "$tb" '[
		{Get:{TableName:$t, Key:{pk:{S:"a"},sk:{N:"1"}}}},
		{Get:{TableName:$t, Key:{pk:{S:"a"},sk:{N:"9"}}}},
		{Get:{TableName:$t, Key:{pk:{S:"a"},sk:{N:"3"}}, ProjectionExpression:"v"}}]')
	awsc_ok "[$c] transact-get-items" dynamodb transact-get-items --transact-items "$ti"
	assert_json "[$c] transact-get-items: responses in order, the cancelled put absent" "$OUT" .Responses \
		'[{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"1"}}},{},{"Item":{"v":{"N":"3"}}}]'

	# --- ReturnValues of a nested path ---
	awsc_ok "[$c] update-item SET m.x (UPDATED_OLD)" dynamodb update-item --table-name "$tb" \
		--key '{"pk":{"S":"a"},"sk":{"N":"2"}}' --update-expression 'SET m.x = m.x + :one' \
		--expression-attribute-values '{":one":{"N":"1"}}' --return-values UPDATED_OLD
	assert_json "[$c] update-item UPDATED_OLD: only m.x" "$OUT" .Attributes '{"m":{"M":{"x":{"N":"1"}}}}'
	if [ "$c" = v1 ]; then
		# (the Debian CLI 2.9's model predates this parameter on single-item writes)
		awsc dynamodb put-item --table-name "$tb" --item '{"pk":{"S":"a"},"sk":{"N":"1"}}' \
			--condition-expression 'attribute_not_exists(pk)' --return-values-on-condition-check-failure ALL_OLD
		assert_contains "[$c] put-item condition false: ConditionalCheckFailedException" \
			"(ConditionalCheckFailedException) when calling the PutItem operation: The conditional request failed" "$ERR"
	fi

	# --- TTL ---
	awsc_ok "[$c] update-time-to-live enable" dynamodb update-time-to-live --table-name "$tb" \
		--time-to-live-specification Enabled=true,AttributeName=expires
	assert_json "[$c] update-time-to-live: the specification" "$OUT" .TimeToLiveSpecification \
		'{"Enabled":true,"AttributeName":"expires"}'
	awsc_ok "[$c] describe-time-to-live" dynamodb describe-time-to-live --table-name "$tb"
	assert_json "[$c] describe-time-to-live: attribute" "$OUT" .TimeToLiveDescription.AttributeName '"expires"'
	assert_match "[$c] describe-time-to-live: ENABLING or ENABLED" '^ENABL(ING|ED)$' \
		"$(jqr "$OUT" .TimeToLiveDescription.TimeToLiveStatus)"
	if e2e_extras "$c"; then
		awsc dynamodb update-time-to-live --table-name "$tb" --time-to-live-specification Enabled=true,AttributeName=expires
		assert_contains "[$c] update-time-to-live again: ValidationException" \
			"(ValidationException) when calling the UpdateTimeToLive operation: TimeToLive is already enabled" "$ERR"
	fi

	# --- tags ---
	awsc_ok "[$c] tag-resource" dynamodb tag-resource --resource-arn "$arn" --tags Key=env,Value=test Key=team,Value=cli
	awsc_ok "[$c] untag-resource" dynamodb untag-resource --resource-arn "$arn" --tag-keys env
	awsc_ok "[$c] list-tags-of-resource" dynamodb list-tags-of-resource --resource-arn "$arn"
	assert_json "[$c] list-tags-of-resource: team=cli (CreateTable's tag overwritten)" "$OUT" .Tags \
		'[{"Key":"team","Value":"cli"}]'
	if e2e_extras "$c"; then
		awsc dynamodb tag-resource --resource-arn "$arn-nope" --tags Key=a,Value=b
		assert_contains "[$c] tag-resource of a missing table: ResourceNotFoundException" \
			"(ResourceNotFoundException) when calling the TagResource operation" "$ERR"
	fi

	# --- the CLI's pagination with --query: 12 more items under pk "p" ---
	local reqs
	reqs=$(jq -cn --arg t "$tb" '{($t): [range(0; 12) | {PutRequest:{Item:{pk:{S:"p"},sk:{N:(. | tostring)},odd:{BOOL:(. % 2 == 1)}}}}]}')
	awsc_ok "[$c] batch-write-item 12 puts" dynamodb batch-write-item --request-items "$reqs"
	awsc_ok "[$c] query --page-size 5 --query 'Items[].sk.N'" dynamodb query --table-name "$tb" \
		--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"p"}}' \
		--page-size 5 --query 'Items[].sk.N'
	assert_json "[$c] --query over every page: all 12 sort keys in order" "$OUT" . \
		'["0","1","2","3","4","5","6","7","8","9","10","11"]'
	# (the rest with one CLI: both speak the same JSON 1.0 and paginate in botocore)
	e2e_extras "$c" || { ddb_more_end "$c" "$tb"; return; }
	awsc_ok "[$c] scan --page-size 4 --query Count" dynamodb scan --table-name "$tb" --page-size 4 \
		--filter-expression 'odd = :t' --expression-attribute-values '{":t":{"BOOL":true}}' --query '[Count, ScannedCount]'
	assert_json "[$c] scan --query [Count, ScannedCount]: summed over the pages" "$OUT" . '[6,15]'
	awsc_ok "[$c] query --max-items 5 --query" dynamodb query --table-name "$tb" \
		--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"p"}}' \
		--page-size 3 --max-items 5 --query '{k: Items[].sk.N, t: NextToken}'
	assert_json "[$c] query --max-items 5: first five" "$OUT" .k '["0","1","2","3","4"]'
	local nt
	nt=$(jqr "$OUT" '.t // empty')
	assert_ne "[$c] query --max-items 5: NextToken" "" "$nt"
	awsc_ok "[$c] query --starting-token" dynamodb query --table-name "$tb" \
		--key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"p"}}' \
		--page-size 3 --max-items 5 --starting-token "$nt" --query 'Items[].sk.N'
	assert_json "[$c] query --starting-token: the next five" "$OUT" . '["5","6","7","8","9"]'
	awsc_ok "[$c] list-tables --page-size 1 --query" dynamodb list-tables --page-size 1 \
		--query "TableNames[?starts_with(@, '$tb')]"
	assert_json "[$c] list-tables one name per page, filtered by --query" "$OUT" . "[\"$tb\"]"
	awsc_ok "[$c] scan --query with a JMESPath filter" dynamodb scan --table-name "$tb" --page-size 5 \
		--query 'length(Items[?odd.BOOL == `false` && pk.S == `p`])'
	assert_eq "[$c] scan --query length(...) over every page" 6 "$OUT"
	ddb_more_end "$c" "$tb"
}

# ddb_more_end CLI TABLE: delete-table and the table-not-exists waiter.
ddb_more_end() {
	local c=$1 tb=$2
	awsc_ok "[$c] delete-table" dynamodb delete-table --table-name "$tb"
	ddb_poll_status "$tb" GONE || e2e_fail "[$c] $tb gone within 10 s"
	awsc_ok "[$c] wait table-not-exists" dynamodb wait table-not-exists --table-name "$tb"
	awsc dynamodb describe-table --table-name "$tb"
	assert_contains "[$c] describe-table after the waiter: ResourceNotFoundException" \
		"(ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: $tb not found" "$ERR"
}

test_ddb_more_cli_v2() {
	ddb_more_scenario v2
}

test_ddb_more_cli_v1() {
	ddb_more_scenario v1
}
