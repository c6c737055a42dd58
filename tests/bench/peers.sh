#!/bin/bash
# Side by side: the same SDK v3 client (../shared/bench/bench.mjs) and workloads against
# Stratus (--zero-latency: peers simulate no latency), dynalite (in memory) and fauxqs, in
# one run on this machine; then a table of Stratus/peer ratios. Needs Node.js and npm
# (the bench's packages are installed into build/peers on first use).
set -u
BIN=$(readlink -f "${1:-./build/release/stratus}")
CONF=$(readlink -f regions.conf)
SRC=${BENCH_SRC:-../shared/bench}
DIR=build/peers/bench
OUT=$(readlink -f build/bench)/peers.jsonl
mkdir -p build/bench build/peers
if [ ! -d "$DIR/node_modules" ]; then
    rm -rf "$DIR" && cp -r "$SRC" build/peers/ && chmod -R u+w "$DIR"
    (cd "$DIR" && npm install --no-audit --no-fund >/dev/null 2>&1) || { echo "peers: npm install failed"; exit 1; }
fi
cd "$DIR"
: > "$OUT"
N_PUT=${N_PUT:-3000} N_GET=${N_GET:-3000} N_QUERY=${N_QUERY:-2000} N_BATCH=${N_BATCH:-10000}
N_FANOUT=${N_FANOUT:-10000} N_FEED=${N_FEED:-2000} N_MSG=${N_MSG:-5000} N_OBJ=${N_OBJ:-300}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
bench() { # label service endpoint workload n c
    timeout 300 node bench.mjs --label "$1" --service "$2" --endpoint "$3" --workload "$4" \
        --n "$5" --concurrency "$6" 2>>"$OUT.err" >> "$OUT" || true
}
ddb() { bench "$1" dynamodb "$2" create 2 1
    for c in 1 16; do
        bench "$1" dynamodb "$2" put "$N_PUT" $c; bench "$1" dynamodb "$2" get "$N_GET" $c
        bench "$1" dynamodb "$2" query "$N_QUERY" $c; bench "$1" dynamodb "$2" batchwrite "$N_BATCH" $c
        bench "$1" dynamodb "$2" fanout "$N_FANOUT" $c; bench "$1" dynamodb "$2" feedread "$N_FEED" $c
    done; }
sqs() { for c in 1 16; do bench "$1" sqs "$2" send "$N_MSG" $c; bench "$1" sqs "$2" receive "$N_MSG" $c; done; }
s3() { for c in 1 16; do bench "$1" s3 "$2" put "$N_OBJ" $c; bench "$1" s3 "$2" get "$N_OBJ" $c; done; }
# Server-bound throughput past the SDK client: the workspace's wrk scripts (GetItem, PutItem,
# Query Limit 10 on partition fan1, which the put workload made), 5 s at 16 connections,
# against each DynamoDB endpoint right after its SDK workloads. Skipped without wrk.
RAW=${OUT%.jsonl}-raw.txt
: > "$RAW"
raw() { # label endpoint
    command -v wrk >/dev/null 2>&1 || return 0
    sh wrk/raw.sh "$2" "${RAW_SECS:-5}" 16 2>&1 | sed "s/^/$1\t/" >> "$RAW"; }
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
stop() { kill "$1" 2>/dev/null; for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done; }
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

A=$(free_port); P=$(free_port)
# partition_limits off: the peers model no per-partition-key limits, and the fanout seed
# writes 10,000 rows under one GSI key (AWS would hold it to 1,000 WCU/s)
"$BIN" serve --config "$CONF" --zero-latency --set 'service dynamodb|partition_limits|off' \
    --aws-port "$A" --api-port "$P" --log-level error & SP=$!
wait_up "http://127.0.0.1:$A/_stratus/health"
ddb stratus "http://127.0.0.1:$A"; raw stratus "http://127.0.0.1:$A"; sqs stratus "http://127.0.0.1:$A"; s3 stratus "http://127.0.0.1:$A"
echo "{\"kind\":\"memory\",\"label\":\"stratus\",\"vmrss_kb\":$(rss $SP)}" >> "$OUT"; stop $SP

D=$(free_port)
node node_modules/dynalite/cli.js --host 127.0.0.1 --port "$D" & DP=$!
wait_up "http://127.0.0.1:$D"
ddb dynalite-mem "http://127.0.0.1:$D"; raw dynalite-mem "http://127.0.0.1:$D"
echo "{\"kind\":\"memory\",\"label\":\"dynalite-mem\",\"vmrss_kb\":$(rss $DP)}" >> "$OUT"; stop $DP

F=$(free_port)
node start-fauxqs.mjs "$F" & FP=$!
wait_up "http://127.0.0.1:$F"
sqs fauxqs "http://127.0.0.1:$F"; s3 fauxqs "http://127.0.0.1:$F"
echo "{\"kind\":\"memory\",\"label\":\"fauxqs\",\"vmrss_kb\":$(rss $FP)}" >> "$OUT"; stop $FP

python3 - "$OUT" "$RAW" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
runs = {}
for r in rows:
    if r.get("kind") == "memory" or "workload" not in r: continue
    runs[(r["label"], r["service"], r["workload"], r["concurrency"])] = r
print("| service | workload | C | stratus items/s | peer | peer items/s | ratio | stratus p99 ms | peer p99 ms |")
print("|---|---|---|---|---|---|---|---|---|")
for (label, svc, wl, c), r in sorted(runs.items()):
    if label != "stratus" or wl == "create": continue
    for peer in ("dynalite-mem", "fauxqs"):
        p = runs.get((peer, svc, wl, c))
        if not p: continue
        a, b = r.get("items_per_s"), p.get("items_per_s")
        ratio = f"{a / b:.2f}x" if a and b else "-"
        extra = f" (post {r.get('post_seconds')} s vs {p.get('post_seconds')} s)" if wl == "fanout" else ""
        print(f"| {svc} | {wl}{extra} | {c} | {a} | {peer} | {b} | {ratio} | {r.get('p99_ms')} | {p.get('p99_ms')} |")
        errs = (r.get("errors") or 0, p.get("errors") or 0)
        if any(errs) or r.get("status") != "ok": print(f"|   | status stratus={r.get('status')} errors={errs[0]}; {peer} errors={errs[1]} |||||||")
for r in rows:
    if r.get("kind") == "memory": print(f"RSS after workloads: {r['label']} {r['vmrss_kb']} KiB")
raw = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    rate = [x for x in f[2:] if x.endswith("req/s")]
    if len(f) >= 3 and rate:
        raw[(f[0], f[1])] = float(rate[0].split()[0])
if raw:
    print("\nraw wrk, 16 connections (../shared/bench/wrk): req/s")
    print("| op | stratus | dynalite-mem | ratio |")
    print("|---|---|---|---|")
    for op in ("getitem", "putitem", "query"):
        a, b = raw.get(("stratus", op)), raw.get(("dynalite-mem", op))
        if a and b: print(f"| {op} | {a:.0f} | {b:.0f} | {a / b:.2f}x |")
PY
