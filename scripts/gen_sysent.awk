#!/usr/bin/awk -f
# SPDX-License-Identifier: BSD-2-Clause
# Expands tables/bsd-syscalls.tsv into init_sysent.c, the way XNU's
# makesyscalls.sh expands syscalls.master.  The macOS RELEASE status wins over
# the primary #if branch (vfork, slot 66, is nosys because CONFIG_VFORK is off).
# Handlers the simulator does not model are weak references that resolve to
# NULL; the dispatcher sends those to xs_unmodeled (see docs/fidelity.md).
BEGIN { FS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	n = $col["number"]; name = $col["name"]; status = $col["status_macos_release"]
	if (status != $col["status"] && $col["if_guard_false"] != "-") {
		name = $col["if_guard_false"]; sub(/\(.*$/, "", name)
	}
	if (status == "old") status = (name == "enosys") ? "enosys" : "nosys"
	if (name == "nosys" || name == "enosys") { narg[n] = 0; rt[n] = 1; bytes[n] = 0; mung[n] = "NULL" }
	else { narg[n] = $col["nargs"]; rt[n] = $col["sy_return_type_val"]; bytes[n] = $col["sy_arg_bytes32"]; mung[n] = $col["munge32"] }
	if (status == "indirect") { fn[n] = "xs_nosys"; st[n] = "XS_SY_INDIRECT" }
	else if (name == "nosys") { fn[n] = "xs_nosys"; st[n] = "XS_SY_NOSYS" }
	else if (name == "enosys") { fn[n] = "xs_enosys"; st[n] = "XS_SY_ENOSYS" }
	else { fn[n] = "xs_" name; st[n] = "XS_SY_IMPLEMENTED"; weak[n] = 1 }
	nm[n] = (status == "indirect") ? "syscall" : name
	kd[n] = $col["kdebug_debugid"]
	max = n
}
END {
	print "/* Generated from kmod-xnu-sim/tables/bsd-syscalls.tsv by scripts/gen_sysent.awk. Do not edit. */"
	print "#include \"kmod-xnu-sim/bsd/sys/sysent.h\"\n"
	for (i = 0; i <= max; i++)
		if (weak[i]) printf "extern int %s(struct proc *, void *, int32_t *) __attribute__((weak));\n", fn[i]
	print "\nstruct sysent xs_sysent[XS_NSYSENT] = {"
	for (i = 0; i <= max; i++)
		printf "\t/* %3d */ { %s, %d, %d, %d, %s, %s, \"%s\", \"%s\" },\n", i, fn[i], narg[i], rt[i], bytes[i], st[i], kd[i], nm[i], mung[i]
	print "};"
	if (max + 1 != 558) { print "gen_sysent: expected 558 slots" > "/dev/stderr"; exit 1 }
}
