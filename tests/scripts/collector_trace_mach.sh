#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# collector_trace_mach.sh: `xnutrace trace` of examples/ports names Mach port
# rights, dispositions and mach_msg2 options by their Darwin names
# (constants.tsv), on both backends (bpf needs root: skipped with the reason
# otherwise).  Port names change from run to run (XNU's shuffled free list),
# so the lines are matched with the names replaced by N.
set -u
OUTPUT=${OUTPUT:-.output}
X="$OUTPUT/bin/xnutrace"
W="$OUTPUT/examples/ports/ports"
. "$(dirname "$0")/testlib.bash"
has() {	# BACKEND LINE: a trace line (pid/tid prefix and port names normalised)
	grep -qxF -- "$2" "$T/$1.norm" || { echo "no line '$2' in:"; grep -E 'trap|mach' "$T/$1.norm"; return 1; }
}

if [ ! -x "$X" ] || [ ! -x "$W" ]; then echo "  $X or $W not built"; echo "0 passed, 1 failed"; exit 1; fi

for B in inproc bpf; do
	if [ "$B" = bpf ] && [ "$(id -u)" -ne 0 ]; then
		for c in allocate_names_right insert_right_names_disposition mod_refs_names_right_and_delta \
			 mach_msg2_send_names_options mach_msg2_rcv_names_options deallocate_bogus_name; do
			skip "${c}_$B" "the bpf backend needs root"
		done
		continue
	fi
	"$X" trace --backend "$B" -- "$W" >"$T/$B.out" 2>"$T/$B.err"
	# "2/102      f(0x1b03, ...) = R  <1.2us>" -> "f(N, ...) = R": ids, times and
	# port names vary by run
	sed -E 's/^[0-9]+\/[0-9]+ +//; s/ +<[0-9.]+[mun]?s>$//; s/0x[0-9a-f]{3,6}\b/N/g; s/0x[0-9a-f]{9,}/A/g' "$T/$B.out" > "$T/$B.norm"
	check allocate_names_right_$B                has $B '_kernelrpc_mach_port_allocate_trap(N, MACH_PORT_RIGHT_RECEIVE, A) = KERN_SUCCESS'
	check insert_right_names_disposition_$B      has $B '_kernelrpc_mach_port_insert_right_trap(N, N, N, MACH_MSG_TYPE_MAKE_SEND) = KERN_SUCCESS'
	check mod_refs_names_right_and_delta_$B      has $B '_kernelrpc_mach_port_mod_refs_trap(N, N, MACH_PORT_RIGHT_RECEIVE, -1) = KERN_SUCCESS'
	check mach_msg2_send_names_options_$B        has $B 'mach_msg2_trap(A, MACH64_SEND_MSG|MACH64_RCV_MSG|MACH64_SEND_KOBJECT_CALL, A, A, ...) = KERN_SUCCESS'
	check mach_msg2_rcv_names_options_$B         has $B 'mach_msg2_trap(A, MACH64_RCV_MSG|MACH64_SEND_ANY, 0, 0, ...) = KERN_SUCCESS'
	check deallocate_bogus_name_$B           has $B '_kernelrpc_mach_port_deallocate_trap(N, N) = KERN_INVALID_NAME (0xf)'
done

testlib_summary
