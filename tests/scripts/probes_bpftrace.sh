#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# probes_bpftrace.sh: the USDT probes of libxnusim.so as bpftrace sees them.
# Builds tests/progs/probe_workload.c, runs it under bpftrace, and compares
# syscall_entry / syscall_return counts by (family, number) and func_entry
# counts of a few dispatch functions with the workload's known sequence.
# Also checks that every semaphore reads 0 when nobody traces.
# Needs root and bpftrace; prints a SKIP line with the reason otherwise.
# Last line: "N passed, N failed[, N skipped]".
set -u
OUTPUT=${OUTPUT:-.output}
SAN=""; [ "${SANITIZE:-0}" = 1 ] && SAN="-san"
LIB=$(realpath "$OUTPUT/lib$SAN/libxnusim.so" 2>/dev/null)
passed=0; failed=0

skip() { echo "  SKIP: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
check() {	# name, expected, actual
	if [ "$2" = "$3" ]; then
		printf '  %-50s OK\n' "$1"; passed=$((passed + 1))
	else
		printf '  %-50s NG (expected %s, got %s)\n' "$1" "$2" "$3"; failed=$((failed + 1))
	fi
}

[ "$(id -u)" = 0 ] || skip "needs root to attach uprobes"
command -v bpftrace >/dev/null || skip "bpftrace not installed"
[ -n "$LIB" ] && [ -f "$LIB" ] || skip "no $OUTPUT/lib$SAN/libxnusim.so (make lib)"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
W=$tmp/probe_workload
cp "$OUTPUT/progs$SAN/probe_workload" "$W" 2>/dev/null || { echo "  no $OUTPUT/progs$SAN/probe_workload (make tests)"; echo "0 passed, 1 failed"; exit 1; }
export XNUSIM_ARCH=arm64

# 1. nobody listening: every semaphore is 0
nonzero=$("$W" sems | awk '$2 != 0' | wc -l)
check semaphores_zero_without_tracer 0 "$nonzero"

declare -A id
while read -r name fid; do id[$name]=$fid; done < <("$W" ids)
check registry_has_unix_syscall 1 "$([ "${id[unix_syscall]:-0}" -gt 0 ] && echo 1 || echo 0)"

# 2. traced run
cat > "$tmp/count.bt" <<BT
usdt:$LIB:xnu:syscall_entry /pid == cpid/ { @entry[arg3, arg4] = count(); }
usdt:$LIB:xnu:syscall_return /pid == cpid/ { @ret[arg3, arg4] = count(); }
usdt:$LIB:xnu:func_entry /pid == cpid/ { @func[arg3] = count(); }
BT
# bpftrace -c/-p resolve USDT probes in the target process, where the library
# is not mapped yet (-c) or the semaphores are not raised (-p, bpftrace 0.17).
# Attached to the library file, the kernel raises the semaphores of every
# process mapping it (uprobe ref_ctr_offset); filter by the workload's pid.
"$W" wait "$tmp/go" > "$tmp/wout" &
wpid=$!
sed -i "s/== cpid/== $wpid/" "$tmp/count.bt"
bpftrace -q "$tmp/count.bt" > "$tmp/out" 2> "$tmp/err" &
bpid=$!
sleep 3; touch "$tmp/go"	# bpftrace has attached by now (or failed)
wait "$wpid"
kill -INT "$bpid" 2>/dev/null	# bpftrace prints its maps on SIGINT
wait "$bpid"
rc=$?
cat "$tmp/wout" >> "$tmp/out"
if [ $rc -ne 0 ] && ! grep -q '^@' "$tmp/out"; then
	grep -v RLIMIT_MEMLOCK "$tmp/err" | sed 's/^/    /' | head -5
	check bpftrace_ran 0 "$rc"
	echo "$passed passed, $failed failed"; exit 1
fi
get() { awk -v k="$1" 'index($0, k) == 1 { print $NF; f = 1 } END { if (!f) print 0 }' "$tmp/out"; }

check tracer_raised_semaphores 1 "$(awk '/^tracer_raised/ { print $2 }' "$tmp/out")"
check bsd_getpid_entries 3 "$(get '@entry[1, 20]:')"
check bsd_getpid_returns 3 "$(get '@ret[1, 20]:')"
check bsd_thread_selfid_entries 2 "$(get '@entry[1, 372]:')"
check mach_task_self_entries 4 "$(get '@entry[2, -28]:')"
check mach_task_self_returns 4 "$(get '@ret[2, -28]:')"
check fast_path_minus3_has_no_syscall_probe 0 "$(get '@entry[2, -3]:')"
check func_unix_syscall_entries 5 "$(get "@func[${id[unix_syscall]}]:")"
check func_mach_syscall_entries 4 "$(get "@func[${id[mach_syscall]}]:")"
check func_handle_svc_entries 14 "$(get "@func[${id[handle_svc]}]:")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
