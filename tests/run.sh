#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/run.sh: runs every test binary and script, one line per case, and
# prints the totals last as "N passed, N failed[, N skipped]".
# A binary that crashes or prints no totals counts as one failure.
set -u
SAN=""; [ "${SANITIZE:-0}" = 1 ] && SAN="-san"
OUTPUT=${OUTPUT:-.output$SAN}
export XNUSIM_LIB="$OUTPUT/lib$SAN/libxnusim.so"
passed=0; failed=0; skipped=0
failures=$(mktemp); trap 'rm -f "$failures"' EXIT

# A failing suite's NG lines (with the lines around them, where a case says why)
# are repeated at the end, so the tail of a long log names what failed.
tally() {	# name, output file, exit code
	local last; last=$(tail -n 1 "$2")
	if [ "$3" -ne 0 ] || grep -q ' NG' "$2"; then
		{ echo "== $1 (exit $3)"; grep -B4 -A5 ' NG' "$2" || tail -n 8 "$2"; } >> "$failures"
	fi
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
		skipped=$((skipped + ${BASH_REMATCH[4]:-0}))
		[ "$3" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ] && { echo "  $1: exit $3"; failed=$((failed + 1)); }
	else
		echo "  $1: NG (exit $3, no totals)"; failed=$((failed + 1))
	fi
}

for t in $(find "$OUTPUT/tests$SAN" -type f -perm -u+x 2>/dev/null | sort); do
	name=${t#"$OUTPUT/tests$SAN/"}
	echo "== $name"
	out=$(mktemp)
	timeout 300 "$t" > "$out" 2>&1; rc=$?
	cat "$out"; tally "$name" "$out" "$rc"; rm -f "$out"
done
for s in $(find tests/scripts -name '*.sh' 2>/dev/null | sort); do
	echo "== $s"
	out=$(mktemp)
	OUTPUT="$OUTPUT" SANITIZE="${SANITIZE:-0}" timeout 600 bash "$s" > "$out" 2>&1; rc=$?
	cat "$out"; tally "$s" "$out" "$rc"; rm -f "$out"
done
echo
if [ -s "$failures" ]; then
	echo "Failures:"; cat "$failures"; echo
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
