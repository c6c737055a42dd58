#!/bin/sh
# Raw DynamoDB throughput with wrk (Debian package wrk): GetItem, PutItem and Query (Limit
# 10) against `serve --zero-latency`, one wrk thread, C connections, S seconds each. Prints
# req/s, latency percentiles and the server's CPU time per request (utime+stime from
# /proc, steadier than req/s on a shared machine). With ITEMS=N (e.g. 1000000) it then
# loads N items into a persistent (`--data`) server and prints its RSS.
# usage: sh tests/bench/raw.sh [BIN]   env: SECS (5), CONNS (16), ITEMS (0)
set -u
BIN=$(readlink -f "${1:-./build/release/stratus}")
CONF=$(readlink -f regions.conf)
HERE=$(cd "$(dirname "$0")" && pwd)
SECS=${SECS:-5}; CONNS=${CONNS:-16}; ITEMS=${ITEMS:-0}
export WRK_DIR="$HERE/wrk"
if ! command -v wrk >/dev/null 2>&1; then
    echo "  (wrk not installed: apt-get install wrk)"; exit 0
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
stop() { kill -TERM "$1" 2>/dev/null; i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; }
up() { i=0; while [ $i -lt 100 ]; do curl -sf "$1/_stratus/health" >/dev/null 2>&1 && return 0; i=$((i+1)); sleep 0.1; done; return 1; }
ddb() { # url target body
    curl -s -o /dev/null -w '%{http_code}' "$1/" -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: DynamoDB_20120810.$2" -d "$3"
}
make_feed() { # url: table feed (HASH receiver_alias S, RANGE timestamp N), 50 items in fan1
    ddb "$1" DeleteTable '{"TableName":"feed"}' >/dev/null
    ddb "$1" CreateTable '{"TableName":"feed","AttributeDefinitions":[{"AttributeName":"receiver_alias","AttributeType":"S"},{"AttributeName":"timestamp","AttributeType":"N"}],"KeySchema":[{"AttributeName":"receiver_alias","KeyType":"HASH"},{"AttributeName":"timestamp","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}' >/dev/null
    i=1
    while [ $i -le 50 ]; do
        ddb "$1" PutItem "{\"TableName\":\"feed\",\"Item\":{\"receiver_alias\":{\"S\":\"fan1\"},\"timestamp\":{\"N\":\"$i\"},\"post\":{\"S\":\"a post of about two hundred bytes: $(printf '%0150d' $i)\"}}}" >/dev/null
        i=$((i+1))
    done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# partition_limits off: the scripts hammer one item, which the partition model (like AWS)
# would hold to 1,000 WCU / 3,000 RCU a second; this measures the server, not the model.
NOLIM="service dynamodb|partition_limits|off"
A=$(free_port)
"$BIN" serve --config "$CONF" --zero-latency --set "$NOLIM" --aws-port "$A" --api-port "$(free_port)" --log-level warn 2>>"${RAW_LOG:-/dev/null}" &
pid=$!
up "http://127.0.0.1:$A" || { echo "  server did not start"; stop $pid; exit 1; }
make_feed "http://127.0.0.1:$A"
tck=$(getconf CLK_TCK)
for op in getitem putitem query; do
    c0=$(cpu_ticks $pid)
    out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$HERE/wrk/$op.lua" "http://127.0.0.1:$A/")
    c1=$(cpu_ticks $pid)
    echo "$out" | awk -v op=$op -v t=$((c1 - c0)) -v hz=$tck '
        /requests in/ {n = $1} /Requests\/sec/ {r = $2} /Non-2xx/ {bad = $4}
        / 50%/ {p50 = $2} / 99%/ {p99 = $2}
        END {printf "  %-8s %9.0f req/s  p50 %-8s p99 %-8s server CPU %5.1f us/request%s\n", op, r,
             p50, p99, n ? t * 1e6 / hz / n : 0, bad ? "  NON-2XX " bad : ""}'
done
stop $pid

if [ "$ITEMS" -gt 0 ]; then
    D=$(mktemp -d)
    A=$(free_port)
    "$BIN" serve --config "$CONF" --zero-latency --set "$NOLIM" --data "$D" --aws-port "$A" --api-port "$(free_port)" --log-level warn 2>>"${RAW_LOG:-/dev/null}" &
    pid=$!
    up "http://127.0.0.1:$A" || { echo "  server did not start"; stop $pid; exit 1; }
    ddb "http://127.0.0.1:$A" DeleteTable '{"TableName":"feed"}' >/dev/null
    make_feed "http://127.0.0.1:$A"
    t0=$(date +%s)
    python3 "$HERE/load_items.py" "$A" "$ITEMS" 3 || echo "  load failed"
    t1=$(date +%s)
    printf '  persistent: %s items loaded in %s s; VmRSS %s KiB (peak %s KiB); files %s\n' "$ITEMS" \
        $((t1 - t0)) "$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)" \
        "$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)" "$(du -sh "$D" | cut -f1)"
    stop $pid
    rm -rf "$D"
fi
