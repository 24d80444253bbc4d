#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# viz on bad input: truncated, malformed, wrong-version, wrong-type, empty
# and missing artifacts, and diffs of recordings that cannot be compared.
# Each must give a clear message and a non-zero exit, never a crash (an
# exit status >= 128 is a signal).
set -u
OUTPUT=${OUTPUT:-.output}
VIZ=$OUTPUT/bin/xnutrace-viz
G=tests/golden/viz
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "$1 OK"; pass=$((pass + 1)); }
ng() { echo "$1 NG${2:+: $2}"; fail=$((fail + 1)); }

# name, expected exit, message pattern, command...
expect() {
	local name=$1 want=$2 pat=$3; shift 3
	"$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
	if [ $rc -ge 128 ]; then ng "$name" "crashed (exit $rc)"; return; fi
	if [ $rc -ne "$want" ]; then ng "$name" "exit $rc, want $want: $(head -c 200 "$tmp/err")"; return; fi
	if ! grep -Eq -e "$pat" "$tmp/err"; then ng "$name" "message: $(head -c 200 "$tmp/err")"; return; fi
	ok "$name"
}

if [ ! -x "$VIZ" ]; then echo "viz_bad_input NG: $VIZ not built"; echo "0 passed, 1 failed"; exit 1; fi
head -c 2000 $G/fork_exec.json > "$tmp/truncated.json"
printf '{"format": "xnutrace", "version": 1, "meta": {' > "$tmp/cut.json"
printf '{not json at all' > "$tmp/malformed.json"
: > "$tmp/empty.json"
sed 's/"version": 1,/"version": 99,/' $G/fork_exec.json > "$tmp/v99.json"
sed 's/"format": "xnutrace"/"format": "perf"/' $G/fork_exec.json > "$tmp/format.json"
sed '0,/"events": [0-9]*/s//"events": "many"/' $G/fork_exec.json > "$tmp/types.json"
printf '[1, 2, 3]' > "$tmp/array.json"
head -c 100000 /dev/urandom > "$tmp/random.json"

for f in truncated cut malformed empty random; do
	expect "graph_$f" 1 "$f\.json: .+" "$VIZ" graph "$tmp/$f.json"
done
expect graph_wrong_version 1 "version.*99|99.*version" "$VIZ" graph "$tmp/v99.json"
expect graph_wrong_format 1 "format" "$VIZ" graph "$tmp/format.json"
expect graph_wrong_type 1 "events" "$VIZ" graph "$tmp/types.json"
expect graph_not_an_object 1 "array.json: .+" "$VIZ" graph "$tmp/array.json"
expect graph_missing_file 1 "No such file" "$VIZ" graph "$tmp/nope.json"
expect html_bad_second_file 1 "malformed.json" "$VIZ" html $G/fork_exec.json "$tmp/malformed.json" -o "$tmp/r.html"
expect flame_empty 1 "empty.json" "$VIZ" flame "$tmp/empty.json" -o "$tmp/f.svg"
expect diff_bad_file 1 "truncated.json" "$VIZ" diff $G/fork_exec.json "$tmp/truncated.json"
expect graph_unknown_root 1 "--root names no" "$VIZ" graph $G/fork_exec.json --root no_such_call
expect graph_unknown_format 1 "unknown output format" "$VIZ" graph $G/fork_exec.json -o "$tmp/g.xyz"
expect usage_no_args 2 "usage" "$VIZ"
expect usage_bad_thres 2 "usage" "$VIZ" graph $G/fork_exec.json --node-thres abc
expect diff_refuses_drops 3 "not comparable: A lost 17 events" "$VIZ" diff $G/drops.json $G/fork_exec.json
expect diff_refuses_arch 3 "not comparable: different architectures: A is x86_64, B is arm64" \
	"$VIZ" diff $G/x86.json $G/fork_exec.json
sed '0,/"name": "VNOP_CLOSE"/s//"name": "VNOP_CLOSE_v2"/' $G/posix_spawn.json > "$tmp/cov.json"
expect diff_refuses_coverage 3 "not comparable: different probe coverage" \
	"$VIZ" diff $G/fork_exec.json "$tmp/cov.json"
expect diff_unknown_per 1 "B has no calls of fork" \
	"$VIZ" diff $G/fork_exec.json $G/posix_spawn.json --per fork
# --force compares anyway, and says so
"$VIZ" diff $G/x86.json $G/fork_exec.json --force > "$tmp/f.dot" 2> "$tmp/err" \
	&& grep -q -- "--force: comparing anyway" "$tmp/err" && grep -q digraph "$tmp/f.dot" \
	&& ok diff_force || ng diff_force
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
