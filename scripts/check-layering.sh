#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The dependency rules of DESIGN.md, checked by grepping includes.
set -u
bad=0
check() {	# dir, forbidden include pattern, why
	local hits
	hits=$(grep -rnE "#include\s*[<\"]($2)" "$1" 2>/dev/null || true)
	if [ -n "$hits" ]; then echo "layering: $3"; echo "$hits"; bad=1; fi
}
core=$(find kmod-xnu-sim -name '*.[ch]' -not -path 'kmod-xnu-sim/osl/*' \
	-not -path 'kmod-xnu-sim/tools/*' -not -path 'kmod-xnu-sim/include/*')
for f in $core; do
	if grep -nE '#include\s*<(stdio|stdlib|string|unistd|pthread|errno|fcntl|signal|sys/(mman|types|stat))\.h>' "$f"; then
		echo "layering: $f: the core is freestanding (DESIGN.md)"; bad=1
	fi
done
[ -d bpf ] && check bpf "stdio|stdlib|collector/|viz/" "bpf/ includes nothing from user space"
[ -d collector ] && check collector "graphviz/|gvc\.h|cgraph\.h" "collector/ never includes Graphviz"
[ -d viz ] && check viz "bpf/|libbpf|bpf\.h" "viz/ never includes libbpf"
check kmod-xnu-sim "bpf/|collector/|viz/|libbpf|graphviz" "kmod-xnu-sim depends on neither"
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
