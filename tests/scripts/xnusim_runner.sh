#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# xnusim_runner.sh: the xnusim tool's commands, exit codes and listings.
set -u
OUTPUT=${OUTPUT:-.output}
X="$OUTPUT/bin/xnusim"
passed=0; failed=0

check() {	# name, then a command that must succeed
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then
		printf '  %-50s OK\n' "$name"; passed=$((passed + 1))
	else
		printf '  %-50s NG\n' "$name"; failed=$((failed + 1))
	fi
}
status_is() {	# expected exit status, command...
	local want=$1; shift
	"$@" >/dev/null 2>&1; [ $? -eq "$want" ]
}

if [ ! -x "$X" ]; then
	echo "  $X not built"; echo "0 passed, 1 failed"; exit 1
fi
tables=$(mktemp); "$X" tables > "$tables"
registry=$(mktemp); "$X" registry > "$registry"

check help_exits_0                 status_is 0 "$X" --help
check no_command_exits_2           status_is 2 "$X"
check unknown_command_exits_2      status_is 2 "$X" frobnicate
check tables_has_558_bsd_rows      test "$(grep -c '^bsd	' "$tables")" -eq 558
check tables_has_128_mach_rows     test "$(grep -c '^mach	' "$tables")" -eq 128
check tables_getpid_is_bsd_20      grep -qP '^bsd\t20\tgetpid\t0\t' "$tables"
check tables_mach_msg2_is_minus_47 grep -qP '^mach\t-47\tmach_msg2_trap\t8\t' "$tables"
check tables_has_invalid_mach_slot grep -qP '^mach\t-[0-9]+\t[a-z_]+\t[0-9]+\tinvalid$' "$tables"
check registry_has_header          grep -qP '^id\tname\tsubsystem\txnu_path$' "$registry"
check registry_has_zalloc_flags    grep -qP '^[0-9]+\tzalloc_flags\tosfmk/kern\tosfmk/kern/zalloc.c$' "$registry"
check registry_kmem_alloc_xnu_path grep -qP '\tkmem_alloc\tosfmk/vm\tosfmk/vm/vm_kern.c$' "$registry"
check run_missing_program_is_127   status_is 127 "$X" run -- /nonexistent/program
check run_bad_arch_is_2            status_is 2 "$X" run --arch ppc -- true
check run_no_program_is_2          status_is 2 "$X" run --arch x86_64
check run_passes_exit_status       status_is 3 "$X" run -- sh -c 'exit 3'
check run_signal_is_128_plus_n     status_is 143 "$X" run -- sh -c 'kill -TERM $$'
check run_child_gets_machine_env   "$X" run --arch x86_64 -- sh -c \
	'echo "$XNUSIM_MACHINE" | grep -qE "^[0-9]+:0x[0-9a-f]+:[0-9]+:[0-9]+$"'
rm -f "$tables" "$registry"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
