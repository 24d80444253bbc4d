#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make bench: every figure is a ratio of two things measured side by side in
# this one run, never a number compared with a constant from another day.
set -u
OUTPUT=${OUTPUT:-.output}
B=$OUTPUT/bench
status=0

echo "== getpid round trip: simulated front-ends vs the host's getppid()"
"$B/getpid_roundtrip" || status=1

echo
echo "== syscall mix: probes compiled in (not attached) vs compiled out"
ROUNDS=${ROUNDS:-11}
traced=(); untraced=()
for ((i = 0; i < ROUNDS; i++)); do	# alternate, so drift hits both alike
	traced+=("$("$B/syscall_mix" 20000)")
	untraced+=("$("$B/syscall_mix-notrace" 20000)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mt=$(median "${traced[@]}"); mu=$(median "${untraced[@]}")
awk -v t="$mt" -v u="$mu" 'BEGIN {
	d = (t - u) / u * 100
	printf "probes compiled in: %.2f ns/call   compiled out: %.2f ns/call   overhead %+.2f%% (goal within 1%%) %s\n",
	       t, u, d, (d <= 1.0) ? "ok" : "MISSED"
	exit (d <= 1.0) ? 0 : 1 }' || status=1
exit $status
