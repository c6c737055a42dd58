# tests/e2e/test_bad_input.sh - malformed and hostile requests with curl; afterwards the
# server must still be healthy and serve a normal request.
# Error shapes per the DynamoDB API Reference "Common Errors" (SerializationException,
# UnknownOperationException, ValidationException), the S3 error codes list, and API
# Gateway's body-parsing error.

# Real DynamoDB sends validation errors from the Coral layer (as captured from
# dynamodb.<region>.amazonaws.com responses): com.amazon.coral.validate#ValidationException.
DDB_VALIDATION='com.amazon.coral.validate#ValidationException'

test_bad_ddb_malformed_json() {
	ddb PutItem '{"TableName": "users", "Item": {'
	assert_eq "malformed JSON to DynamoDB: status" 400 "$ST"
	assert_match "malformed JSON: __type ends #SerializationException" '#SerializationException$' "$(jqr "$BODY" .__type)"
	ddb GetItem 'not json at all'
	assert_eq "non-JSON body to DynamoDB: status" 400 "$ST"
	assert_match "non-JSON body: __type ends #SerializationException" '#SerializationException$' "$(jqr "$BODY" .__type)"
	ddb GetItem '{"TableName": 5, "Key": {"alias": {"S": "@x"}}}'
	assert_eq "TableName as a number: status" 400 "$ST"
	assert_match "TableName as a number: __type SerializationException or ValidationException" \
		'#(SerializationException|ValidationException)$' "$(jqr "$BODY" .__type)"
}

test_bad_ddb_unknown_operation() {
	ddb Frobnicate '{}'
	assert_eq "unknown X-Amz-Target: status" 400 "$ST"
	assert_match "unknown X-Amz-Target: __type ends #UnknownOperationException" '#UnknownOperationException$' \
		"$(jqr "$BODY" .__type)"
	ddb GetItem '{"TableName":"no_such_table_e2e","Key":{"k":{"S":"x"}}}'
	assert_eq "GetItem on a missing table: status" 400 "$ST"
	assert_match "missing table: __type ends #ResourceNotFoundException" '#ResourceNotFoundException$' \
		"$(jqr "$BODY" .__type)"
	assert_eq "missing table: message" "Requested resource not found" "$(jqr "$BODY" '.message // .Message')"
}

test_bad_ddb_key_type() {
	ddb PutItem '{"TableName":"users","Item":{"alias":{"N":"5"},"first_name":{"S":"x"}}}'
	assert_eq "PutItem with an N value for the S key: status" 400 "$ST"
	assert_eq "key type mismatch: __type" "$DDB_VALIDATION" "$(jqr "$BODY" .__type)"
	local msg
	msg=$(jqr "$BODY" '.message // .Message')
	assert_match "key type mismatch: message prefix" '^One or more parameter values were invalid: Type mismatch for key' "$msg"
	assert_eq "key type mismatch: exact message" \
		"One or more parameter values were invalid: Type mismatch for key alias expected: S actual: N" "$msg"
	ddb GetItem '{"TableName":"users","Key":{"alias":{"N":"5"}}}'
	assert_eq "GetItem with an N value for the S key: status" 400 "$ST"
	assert_eq "GetItem key mismatch: __type" "$DDB_VALIDATION" "$(jqr "$BODY" .__type)"
	assert_eq "GetItem key mismatch: message" "The provided key element does not match the schema" \
		"$(jqr "$BODY" '.message // .Message')"
	ddb PutItem '{"TableName":"users","Item":{"first_name":{"S":"x"}}}'
	assert_eq "PutItem without the key: status" 400 "$ST"
	assert_eq "PutItem without the key: __type" "$DDB_VALIDATION" "$(jqr "$BODY" .__type)"
	assert_eq "PutItem without the key: message" \
		"One or more parameter values were invalid: Missing the key alias in the item" "$(jqr "$BODY" '.message // .Message')"
}

test_bad_ddb_batch_26() {
	local req
	req=$(jq -cn '{RequestItems: {story: [range(0;26) | {PutRequest: {Item: {alias: {S: "@e2e_batch26"}, timestamp: {N: (. | tostring)}}}}]}}')
	ddb BatchWriteItem "$req"
	assert_eq "BatchWriteItem with 26 requests: status" 400 "$ST"
	assert_eq "BatchWriteItem 26: __type" "$DDB_VALIDATION" "$(jqr "$BODY" .__type)"
	assert_contains "BatchWriteItem 26: message names the limit" \
		"Member must have length less than or equal to 25" "$(jqr "$BODY" '.message // .Message')"
	ddb Query '{"TableName":"story","KeyConditionExpression":"alias = :a","ExpressionAttributeValues":{":a":{"S":"@e2e_batch26"}},"Select":"COUNT"}'
	assert_json "BatchWriteItem 26 wrote nothing" "$BODY" .Count 0
	req=$(jq -cn '{RequestItems: {story: [range(0;25) | {PutRequest: {Item: {alias: {S: "@e2e_batch25"}, timestamp: {N: (. | tostring)}}}}]}}')
	ddb BatchWriteItem "$req"
	assert_eq "BatchWriteItem with 25 requests: status" 200 "$ST"
	req=$(jq -cn '{RequestItems: {story: [range(0;25) | {DeleteRequest: {Key: {alias: {S: "@e2e_batch25"}, timestamp: {N: (. | tostring)}}}}]}}')
	ddb BatchWriteItem "$req"
	assert_eq "BatchWriteItem deleting them: status" 200 "$ST"
}

test_bad_huge_bodies() {
	local big=$E2E_TMP/big.bin
	head -c $((33 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$big"
	local code
	code=$(curl -s --max-time 60 -o "$E2E_TMP/r1" -w '%{http_code}' -X POST \
		-H 'X-Amz-Target: DynamoDB_20120810.PutItem' -H 'Content-Type: application/x-amz-json-1.0' \
		--data-binary @"$big" "$AWS_EP/")
	assert_eq "33 MiB body to DynamoDB: status 413" 413 "$code"
	code=$(curl -s --max-time 60 -o "$E2E_TMP/r2" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' --data-binary @"$big" "$API/user/login")
	# API Gateway REST payload quota is 10 MB; above it the answer is 413.
	assert_eq "33 MiB body to the API Gateway stage: status 413" 413 "$code"
	code=$(curl -s --max-time 60 -o "$E2E_TMP/r3" -w '%{http_code}' -X PUT \
		--data-binary @"$big" "$AWS_EP/tweeter-images/e2e/huge.bin")
	if [ "$code" = 413 ]; then
		e2e_pass "33 MiB S3 PUT: 413"
	else
		assert_eq "33 MiB S3 PUT: status 413 or 400" 400 "$code"
		assert_contains "33 MiB S3 PUT: EntityTooLarge" "<Code>EntityTooLarge</Code>" "$(cat "$E2E_TMP/r3")"
	fi
	rm -f "$big"
	http GET "$AWS_EP/_stratus/health"
	assert_eq "health after the huge bodies" 200 "$ST"
}

test_bad_s3_dotdot_key() {
	local code body
	code=$(curl -s --max-time 10 --path-as-is -o "$E2E_TMP/dd" -w '%{http_code}' -X PUT \
		--data-binary 'x' "$AWS_EP/tweeter-images/a/../b")
	body=$(cat "$E2E_TMP/dd")
	assert_eq "PUT /tweeter-images/a/../b: status" 400 "$code"
	assert_contains "PUT a/../b: InvalidArgument" "<Code>InvalidArgument</Code>" "$body"
	code=$(curl -s --max-time 10 --path-as-is -o /dev/null -w '%{http_code}' "$AWS_EP/tweeter-images/b")
	assert_eq "no object b was written" 404 "$code"
	code=$(curl -s --max-time 10 --path-as-is -o /dev/null -w '%{http_code}' "$AWS_EP/tweeter-images/../tweeter-images/image/x.png")
	assert_eq "GET with .. in the path: status 400" 400 "$code"
}

test_bad_api_malformed_json() {
	http POST "$API/user/login" '{"alias": "@a", '
	assert_eq "malformed JSON to the API stage: status" 400 "$ST"
	assert_match "malformed JSON to the API stage: message" '^Could not parse request body into json' \
		"$(jqr "$BODY" .message)"
	http POST "$API/status/post" '[1, 2'
	assert_eq "truncated JSON array to /status/post: status" 400 "$ST"
	http POST "$API/user/login" '"just a string"'
	assert_eq "a JSON string as the login body: status" 400 "$ST"
	assert_match "a JSON string as the login body: [Bad Request]" '^\[Bad Request\]' "$(jqr "$BODY" .errorMessage)"
	http POST "$API/user/login" '{"alias":"no-at-sign","password":"pw"}'
	assert_eq "login with an alias without @: status" 400 "$ST"
}

test_bad_sqs_input() {
	http POST "$AWS_EP/" 'Action=Frobnicate&Version=2012-11-05' -H 'Content-Type: application/x-www-form-urlencoded'
	assert_eq "SQS query protocol, unknown Action: status" 400 "$ST"
	assert_contains "SQS unknown Action: InvalidAction" "<Code>InvalidAction</Code>" "$BODY"
	http POST "$AWS_EP/" '{"QueueName": ' -H 'X-Amz-Target: AmazonSQS.CreateQueue' \
		-H 'Content-Type: application/x-amz-json-1.0'
	assert_eq "SQS JSON protocol, malformed JSON: status" 400 "$ST"
	http POST "$AWS_EP/" '{"QueueUrl":"'"$AWS_EP"'/000000000000/tweeter-post-status","MessageBody":""}' \
		-H 'X-Amz-Target: AmazonSQS.SendMessage' -H 'Content-Type: application/x-amz-json-1.0'
	assert_eq "SQS SendMessage with an empty body: status" 400 "$ST"
	assert_match "SQS empty body: __type MissingParameter / InvalidParameterValue" \
		'(MissingParameter|InvalidParameterValue)' "$(jqr "$BODY" .__type)"
}

# Runs after everything else: the server survived the bad input and still works.
test_exclusive_bad_input_server_still_healthy() {
	http GET "$AWS_EP/_stratus/health"
	assert_eq "health after the bad input: status" 200 "$ST"
	assert_json "health: status running" "$BODY" .status '"running"'
	ddb PutItem '{"TableName":"story","Item":{"alias":{"S":"@e2e_health"},"timestamp":{"N":"1"},"post":{"S":"ok"}}}'
	assert_eq "a normal PutItem: status" 200 "$ST"
	ddb GetItem '{"TableName":"story","Key":{"alias":{"S":"@e2e_health"},"timestamp":{"N":"1"}},"ConsistentRead":true}'
	assert_eq "a normal GetItem: status" 200 "$ST"
	assert_json "a normal GetItem: the item" "$BODY" .Item.post '{"S":"ok"}'
	ddb DeleteItem '{"TableName":"story","Key":{"alias":{"S":"@e2e_health"},"timestamp":{"N":"1"}}}'
	assert_eq "DeleteItem: status" 200 "$ST"
	ddb GetItem '{"TableName":"users","Key":{"alias":{"S":"@e2e_nobody"}}}'
	assert_eq "GetItem of a missing item: status" 200 "$ST"
	assert_eq "GetItem of a missing item: body {}" '{}' "$BODY"
	tw_login @e2e_nobody pw
	assert_eq "the API stage still answers (unknown login 400)" 400 "$ST"
}

# U+0000 cannot reach a message body: SQS refuses it (InvalidMessageContents, "Invalid
# characters found" - SQS API reference, SendMessage), over JSON and over the query
# protocol, instead of storing a truncated body.
test_bad_sqs_nul_character() {
	http POST "$AWS_EP" '{"QueueName":"e2e-nul-q"}' -H 'X-Amz-Target: AmazonSQS.CreateQueue' \
		-H 'Content-Type: application/x-amz-json-1.0'
	local url
	url=$(printf '%s' "$BODY" | jq -r .QueueUrl)
	http POST "$AWS_EP" "{\"QueueUrl\":\"$url\",\"MessageBody\":\"nul \\u0000 char\"}" \
		-H 'X-Amz-Target: AmazonSQS.SendMessage' -H 'Content-Type: application/x-amz-json-1.0'
	assert_eq "SQS JSON SendMessage with \\u0000: status" 400 "$ST"
	assert_json "SQS JSON SendMessage with \\u0000: __type" "$BODY" .__type \
		'"com.amazonaws.sqs#InvalidMessageContents"'
	http POST "$AWS_EP" "Action=SendMessage&QueueUrl=$url&MessageBody=%00nul" \
		-H 'Content-Type: application/x-www-form-urlencoded'
	assert_eq "SQS query SendMessage with %00: status" 400 "$ST"
	assert_contains "SQS query SendMessage with %00: code" "InvalidMessageContents" "$BODY"
	http POST "$AWS_EP" "{\"QueueUrl\":\"$url\",\"MessageBody\":\"a literal \\\\u0000 is fine\"}" \
		-H 'X-Amz-Target: AmazonSQS.SendMessage' -H 'Content-Type: application/x-amz-json-1.0'
	assert_eq "SQS JSON SendMessage with an escaped backslash before u0000: status" 200 "$ST"
}

# The clock endpoint refuses to run past 100 years (int64 microseconds), and the server
# keeps answering API requests afterwards.
test_exclusive_bad_clock_overflow() {
	http POST "$AWS_EP/_stratus/clock" '{"advance_seconds":1e12}'
	assert_eq "advance 1e12 s: refused" 400 "$ST"
	http POST "$AWS_EP/_stratus/clock" '{"advance_seconds":-1}'
	assert_eq "advance -1 s: refused" 400 "$ST"
	api /user/login '{"alias":"@nobody_here","password":"x"}'
	assert_eq "API still answers after refused advances" 400 "$ST"
}
