#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# collector_lineage.sh: the collector on BOTH backends (bpf cases need root
# and are skipped with the reason otherwise): children followed through
# fork, exec and posix_spawn with their lineage, a child that outlives the
# first process, Chrome Trace tracks and flow arrows (fork, spawn, exec,
# Mach message), folded stacks as flamegraph.pl and speedscope parse them,
# live trace lines, every filter, the error paths (no privileges, missing
# program, crash, Ctrl-C, ring overflow), the metadata, and every artifact
# (goldens and fresh recordings) against docs/artifact.schema.json.
set -u
OUTPUT=${OUTPUT:-.output}
SAN=""; [ "${SANITIZE:-0}" = 1 ] && SAN="-san"
X="$OUTPUT/bin/xnutrace"
EX="$OUTPUT/examples"
P="$OUTPUT/progs$SAN"
. "$(dirname "$0")/testlib.bash"
# rec BACKEND NAME [record options] -- WORKLOAD...: $T/NAME.json, $T/NAME.err, $T/NAME.rc
rec() {
	local b=$1 n=$2; shift 2
	"$X" record --backend "$b" -o "$T/$n.json" "$@" >"$T/$n.out" 2>"$T/$n.err"
	echo $? > "$T/$n.rc"
}
rc_is() { [ "$(cat "$T/$1.rc")" -eq "$2" ] || { echo "exit $(cat "$T/$1.rc"), wanted $2"; cat "$T/$1.err"; return 1; }; }

if [ ! -x "$X" ]; then echo "  $X not built"; echo "0 passed, 1 failed"; exit 1; fi
HAVE_SCHEMA=0; python3 -c 'import jsonschema' 2>/dev/null && HAVE_SCHEMA=1
ARTIFACTS=()

# Every "s" (flow start) lies inside an X slice of its thread, and every
# (pid, tid) with slices has a thread_name track.
chrome_bound() {
	jq -e '[.traceEvents[] | select(.ph == "X")] as $x
	       | [.traceEvents[] | select(.ph == "s") as $s
	          | any($x[]; .pid == $s.pid and .tid == $s.tid and .ts <= $s.ts
	                and $s.ts <= .ts + .dur + 0.001)] | all' "$1" >/dev/null
}
chrome_tracks() {
	jq -e '([.traceEvents[] | select(.ph == "X") | [.pid, .tid]] | unique) as $t
	       | ([.traceEvents[] | select(.ph == "M" and .name == "thread_name") | [.pid, .tid]]
	          | unique) as $m | ($t | length) > 0 and ($t - $m | length) == 0' "$1" >/dev/null
}
chrome_arrow() {	# file kind from_pid to_pid: a matched s/f pair
	jq -e --arg k "$2" --argjson a "$3" --argjson b "$4" \
		'[.traceEvents[] | select(.name == $k and .ph == "s" and .pid == $a) | .id] as $s
		 | [.traceEvents[] | select(.name == $k and .ph == "f" and .pid == $b and .bp == "e")
		    | .id] as $f | ($s - ($s - $f)) | length > 0' "$1" >/dev/null
}
# Folded stacks as the two readers parse them: speedscope's importer takes
# /^(.*) (\d+)$/ and splits the stack on ';'; flamegraph.pl takes
# /^(.*)\s+?(\d+(?:\.\d*)?)$/.  Every line must parse, into non-empty
# frames, and the weights (self ns) must add up to the artifact's stacks.
folded_ok() {	# folded artifact
	[ -s "$1" ] || { echo "empty"; return 1; }
	grep -vqP '^(.*) (\d+)$' "$1" && { echo "a line speedscope skips"; return 1; }
	grep -vqP '^(.*)\s+?(\d+(?:\.\d*)?)$' "$1" && { echo "a line flamegraph.pl skips"; return 1; }
	grep -qP '(^|;);|; |^ ' "$1" && { echo "an empty frame"; return 1; }
	local sum want
	sum=$(awk '{ s += $NF } END { printf "%d", s }' "$1")
	want=$(jq '[.stacks[].self_ns] | add' "$2")
	[ "$sum" = "$want" ] || { echo "weights $sum, stacks' self time $want"; return 1; }
}

for B in inproc bpf; do
	if [ $B = bpf ] && [ "$(id -u)" -ne 0 ]; then
		for c in fork_lineage spawn_lineage orphan chrome folded trace filters errors meta; do
			skip "${c}_bpf" "not root: the bpf backend needs CAP_BPF"
		done
		continue
	fi

	# -- fork + exec: the child under its parent
	rec $B fe -- "$EX/fork_exec/fork_exec"
	ARTIFACTS+=("$T/fe.json")
	check fork_exec_exits_0_$B                  rc_is fe 0
	check fork_child_under_parent_$B            jqt "$T/fe.json" '.processes[] | select(.pid == 3)
		| .ppid == 2 and .how == "fork" and .execs == ["/usr/local/bin/hello_child"]
		  and .comm == "/usr/local/bin/hello_child" and .exited and .status == 1792'
	check fork_parent_is_the_workload_$B        jqt "$T/fe.json" '.processes[] | select(.pid == 2)
		| .ppid == 1 and .how == "attach" and .execs == [] and .bsd_calls == 8'
	check exec_child_calls_recorded_$B          jqt "$T/fe.json" '(.processes[] | select(.pid == 3) | .bsd_calls == 5)
		and (.roots[] | select(.name == "getppid") | .count == 1)'
	check exec_flows_recorded_$B                jqt "$T/fe.json" '[.timeline.flows[] | .kind] | index("fork") != null and index("exec") != null'

	# -- posix_spawn
	rec $B sp -- "$EX/spawn/spawn"
	ARTIFACTS+=("$T/sp.json")
	check spawn_child_lineage_$B                jqt "$T/sp.json" '.processes[] | select(.pid == 3)
		| .ppid == 2 and .how == "spawn" and .execs == ["/usr/local/bin/hello_child"]
		  and .exited and .status == 1792 and .bsd_calls == 4'
	check spawn_failure_counted_$B              jqt "$T/sp.json" '.roots[] | select(.name == "posix_spawn") | .count == 2 and .errors == 1'

	# -- a child that outlives the first process: the artifact waits for it
	rec $B orph -- "$P/xt_orphan" 200
	ARTIFACTS+=("$T/orph.json")
	check orphan_recorded_until_it_exits_$B     jqt "$T/orph.json" '(.processes[] | select(.pid == 3)
		| .ppid == 2 and .how == "fork" and .exited and .status == 1280 and .bsd_calls == 4)
		and .meta.wall_ns >= 200000000'
	check orphan_parent_exited_first_$B         jqt "$T/orph.json" '.processes[] | select(.pid == 2) | .exited and .status == 0'

	# -- Chrome Trace: tracks and every kind of arrow
	"$X" export --chrome "$T/fe.json" -o "$T/fe.trace"
	"$X" export --chrome "$T/sp.json" -o "$T/sp.trace"
	rec $B po -- "$EX/ports/ports"
	ARTIFACTS+=("$T/po.json")
	"$X" export --chrome "$T/po.json" -o "$T/po.trace"
	check chrome_fork_arrow_$B                  chrome_arrow "$T/fe.trace" fork 2 3
	check chrome_exec_arrow_$B                  chrome_arrow "$T/fe.trace" exec 3 3
	check chrome_spawn_arrow_$B                 chrome_arrow "$T/sp.trace" spawn 2 3
	check chrome_msg_arrow_$B                   chrome_arrow "$T/po.trace" mach_msg 2 2
	check chrome_arrows_start_in_a_slice_$B     sh -c "$(declare -f chrome_bound); chrome_bound '$T/fe.trace' && chrome_bound '$T/sp.trace' && chrome_bound '$T/po.trace'"
	check chrome_track_per_thread_$B            sh -c "$(declare -f chrome_tracks); chrome_tracks '$T/fe.trace' && chrome_tracks '$T/po.trace'"
	check chrome_child_threads_have_tracks_$B   jqt "$T/fe.trace" '[.traceEvents[] | select(.ph == "M" and .name == "thread_name" and .pid == 3)] | length >= 1'

	# -- folded stacks
	"$X" export --folded "$T/fe.json" -o "$T/fe.folded"
	check folded_parsed_by_flamegraph_and_speedscope_$B folded_ok "$T/fe.folded" "$T/fe.json"
	"$X" export --folded --calls "$T/fe.json" -o "$T/fe.cfolded"
	check folded_calls_weights_$B               sh -c "awk '{ s += \$NF } END { exit s == 0 }' '$T/fe.cfolded' && grep -q '^fork;fork;fork1' '$T/fe.cfolded'"

	# -- live trace: pid/tid, decoded arguments, errno and kern_return_t names, duration
	"$X" trace -q --backend $B -- "$EX/fork_exec/fork_exec" >"$T/tr.out" 2>&1
	"$X" trace -q --backend $B -- "$EX/ports/ports" >"$T/trp.out" 2>&1
	check trace_errno_name_and_duration_$B      grep -qP '^2/[1-9]\d* +execve\(.*\) = -1 ENOENT  <[0-9.]+us>$' "$T/tr.out"
	check trace_fork_returns_child_$B           grep -qP '^2/[1-9]\d* +fork\(\) = 3  <[0-9.]+us>$' "$T/tr.out"
	check trace_child_lines_$B                  grep -qP '^3/[1-9]\d* +getppid\(\) = 2  <' "$T/tr.out"
	check trace_lifecycle_has_thread_$B         grep -qP '^3/[1-9]\d* +proc_exec /usr/local/bin/hello_child$' "$T/tr.out"
	check trace_kern_return_name_$B             grep -qP '^2/[1-9]\d* +_kernelrpc_mach_port_deallocate_trap\(0x[0-9a-f]+, 0x[0-9a-f]+\) = KERN_INVALID_NAME \(0xf\)  <' "$T/trp.out"
	check trace_port_name_result_$B             grep -qP '^2/[1-9]\d* +task_self_trap\(\) = 0x[0-9a-f]+  <' "$T/trp.out"
	if [ $B = bpf ]; then
		check trace_path_argument_decoded_bpf   grep -qF 'execve("/usr/local/bin/no_such_program", ' "$T/tr.out"
	fi

	# -- filters
	rec $B fpid --pid 3 -- "$EX/fork_exec/fork_exec"
	check filter_pid_$B                         jqt "$T/fpid.json" '([.roots[] | "\(.name):\(.count)"] | sort)
		== ["execve:1", "getpid:1", "getppid:1", "write:1"] and ([.processes[].pid] == [2, 3])'
	rec $B ffam --family mach -- "$EX/ports/ports"
	check filter_family_mach_$B                 jqt "$T/ffam.json" '([.roots[].family] | unique) == ["mach"] and (.roots | length) > 3'
	rec $B fsys --syscall open -- "$EX/file_io/file_io"
	"$X" export --normalise "$T/fsys.json" -o "$T/fsys.n.json"
	check filter_syscall_name_$B                jqt "$T/fsys.n.json" '[.roots[].name] == ["open"] and ([.edges[].root] | unique) == ["bsd:open"]'
	rec $B fdep --depth 1 -- "$EX/file_io/file_io"
	"$X" export --normalise "$T/fdep.json" -o "$T/fdep.n.json"
	check filter_depth_$B                       jqt "$T/fdep.n.json" '([.edges[] | select(.root == "bsd:open" and .caller == "bsd:open" and .callee == "open")] | length == 1)
		and ([.edges[] | select(.root == "bsd:open" and .caller == "open")] | length == 0)'
	rec $B fall -- "$EX/file_io/file_io"
	rec $B fdur --min-duration 20us -- "$EX/file_io/file_io"
	check filter_min_duration_$B                sh -c "jq -e '([.roots[].hist[0:14][]] | add // 0) == 0' '$T/fdur.json' >/dev/null &&
		[ \$(jq '[.roots[].count] | add // 0' '$T/fdur.json') -lt \$(jq '[.roots[].count] | add' '$T/fall.json') ]"
	ARTIFACTS+=("$T/fpid.json" "$T/ffam.json" "$T/fsys.json" "$T/fdep.json" "$T/fdur.json" "$T/fsys.n.json")

	# -- errors
	rec $B miss -- /nonexistent/program
	check missing_workload_exits_127_$B         rc_is miss 127
	rec $B crash -- "$P/xt_loop" crash
	check crash_artifact_written_$B             sh -c "$(declare -f rc_is); T='$T'; rc_is crash 139 && jq -e '.meta.workload_status == 11 and (.processes[] | select(.pid == 2) | .exited and .status == 9)' '$T/crash.json' >/dev/null"
	rm -f "$T/ready"
	"$X" record -q --backend $B -o "$T/int.json" -- "$P/xt_loop" 0 "$T/ready" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 200); do [ -e "$T/ready" ] && break; sleep 0.05; done
	sleep 0.2; kill -INT $pid; wait $pid; rc=$?
	check sigint_clean_detach_$B                sh -c "[ $rc -eq 130 ] && jq -e '.meta.interrupted and .meta.events > 0' '$T/int.json' >/dev/null && ! ps -eo args= | grep -qxF '$P/xt_loop 0 $T/ready'"
	rec $B ov --ring-size 64 -- "$P/xt_loop" 20000
	check overflow_counted_and_warned_$B        sh -c "jq -e '.meta.drops.ring_buffer > 0' '$T/ov.json' >/dev/null && grep -q 'events dropped: the ring buffer was full' '$T/ov.err'"
	ARTIFACTS+=("$T/crash.json" "$T/int.json" "$T/ov.json")

	# -- metadata
	rec $B meta --arch x86_64 -- "$EX/file_io/file_io"
	ARTIFACTS+=("$T/meta.json")
	check meta_backend_arch_$B                  jqt "$T/meta.json" ".meta.backend == \"$B\" and .meta.arch == \"x86_64\" and .meta.machine > 0"
	check meta_wall_events_coverage_$B          jqt "$T/meta.json" '.meta.wall_ns > 0 and .meta.events > 100
		and .meta.probe_coverage.seen > 50 and .meta.probe_coverage.registered > .meta.probe_coverage.seen'
	check meta_cost_per_event_measured_$B       jqt "$T/meta.json" '.meta.cost_per_event_ns > 0'
	check meta_drops_every_place_$B             jqt "$T/meta.json" '.meta.drops | keys == ["map_full", "ring_buffer", "stack_overflow", "stack_underflow"]'
	check calibration_leaves_no_node_$B         jqt "$T/meta.json" '[.edges[] | select(.callee == 0)] | length == 0'
done

# -- no privileges: bpf names the missing capability, auto falls back first
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
	D=$(mktemp -d); chmod 777 "$D"
	$NOBODY "$X" record --backend bpf -o "$D/a.json" -- "$EX/file_io/file_io" >/dev/null 2>"$T/np.err"; rc=$?
	check no_privileges_bpf_fails               sh -c "[ $rc -eq 1 ] && [ ! -e '$D/a.json' ]"
	check no_privileges_names_capabilities      grep -q 'needs CAP_BPF and CAP_PERFMON' "$T/np.err"
	$NOBODY --inh-caps=+bpf --ambient-caps=+bpf "$X" record --backend bpf -o "$D/a.json" \
		-- "$EX/file_io/file_io" >/dev/null 2>"$T/np2.err"
	check cap_bpf_alone_names_cap_perfmon       grep -q 'needs CAP_PERFMON' "$T/np2.err"
	$NOBODY "$X" record --backend auto -o "$D/b.json" -- "$EX/file_io/file_io" >/dev/null 2>"$T/np3.err"; rc=$?
	check auto_falls_back_to_inproc             sh -c "[ $rc -eq 0 ] && jq -e '.meta.backend == \"inproc\"' '$D/b.json' >/dev/null"
	check auto_says_so_before_the_run           sh -c "grep -n 'using the inproc backend: the bpf backend needs CAP_BPF' '$T/np3.err' | grep -q '^1:' && grep -n 'recording pid' '$T/np3.err' | grep -q '^2:'"
	rm -rf "$D"
else
	for c in no_privileges_bpf_fails no_privileges_names_capabilities cap_bpf_alone_names_cap_perfmon \
		 auto_falls_back_to_inproc auto_says_so_before_the_run; do
		skip "$c" "needs root and setpriv to drop privileges"
	done
fi

# -- every artifact against the schema: the goldens and what was recorded here
schema_ok() {	# files...
	python3 - "$@" <<'PY'
import json, sys, jsonschema
schema = json.load(open("docs/artifact.schema.json"))
v = jsonschema.Draft202012Validator(schema)
bad = 0
for f in sys.argv[1:]:
    for e in v.iter_errors(json.load(open(f))):
        print(f"{f}: {'/'.join(map(str, e.path))}: {e.message}")
        bad += 1
sys.exit(1 if bad else 0)
PY
}
if [ $HAVE_SCHEMA -eq 1 ]; then
	check schema_goldens                        schema_ok tests/golden/*.json
	check schema_fresh_artifacts                schema_ok "${ARTIFACTS[@]}"
	jq '.processes[0].how = "teleport"' "$T/fe.json" > "$T/bad.json"
	check schema_rejects_unknown_lineage        sh -c "$(declare -f schema_ok); ! schema_ok '$T/bad.json'"
else
	check schema_validator_installed            sh -c "echo 'python3-jsonschema is missing: scripts/install-deps.sh installs it'; false"
fi

testlib_summary
