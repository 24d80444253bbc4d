#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# collector_cli.sh: the xnutrace command with the inproc backend (no
# privileges): exit codes and messages, the call graph of open and mmap,
# crashes, SIGINT, ring overflow, reports and exports.
set -u
OUTPUT=${OUTPUT:-.output}
SAN=""; [ "${SANITIZE:-0}" = 1 ] && SAN="-san"
X="$OUTPUT/bin/xnutrace"
LOOP="$OUTPUT/progs$SAN/xt_loop"
EX="$OUTPUT/examples"
. "$(dirname "$0")/testlib.bash"
status_is() {	# expected exit status, command...
	local want=$1; shift
	"$@" >"$T/st.out" 2>&1; local rc=$?
	[ $rc -eq "$want" ] || { echo "exit $rc, wanted $want"; cat "$T/st.out"; return 1; }
}
err_says() {	# pattern, command... : fails (non-zero) and stderr has pattern
	local pat=$1; shift
	"$@" >/dev/null 2>"$T/err.out" && { echo "succeeded"; return 1; }
	grep -q -- "$pat" "$T/err.out" || { echo "stderr lacks '$pat':"; cat "$T/err.out"; return 1; }
}
# path FILE ROOT a b c ...: each consecutive pair is an edge under ROOT (normalised names)
path() {
	local f=$1 root=$2; shift 2
	local prev=$root
	for fn in "$@"; do
		jq -e --arg r "$root" --arg a "$prev" --arg b "$fn" \
			'[.edges[] | select(.root == $r and .caller == $a and .callee == $b)] | length > 0' \
			"$f" >/dev/null || { echo "no edge $prev -> $fn under $root"; return 1; }
		prev=$fn
	done
}

if [ ! -x "$X" ]; then echo "  $X not built"; echo "0 passed, 1 failed"; exit 1; fi
R="$X record -q --backend inproc"

# -- the command line
check help_exits_0                    status_is 0 "$X" --help
check record_help_exits_0             status_is 0 "$X" record --help
check no_command_exits_2              status_is 2 "$X"
check unknown_command_exits_2         status_is 2 "$X" frobnicate
check record_without_workload_is_2    status_is 2 "$X" record
check bad_arch_is_2                   err_says "unknown architecture" "$X" record --arch ppc -- true
check bad_backend_is_2                status_is 2 "$X" record --backend dtrace -- true
check unknown_syscall_name_is_2       err_says "no BSD call or Mach trap" "$X" record --syscall nosuch -- true
check bad_duration_is_2               status_is 2 "$X" record --min-duration 5parsecs -- true
check missing_workload_exits_127      status_is 127 $R -o "$T/x.json" -- /nonexistent/program
check missing_workload_writes_nothing test ! -e "$T/x.json"
check missing_workload_says_why       err_says "No such file" $R -o "$T/x.json" -- no-such-program-xt

# -- probes
"$X" probes > "$T/probes.txt"
check probes_lists_syscall_entry      grep -qP '^xnu:syscall_entry\tmachine u32, pid s32, tid u64, family s32' "$T/probes.txt"
check probes_lists_all_ten            test "$(grep -c '^xnu:' "$T/probes.txt")" -eq 10
check probes_lists_registry           grep -qP '^[0-9]+\tfalloc_withinit\tbsd/kern\tbsd/kern/kern_descrip.c$' "$T/probes.txt"

# -- live lines name the paths the kernel looked up (kdebug_lookup), as the bpf backend does
"$X" trace --backend inproc -- "$EX/file_io/file_io" >"$T/ftr.out" 2>&1
check trace_inproc_names_paths        grep -q 'open("notes.txt", O_RDWR|O_CREAT|O_TRUNC, 0644) = 3' "$T/ftr.out"
check trace_inproc_failed_lookup_path grep -q 'open("/no/such/file", O_RDONLY, 0) = -1 ENOENT' "$T/ftr.out"
check trace_inproc_unlink_path        grep -q 'unlink("notes.txt") = 0' "$T/ftr.out"

# -- recording file_io: the graph of open
$R -o "$T/fio.json" -- "$EX/file_io/file_io" >/dev/null 2>"$T/fio.err"; rc=$?
check record_file_io_exits_0          test $rc -eq 0
check record_prints_summary           grep -q 'events, .* syscalls and traps in 1 processes, backend inproc' "$T/fio.err"
"$X" export --normalise "$T/fio.json" -o "$T/fio.n.json"
check artifact_has_format_version     jqt "$T/fio.json" '.format == "xnutrace" and .version == 1'
check artifact_meta_inproc_arm64      jqt "$T/fio.json" '.meta.backend == "inproc" and .meta.arch == "arm64"'
check artifact_no_drops               jqt "$T/fio.json" '[.meta.drops[]] | add == 0'
check artifact_cost_measured          jqt "$T/fio.json" '.meta.cost_per_event_ns > 0'
check artifact_coverage               jqt "$T/fio.json" '.meta.probe_coverage.seen > 50 and .meta.probe_coverage.registered > .meta.probe_coverage.seen'
check open_counted_twice_one_error    jqt "$T/fio.json" '.roots[] | select(.name == "open") | .count == 2 and .errors == 1'
check dispatcher_runs_every_call      jqt "$T/fio.n.json" '(.nodes[] | select(.name == "unix_syscall") | .calls) == ([.roots[].count] | add)'
check open_path_to_zalloc             path "$T/fio.n.json" bsd:open open open_nocancel openat_internal open1at open1 falloc_withinit fileproc_alloc_init zalloc_id zalloc_flags
check open_path_from_dispatcher       path "$T/fio.n.json" "(kernel)" sleh_synchronous handle_svc unix_syscall
check process_tree_has_workload       jqt "$T/fio.json" '.processes[] | select(.pid == 2) | .ppid == 1 and .how == "attach" and .bsd_calls > 20'

schema_ok() {	# artifact: valid against docs/artifact.schema.json
	python3 - "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open("docs/artifact.schema.json"))
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[1])))
PY
}
if python3 -c 'import jsonschema' 2>/dev/null; then
	check artifact_matches_schema         schema_ok "$T/fio.json"
	check normalised_matches_schema       schema_ok "$T/fio.n.json"
	jq '.meta.drops.ring_buffer = -1' "$T/fio.json" > "$T/neg.json"
	check schema_rejects_negative_count   sh -c "! python3 -c 'import json,jsonschema; jsonschema.validate(json.load(open(\"$T/neg.json\")), json.load(open(\"docs/artifact.schema.json\")))' 2>/dev/null"
else
	printf '  %-52s SKIP (python3 jsonschema module not installed)\n' artifact_matches_schema
	skipped=$((skipped + 1))
fi

# -- mmap: into Mach VM, both architectures
for arch in arm64 x86_64; do
	$R --arch $arch -o "$T/mm.json" -- "$EX/mmap/mmap" >/dev/null 2>&1
	"$X" export --normalise "$T/mm.json" -o "$T/mm.n.json"
	check mmap_path_into_vm_map_enter_$arch path "$T/mm.n.json" bsd:mmap mmap mach_vm_map_kernel vm_map_enter_mem_object vm_map_enter
	check mmap_arch_recorded_$arch     jqt "$T/mm.json" ".meta.arch == \"$arch\""
done

# -- a crashing workload: artifact written, crash recorded
$R -o "$T/crash.json" -- "$LOOP" crash >/dev/null 2>&1; rc=$?
check crash_exit_is_128_plus_signal   test $rc -eq 139
check crash_artifact_written          jqt "$T/crash.json" '.format == "xnutrace"'
check crash_status_recorded           jqt "$T/crash.json" '.meta.workload_status == 11'
check crash_process_reaped            jqt "$T/crash.json" '.processes[] | select(.pid == 2) | .exited'
check crash_report_says_signal        sh -c "'$X' report '$T/crash.json' | grep -q 'workload killed by signal 11'"

# -- a simulated exit
$R -o "$T/exit.json" -- "$LOOP" exit 3 >/dev/null 2>&1; rc=$?
check exit_status_passed_through      test $rc -eq 3
check exit_status_in_process_tree     jqt "$T/exit.json" '.processes[] | select(.pid == 2) | .exited and .status == 768'

# -- SIGINT: clean stop, artifact written and marked interrupted
rm -f "$T/ready"
$R -o "$T/int.json" -- "$LOOP" 0 "$T/ready" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$T/ready" ] && break; sleep 0.05; done
sleep 0.2; kill -INT $pid; wait $pid; rc=$?
check sigint_exit_130                 test $rc -eq 130
check sigint_artifact_interrupted     jqt "$T/int.json" '.meta.interrupted == true and .meta.events > 0'
gone() { ! ps -eo args= | grep -qxF "$1"; }
check sigint_workload_stopped         gone "$LOOP 0 $T/ready"

# -- a ring too small: drops counted and warned
$X record --backend inproc --ring-size 64 -o "$T/ov.json" -- "$LOOP" 20000 >/dev/null 2>"$T/ov.err"
check overflow_counted                jqt "$T/ov.json" '.meta.drops.ring_buffer > 0'
check overflow_warned                 grep -q 'events dropped: the ring buffer was full' "$T/ov.err"
check no_overflow_with_default_ring   jqt "$T/fio.json" '.meta.drops.ring_buffer == 0'

# -- filters
$R --syscall open -o "$T/f.json" -- "$EX/file_io/file_io" >/dev/null 2>&1
check filter_syscall_keeps_only_open  jqt "$T/f.json" '[.roots[].name] == ["open"]'
$R --family mach -o "$T/f.json" -- "$EX/ports/ports" >/dev/null 2>&1
check filter_family_mach              jqt "$T/f.json" '[.roots[].family] | unique == ["mach"]'
$R --depth 1 -o "$T/f.json" -- "$EX/file_io/file_io" >/dev/null 2>&1
"$X" export --normalise "$T/f.json" -o "$T/f.n.json"
check filter_depth_1_cuts_below       jqt "$T/f.n.json" '[.edges[] | select(.root == "bsd:open" and .caller == "open")] | length == 0'

# -- report and exports
"$X" report "$T/fio.json" > "$T/report.txt"
check report_top_syscalls             grep -q '^Top syscalls and traps by count' "$T/report.txt"
check report_functions                grep -qE '^  zalloc_flags +[0-9]+ ' "$T/report.txt"
check report_histogram_bars           grep -qE '\|#+ *\| [0-9]+$' "$T/report.txt"
check report_process_tree             grep -qE '^  2 .*file_io \[attach\]' "$T/report.txt"
"$X" export --folded "$T/fio.json" -o "$T/fio.folded"
check folded_format                   grep -qE '^bsd|^open;open;open_nocancel;openat_internal;open1at;open1;falloc_withinit;fileproc_alloc_init;zalloc_id;zalloc_flags [0-9]+$' "$T/fio.folded"
check folded_lines_well_formed        sh -c "! grep -vE '^[^ ;]+(;[^ ;]+)* [0-9]+$' '$T/fio.folded'"
"$X" export --chrome "$T/fio.json" -o "$T/fio.trace.json"
check chrome_is_json_with_events      jqt "$T/fio.trace.json" '.traceEvents | length > 100'
check chrome_has_x_events             jqt "$T/fio.trace.json" '[.traceEvents[] | select(.ph == "X" and .name == "open" and .cat == "syscall")] | length == 2'
check chrome_has_thread_tracks        jqt "$T/fio.trace.json" '[.traceEvents[] | select(.ph == "M" and .name == "thread_name")] | length >= 1'
$R -o "$T/ports.json" -- "$EX/ports/ports" >/dev/null 2>&1
"$X" export --chrome "$T/ports.json" -o "$T/ports.trace.json"
check chrome_msg_flow_arrows          jqt "$T/ports.trace.json" '[.traceEvents[] | select(.ph == "s" and .name == "mach_msg")] | length >= 1'

# -- bad artifacts: clear message, exit 1, no crash
printf '' > "$T/empty.json"
head -c 300 "$T/fio.json" > "$T/trunc.json"
echo '{"format": "xnutrace", "version": 99}' > "$T/v99.json"
jq '.edges[0].calls = "x"' "$T/fio.json" > "$T/type.json"
check report_empty_file               err_says "empty or truncated" "$X" report "$T/empty.json"
check report_truncated_file           err_says "not JSON" "$X" report "$T/trunc.json"
check report_wrong_version            err_says "version 99 is not supported" "$X" report "$T/v99.json"
check report_wrong_type               err_says "edges\[0\].calls: expected an integer" "$X" report "$T/type.json"
check report_missing_file_exit_1      status_is 1 "$X" report "$T/nonexistent.json"

testlib_summary
