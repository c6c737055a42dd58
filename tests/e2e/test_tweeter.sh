# tests/e2e/test_tweeter.sh - Tweeter's REST API through the API Gateway stage, with curl.
# Scenarios 1-9 of ../shared/tweeter-api.md section 9, plus the post-status integration
# test of section 8 (FF post-status.test.ts). Every function uses its own aliases.

UUID4_RE='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
BAD_LOGIN='[Bad Request] Invalid alias or password'
BAD_TOKEN='[Bad Request] Invalid or expired auth token'

# Scenario 1 (register + login) and scenario 3 (duplicate register).
test_tw_register_login() {
	local png=$E2E_TMP/alice.png
	make_png "$png"
	tw_register @alice pw "$png"
	assert_eq "register @alice: status" 200 "$ST" || { echo "body: $BODY"; return 1; }
	assert_json "register: success" "$BODY" .success true
	assert_json "register: message" "$BODY" .message null
	assert_json "register: user.alias" "$BODY" .user.alias '"@alice"'
	assert_json "register: user.firstName" "$BODY" .user.firstName '"First"'
	assert_json "register: user.lastName" "$BODY" .user.lastName '"Last"'
	assert_json "register: UserDto keys (no password hash)" "$BODY" '.user | keys' \
		'["alias","firstName","imageUrl","lastName"]'
	local url
	url=$(jqr "$BODY" .user.imageUrl)
	assert_match "register: imageUrl ends image/@alice.png" 'image/@alice\.png$' "$url"
	local t1=$TOKEN
	assert_match "register: authToken.token is a UUID v4" "$UUID4_RE" "$t1"
	assert_json "register: authToken.timestamp is a number" "$BODY" '.authToken.timestamp | type' '"number"'

	# The image URL serves the uploaded bytes.
	local got=$E2E_TMP/got.png code
	code=$(curl -s --max-time 10 -o "$got" -w '%{http_code}' "$url")
	assert_eq "GET imageUrl ($url): status" 200 "$code"
	if cmp -s "$png" "$got"; then
		e2e_pass "GET imageUrl returns the uploaded bytes"
	else
		e2e_fail "GET imageUrl returns the uploaded bytes: $(wc -c <"$png") bytes sent, $(wc -c <"$got") bytes back, cmp: $(cmp "$png" "$got" 2>&1)"
	fi

	tw_login @alice pw
	assert_eq "login @alice: status" 200 "$ST"
	assert_json "login: success" "$BODY" .success true
	assert_json "login: user.alias" "$BODY" .user.alias '"@alice"'
	assert_json "login: user.imageUrl same as register" "$BODY" .user.imageUrl "\"$url\""
	local t2=$TOKEN
	assert_match "login: token is a UUID v4" "$UUID4_RE" "$t2"
	assert_ne "login: token differs from the register token" "$t1" "$t2"

	api /user/get "{\"token\":\"$t1\",\"alias\":\"@alice\"}"
	assert_eq "register token still works (/user/get): status" 200 "$ST"
	assert_json "register token works: user" "$BODY" .user.alias '"@alice"'
	api /user/get "{\"token\":\"$t2\",\"alias\":\"@alice\"}"
	assert_eq "login token works (/user/get): status" 200 "$ST"
	assert_json "login token works: success" "$BODY" .success true

	# Scenario 3: duplicate register.
	tw_register @alice other "$png"
	assert_eq "duplicate register @alice: status" 400 "$ST"
	local em
	em=$(jqr "$BODY" .errorMessage)
	assert_match "duplicate register: errorMessage starts [Bad Request]" '^\[Bad Request\] ' "$em"
	assert_contains "duplicate register: errorMessage says already exists" "already exists" "$em"
	tw_login @alice pw
	assert_eq "after duplicate register, the original password still logs in" 200 "$ST"
	tw_login @alice other
	assert_eq "after duplicate register, the second password does not log in" 400 "$ST"
}

# count_auth_rows -> number of rows of table auth, with an AWS CLI (scan --select COUNT).
count_auth_rows() {
	local c
	for c in v1 v2; do
		CLI_BIN=$(cli_path $c)
		[ -n "$CLI_BIN" ] && break
	done
	if [ -n "$CLI_BIN" ]; then
		awsc dynamodb scan --table-name auth --select COUNT
		[ "$RC" = 0 ] && jqr "$OUT" .Count && return 0
		echo "ERR: $ERR"
		return 1
	fi
	ddb_count auth
}

# Scenario 2: wrong password / unknown alias. Exclusive: it counts every auth row.
test_exclusive_tw_bad_login() {
	tw_register @alice pw # may already exist (scenario 1); either way @alice/pw exists
	tw_login @alice pw
	assert_eq "precondition: @alice/pw logs in" 200 "$ST" || return 1
	local before after
	before=$(count_auth_rows)
	tw_login @alice wrong-password
	assert_eq "login @alice wrong password: status" 400 "$ST"
	assert_json "login wrong password: errorMessage" "$BODY" .errorMessage "\"$BAD_LOGIN\""
	assert_json "login wrong password: no authToken" "$BODY" '.authToken' null
	tw_login @ghost pw
	assert_eq "login @ghost: status" 400 "$ST"
	assert_json "login @ghost: errorMessage" "$BODY" .errorMessage "\"$BAD_LOGIN\""
	after=$(count_auth_rows)
	assert_match "auth row count is a number" '^[0-9]+$' "$before"
	assert_eq "failed logins add no auth row (scan auth --select COUNT before/after)" "$before" "$after"
	tw_login @alice pw
	after=$(count_auth_rows)
	assert_eq "a good login adds exactly one auth row" "$((before + 1))" "$after"
}

# Scenario 4: expired token (60-minute sliding expiry), logout. Exclusive: moves the clock.
test_exclusive_tw_expired_token() {
	tw_register @exp_user pw
	assert_eq "register @exp_user" 200 "$ST" || return 1
	local me=$USER t
	tw_login @exp_user pw
	t=$TOKEN
	clock_advance 3601
	assert_eq "POST /_stratus/clock advance 3601: status" 200 "$ST" || return 1
	tw_page /status/feed "$t" @exp_user 10 null
	assert_eq "feed with a token idle 3601 s: status" 400 "$ST"
	assert_json "feed with an expired token: errorMessage" "$BODY" .errorMessage "\"$BAD_TOKEN\""
	api /user/logout "{\"token\":\"$t\"}"
	assert_eq "logout with the expired token: status" 200 "$ST"
	assert_json "logout with the expired token: body" "$BODY" '{success, message}' '{"success":true,"message":null}'

	# A logged-out (valid, unexpired) token is rejected.
	tw_login @exp_user pw
	t=$TOKEN
	tw_page /status/feed "$t" @exp_user 10 null
	assert_eq "feed with a fresh token: status" 200 "$ST"
	api /user/logout "{\"token\":\"$t\"}"
	assert_eq "logout: status" 200 "$ST"
	assert_json "logout: body" "$BODY" '{success, message}' '{"success":true,"message":null}'
	api /user/get "{\"token\":\"$t\",\"alias\":\"@exp_user\"}"
	assert_eq "/user/get with a logged-out token: status" 400 "$ST"
	assert_json "/user/get with a logged-out token: errorMessage" "$BODY" .errorMessage "\"$BAD_TOKEN\""
	tw_follow "$t" "$me"
	assert_eq "/follow/add with a logged-out token: status" 400 "$ST"

	# Sliding: every authenticated call refreshes the token.
	tw_login @exp_user pw
	t=$TOKEN
	clock_advance 3000
	tw_page /status/story "$t" @exp_user 10 null
	assert_eq "story after 3000 s idle: status (token still valid)" 200 "$ST"
	clock_advance 3000
	tw_page /status/story "$t" @exp_user 10 null
	assert_eq "story 6000 s after login but 3000 s after last use: status (sliding expiry)" 200 "$ST"
	clock_advance 3601
	tw_page /status/story "$t" @exp_user 10 null
	assert_eq "story after 3601 s idle: status" 400 "$ST"
	assert_json "story after 3601 s idle: errorMessage" "$BODY" .errorMessage "\"$BAD_TOKEN\""
}

health_invocations() {
	http GET "$AWS_EP/_stratus/health"
	jqr "$BODY" '.lambda.invocations'
}

# Scenario 5: missing stage / bad route / wrong method -> 403, no Lambda invoked.
# Exclusive so that the Lambda invocation counter is not moved by other tests.
test_exclusive_tw_missing_auth_token() {
	local want='{"message":"Missing Authentication Token"}' inv0 inv1 try
	for try in 1 2 3; do
		inv0=$(health_invocations)
		http POST "$API_BASE/user/login" '{"alias":"@alice","password":"pw"}'
		local s1=$ST b1=$BODY
		http POST "$API/add" '{"token":"x"}'
		local s2=$ST b2=$BODY
		http GET "$API/user/login"
		local s3=$ST b3=$BODY
		http POST "$API_BASE/prod/user/login" '{"alias":"@alice","password":"pw"}'
		local s4=$ST b4=$BODY
		inv1=$(health_invocations)
		[ "$inv0" = "$inv1" ] && break
	done
	assert_eq "POST /user/login without the stage: status" 403 "$s1"
	assert_eq "POST /user/login without the stage: body" "$want" "$b1"
	assert_eq "POST /production/add: status" 403 "$s2"
	assert_eq "POST /production/add: body" "$want" "$b2"
	assert_eq "GET /production/user/login: status" 403 "$s3"
	assert_eq "GET /production/user/login: body" "$want" "$b3"
	assert_eq "POST /prod/user/login (wrong stage): status" 403 "$s4"
	assert_eq "POST /prod/user/login: body" "$want" "$b4"
	assert_match "health reports lambda.invocations" '^[0-9]+$' "$inv0"
	assert_eq "no Lambda invoked by the 403 requests (health lambda.invocations)" "$inv0" "$inv1"
}

# Scenario 6: unknown alias lookups.
test_tw_unknown_alias() {
	tw_register @u6_asker pw
	assert_eq "register @u6_asker" 200 "$ST" || return 1
	local t=$TOKEN
	api /user/get "{\"token\":\"$t\",\"alias\":\"@nobody\"}"
	assert_eq "/user/get @nobody: status" 200 "$ST"
	assert_json "/user/get @nobody: body" "$BODY" '{success, user}' '{"success":true,"user":null}'
	tw_page /follow/list/followers "$t" @nobody 10 null
	assert_eq "/follow/list/followers @nobody: status" 200 "$ST"
	assert_json "/follow/list/followers @nobody: items, hasMore" "$BODY" '{success, items, hasMore}' \
		'{"success":true,"items":[],"hasMore":false}'
	tw_page /follow/list/followees "$t" @nobody 10 null
	assert_eq "/follow/list/followees @nobody: status" 200 "$ST"
	assert_json "/follow/list/followees @nobody: items, hasMore" "$BODY" '{items, hasMore}' \
		'{"items":[],"hasMore":false}'
	tw_follow "$t" '{"firstName":"No","lastName":"Body","alias":"@nobody","imageUrl":"http://x/y.png"}'
	assert_eq "/follow/add targeting @nobody: status" 400 "$ST"
	assert_match "/follow/add @nobody: errorMessage starts [Bad Request]" '^\[Bad Request\]' \
		"$(jqr "$BODY" .errorMessage)"
}

# story_rows ALIAS -> number of story rows for ALIAS (DynamoDB Query, Select COUNT)
story_rows() {
	ddb Query "$(jq -cn --arg a "$1" '{TableName:"story", KeyConditionExpression:"alias = :a",
		ExpressionAttributeValues:{":a":{S:$a}}, Select:"COUNT"}')"
	jqr "$BODY" '.Count // "ERR \(.)"'
}

# Scenario 7: empty, whitespace-only, forged and shapeless posts.
test_tw_bad_posts() {
	tw_register @u7_victim pw
	assert_eq "register @u7_victim" 200 "$ST" || return 1
	local victim=$USER
	tw_register @u7_poster pw
	assert_eq "register @u7_poster" 200 "$ST" || return 1
	local t=$TOKEN me=$USER
	local p
	for p in "" "   "; do
		tw_post "$t" "$me" "$p"
		assert_eq "post \"$p\": status" 400 "$ST"
		assert_match "post \"$p\": errorMessage starts [Bad Request]" '^\[Bad Request\]' \
			"$(jqr "$BODY" .errorMessage)"
	done
	tw_post "$t" "$victim" "forged as @u7_victim"
	assert_eq "post with newStatus.user = another user: status" 400 "$ST"
	assert_match "forged post: errorMessage starts [Bad Request]" '^\[Bad Request\]' \
		"$(jqr "$BODY" .errorMessage)"
	api /status/post "{\"token\":\"$t\"}"
	assert_eq "post without newStatus: status" 400 "$ST"
	local em
	em=$(jqr "$BODY" .errorMessage)
	assert_match "post without newStatus: errorMessage starts [Bad Request]" '^\[Bad Request\]' "$em"
	assert_contains "post without newStatus: errorMessage mentions missing" "missing" "$em"
	assert_eq "no story row for @u7_poster (Query story Select COUNT)" 0 "$(story_rows @u7_poster)"
	assert_eq "no story row for @u7_victim" 0 "$(story_rows @u7_victim)"
	tw_page /status/story "$t" @u7_poster 10 null
	assert_json "/status/story @u7_poster is empty" "$BODY" '{items, hasMore}' '{"items":[],"hasMore":false}'
}

# register_many PREFIX FROM TO -> registers PREFIX%02d (in parallel, 5 at a time);
# writes ALIAS TOKEN lines to $E2E_TMP/tokens.PREFIX
register_many() {
	local prefix=$1 i a out=$E2E_TMP/tokens.$1
	: >"$out"
	[ -f "$E2E_TMP/default.png" ] || make_png "$E2E_TMP/default.png"
	for ((i = $2; i <= $3; i++)); do
		a=$(printf '%s%02d' "$prefix" "$i")
		(
			tw_register "$a" pw
			echo "$a $ST $TOKEN" >>"$out"
		) &
		if (((i - $2) % 5 == 4)); then wait; fi
	done
	wait
}

# Scenario 8: paging followers of @bob (25, then exactly 20), past the end.
test_tw_paging() {
	tw_register @bob pw
	assert_eq "register @bob" 200 "$ST" || return 1
	local bt=$TOKEN bob=$USER
	register_many @f 1 25
	local ok
	ok=$(awk '$2 == 200' "$E2E_TMP/tokens.@f" | wc -l)
	assert_eq "registered @f01..@f25" 25 "$ok" || { cat "$E2E_TMP/tokens.@f"; return 1; }
	local a st t nfollow=0
	while read -r a st t; do
		tw_follow "$t" "$bob"
		[ "$ST" = 200 ] && nfollow=$((nfollow + 1)) || echo "follow by $a: $ST $BODY"
	done < <(sort "$E2E_TMP/tokens.@f")
	assert_eq "25 follows of @bob answered 200" 25 "$nfollow"
	api /follow/count/followers "{\"token\":\"$bt\",\"user\":$bob}"
	assert_json "@bob follower count" "$BODY" .count 25

	local want1 want2 want3
	want1=$(jq -cn '[range(1;11)] | map("@f" + (if . < 10 then "0" else "" end) + tostring)')
	want2=$(jq -cn '[range(11;21)] | map("@f" + tostring)')
	want3=$(jq -cn '[range(21;26)] | map("@f" + tostring)')
	tw_page /follow/list/followers "$bt" @bob 10 null
	assert_eq "followers page 1: status" 200 "$ST"
	assert_json "followers page 1: aliases ascending" "$BODY" '[.items[].alias]' "$want1"
	assert_json "followers page 1: hasMore" "$BODY" .hasMore true
	local last
	last=$(printf '%s' "$BODY" | jq -c '.items[-1]')
	assert_json "followers page 1: items are full UserDtos" "$BODY" '.items[0] | keys' \
		'["alias","firstName","imageUrl","lastName"]'
	tw_page /follow/list/followers "$bt" @bob 10 "$last"
	assert_json "followers page 2 (cursor = @f10): aliases" "$BODY" '[.items[].alias]' "$want2"
	assert_json "followers page 2: hasMore" "$BODY" .hasMore true
	last=$(printf '%s' "$BODY" | jq -c '.items[-1]')
	tw_page /follow/list/followers "$bt" @bob 10 "$last"
	assert_json "followers page 3 (cursor = @f20): aliases" "$BODY" '[.items[].alias]' "$want3"
	assert_json "followers page 3: hasMore" "$BODY" .hasMore false

	# Exactly 20 followers: page 2 says hasMore, page 3 is empty.
	local n
	for n in 21 22 23 24 25; do
		t=$(awk -v a="@f$n" '$1 == a { print $3 }' "$E2E_TMP/tokens.@f")
		tw_unfollow "$t" "$bob"
		[ "$ST" = 200 ] || e2e_fail "unfollow @bob by @f$n: status $ST body $BODY"
	done
	api /follow/count/followers "{\"token\":\"$bt\",\"user\":$bob}"
	assert_json "@bob follower count after 5 unfollows" "$BODY" .count 20
	tw_page /follow/list/followers "$bt" @bob 10 null
	assert_json "20 followers, page 1: aliases" "$BODY" '[.items[].alias]' "$want1"
	assert_json "20 followers, page 1: hasMore" "$BODY" .hasMore true
	last=$(printf '%s' "$BODY" | jq -c '.items[-1]')
	tw_page /follow/list/followers "$bt" @bob 10 "$last"
	assert_json "20 followers, page 2: aliases" "$BODY" '[.items[].alias]' "$want2"
	assert_json "20 followers, page 2: hasMore" "$BODY" .hasMore true
	last=$(printf '%s' "$BODY" | jq -c '.items[-1]')
	tw_page /follow/list/followers "$bt" @bob 10 "$last"
	assert_eq "20 followers, page 3: status" 200 "$ST"
	assert_json "20 followers, page 3: items, hasMore" "$BODY" '{items, hasMore}' '{"items":[],"hasMore":false}'

	tw_page /follow/list/followers "$bt" @bob 10 \
		'{"firstName":"Z","lastName":"Z","alias":"@zzzz","imageUrl":"http://x/z.png"}'
	assert_eq "cursor beyond the last alias: status" 200 "$ST"
	assert_json "cursor beyond the last alias: items, hasMore" "$BODY" '{items, hasMore}' '{"items":[],"hasMore":false}'

	# Followees of one follower: exactly [@bob].
	t=$(awk '$1 == "@f01" { print $3 }' "$E2E_TMP/tokens.@f")
	tw_page /follow/list/followees "$t" @f01 10 null
	assert_json "@f01 followees" "$BODY" '{aliases: [.items[].alias], hasMore}' '{"aliases":["@bob"],"hasMore":false}'
}

# Scenario 9: follow bookkeeping.
test_tw_follow_bookkeeping() {
	tw_register @alice9 pw
	assert_eq "register @alice9" 200 "$ST" || return 1
	local at=$TOKEN alice=$USER
	tw_register @bob9 pw
	assert_eq "register @bob9" 200 "$ST" || return 1
	local bt=$TOKEN bob=$USER

	tw_follow "$at" "$bob"
	assert_eq "@alice9 follows @bob9: status" 200 "$ST"
	assert_json "follow: body (counts are @bob9's)" "$BODY" '{success, followerCount, followeeCount}' \
		'{"success":true,"followerCount":1,"followeeCount":0}'
	api /follow/is "{\"token\":\"$at\",\"user\":$alice,\"selectedUser\":$bob}"
	assert_eq "/follow/is alice->bob: status" 200 "$ST"
	assert_json "/follow/is (user alice, selectedUser bob)" "$BODY" .isFollower true
	api /follow/is "{\"token\":\"$at\",\"user\":$bob,\"selectedUser\":$alice}"
	assert_json "/follow/is (user bob, selectedUser alice)" "$BODY" .isFollower false
	tw_page /follow/list/followers "$bt" @bob9 10 null
	assert_json "@bob9 followers list" "$BODY" '{aliases: [.items[].alias], hasMore}' '{"aliases":["@alice9"],"hasMore":false}'
	api /follow/count/followees "{\"token\":\"$at\",\"user\":$alice}"
	assert_eq "/follow/count/followees alice: status" 200 "$ST"
	assert_json "@alice9 followee count" "$BODY" .count 1
	api /follow/count/followers "{\"token\":\"$at\",\"user\":$alice}"
	assert_json "@alice9 follower count" "$BODY" .count 0
	api /follow/count/followers "{\"token\":\"$bt\",\"user\":$bob}"
	assert_json "@bob9 follower count" "$BODY" .count 1
	api /follow/count/followees "{\"token\":\"$bt\",\"user\":$bob}"
	assert_json "@bob9 followee count" "$BODY" .count 0

	# Following again changes nothing.
	tw_follow "$at" "$bob"
	if [ "$ST" = 200 ]; then
		assert_json "second follow: counts unchanged in the response" "$BODY" '{followerCount, followeeCount}' \
			'{"followerCount":1,"followeeCount":0}'
	else
		assert_eq "second follow: a 400 at most" 400 "$ST"
	fi
	api /follow/count/followers "{\"token\":\"$bt\",\"user\":$bob}"
	assert_json "after a second follow, @bob9 follower count" "$BODY" .count 1
	api /follow/count/followees "{\"token\":\"$at\",\"user\":$alice}"
	assert_json "after a second follow, @alice9 followee count" "$BODY" .count 1
	tw_page /follow/list/followers "$bt" @bob9 10 null
	assert_json "after a second follow, @bob9 followers list" "$BODY" '[.items[].alias]' '["@alice9"]'

	tw_unfollow "$at" "$bob"
	assert_eq "unfollow: status" 200 "$ST"
	assert_json "unfollow: body (counts are @bob9's)" "$BODY" '{success, followerCount, followeeCount}' \
		'{"success":true,"followerCount":0,"followeeCount":0}'
	api /follow/is "{\"token\":\"$at\",\"user\":$alice,\"selectedUser\":$bob}"
	assert_json "/follow/is after unfollow" "$BODY" .isFollower false
	api /follow/count/followees "{\"token\":\"$at\",\"user\":$alice}"
	assert_json "@alice9 followee count after unfollow" "$BODY" .count 0
	tw_page /follow/list/followers "$bt" @bob9 10 null
	assert_json "@bob9 followers after unfollow" "$BODY" '{items, hasMore}' '{"items":[],"hasMore":false}'

	tw_follow "$at" "$alice"
	assert_eq "@alice9 follows @alice9: status" 400 "$ST"
	assert_match "self-follow: errorMessage starts [Bad Request]" '^\[Bad Request\]' "$(jqr "$BODY" .errorMessage)"
	api /follow/count/followers "{\"token\":\"$at\",\"user\":$alice}"
	assert_json "self-follow left @alice9 follower count at 0" "$BODY" .count 0
}

# feed_has_first TOKEN ALIAS POST -> success when the newest feed item's post is POST
feed_has_first() {
	tw_page /status/feed "$1" "$2" 10 null
	[ "$ST" = 200 ] && [ "$(jqr "$BODY" '.items[0].post')" = "$3" ]
}

# Section 8 integration test: post, story page 1 shows it at once, the follower's feed
# shows it within a bounded poll, newest first.
test_tw_post_status() {
	tw_register @p_author pw
	assert_eq "register @p_author" 200 "$ST" || return 1
	local at=$TOKEN author=$USER
	tw_register @p_reader pw
	assert_eq "register @p_reader" 200 "$ST" || return 1
	local rt=$TOKEN
	tw_follow "$rt" "$author"
	assert_eq "@p_reader follows @p_author" 200 "$ST"

	local text1="Hello, world! $(uniq_suffix)" ts1 t0 dt
	ts1=$(date +%s%3N)
	t0=$(now_s)
	tw_post "$at" "$author" "$text1" "$ts1"
	dt=$(elapsed "$t0")
	assert_eq "post status: status" 200 "$ST"
	assert_json "post status: body" "$BODY" '{success, message}' '{"success":true,"message":null}'
	assert_le "post status answered within 2 s (FF test bound)" 2 "$dt"

	tw_page /status/story "$at" @p_author 1 null
	assert_eq "story page 1 (size 1): status" 200 "$ST"
	assert_json "story page 1 shows the post at once" "$BODY" '.items[0].post' "$(jq -cn --arg p "$text1" '$p')"
	assert_json "story item: user.alias" "$BODY" '.items[0].user.alias' '"@p_author"'
	assert_json "story item: timestamp" "$BODY" '.items[0].timestamp' "$ts1"
	assert_json "story item: no password hash in user" "$BODY" '.items[0].user | keys' \
		'["alias","firstName","imageUrl","lastName"]'
	# A full page reports hasMore (DynamoDB LastEvaluatedKey semantics, section 9 scenario 8:
	# "with exactly 20 followers, page 2 reports hasMore=true and page 3 returns []").
	assert_json "story page 1 (size 1, one post): hasMore (page full)" "$BODY" .hasMore true
	local first
	first=$(printf '%s' "$BODY" | jq -c '.items[0]')
	tw_page /status/story "$at" @p_author 1 "$first"
	assert_json "story page 2 past the only post" "$BODY" '{items, hasMore}' '{"items":[],"hasMore":false}'

	if poll_until 100 0.2 feed_has_first "$rt" @p_reader "$text1"; then
		e2e_pass "follower's feed shows the post within 20 s"
	else
		e2e_fail "follower's feed shows the post within 20 s: last feed page: $ST $(e2e_clip "$BODY")"
	fi
	assert_json "feed item: user.alias" "$BODY" '.items[0].user.alias' '"@p_author"'
	assert_json "feed item: timestamp" "$BODY" '.items[0].timestamp' "$ts1"

	# A second post: both pages newest first; story paging with a cursor.
	local text2="Second post $(uniq_suffix)" ts2
	ts2=$((ts1 + 1000))
	tw_post "$at" "$author" "$text2" "$ts2"
	assert_eq "second post: status" 200 "$ST"
	tw_page /status/story "$at" @p_author 10 null
	assert_json "story newest first" "$BODY" '[.items[].post]' "$(jq -cn --arg a "$text2" --arg b "$text1" '[$a,$b]')"
	tw_page /status/story "$rt" @p_author 1 null
	assert_json "story page 1 (size 1, any reader): newest" "$BODY" '{p: .items[0].post, hasMore}' \
		"$(jq -cn --arg a "$text2" '{p:$a, hasMore:true}')"
	local last
	last=$(printf '%s' "$BODY" | jq -c '.items[0]')
	tw_page /status/story "$rt" @p_author 1 "$last"
	assert_json "story page 2 (cursor = newest): the older post, page full" "$BODY" '{p: [.items[].post], hasMore}' \
		"$(jq -cn --arg a "$text1" '{p:[$a], hasMore:true}')"
	last=$(printf '%s' "$BODY" | jq -c '.items[0]')
	tw_page /status/story "$rt" @p_author 1 "$last"
	assert_json "story page 3: past the end" "$BODY" '{items, hasMore}' '{"items":[],"hasMore":false}'
	tw_page /status/story "$rt" @p_author 2 null
	assert_json "story pageSize 2 holds both, newest first" "$BODY" '[.items[].post]' \
		"$(jq -cn --arg a "$text2" --arg b "$text1" '[$a,$b]')"
	if poll_until 100 0.2 feed_has_first "$rt" @p_reader "$text2"; then
		e2e_pass "follower's feed shows the second post within 20 s"
	else
		e2e_fail "follower's feed shows the second post within 20 s: last feed page: $ST $(e2e_clip "$BODY")"
	fi
	assert_json "feed newest first" "$BODY" '[.items[].post]' "$(jq -cn --arg a "$text2" --arg b "$text1" '[$a,$b]')"
	tw_page /status/feed "$rt" @p_reader 1 null
	last=$(printf '%s' "$BODY" | jq -c '.items[0]')
	assert_json "feed page 1 (size 1): hasMore" "$BODY" .hasMore true
	tw_page /status/feed "$rt" @p_reader 1 "$last"
	assert_json "feed page 2 (cursor = newest): the older post, page full" "$BODY" '{p: [.items[].post], hasMore}' \
		"$(jq -cn --arg a "$text1" '{p:[$a], hasMore:true}')"
	last=$(printf '%s' "$BODY" | jq -c '.items[0]')
	tw_page /status/feed "$rt" @p_reader 1 "$last"
	assert_json "feed page 3: past the end" "$BODY" '{items, hasMore}' '{"items":[],"hasMore":false}'
	tw_page /status/feed "$at" @p_author 10 null
	assert_json "the author's own feed is empty (nobody they follow posted)" "$BODY" '.items' '[]'
}
