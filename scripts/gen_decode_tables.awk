#!/usr/bin/awk -f
# SPDX-License-Identifier: BSD-2-Clause
# Turns tables/constants.tsv into the name tables the collector's decoder
# (collector/decode.c) uses to show Darwin values by name: errno, signals,
# kern_return_t (plus mach_msg and MIG returns), open/mmap/prot flags,
# lseek whence, Mach port rights, port dispositions (MACH_MSG_TYPE_*) and
# mach_msg/mach_msg2 option bits.  Used as: awk -f gen_decode_tables.awk constants.tsv > decode_tables.h  The first name of a value wins (EAGAIN over EWOULDBLOCK,
# MAP_ANON over MAP_ANONYMOUS); flag tables keep single-bit values only.
BEGIN { FS = "\t" }
NR == 1 { next }
# Portable awk (mawk has neither strtonum nor and()).
function num(v,    neg, n, i, c) {
	neg = v ~ /^-/
	sub(/^-/, "", v)
	if (v ~ /^0x/) {
		n = 0
		for (i = 3; i <= length(v); i++) {
			c = index("0123456789abcdef", tolower(substr(v, i, 1))) - 1
			n = n * 16 + c
		}
	} else
		n = v + 0
	return neg ? -n : n
}
function single_bit(n) {
	if (n <= 0) return 0
	while (n > 1) { if (n % 2) return 0; n = n / 2 }
	return 1
}
function add(table, name, val, key) {
	if (key == "") key = val
	if ((table, key) in seen) return
	seen[table, key] = 1
	rows[table] = rows[table] sprintf("\t{ \"%s\", %s },\n", name, val)
}
{
	g = $1; name = $2; v = $3
	if (v !~ /^-?(0x[0-9a-fA-F]+|[0-9]+)$/ || name !~ /^[A-Z_][A-Z0-9_]*$/) next
	n = num(v)
	if (g == "errno" && name ~ /^E[A-Z0-9]+$/ && name != "ELAST") add("errno", name, n)
	else if (g == "signal" && name ~ /^SIG[A-Z0-9]+$/ && n >= 1 && n <= 31 && name != "SIGPOLL")
		add("signal", name, n)
	else if (g == "kern_return" && name ~ /^KERN_/ && n < 256) add("kern_return", name, n)
	else if (g == "mach_msg" && name ~ /^MACH_(SEND|RCV)_/ && n >= 268435456) add("kern_return", name, n)
	else if (g == "mig" && name ~ /^MIG_/ && n < 0) add("kern_return", name, n)
	# mach_msg_option_t: single bits below the trailer fields (bits 24-31);
	# 0x10000 is MACH_SEND_FILTER_NONFATAL from user space (MACH_SEND_ALWAYS
	# is the kernel's meaning of that bit).
	else if (g == "mach_msg" && (name ~ /^MACH_(SEND|RCV)_/ || name == "MACH_MSG_STRICT_REPLY") &&
		 name !~ /^MACH_RCV_TRAILER_/ && name != "MACH_SEND_ALWAYS" && single_bit(n) &&
		 n < 16777216)
		add("msg_option", name, n)
	else if (g == "mach_msg" && name == "MACH_MSG_OPTION_NONE") add("msg_option", name, n)
	else if (g == "mach_msg" && name ~ /^MACH_RCV_TRAILER_(NULL|SEQNO|SENDER|AUDIT|CTX|AV|LABELS)$/)
		add("rcv_trailer", name, n)
	# mach_msg_option64_t (mach_msg2): 64-bit literals, so the value is the TSV text.
	else if (g == "mach_msg" && name ~ /^MACH64_/ && name != "MACH64_SEND_ALWAYS" &&
		 (single_bit(n) || name == "MACH64_MSG_OPTION_NONE"))
		add("msg_option64", name, "(long long)" tolower(v) "ull", n)
	else if (g == "mach_msg" && name ~ /^MACH_MSG_TYPE_/ && name != "MACH_MSG_TYPE_LAST")
		add("msg_type", name, n)
	else if (g == "port" && name ~ /^MACH_PORT_RIGHT_/ && name != "MACH_PORT_RIGHT_NUMBER")
		add("port_right", name, n)
	else if (g == "fcntl" && name ~ /^O_(RDONLY|WRONLY|RDWR)$/) add("accmode", name, n)
	else if (g == "fcntl" && name ~ /^O_/ && single_bit(n) && name !~ /^O_(ACCMODE|NDELAY|DP_)/)
		add("oflags", name, n)
	else if (g == "fcntl" && name ~ /^SEEK_/) add("whence", name, n)
	else if (g == "mman" && name ~ /^MAP_/ && single_bit(n) && name != "MAP_RESERVED0080")
		add("mapflags", name, n)
	else if (g == "mman" && name ~ /^PROT_/ && single_bit(n)) add("prot", name, n)
}
END {
	print "/* Generated from constants.tsv by scripts/gen_decode_tables.awk: do not edit. */"
	print "#ifndef XT_GEN_DECODE_TABLES_H\n#define XT_GEN_DECODE_TABLES_H\n"
	print "struct xt_named { const char *name; long long value; };\n"
	nt = split("errno signal kern_return accmode oflags whence mapflags prot msg_option " \
		   "rcv_trailer msg_option64 msg_type port_right", t, " ")
	for (i = 1; i <= nt; i++) {
		printf "static const struct xt_named xt_tab_%s[] = {\n%s};\n\n", t[i], rows[t[i]]
	}
	print "#endif"
}
