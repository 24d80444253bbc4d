#!/usr/bin/awk -f
# SPDX-License-Identifier: BSD-2-Clause
# Turns tables/constants.tsv into one header per group, darwin/<group>.h, with
# Darwin's names and values.  Rows whose name is not an identifier or whose
# value is not a plain number (layout notes, formulas, strings) are skipped;
# struct_* groups become XS_<GROUP>__<FIELD> offsets.  Used by the freestanding
# kernel core and by workloads; never by code that includes the host's libc
# headers for the same names.
BEGIN { FS = "\t" }
NR == 1 { next }
{
	g = $1; name = $2; val = $3
	if (val !~ /^-?(0x[0-9a-fA-F]+|[0-9]+)$/) next
	if (g ~ /^struct_/) {
		id = name; gsub(/[^A-Za-z0-9_]+/, "_", id); gsub(/^_+|_+$/, "", id)
		name = "XS_" toupper(g) "__" id
	} else if (name !~ /^[A-Za-z_][A-Za-z0-9_]*$/ || name ~ /_t$/) next	# a type size is not a constant
	if (val ~ /^-/) val = "(" val ")"
	if ((g, name) in seen) next
	seen[g, name] = 1
	groups[g] = 1
	out = dir "/" g ".h"
	if (!(g in started)) {
		started[g] = 1
		guard = "XS_DARWIN_" toupper(g) "_H"
		printf "/* Generated from constants.tsv (group %s) by scripts/gen_darwin_headers.awk. */\n", g > out
		printf "#ifndef %s\n#define %s\n\n", guard, guard > out
	}
	printf "#undef %s\n#define %s %s\n", name, name, val > out
}
END {
	for (g in groups) { out = dir "/" g ".h"; print "\n#endif" > out; close(out) }
}
