#!/bin/sh
# make bench: figures, not pass/fail. Start-up time, population time and RSS, the
# milestone under the shipped regions.conf, the fan-out with every latency at zero, and raw
# DynamoDB throughput with wrk (tests/bench/raw.sh; with BIG=1 also the RSS of a persistent
# server after loading 1,000,000 items).
# With PEERS=1 (and Node.js + npm) it also runs ../shared/bench's SDK workloads against
# Stratus and dynalite side by side, and prints ratios.
set -u
BIN=${1:-./build/release/stratus}
OUT=${OUT:-build/bench}
mkdir -p "$OUT"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
wait_health() { # port bound_tenths
    i=0
    while [ $i -lt "$2" ]; do
        curl -sf "http://127.0.0.1:$1/_stratus/health" >/dev/null 2>&1 && return 0
        i=$((i + 1)); sleep 0.1
    done
    return 1
}
stop() { kill -TERM "$1" 2>/dev/null; i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; }

echo "== start-up without --demo (5 runs, ms from exec to first health answer)"
for r in 1 2 3 4 5; do
    A=$(free_port); P=$(free_port)
    t0=$(now_ms)
    "$BIN" serve --aws-port "$A" --api-port "$P" --log-level warn 2>"$OUT/startup.log" &
    pid=$!
    wait_health "$A" 100 || echo "server did not answer"
    t1=$(now_ms)
    printf '  run %s: %s ms, RSS %s KiB\n' "$r" $((t1 - t0)) "$(rss_kib $pid)"
    stop $pid
done

echo "== serve --demo: population of 10,000 users"
A=$(free_port); P=$(free_port)
t0=$(now_ms)
"$BIN" serve --demo --aws-port "$A" --api-port "$P" --log-level warn 2>"$OUT/demo.log" &
pid=$!
i=0
while ! grep -q "stratus: serving" "$OUT/demo.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
t1=$(now_ms)
grep "populate: done" "$OUT/demo.log" | sed 's/^/  /'
printf '  exec to serving the populated world: %s ms; RSS after population: %s KiB\n' $((t1 - t0)) "$(rss_kib $pid)"
stop $pid

echo "== stratus check milestone (shipped regions.conf)"
"$BIN" check milestone --json 2>"$OUT/milestone.log" | tee "$OUT/milestone.json" | sed 's/^/  /'

echo "== stratus check milestone --zero-latency (fan-out wall time, no simulated latency)"
t0=$(now_ms)
"$BIN" check milestone --zero-latency --json 2>"$OUT/milestone0.log" | tee "$OUT/milestone0.json" | sed 's/^/  /'
printf '  whole command: %s ms\n' $(($(now_ms) - t0))

echo "== stratus check milestone --virtual-time --seed 7 (twice: same digest), seed 8"
for seed in 7 7 8; do
    /usr/bin/time -f "  wall %e s, max RSS %M KiB" "$BIN" check milestone --virtual-time --seed $seed --json \
        2>"$OUT/virtual.log" | sed 's/^/  /'
    grep -E "virtual run|wall" "$OUT/virtual.log" | sed 's/^/  /'
done

echo "== raw DynamoDB throughput with wrk (--zero-latency, 16 connections, 5 s each)"
if [ "${BIG:-0}" = 1 ]; then ITEMS=${ITEMS:-1000000}; fi
ITEMS=${ITEMS:-0} sh tests/bench/raw.sh "$BIN"

if [ "${BIG:-0}" = 1 ]; then
    echo "== 1,000,000 followers in virtual time (feed WCU raised to 40000)"
    /usr/bin/time -f "  wall %e s, max RSS %M KiB" "$BIN" check milestone --virtual-time --seed 7 --json \
        --users 1000000 --set 'table feed|wcu|40000' 2>"$OUT/virtual-1m.log" | sed 's/^/  /'
    grep -E "virtual run|wall" "$OUT/virtual-1m.log" | sed 's/^/  /'
fi

if [ "${PEERS:-0}" = 1 ]; then
    sh tests/bench/peers.sh "$BIN"
fi
