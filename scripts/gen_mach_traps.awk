#!/usr/bin/awk -f
# SPDX-License-Identifier: BSD-2-Clause
# Expands tables/mach-traps.tsv into syscall_sw.c: mach_trap_table[128] as in
# osfmk/kern/syscall_sw.c, kern_invalid in the holes.  Implemented traps the
# simulator does not model are weak references (NULL -> xs_unmodeled_trap).
BEGIN { FS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	n = $col["table_index"]; name = $col["name"]
	valid[n] = ($col["status"] != "kern_invalid")
	fn[n] = valid[n] ? "xs_" name : "NULL"
	narg[n] = $col["nargs"]; u32[n] = $col["u32_words"]
	port[n] = ($col["returns_port"] == "yes")
	kd[n] = $col["kdebug_debugid"]; nm[n] = name; mung[n] = $col["munge32"]
	max = n
}
END {
	print "/* Generated from kmod-xnu-sim/tables/mach-traps.tsv by scripts/gen_mach_traps.awk. Do not edit. */"
	print "#include \"kmod-xnu-sim/osfmk/kern/syscall_sw.h\"\n"
	for (i = 0; i <= max; i++)
		if (valid[i]) printf "extern xs_kern_return_t %s(void *) __attribute__((weak));\n", fn[i]
	print "\nstruct mach_trap xs_mach_trap_table[XS_MACH_TRAP_TABLE_COUNT] = {"
	for (i = 0; i <= max; i++)
		printf "\t/* %3d */ { %s, %d, %d, %d, %d, %s, \"%s\", \"%s\" },\n", i, fn[i], narg[i], u32[i], port[i], valid[i], kd[i], nm[i], mung[i]
	print "};"
	if (max + 1 != 128) { print "gen_mach_traps: expected 128 slots" > "/dev/stderr"; exit 1 }
}
