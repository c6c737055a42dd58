# tests/e2e/test_milestone.sh - the stratus command line: `check milestone` (a scaled-down
# run; `make bench` runs the full 10,000), --help/--version, and start-up errors.

# free_ports -> "A B": two free 127.0.0.1 ports
free_ports() {
	python3 -c '
import socket
a = socket.socket(); a.bind(("127.0.0.1", 0))
b = socket.socket(); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])
a.close(); b.close()'
}

# run_bin SECONDS ARGS... -> RC, OUT (stdout), ERR (stderr); bounded by timeout
run_bin() {
	local secs=$1
	shift
	OUT=$(timeout -k 5 "$secs" "$BIN" "$@" 2>"$E2E_TMP/stderr")
	RC=$?
	ERR=$(cat "$E2E_TMP/stderr")
}

test_milestone_check_2000() {
	local t0 dt
	t0=$(now_s)
	run_bin 120 check milestone --json --users 2000
	dt=$(elapsed "$t0")
	assert_eq "check milestone --json --users 2000: exit status" 0 "$RC" || echo "stderr: $(e2e_clip "$ERR")"
	local json
	json=$(printf '%s\n' "$OUT" | grep '^{' | tail -n 1)
	if ! printf '%s' "$json" | jq -e . >/dev/null 2>&1; then
		e2e_fail "check milestone prints one JSON object on stdout: got [$(e2e_clip "$OUT")]"
		return 1
	fi
	e2e_pass "check milestone prints one JSON object on stdout"
	assert_json "milestone: pass" "$json" .pass true
	assert_json "milestone: feeds_delivered" "$json" .feeds_delivered 2000
	assert_json "milestone: followers" "$json" .followers 2000
	assert_json "milestone: post_ms < 1000" "$json" '.post_ms < 1000' true
	assert_json "milestone: fanout_s < 120" "$json" '.fanout_s < 120' true
	assert_json "milestone: feed_page_ms < 1000" "$json" '.feed_page_ms < 1000' true
	echo "milestone (2000 users): $json in ${dt} s"
}

test_cli_help_version() {
	run_bin 10 --help
	assert_eq "stratus --help: exit status" 0 "$RC"
	assert_contains "stratus --help mentions serve" "serve" "$OUT$ERR"
	assert_contains "stratus --help mentions check milestone" "check milestone" "$OUT$ERR"
	run_bin 10 --version
	assert_eq "stratus --version: exit status" 0 "$RC"
	assert_match "stratus --version: 'stratus X.Y.Z'" '^stratus [0-9]+\.[0-9]+\.[0-9]+' "$OUT$ERR"
	run_bin 10 no-such-command
	assert_ne "stratus no-such-command: non-zero exit" 0 "$RC"
	assert_contains "stratus no-such-command: names the command" "no-such-command" "$OUT$ERR"
	run_bin 10 serve --no-such-option
	assert_ne "stratus serve --no-such-option: non-zero exit" 0 "$RC"
	assert_contains "stratus serve --no-such-option: names the option" "no-such-option" "$OUT$ERR"
}

test_cli_bad_config() {
	local a p
	read -r a p < <(free_ports)
	run_bin 15 serve --config /nonexistent --aws-port "$a" --api-port "$p" --log-level warn
	assert_ne "serve --config /nonexistent: non-zero exit (not a timeout)" 0 "$RC"
	assert_ne "serve --config /nonexistent: exits by itself" 124 "$RC"
	assert_contains "serve --config /nonexistent: message names the file" "/nonexistent" "$ERR$OUT"

	local bad=$E2E_TMP/bad-regions.conf line
	cp "$ROOT/regions.conf" "$bad"
	line=$(grep -n '^wcu = ' "$bad" | head -n 1 | cut -d: -f1)
	if [ -z "$line" ]; then
		e2e_fail "regions.conf has a 'wcu = ' line to break"
		return 1
	fi
	sed -i "${line}s/.*/wcu = abc/" "$bad"
	read -r a p < <(free_ports)
	run_bin 15 serve --config "$bad" --aws-port "$a" --api-port "$p" --log-level warn
	assert_ne "serve with 'wcu = abc': non-zero exit" 0 "$RC"
	assert_ne "serve with 'wcu = abc': exits by itself" 124 "$RC"
	assert_contains "serve with 'wcu = abc': FILE:LINE: wcu:" "$bad:$line: wcu:" "$ERR$OUT"

	cp "$ROOT/regions.conf" "$bad"
	printf '\n[table broken]\nregion = mars-north-1\npartition_key = id:S\n' >>"$bad"
	line=$(grep -n '^region = mars-north-1' "$bad" | cut -d: -f1)
	read -r a p < <(free_ports)
	run_bin 15 serve --config "$bad" --aws-port "$a" --api-port "$p" --log-level warn
	assert_ne "serve with an unknown region: non-zero exit" 0 "$RC"
	assert_ne "serve with an unknown region: exits by itself" 124 "$RC"
	assert_contains "serve with an unknown region: names the region" "mars-north-1" "$ERR$OUT"

	run_bin 60 check milestone --config /nonexistent --users 10
	assert_ne "check milestone --config /nonexistent: non-zero exit" 0 "$RC"
	assert_contains "check milestone --config /nonexistent: message names the file" "/nonexistent" "$ERR$OUT"
}

# A port already in use is reported, not ignored.
test_cli_port_in_use() {
	local p
	read -r _ p < <(free_ports)
	python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(8)' "$p" &
	local holder=$!
	local ok=0 i
	for ((i = 0; i < 50; i++)); do
		if python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.2); s.connect(("127.0.0.1", int(sys.argv[1])))' "$p" 2>/dev/null; then
			ok=1
			break
		fi
		sleep 0.1
	done
	if [ "$ok" = 1 ]; then
		local a
		read -r a _ < <(free_ports)
		run_bin 6 serve --aws-port "$a" --api-port "$p" --log-level warn
		assert_ne "serve on a busy --api-port: non-zero exit" 0 "$RC"
		assert_ne "serve on a busy --api-port: exits by itself" 124 "$RC"
		assert_contains "serve on a busy --api-port: names the port" "$p" "$ERR$OUT"
	else
		e2e_skip "could not hold a port for the busy-port test"
	fi
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	return 0
}

# Virtual time: the same seed prints the same JSON (figures and trace digest), another
# seed other figures with the targets still met (issue 3, "Done when").
test_milestone_virtual_determinism() {
	run_bin 60 check milestone --virtual-time --seed 7 --json
	assert_eq "check milestone --virtual-time --seed 7: exit status" 0 "$RC" || echo "stderr: $(e2e_clip "$ERR")"
	local a=$OUT
	run_bin 60 check milestone --virtual-time --seed 7 --json
	assert_eq "virtual run, seed 7 again: identical JSON" "$a" "$OUT"
	assert_json "virtual milestone: pass" "$a" .pass true
	assert_json "virtual milestone: feeds_delivered" "$a" .feeds_delivered 10000
	assert_json "virtual milestone: a 64-hex trace_digest" "$a" '.trace_digest | test("^[0-9a-f]{64}$")' true
	run_bin 60 check milestone --virtual-time --seed 8 --json
	assert_json "virtual milestone, seed 8: pass" "$OUT" .pass true
	assert_ne "virtual milestone, seed 8: another digest" "$(printf '%s' "$a" | jq -r .trace_digest)" \
		"$(printf '%s' "$OUT" | jq -r .trace_digest)"
	assert_ne "virtual milestone, seed 8: other figures" "$(printf '%s' "$a" | jq -r .post_ms)" \
		"$(printf '%s' "$OUT" | jq -r .post_ms)"
}

# A sweep with faults passes, and catches the planted lost-write handler with a
# reproduce command.
test_sweep_cli() {
	run_bin 120 sweep --seeds 3 --users 200 --faults experiments/faults.conf
	assert_eq "sweep with faults: exit status" 0 "$RC" || echo "out: $(e2e_clip "$OUT")"
	assert_contains "sweep: summary line" "sweep: 3 seeds, 0 failed" "$OUT"
	run_bin 120 sweep --seeds 1 --users 200 \
		--set 'function tweeterPostStatusProcessing|handler|tweeter.updateFeedUnawaited'
	assert_ne "sweep with the planted bug: non-zero exit" 0 "$RC"
	assert_contains "sweep names the broken invariant" "lost feed writes" "$OUT"
	assert_contains "sweep prints how to reproduce" "reproduce: stratus sweep --seeds 1 --seed 1" "$OUT"
}
