# tests/e2e/lib.sh - helpers for Stratus end-to-end tests (bash; sourced by run.sh).
#
# Each test_* function runs in its own bash process with these variables set by run.sh:
#   AWS_EP    http://127.0.0.1:AWS_PORT  (DynamoDB, SQS, S3, /_stratus/*)
#   API       http://127.0.0.1:API_PORT/production  (Tweeter's API Gateway stage)
#   API_BASE  http://127.0.0.1:API_PORT
#   BIN       absolute path of the stratus binary
#   E2E_TMP   a private scratch directory for this test function
#   E2E_RESULT_FILE  where assertions are recorded (one PASS/FAIL/SKIP line each)
#
# Assertions never abort the test function: they record and carry on, so one run
# shows every failure. Use `|| return` after a failed precondition to stop early.

# ---- recording ----

e2e_pass() {
	echo "PASS $E2E_TEST_NAME: $*" >>"$E2E_RESULT_FILE"
}

e2e_fail() {
	echo "FAIL $E2E_TEST_NAME: $*" >>"$E2E_RESULT_FILE"
	echo "FAIL: $*"
}

e2e_skip() {
	echo "SKIP $E2E_TEST_NAME: $*" >>"$E2E_RESULT_FILE"
	echo "SKIP: $*"
}

# Shorten a value for a message (bodies can be long).
e2e_clip() {
	local s=$1
	if [ "${#s}" -gt 600 ]; then
		s="${s:0:600}...(${#s} chars)"
	fi
	printf '%s' "$s"
}

# assert_eq DESC EXPECTED ACTUAL
assert_eq() {
	if [ "$2" == "$3" ]; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: expected [$(e2e_clip "$2")], got [$(e2e_clip "$3")]"
	return 1
}

# assert_ne DESC UNEXPECTED ACTUAL
assert_ne() {
	if [ "$2" != "$3" ]; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: expected anything but [$(e2e_clip "$2")]"
	return 1
}

# assert_contains DESC NEEDLE HAYSTACK
assert_contains() {
	if [[ $3 == *"$2"* ]]; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: expected to contain [$(e2e_clip "$2")], got [$(e2e_clip "$3")]"
	return 1
}

# assert_not_contains DESC NEEDLE HAYSTACK
assert_not_contains() {
	if [[ $3 != *"$2"* ]]; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: expected NOT to contain [$(e2e_clip "$2")], got [$(e2e_clip "$3")]"
	return 1
}

# assert_match DESC ERE ACTUAL
assert_match() {
	if [[ $3 =~ $2 ]]; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: expected to match /$2/, got [$(e2e_clip "$3")]"
	return 1
}

# assert_le DESC LIMIT ACTUAL  (numbers, may be decimal)
assert_le() {
	if python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) <= float(sys.argv[1]) else 1)' "$2" "$3" 2>/dev/null; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: expected <= $2, got [$3]"
	return 1
}

# assert_ge DESC LIMIT ACTUAL
assert_ge() {
	if python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) >= float(sys.argv[1]) else 1)' "$2" "$3" 2>/dev/null; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: expected >= $2, got [$3]"
	return 1
}

# assert_json DESC JSON JQ_FILTER EXPECTED   (compares jq -c output, so strings keep quotes
# unless the filter uses -r semantics; this uses jq -c: "x" for strings, 1, true, null, [..])
assert_json() {
	local got
	got=$(printf '%s' "$2" | jq -c "$3" 2>&1)
	if [ "$got" == "$4" ]; then
		e2e_pass "$1"
		return 0
	fi
	e2e_fail "$1: $3: expected [$(e2e_clip "$4")], got [$(e2e_clip "$got")] in $(e2e_clip "$2")"
	return 1
}

# jqr JSON FILTER -> raw output
jqr() {
	printf '%s' "$1" | jq -r "$2" 2>/dev/null
}

# ---- timing ----

now_s() {
	python3 -c 'import time; print("%.3f" % time.time())'
}

# elapsed START -> seconds since START (from now_s)
elapsed() {
	python3 -c 'import sys,time; print("%.3f" % (time.time() - float(sys.argv[1])))' "$1"
}

# poll_until TRIES INTERVAL_S CMD...: run CMD until it succeeds, at most TRIES times.
poll_until() {
	local tries=$1 iv=$2 i
	shift 2
	for ((i = 0; i < tries; i++)); do
		if "$@"; then
			return 0
		fi
		sleep "$iv"
	done
	return 1
}

# ---- HTTP ----

# http METHOD URL [BODY] [extra curl args...] -> sets ST (status), BODY, HDRS (headers)
# (pass "" as BODY to give extra curl args without a body)
http() {
	local method=$1 url=$2 data=${3-}
	shift 2
	[ $# -gt 0 ] && shift
	local bf="$E2E_TMP/body.$BASHPID" hf="$E2E_TMP/hdrs.$BASHPID"
	if [ -n "$data" ]; then
		# Default Content-Type: application/json, unless the caller passes its own.
		local ct=(-H 'Content-Type: application/json') a
		for a in "$@"; do
			if [[ ${a,,} == content-type:* ]]; then
				ct=()
			fi
		done
		ST=$(curl -s --max-time 30 -o "$bf" -D "$hf" -w '%{http_code}' -X "$method" \
			"${ct[@]}" --data-binary "$data" "$@" "$url")
	else
		ST=$(curl -s --max-time 30 -o "$bf" -D "$hf" -w '%{http_code}' -X "$method" "$@" "$url")
	fi
	BODY=$(cat "$bf" 2>/dev/null)
	HDRS=$(tr -d '\r' <"$hf" 2>/dev/null)
	rm -f "$bf" "$hf"
}

# header NAME -> value of NAME in the last $HDRS (case-insensitive)
header() {
	printf '%s\n' "$HDRS" | awk -v n="$(echo "$1" | tr 'A-Z' 'a-z')" -F': ' \
		'{ k = tolower($1) } k == n { sub(/^[^:]*: /, ""); print; exit }'
}

# api PATH JSON -> POST $API/PATH; sets ST, BODY
api() {
	http POST "$API$1" "$2"
}

# ---- Tweeter helpers ----

# A small valid PNG (8x8 RGB), written to FILE.
make_png() {
	python3 - "$1" <<'EOF'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
raw = b"".join(b"\x00" + bytes([(x * 37) % 256, (y * 53) % 256, ((x + y) * 11) % 256])
               for y in range(8) for x in range(8))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
EOF
}

# tw_register ALIAS PASSWORD [PNGFILE] -> ST, BODY; TOKEN and USER (UserDto JSON) on 200
tw_register() {
	local alias=$1 pw=$2 png=${3-} b64
	if [ -z "$png" ]; then
		png=$E2E_TMP/default.png
		[ -f "$png" ] || make_png "$png"
	fi
	b64=$(base64 -w0 "$png")
	api /user/register "$(jq -cn --arg a "$alias" --arg p "$pw" --arg i "$b64" \
		'{firstName:"First", lastName:"Last", alias:$a, password:$p, userImageBase64:$i, imageFileExtension:"png"}')"
	TOKEN=$(jqr "$BODY" '.authToken.token // empty')
	USER=$(printf '%s' "$BODY" | jq -c '.user // empty' 2>/dev/null)
}

# tw_login ALIAS PASSWORD -> ST, BODY, TOKEN, USER
tw_login() {
	api /user/login "$(jq -cn --arg a "$1" --arg p "$2" '{alias:$a, password:$p}')"
	TOKEN=$(jqr "$BODY" '.authToken.token // empty')
	USER=$(printf '%s' "$BODY" | jq -c '.user // empty' 2>/dev/null)
}

# tw_user TOKEN ALIAS -> echoes the UserDto JSON (or null)
tw_user() {
	api /user/get "$(jq -cn --arg t "$1" --arg a "$2" '{token:$t, alias:$a}')"
	printf '%s' "$BODY" | jq -c '.user' 2>/dev/null
}

# tw_follow TOKEN USERDTO / tw_unfollow TOKEN USERDTO -> ST, BODY
tw_follow() {
	api /follow/add "$(jq -cn --arg t "$1" --argjson u "$2" '{token:$t, user:$u}')"
}
tw_unfollow() {
	api /follow/remove "$(jq -cn --arg t "$1" --argjson u "$2" '{token:$t, user:$u}')"
}

# tw_page PATH TOKEN ALIAS PAGESIZE LASTITEM_JSON -> ST, BODY
tw_page() {
	api "$1" "$(jq -cn --arg t "$2" --arg a "$3" --argjson n "$4" --argjson l "$5" \
		'{token:$t, userAlias:$a, pageSize:$n, lastItem:$l}')"
}

# tw_post TOKEN USERDTO TEXT [TIMESTAMP_MS] -> ST, BODY
tw_post() {
	local ts=${4:-$(date +%s%3N)}
	api /status/post "$(jq -cn --arg t "$1" --argjson u "$2" --arg p "$3" --argjson ts "$ts" \
		'{token:$t, newStatus:{post:$p, user:$u, timestamp:$ts}}')"
}

# A unique suffix for aliases/resources so tests never collide on the shared server.
uniq_suffix() {
	printf '%s%s' "$(date +%s%N | tail -c 7)" "$RANDOM"
}

# ---- AWS CLIs ----

# The Debian CLI (v2) and the pip CLI (v1). cli_path v2|v1 -> path or empty.
cli_path() {
	case "$1" in
		v2) [ -x /usr/bin/aws ] && echo /usr/bin/aws ;;
		v1)
			if [ -x /root/.pyenv/shims/aws ]; then
				echo /root/.pyenv/shims/aws
			else
				local p
				p=$(command -v aws 2>/dev/null)
				if [ -n "$p" ] && [ "$p" != /usr/bin/aws ] && "$p" --version 2>&1 | grep -q '^aws-cli/1\.'; then
					echo "$p"
				fi
			fi
			;;
	esac
}

# cli_or_skip v2|v1 -> sets CLI_BIN, returns 1 (and records a SKIP) when absent
cli_or_skip() {
	CLI_BIN=$(cli_path "$1")
	if [ -z "$CLI_BIN" ]; then
		e2e_skip "AWS CLI $1 not installed"
		return 1
	fi
	if ! "$CLI_BIN" --version >/dev/null 2>&1; then
		e2e_skip "AWS CLI $1 at $CLI_BIN does not run"
		return 1
	fi
	return 0
}

# awsc ARGS... -> runs $CLI_BIN against the endpoint; sets OUT, ERR, RC
awsc() {
	local ef="$E2E_TMP/err.$BASHPID"
	OUT=$(timeout 60 "$CLI_BIN" --endpoint-url "$AWS_EP" --output json "$@" 2>"$ef")
	RC=$?
	ERR=$(cat "$ef")
	rm -f "$ef"
}

# awsc_ok DESC ARGS... -> awsc and assert exit 0 (message includes stderr)
awsc_ok() {
	local desc=$1
	shift
	awsc "$@"
	if [ "$RC" = 0 ]; then
		e2e_pass "$desc"
		return 0
	fi
	e2e_fail "$desc: aws $* exited $RC: $(e2e_clip "$ERR")"
	return 1
}

# ddb TARGET JSON -> raw DynamoDB JSON-1.0 call with curl; sets ST, BODY
ddb() {
	http POST "$AWS_EP/" "$2" -H "X-Amz-Target: DynamoDB_20120810.$1" \
		-H 'Content-Type: application/x-amz-json-1.0'
}

# ddb_count TABLE -> number of items (Scan Select=COUNT, paged)
ddb_count() {
	local total=0 start=null req c
	while :; do
		req=$(jq -cn --arg t "$1" --argjson s "$start" \
			'{TableName:$t, Select:"COUNT"} + (if $s == null then {} else {ExclusiveStartKey:$s} end)')
		ddb Scan "$req"
		c=$(jqr "$BODY" '.Count // empty')
		[ -n "$c" ] || { echo "ERR"; return 1; }
		total=$((total + c))
		start=$(printf '%s' "$BODY" | jq -c '.LastEvaluatedKey // null')
		[ "$start" = null ] && break
	done
	echo "$total"
}

# clock_advance SECONDS -> POST /_stratus/clock
clock_advance() {
	http POST "$AWS_EP/_stratus/clock" "{\"advance_seconds\": $1}"
}

# e2e_extras CLI -> true when CLI should also run the extra (protocol-independent) checks.
# Where both CLIs speak the same wire protocol (DynamoDB JSON 1.0, S3 REST), the core
# operations run with both and the extra checks with one (the pip v1 if present, it
# starts faster), to keep the suite short. E2E_FULL=1 runs everything with both.
e2e_extras() {
	[ "${E2E_FULL:-0}" = 1 ] && return 0
	if [ -n "$(cli_path v1)" ]; then
		[ "$1" = v1 ]
	else
		[ "$1" = v2 ]
	fi
}
