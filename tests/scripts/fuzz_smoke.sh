#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# fuzz_smoke.sh: the CI smoke run of every libFuzzer target (tests/fuzz/
# fuzz_*.c): builds them (make fuzzers: clang, ASan + UBSan, the fuzzer's
# coverage) and runs each for FUZZ_SMOKE_SECONDS (20) from its seed corpus.
# A target passes when libFuzzer ends cleanly: no crash, leak, timeout (an
# input running over 10 s) or sanitizer report.  The long run is
# `make fuzz FUZZ_SECONDS=300`.  Needs clang with libFuzzer; prints a SKIP
# line with the reason otherwise.
# Last line: "N passed, N failed[, N skipped]".
set -u
OUTPUT=${OUTPUT:-.output}
SECONDS_EACH=${FUZZ_SMOKE_SECONDS:-20}
FUZZ_CC=${FUZZ_CC:-clang}
passed=0; failed=0

skip() { echo "  SKIP: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

command -v "$FUZZ_CC" >/dev/null || skip "no $FUZZ_CC"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' > "$tmp/t.c"
"$FUZZ_CC" -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" 2>/dev/null ||
	skip "$FUZZ_CC has no libFuzzer (-fsanitize=fuzzer; Debian: libclang-rt-14-dev)"
ls tests/fuzz/fuzz_*.c >/dev/null 2>&1 || skip "no tests/fuzz/fuzz_*.c"

if ! make --no-print-directory OUTPUT="$OUTPUT" fuzzers > "$tmp/build" 2>&1; then
	grep -E 'error|Error' "$tmp/build" | head -5 | sed 's/^/    /'
	echo "  build: NG (make fuzzers failed)"
	echo "0 passed, 1 failed"; exit 1
fi

for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=$OUTPUT/fuzz/$name
	seeds=tests/fuzz/seeds/$name
	mkdir -p "$tmp/corpus/$name"
	# A scratch corpus: the smoke run must not grow the tree's seeds.
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$tmp/" "$tmp/corpus/$name" $([ -d "$seeds" ] && echo "$seeds") \
		> "$tmp/$name.log" 2>&1
	rc=$?
	stats=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$tmp/$name.log" | tail -1 |
		awk '{ for (i = 1; i <= NF; i++) if ($i == "cov:" || $i == "exec/s:") s = s $i " " $(i + 1) " "; print $1 " execs, " s }')
	if [ "$rc" -eq 0 ] && ! grep -a -q -E '^==[0-9]+==ERROR|runtime error:|^SUMMARY:' "$tmp/$name.log"; then
		printf '  %-40s OK (%s)\n' "$name" "$stats"; passed=$((passed + 1))
	else
		printf '  %-40s NG (exit %d)\n' "$name" "$rc"; failed=$((failed + 1))
		grep -a -E 'ERROR|runtime error|SUMMARY|Test unit written|deadly|timeout' \
			"$tmp/$name.log" | head -8 | sed 's/^/    /'
		cp "$tmp"/crash-* "$tmp"/timeout-* "$tmp"/leak-* "$OUTPUT/" 2>/dev/null &&
			echo "    reproducer copied to $OUTPUT/"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
