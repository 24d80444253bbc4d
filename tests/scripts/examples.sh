#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Runs every example under the xnusim runner on both architectures and checks
# that it exits 0 and prints the lines of examples/<name>/expected.txt in order.
set -u
OUTPUT=${OUTPUT:-.output}
passed=0; failed=0
for dir in examples/*/; do
	name=$(basename "$dir")
	[ -f "$dir/expected.txt" ] || continue
	for arch in arm64 x86_64; do
		out=$(timeout 60 "$OUTPUT/bin/xnusim" run --arch "$arch" -- "$OUTPUT/examples/$name/$name" 2>&1)
		rc=$?
		ok=1; [ $rc -eq 0 ] || ok=0
		rest=$out
		while IFS= read -r want; do	# each expected line, in order
			case "$rest" in
			*"$want"*) rest=${rest#*"$want"} ;;
			*) ok=0; echo "    missing: $want" ;;
			esac
		done < "$dir/expected.txt"
		if [ $ok = 1 ]; then passed=$((passed + 1)); r=OK; else failed=$((failed + 1)); r=NG; fi
		printf '  %-50s %s\n' "${name}_${arch}" "$r"
		[ $r = NG ] && { echo "    exit $rc; output:"; echo "$out" | sed 's/^/    | /' | head -20; }
	done
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
