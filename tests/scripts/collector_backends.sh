#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# collector_backends.sh: for the same workload the bpf and inproc backends
# give the same counts: per-(family, number) syscall counts and errors, and
# every call-graph edge's call count (DESIGN.md).  Needs root (the bpf
# backend); without it every case is skipped with the reason.
set -u
OUTPUT=${OUTPUT:-.output}
X="$OUTPUT/bin/xnutrace"
EX="$OUTPUT/examples"
passed=0; failed=0; skipped=0
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

cases=()
for w in file_io mmap fork_exec spawn ports; do for a in arm64 x86_64; do cases+=("$w:$a"); done; done

if [ "$(id -u)" -ne 0 ]; then
	for c in "${cases[@]}"; do
		printf '  %-52s SKIP (not root: the bpf backend needs CAP_BPF)\n' "same_counts_${c/:/_}"
		skipped=$((skipped + 1))
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 0
fi

# The counts two backends must agree on, one line each, sorted.
counts() {
	jq -r '(.roots[] | "root \(.family) \(.number) \(.count) \(.errors)"),
	       (.edges[] | "edge \(.root) \(.caller) \(.callee) \(.calls)")' "$1" | sort
}
lineage() {	# roots and the process tree: timing-independent for fork and spawn
	jq -r '(.roots[] | "root \(.family) \(.number) \(.count) \(.errors)"),
	       (.processes[] | "proc \(.pid) \(.ppid) \(.how) \(.execs) \(.exited) \(.status) \(.bsd_calls) \(.mach_traps)")' "$1" | sort
}

for c in "${cases[@]}"; do
	w=${c%%:*}; a=${c##*:}; name="same_counts_${w}_$a"
	ok=1
	for b in bpf inproc; do
		if ! "$X" record -q --backend $b --arch $a -o "$T/$b.json" -- "$EX/$w/$w" \
			>/dev/null 2>"$T/$b.err"; then
			ok=0; echo "    $b: $(tail -1 "$T/$b.err")"
		fi
		# a normalised view: names, not ids (ids are the same anyway)
		"$X" export --normalise "$T/$b.json" -o "$T/$b.n.json" || ok=0
	done
	if [ $w = fork_exec ] || [ $w = spawn ] || [ $w = ports ]; then
		# a fork child returns from calls it never entered: stack_underflow is expected
		nodrops='.meta.drops.ring_buffer + .meta.drops.map_full == 0'; view=lineage; min=2
		[ $w = ports ] && min=1	# one process, two threads
	else
		nodrops='[.meta.drops[]] | add == 0'; view=counts; min=50
	fi
	if [ $ok -eq 1 ] && jq -e "$nodrops" "$T/bpf.json" "$T/inproc.json" >/dev/null &&
	   diff <($view "$T/bpf.n.json") <($view "$T/inproc.n.json") > "$T/diff" &&
	   [ "$($view "$T/inproc.n.json" | grep -c '^edge\|^proc')" -ge $min ]; then
		printf '  %-52s OK\n' "$name"; passed=$((passed + 1))
	else
		printf '  %-52s NG\n' "$name"; failed=$((failed + 1))
		head -10 "$T/diff" 2>/dev/null | sed 's/^/    /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
