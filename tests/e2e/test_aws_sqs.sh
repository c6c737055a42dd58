# tests/e2e/test_aws_sqs.sh - SQS through both AWS CLIs: /usr/bin/aws v2.9 speaks the query
# protocol (Action=...), the pip aws v1 speaks JSON (X-Amz-Target: AmazonSQS.*).
# Behaviour per the Amazon SQS API Reference and Developer Guide (visibility timeout,
# long polling, dead-letter queues, PurgeQueue).

md5_of() {
	printf '%s' "$1" | md5sum | cut -d' ' -f1
}

# sqs_attr URL NAME -> value of one queue attribute (empty on error)
sqs_attr() {
	awsc sqs get-queue-attributes --queue-url "$1" --attribute-names "$2"
	jqr "$OUT" ".Attributes.$2 // empty"
}

# sqs_counts URL -> "visible notvisible"
sqs_counts() {
	awsc sqs get-queue-attributes --queue-url "$1" \
		--attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible
	jqr "$OUT" '"\(.Attributes.ApproximateNumberOfMessages) \(.Attributes.ApproximateNumberOfMessagesNotVisible)"'
}

# sqs_receive_all URL N -> receives until N messages were seen (bounded: 10 calls);
# RECEIVED = JSON array of all messages received
sqs_receive_all() {
	local url=$1 n=$2 i
	RECEIVED='[]'
	for ((i = 0; i < 10; i++)); do
		awsc sqs receive-message --queue-url "$url" --max-number-of-messages 10 \
			--attribute-names All --message-attribute-names All --visibility-timeout 30
		RECEIVED=$(jq -cn --argjson a "$RECEIVED" --argjson b "$(printf '%s' "${OUT:-{\}}" | jq -c '.Messages // []')" '$a + $b')
		[ "$(jqr "$RECEIVED" length)" -ge "$n" ] && return 0
	done
	return 1
}

# receive_one URL -> one receive-message call (VisibilityTimeout from the queue); MSG = first message or empty
receive_one() {
	awsc sqs receive-message --queue-url "$1" --attribute-names All "${@:2}"
	MSG=$(printf '%s' "${OUT:-{\}}" | jq -c '.Messages[0] // empty' 2>/dev/null)
}

sqs_scenario() {
	local c=$1 q url
	cli_or_skip "$c" || return 0
	q="e2e-q-$c-$(uniq_suffix)"

	# --- create / get url / list ---
	awsc_ok "[$c] create-queue $q" sqs create-queue --queue-name "$q" --attributes VisibilityTimeout=30 || return 1
	url=$(jqr "$OUT" .QueueUrl)
	assert_match "[$c] create-queue: QueueUrl ends /000000000000/$q" "/000000000000/$q\$" "$url"
	awsc_ok "[$c] create-queue again with the same attributes (idempotent)" sqs create-queue \
		--queue-name "$q" --attributes VisibilityTimeout=30
	assert_json "[$c] create-queue again: same URL" "$OUT" .QueueUrl "\"$url\""
	awsc_ok "[$c] get-queue-url" sqs get-queue-url --queue-name "$q"
	assert_json "[$c] get-queue-url: QueueUrl" "$OUT" .QueueUrl "\"$url\""
	awsc_ok "[$c] list-queues --queue-name-prefix" sqs list-queues --queue-name-prefix "$q"
	assert_json "[$c] list-queues: exactly our queue" "$OUT" .QueueUrls "[\"$url\"]"
	if e2e_extras "$c"; then
		awsc_ok "[$c] list-queues" sqs list-queues
		assert_json "[$c] list-queues includes tweeter-post-status" "$OUT" \
			'[.QueueUrls[] | select(endswith("/tweeter-post-status"))] | length' 1
		assert_json "[$c] list-queues includes $q" "$OUT" "[.QueueUrls[] | select(. == \"$url\")] | length" 1
	fi

	# --- send / send batch ---
	local body="hello from $c"
	awsc_ok "[$c] send-message" sqs send-message --queue-url "$url" --message-body "$body" \
		--message-attributes '{"kind":{"DataType":"String","StringValue":"greeting"}}'
	assert_json "[$c] send-message: MD5OfMessageBody" "$OUT" .MD5OfMessageBody "\"$(md5_of "$body")\""
	assert_match "[$c] send-message: MessageId" '^[0-9a-f-]{36}$' "$(jqr "$OUT" .MessageId)"
	assert_match "[$c] send-message: MD5OfMessageAttributes" '^[0-9a-f]{32}$' "$(jqr "$OUT" .MD5OfMessageAttributes)"
	local mid1
	mid1=$(jqr "$OUT" .MessageId)
	awsc_ok "[$c] send-message-batch (3)" sqs send-message-batch --queue-url "$url" \
		--entries '[{"Id":"a","MessageBody":"b-a"},{"Id":"b","MessageBody":"b-b"},{"Id":"c","MessageBody":"b-c"}]'
	assert_json "[$c] send-message-batch: Successful ids" "$OUT" '[.Successful[].Id] | sort' '["a","b","c"]'
	assert_json "[$c] send-message-batch: no Failed" "$OUT" '.Failed // [] | length' 0
	assert_json "[$c] send-message-batch: MD5 of b-a" "$OUT" '.Successful[] | select(.Id == "a") | .MD5OfMessageBody' \
		"\"$(md5_of b-a)\""
	awsc sqs send-message-batch --queue-url "$url" \
		--entries '[{"Id":"x","MessageBody":"1"},{"Id":"x","MessageBody":"2"}]'
	assert_ne "[$c] send-message-batch with duplicate Ids fails" 0 "$RC"
	assert_contains "[$c] duplicate batch Ids: BatchEntryIdsNotDistinct" "BatchEntryIdsNotDistinct" "$ERR"

	assert_eq "[$c] get-queue-attributes: 4 visible, 0 in flight" "4 0" "$(sqs_counts "$url")"

	# --- receive all four ---
	if sqs_receive_all "$url" 4; then
		e2e_pass "[$c] receive-message got all 4 messages"
	else
		e2e_fail "[$c] receive-message got all 4 messages: got $(e2e_clip "$RECEIVED")"
	fi
	assert_json "[$c] received bodies" "$RECEIVED" '[.[].Body] | sort' "$(jq -cn --arg b "$body" '[$b,"b-a","b-b","b-c"] | sort')"
	assert_json "[$c] ApproximateReceiveCount 1 on first receipt" "$RECEIVED" '[.[].Attributes.ApproximateReceiveCount] | unique' '["1"]'
	assert_json "[$c] receive: SentTimestamp present" "$RECEIVED" '[.[].Attributes.SentTimestamp | test("^[0-9]{13}$")] | all' true
	assert_json "[$c] receive: MD5OfBody" "$RECEIVED" "[.[] | select(.Body == \"b-b\") | .MD5OfBody]" "[\"$(md5_of b-b)\"]"
	assert_json "[$c] receive: message attribute kind" "$RECEIVED" \
		"[.[] | select(.MessageId == \"$mid1\") | .MessageAttributes.kind.StringValue]" '["greeting"]'
	assert_eq "[$c] get-queue-attributes: 0 visible, 4 in flight" "0 4" "$(sqs_counts "$url")"
	receive_one "$url"
	assert_eq "[$c] nothing visible while all 4 are in flight" "" "$MSG"

	# --- delete one, change visibility of another ---
	local rh_a rh_b rh_c rh_h
	rh_a=$(jqr "$RECEIVED" '.[] | select(.Body == "b-a") | .ReceiptHandle')
	rh_b=$(jqr "$RECEIVED" '.[] | select(.Body == "b-b") | .ReceiptHandle')
	rh_c=$(jqr "$RECEIVED" '.[] | select(.Body == "b-c") | .ReceiptHandle')
	rh_h=$(jqr "$RECEIVED" ".[] | select(.MessageId == \"$mid1\") | .ReceiptHandle")
	awsc_ok "[$c] delete-message b-a" sqs delete-message --queue-url "$url" --receipt-handle "$rh_a"
	awsc_ok "[$c] change-message-visibility b-b to 0" sqs change-message-visibility --queue-url "$url" \
		--receipt-handle "$rh_b" --visibility-timeout 0
	assert_eq "[$c] after delete + visibility 0: 1 visible, 2 in flight" "1 2" "$(sqs_counts "$url")"
	receive_one "$url"
	assert_json "[$c] b-b is receivable again" "${MSG:-null}" .Body '"b-b"'
	assert_json "[$c] b-b ApproximateReceiveCount 2" "${MSG:-null}" .Attributes.ApproximateReceiveCount '"2"'
	local rh_b2
	rh_b2=$(jqr "${MSG:-null}" .ReceiptHandle)
	awsc sqs change-message-visibility --queue-url "$url" --receipt-handle "$rh_c" --visibility-timeout 43201
	assert_ne "[$c] change-message-visibility above 12 hours fails" 0 "$RC"
	assert_contains "[$c] visibility above 12 hours: InvalidParameterValue" InvalidParameterValue "$ERR"
	awsc_ok "[$c] delete-message-batch (3)" sqs delete-message-batch --queue-url "$url" --entries "$(jq -cn \
		--arg a "$rh_b2" --arg b "$rh_c" --arg h "$rh_h" '[{Id:"b",ReceiptHandle:$a},{Id:"c",ReceiptHandle:$b},{Id:"h",ReceiptHandle:$h}]')"
	assert_json "[$c] delete-message-batch: Successful" "${OUT:-{\}}" '[.Successful[].Id] | sort' '["b","c","h"]'
	assert_eq "[$c] all deleted: 0 visible, 0 in flight" "0 0" "$(sqs_counts "$url")"

	# --- set-queue-attributes ---
	awsc_ok "[$c] set-queue-attributes VisibilityTimeout=1" sqs set-queue-attributes --queue-url "$url" \
		--attributes VisibilityTimeout=1
	awsc_ok "[$c] get-queue-attributes All" sqs get-queue-attributes --queue-url "$url" --attribute-names All
	assert_json "[$c] get-queue-attributes VisibilityTimeout" "${OUT:-{\}}" .Attributes.VisibilityTimeout '"1"'
	assert_json "[$c] get-queue-attributes QueueArn" "${OUT:-{\}}" .Attributes.QueueArn \
		"\"arn:aws:sqs:us-west-2:000000000000:$q\""
	assert_json "[$c] get-queue-attributes defaults" "${OUT:-{\}}" \
		'.Attributes | {MessageRetentionPeriod, DelaySeconds, ReceiveMessageWaitTimeSeconds}' \
		'{"MessageRetentionPeriod":"345600","DelaySeconds":"0","ReceiveMessageWaitTimeSeconds":"0"}'

	# --- long poll on an empty queue: nothing after about 2 s ---
	local t0 dt
	t0=$(now_s)
	receive_one "$url" --wait-time-seconds 2
	dt=$(elapsed "$t0")
	assert_eq "[$c] receive --wait-time-seconds 2 on an empty queue: exit 0" 0 "$RC"
	assert_eq "[$c] receive --wait-time-seconds 2 on an empty queue: no message" "" "$MSG"
	assert_ge "[$c] long poll waited about 2 s (elapsed incl. CLI start)" 1.9 "$dt"
	assert_le "[$c] long poll returned within 9 s" 9 "$dt"

	# --- long poll returns early when a message arrives ---
	local bgout=$E2E_TMP/longpoll.$c.json
	t0=$(now_s)
	timeout 40 "$CLI_BIN" --endpoint-url "$AWS_EP" --output json sqs receive-message --queue-url "$url" \
		--wait-time-seconds 20 >"$bgout" 2>&1 &
	local bgpid=$!
	sleep 1.5
	awsc sqs send-message --queue-url "$url" --message-body "wake up"
	wait "$bgpid"
	dt=$(elapsed "$t0")
	assert_json "[$c] a waiting long poll receives the new message" "$(cat "$bgout")" '.Messages[0].Body' '"wake up"'
	assert_le "[$c] the long poll (20 s) returned early, on the send" 15 "$dt"

	# --- a message not deleted reappears after its visibility timeout (1 s) ---
	# "wake up" was received by the long poll with the queue's 1 s timeout; wait for it.
	local seen=0 i
	for ((i = 0; i < 15; i++)); do
		receive_one "$url"
		if [ -n "$MSG" ]; then
			seen=1
			break
		fi
		sleep 0.3
	done
	assert_eq "[$c] an undeleted message reappears after VisibilityTimeout 1 s (bounded poll)" 1 "$seen"
	assert_json "[$c] reappeared message: body" "${MSG:-null}" .Body '"wake up"'
	assert_json "[$c] reappeared message: ApproximateReceiveCount 2" "${MSG:-null}" .Attributes.ApproximateReceiveCount '"2"'
	[ -n "$MSG" ] && awsc sqs delete-message --queue-url "$url" --receipt-handle "$(jqr "$MSG" .ReceiptHandle)"

	# --- purge ---
	awsc sqs send-message-batch --queue-url "$url" \
		--entries '[{"Id":"p1","MessageBody":"p1"},{"Id":"p2","MessageBody":"p2"}]'
	assert_eq "[$c] before purge: 2 visible" "2 0" "$(sqs_counts "$url")"
	awsc_ok "[$c] purge-queue" sqs purge-queue --queue-url "$url"
	local cnt
	for ((i = 0; i < 20; i++)); do
		cnt=$(sqs_counts "$url")
		[ "$cnt" = "0 0" ] && break
		sleep 0.2
	done
	assert_eq "[$c] after purge-queue: 0 visible, 0 in flight" "0 0" "$cnt"
	receive_one "$url"
	assert_eq "[$c] after purge-queue: nothing to receive" "" "$MSG"

	# --- delete-queue ---
	awsc_ok "[$c] delete-queue" sqs delete-queue --queue-url "$url"
	for ((i = 0; i < 20; i++)); do
		awsc sqs get-queue-url --queue-name "$q"
		[ "$RC" != 0 ] && break
		sleep 0.2
	done
	assert_ne "[$c] get-queue-url after delete-queue fails" 0 "$RC"
	awsc sqs list-queues --queue-name-prefix "$q"
	assert_json "[$c] list-queues after delete-queue" "${OUT:-{\}}" '.QueueUrls // [] | length' 0

	# --- error: a missing queue ---
	awsc sqs get-queue-url --queue-name "e2e-no-such-queue-$c"
	assert_ne "[$c] get-queue-url of a missing queue fails" 0 "$RC"
	assert_match "[$c] missing queue: error code" \
		'\((AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist)\)' "$ERR"
	assert_contains "[$c] missing queue: message" "The specified queue does not exist" "$ERR"
	awsc sqs send-message --queue-url "${url%/*}/e2e-no-such-queue-$c" --message-body x
	assert_match "[$c] send-message to a missing queue: error code" \
		'\((AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist)\)' "$ERR"
}

# Redrive to a dead-letter queue after maxReceiveCount (2) receives.
sqs_dlq_scenario() {
	local c=$1 q dlq url durl arn
	cli_or_skip "$c" || return 0
	q="e2e-src-$c-$(uniq_suffix)"
	dlq="$q-dlq"
	awsc_ok "[$c] create-queue $dlq" sqs create-queue --queue-name "$dlq" || return 1
	durl=$(jqr "$OUT" .QueueUrl)
	arn=$(sqs_attr "$durl" QueueArn)
	assert_eq "[$c] DLQ QueueArn" "arn:aws:sqs:us-west-2:000000000000:$dlq" "$arn"
	local attrs
	attrs=$(jq -cn --arg arn "$arn" '{VisibilityTimeout:"30",
		RedrivePolicy: ({deadLetterTargetArn:$arn, maxReceiveCount:"2"} | tojson)}')
	awsc_ok "[$c] create-queue $q with a RedrivePolicy" sqs create-queue --queue-name "$q" --attributes "$attrs" || return 1
	url=$(jqr "$OUT" .QueueUrl)
	local rp
	rp=$(sqs_attr "$url" RedrivePolicy)
	assert_json "[$c] get-queue-attributes RedrivePolicy" "${rp:-null}" '{deadLetterTargetArn, maxReceiveCount: (.maxReceiveCount | tostring)}' \
		"$(jq -cn --arg arn "$arn" '{deadLetterTargetArn:$arn, maxReceiveCount:"2"}')"

	awsc_ok "[$c] send-message to $q" sqs send-message --queue-url "$url" --message-body "poison"
	local n
	for n in 1 2; do
		receive_one "$url"
		assert_json "[$c] receive #$n of the poison message" "${MSG:-null}" \
			'{Body, n: .Attributes.ApproximateReceiveCount}' "{\"Body\":\"poison\",\"n\":\"$n\"}"
		[ -n "$MSG" ] && awsc sqs change-message-visibility --queue-url "$url" \
			--receipt-handle "$(jqr "$MSG" .ReceiptHandle)" --visibility-timeout 0
	done
	receive_one "$url"
	assert_eq "[$c] receive #3: the message went to the DLQ instead" "" "$MSG"
	local i
	for ((i = 0; i < 10; i++)); do
		receive_one "$durl"
		[ -n "$MSG" ] && break
		sleep 0.2
	done
	assert_json "[$c] the DLQ holds the poison message" "${MSG:-null}" .Body '"poison"'
	assert_eq "[$c] source queue is empty: 0 visible, 0 in flight" "0 0" "$(sqs_counts "$url")"
	awsc sqs list-dead-letter-source-queues --queue-url "$durl"
	assert_json "[$c] list-dead-letter-source-queues" "${OUT:-{\}}" .queueUrls "[\"$url\"]"
	awsc sqs delete-queue --queue-url "$url"
	awsc sqs delete-queue --queue-url "$durl"
}

test_sqs_cli_v2() {
	sqs_scenario v2
}

test_sqs_cli_v1() {
	sqs_scenario v1
}

test_sqs_dlq_cli_v2() {
	sqs_dlq_scenario v2
}

test_sqs_dlq_cli_v1() {
	sqs_dlq_scenario v1
}
