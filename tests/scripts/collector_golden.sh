#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# collector_golden.sh: normalised artifacts of fixed workloads (inproc
# backend; times, ids and run-specific metadata removed by `xnutrace export
# --normalise`, program paths cut to their names) against the committed
# tests/golden/<workload>_<arch>.json.  UPDATE=1 rewrites the goldens.
set -u
OUTPUT=${OUTPUT:-.output}
X="$OUTPUT/bin/xnutrace"
EX="$OUTPUT/examples"
G=tests/golden
passed=0; failed=0
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

for w in file_io mmap; do
	for a in arm64 x86_64; do
		name="golden_${w}_$a"; want="$G/${w}_$a.json"
		if ! "$X" record -q --backend inproc --arch $a -o "$T/r.json" -- "$EX/$w/$w" \
			>/dev/null 2>"$T/err" || ! "$X" export --normalise "$T/r.json" -o "$T/n.json"; then
			printf '  %-52s NG\n' "$name"; failed=$((failed + 1)); tail -2 "$T/err"; continue
		fi
		jq --indent 1 '.meta.command |= sub("^.*/"; "") | .processes[].comm |= sub("^.*/"; "")' \
			"$T/n.json" > "$T/got.json"
		if [ "${UPDATE:-0}" = 1 ]; then
			cp "$T/got.json" "$want"
			printf '  %-52s OK (updated)\n' "$name"; passed=$((passed + 1))
		elif [ -f "$want" ] && diff -u "$want" "$T/got.json" > "$T/diff"; then
			printf '  %-52s OK\n' "$name"; passed=$((passed + 1))
		else
			printf '  %-52s NG (UPDATE=1 rewrites %s)\n' "$name" "$want"; failed=$((failed + 1))
			head -20 "$T/diff" 2>/dev/null | sed 's/^/    /'
		fi
	done
done
# xnutrace report on a committed artifact (fork_exec, inproc, arm64): the
# header, top syscalls and kernel functions, histograms and the process tree
# with its fork/exec lineage, as text.  UPDATE=1 rewrites the expected text.
name=golden_report_fork_exec; want="$G/report_fork_exec.expected.txt"
if ! "$X" report "$G/report_fork_exec.json" > "$T/report.txt" 2>"$T/err"; then
	printf '  %-52s NG\n' "$name"; failed=$((failed + 1)); tail -2 "$T/err"
elif [ "${UPDATE:-0}" = 1 ]; then
	cp "$T/report.txt" "$want"
	printf '  %-52s OK (updated)\n' "$name"; passed=$((passed + 1))
elif diff -u "$want" "$T/report.txt" > "$T/diff"; then
	printf '  %-52s OK\n' "$name"; passed=$((passed + 1))
else
	printf '  %-52s NG (UPDATE=1 rewrites %s)\n' "$name" "$want"; failed=$((failed + 1))
	head -20 "$T/diff" | sed 's/^/    /'
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
