#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# viz golden tests: DOT (and the diff's text, the flame graph's SVG) from the
# committed artifacts in tests/golden/viz/, compared with the committed
# expected files after normalisation (floats to 2 decimals, no trailing
# blanks).  Every DOT must also lay out with `dot -Tsvg`.  UPDATE=1 rewrites
# the expected files.
set -u
OUTPUT=${OUTPUT:-.output}
VIZ=$OUTPUT/bin/xnutrace-viz
G=tests/golden/viz
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { echo "$1 OK"; pass=$((pass + 1)); }
ng() { echo "$1 NG${2:+: $2}"; fail=$((fail + 1)); }
norm() { sed -E -e 's/([0-9]+\.[0-9]{2})[0-9]+([^0-9.]|$)/\1\2/g' -e 's/[[:space:]]+$//' "$1"; }

# case name, expected file suffix, command args (the output goes to $tmp/out)
check() {
	local name=$1 suffix=$2; shift 2
	local exp=$G/$name.expected.$suffix
	if ! "$VIZ" "$@" > "$tmp/out" 2> "$tmp/err"; then
		ng "$name.$suffix" "exit $?: $(head -c 300 "$tmp/err")"; return
	fi
	if [ "$suffix" = dot ] && ! dot -Tsvg "$tmp/out" -o /dev/null 2> "$tmp/dot"; then
		ng "$name.$suffix" "dot -Tsvg: $(head -c 300 "$tmp/dot")"; return
	fi
	if [ "${UPDATE:-0}" = 1 ]; then norm "$tmp/out" > "$exp"; ok "$name.$suffix (updated)"; return; fi
	[ -f "$exp" ] || { ng "$name.$suffix" "missing $exp (run with UPDATE=1)"; return; }
	if diff -u "$exp" <(norm "$tmp/out") > "$tmp/diff"; then ok "$name.$suffix"
	else ng "$name.$suffix" "differs:"; head -n 40 "$tmp/diff"; fi
}

if [ ! -x "$VIZ" ]; then
	echo "viz_golden NG: $VIZ not built (make; viz needs libgraphviz-dev)"
	echo "0 passed, 1 failed"; exit 1
fi
check fork_exec dot graph $G/fork_exec.json
check fork_exec_root_open dot graph $G/fork_exec.json --root open
check fork_exec_depth2 dot graph $G/fork_exec.json --depth 2 --no-prune
check fork_exec_thres5 dot graph $G/fork_exec.json --node-thres 5 --edge-thres 2
check posix_spawn dot graph $G/posix_spawn.json
check fork_vs_spawn dot diff $G/fork_exec.json $G/posix_spawn.json --per fork,posix_spawn
# the diff's text summary: stderr when the graph goes to stdout
if "$VIZ" diff $G/fork_exec.json $G/posix_spawn.json --per fork,posix_spawn \
	-o "$tmp/d.dot" > "$tmp/sum" 2>&1; then
	if [ "${UPDATE:-0}" = 1 ]; then norm "$tmp/sum" > $G/fork_vs_spawn.expected.txt; ok "fork_vs_spawn.txt (updated)"
	elif diff -u $G/fork_vs_spawn.expected.txt <(norm "$tmp/sum"); then ok fork_vs_spawn.txt
	else ng fork_vs_spawn.txt; fi
else ng fork_vs_spawn.txt "exit $?"; fi
grep -q "posix_spawn never reaches .*vm_map_fork" "$tmp/sum" && ok diff_says_spawn_never_forks_the_map \
	|| ng diff_says_spawn_never_forks_the_map

# structure the picture must show, independent of the golden bytes
"$VIZ" graph $G/fork_exec.json > "$tmp/g.dot" 2>/dev/null
grep -Eq 'f[0-9]+ -> f[0-9]+' "$tmp/g.dot" && grep -q 'cluster_bsd' "$tmp/g.dot" && \
	grep -q 'cluster_mach' "$tmp/g.dot" && ok clusters_bsd_and_mach || ng clusters_bsd_and_mach
n=$(grep -c 'BSD→Mach' "$tmp/g.dot"); [ "$n" -ge 3 ] && grep -q 'color="#c000c0"' "$tmp/g.dot" \
	&& ok crossings_marked || ng crossings_marked "$n"
grep -q 'URL="https://github.com/apple-oss-distributions/xnu/blob/xnu-11417.101.15/osfmk/vm/vm_map.c"' \
	"$tmp/g.dot" && ok nodes_link_to_xnu_source || ng nodes_link_to_xnu_source
grep -q 'pruned: ' "$tmp/g.dot" && ok prune_note_visible || ng prune_note_visible

# rendered formats by extension
for ext in svg png pdf; do
	if "$VIZ" graph $G/fork_exec.json -o "$tmp/g.$ext" 2>/dev/null && [ -s "$tmp/g.$ext" ]; then
		ok "render_$ext"; else ng "render_$ext"; fi
done
head -c 5 "$tmp/g.png" | grep -q PNG && ok png_magic || ng png_magic
grep -q '<a xlink:href="https://github.com/apple-oss-distributions/xnu' "$tmp/g.svg" \
	&& ok svg_has_links || ng svg_has_links

# flame graphs: deterministic and self-made
check fork_exec_flame svg flame $G/fork_exec.json -o /dev/stdout
check fork_vs_spawn_flame svg flame $G/fork_exec.json $G/posix_spawn.json -o /dev/stdout
"$VIZ" flame $G/fork_exec.json -o "$tmp/f1.svg" && "$VIZ" flame $G/fork_exec.json -o "$tmp/f2.svg" \
	&& cmp -s "$tmp/f1.svg" "$tmp/f2.svg" && ok flame_deterministic || ng flame_deterministic
grep -q '<title>vm_map_fork_copy' "$tmp/f1.svg" && ok flame_tooltips || ng flame_tooltips

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
