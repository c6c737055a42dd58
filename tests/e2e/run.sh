#!/bin/sh
# tests/e2e/run.sh - Stratus end-to-end tests with real clients (curl, both AWS CLIs).
#
# usage: sh tests/e2e/run.sh ./build/release/stratus        (what `make e2e` runs)
#   env E2E_ONLY=REGEX    run only the test functions whose name matches REGEX
#       E2E_JOBS=N        test functions run N at a time (default 4)
#       E2E_TEST_TIMEOUT=S  per-function bound in seconds (default 150)
#       E2E_KEEP=1        keep the temp directory (server log, per-test output)
#
# It starts ONE `stratus serve` on two free 127.0.0.1 ports, waits for
# GET /_stratus/health (bounded poll), then runs every function named test_* in
# tests/e2e/test_*.sh, each in its own bash process with lib.sh sourced. Functions
# named test_exclusive_* run afterwards, one at a time, with nothing else running
# (they move the server clock). Every assertion is counted; the server is stopped by
# its PID with SIGTERM and must exit 0. Exit status is non-zero on any failure.

# The entry point is POSIX sh; the suite itself needs bash (wait -n, [[ ]], arrays).
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

if [ $# -lt 1 ]; then
	echo "usage: sh tests/e2e/run.sh PATH/TO/stratus" >&2
	exit 2
fi

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
case "$1" in
	/*) BIN=$1 ;;
	*) BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") ;;
esac
if [ ! -x "$BIN" ]; then
	echo "e2e: binary not found or not executable: $1" >&2
	exit 2
fi
for tool in jq curl python3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "e2e: required tool missing: $tool" >&2
		exit 2
	fi
done
cd "$ROOT" || exit 2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-e2e.XXXXXX")
SERVER_LOG=$WORK/server.log
SERVER_PID=

cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		sleep 0.5
		kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
	fi
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "e2e: kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two distinct free loopback ports, both held open while the second is picked.
read -r AWS_PORT API_PORT < <(python3 -c '
import socket
a = socket.socket(); a.bind(("127.0.0.1", 0))
b = socket.socket(); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])
a.close(); b.close()')
if [ -z "${AWS_PORT:-}" ] || [ -z "${API_PORT:-}" ]; then
	echo "e2e: could not pick free ports" >&2
	exit 2
fi

export E2E_DIR ROOT BIN WORK AWS_PORT API_PORT SERVER_LOG
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-west-2 AWS_PAGER=
export AWS_EP="http://127.0.0.1:$AWS_PORT"
export API_BASE="http://127.0.0.1:$API_PORT"
export API="$API_BASE/production"
# Keep the CLIs away from any user config, proxies and IMDS.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy AWS_PROFILE AWS_SESSION_TOKEN

T0=$(date +%s)
"$BIN" serve --aws-port "$AWS_PORT" --api-port "$API_PORT" --log-level warn >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

up=0
for _ in $(seq 1 100); do
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		break
	fi
	if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$AWS_EP/_stratus/health")" = 200 ]; then
		up=1
		break
	fi
	sleep 0.1
done
if [ "$up" != 1 ]; then
	echo "e2e: stratus did not answer GET /_stratus/health within 10 s (pid $SERVER_PID); log:" >&2
	sed 's/^/  | /' "$SERVER_LOG" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi
echo "e2e: stratus pid $SERVER_PID, AWS endpoint $AWS_EP, API $API"

# ---- discover the test functions, in file and definition order ----
PAR=()
EXCL=()
declare -A FILE_OF
for f in "$E2E_DIR"/test_*.sh; do
	[ -e "$f" ] || continue
	while read -r fn; do
		if [ -n "${E2E_ONLY:-}" ] && ! [[ $fn =~ $E2E_ONLY ]]; then
			continue
		fi
		FILE_OF[$fn]=$f
		case "$fn" in
			test_exclusive_*) EXCL+=("$fn") ;;
			*) PAR+=("$fn") ;;
		esac
	done < <(sed -n 's/^\(test_[A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*{*.*$/\1/p' "$f")
done

JOBS=${E2E_JOBS:-4}
TMO=${E2E_TEST_TIMEOUT:-150}
mkdir -p "$WORK/out"

RUNNING=()
start_one() {
	local fn=$1
	(
		export E2E_RESULT_FILE="$WORK/out/$fn.res" E2E_TEST_NAME="$fn" E2E_TMP="$WORK/tmp.$fn"
		mkdir -p "$E2E_TMP"
		: >"$E2E_RESULT_FILE"
		t_start=$(date +%s%N)
		timeout -k 5 "$TMO" bash -c '. "$1" && . "$2" && "$3"' _ \
			"$E2E_DIR/lib.sh" "${FILE_OF[$fn]}" "$fn" >"$WORK/out/$fn.log" 2>&1
		echo $? >"$WORK/out/$fn.rc"
		echo $((($(date +%s%N) - t_start) / 1000000)) >"$WORK/out/$fn.ms"
	) &
	RUNNING+=($!)
}

# count_running -> sets NRUN: how many started test jobs are alive (never the server).
count_running() {
	local p
	NRUN=0
	for p in "${RUNNING[@]}"; do
		kill -0 "$p" 2>/dev/null && NRUN=$((NRUN + 1))
	done
	return 0
}

wait_all() {
	local p
	for p in "${RUNNING[@]}"; do
		wait "$p" 2>/dev/null
	done
	RUNNING=()
}

for fn in "${PAR[@]}"; do
	while count_running && [ "$NRUN" -ge "$JOBS" ]; do
		sleep 0.05
	done
	start_one "$fn"
done
wait_all
for fn in "${EXCL[@]}"; do
	start_one "$fn"
	wait_all
done

# ---- report ----
PASSED=0
FAILED=0
SKIPPED=0
FAILS=()
for fn in "${PAR[@]}" "${EXCL[@]}"; do
	res=$WORK/out/$fn.res
	rc=$(cat "$WORK/out/$fn.rc" 2>/dev/null || echo 125)
	p=$(grep -c '^PASS' "$res" 2>/dev/null)
	m=$(grep -c '^FAIL' "$res" 2>/dev/null)
	s=$(grep -c '^SKIP' "$res" 2>/dev/null)
	p=${p:-0}; m=${m:-0}; s=${s:-0}
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL $fn: timed out after ${TMO} s (exit $rc)" >>"$res"
		m=$((m + 1))
	elif [ "$rc" != 0 ] && [ "$m" = 0 ]; then
		echo "FAIL $fn: the test function exited $rc with no failed assertion" >>"$res"
		m=$((m + 1))
	fi
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + m))
	SKIPPED=$((SKIPPED + s))
	ms=$(cat "$WORK/out/$fn.ms" 2>/dev/null || echo 0)
	printf '== %s (%s, %d.%01d s): %d passed, %d failed%s\n' "$fn" "$(basename "${FILE_OF[$fn]}")" \
		$((ms / 1000)) $((ms % 1000 / 100)) "$p" "$m" "$([ "$s" -gt 0 ] && echo ", $s skipped")"
	if [ "$m" -gt 0 ] || [ "${E2E_VERBOSE:-0}" = 1 ]; then
		sed 's/^/   | /' "$WORK/out/$fn.log"
		while IFS= read -r line; do
			FAILS+=("$line")
		done < <(grep '^FAIL' "$res")
	fi
done

# ---- stop the server by its PID; it must exit 0 ----
if kill -0 "$SERVER_PID" 2>/dev/null; then
	kill -TERM "$SERVER_PID"
	stopped=0
	for _ in $(seq 1 100); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			stopped=1
			break
		fi
		sleep 0.1
	done
	if [ "$stopped" = 1 ]; then
		wait "$SERVER_PID"
		src=$?
		if [ "$src" = 0 ]; then
			echo "== server: stratus exited 0 after SIGTERM"
			PASSED=$((PASSED + 1))
		else
			FAILED=$((FAILED + 1))
			FAILS+=("FAIL server: stratus exited $src after SIGTERM (expected 0)")
		fi
	else
		kill -KILL "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		FAILED=$((FAILED + 1))
		FAILS+=("FAIL server: stratus did not exit within 10 s of SIGTERM (killed)")
	fi
else
	wait "$SERVER_PID" 2>/dev/null
	FAILED=$((FAILED + 1))
	FAILS+=("FAIL server: stratus (pid $SERVER_PID) died during the tests")
fi
SERVER_PID=

if [ "$FAILED" -gt 0 ]; then
	echo
	echo "e2e: failures:"
	for l in "${FAILS[@]}"; do
		echo "  $l"
	done
	if grep -qiE 'error|sanitizer|abort|assert' "$SERVER_LOG"; then
		echo "e2e: server log (last 40 lines):"
		tail -n 40 "$SERVER_LOG" | sed 's/^/  | /'
	fi
fi
[ "$SKIPPED" -gt 0 ] && echo "e2e: $SKIPPED skipped"
echo "e2e: finished in $(($(date +%s) - T0)) s"
echo "e2e: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
