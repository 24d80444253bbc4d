#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make demo: record every example workload under xnutrace (backend auto: bpf
# as root, inproc otherwise), render call graphs, a flame graph and one HTML
# report into out/, and compare fork+exec with posix_spawn of the same program
# when those examples exist.  Prints a short summary and where to look.
set -u
OUTPUT=${OUTPUT:-.output}
OUT=${DEMO_OUT:-out}
XT=$OUTPUT/bin/xnutrace
ARCH=${ARCH:-arm64}
mkdir -p "$OUT"
status=0
artifacts=()

record() {	# name, then the workload command
	local name=$1; shift
	echo "== $name ($ARCH)" >&2
	if ! "$XT" record --arch "$ARCH" -o "$OUT/$name.json" -- "$@"; then
		echo "!! $name: xnutrace record failed"; status=1; return 1
	fi
	"$XT" graph "$OUT/$name.json" -o "$OUT/$name.svg" || status=1
	artifacts+=("$OUT/$name.json")
}

for ex in file_io mmap ports; do
	record "$ex" "$OUTPUT/examples/$ex/$ex" > "$OUT/$ex.out" || continue
	sed 's/^/   | /' "$OUT/$ex.out" | head -4
done
"$XT" flame "$OUT/file_io.json" -o "$OUT/file_io.flame.svg" || status=1
"$XT" graph "$OUT/mmap.json" --root mmap -o "$OUT/mmap.root.svg" || status=1

# The centerpiece: the same child started by fork+exec and by posix_spawn.
if [ -x "$OUTPUT/examples/fork_exec/fork_exec" ] && [ -x "$OUTPUT/examples/spawn/spawn" ]; then
	record fork_exec "$OUTPUT/examples/fork_exec/fork_exec" > "$OUT/fork_exec.out" &&
	record spawn "$OUTPUT/examples/spawn/spawn" > "$OUT/spawn.out" &&
	"$XT" diff "$OUT/fork_exec.json" "$OUT/spawn.json" --per fork,posix_spawn -o "$OUT/fork_vs_spawn.svg" \
		> "$OUT/fork_vs_spawn.txt" || status=1
	[ -f "$OUT/fork_vs_spawn.txt" ] && sed 's/^/   /' "$OUT/fork_vs_spawn.txt" | head -15
fi

"$XT" html "${artifacts[@]}" -o "$OUT/report.html" || status=1
echo
"$XT" report "$OUT/file_io.json" | head -20
echo
echo "Wrote to $OUT/: artifacts (*.json), call graphs (*.svg), a flame graph,"
echo "and report.html (open it in a browser; it needs no network)."
[ -f "$OUT/fork_vs_spawn.svg" ] && echo "fork+exec vs posix_spawn: $OUT/fork_vs_spawn.svg and $OUT/fork_vs_spawn.txt"
exit $status
