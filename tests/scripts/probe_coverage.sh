#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# probe_coverage.sh: every implemented BSD call and Mach trap fires its
# syscall_entry and syscall_return probe exactly once, with the right family,
# number and kdebug id, inside its dispatcher, on both architectures.
# tests/progs/probe_coverage.c walks the dispatch tables and invokes each
# implemented slot once (exit last: entry only); bpftrace counts the probes by
# (family, number, kdebug id, enclosing dispatcher function id).  The count of
# implemented slots is checked against `xnusim tables`, and a slot without a
# recipe in probe_coverage.c fails, so a new handler must come with coverage.
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
		printf '  %-60s OK\n' "$1"; passed=$((passed + 1))
	else
		printf '  %-60s NG (expected %s, got %s)\n' "$1" "$2" "$3"; failed=$((failed + 1))
	fi
}

[ "$(id -u)" = 0 ] || skip "needs root to attach uprobes"
command -v bpftrace >/dev/null || skip "bpftrace not installed"
[ -n "$LIB" ] && [ -f "$LIB" ] || skip "no $OUTPUT/lib$SAN/libxnusim.so (make lib)"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
W=$tmp/probe_coverage
cp "$OUTPUT/progs$SAN/probe_coverage" "$W" 2>/dev/null ||
	{ echo "  no $OUTPUT/progs$SAN/probe_coverage (make tests)"; echo "0 passed, 1 failed"; exit 1; }
XNUSIM=$OUTPUT/bin/xnusim

# The implemented slots by an independent reader of the tables (the runner).
modeled_count() {
	if [ -x "$XNUSIM" ]; then
		"$XNUSIM" tables 2>/dev/null | awk -F'\t' '$5 == "modeled"' | wc -l
	else
		echo "no-$XNUSIM"
	fi
}

# One architecture: trace one run of the workload and check every call.
run_arch() {
	local arch=$1 d=$tmp/$1 wpid bpid rc bsd_fid mach_fid
	mkdir -p "$d"
	export XNUSIM_ARCH=$arch
	"$W" plan > "$d/plan" 2> "$d/plan.err" || { check "${arch}_plan" 0 "$?"; return; }
	bsd_fid=$(awk '$1 == "dispatcher" && $2 == 1 { print $3 }' "$d/plan")
	mach_fid=$(awk '$1 == "dispatcher" && $2 == 2 { print $3 }' "$d/plan")
	check "${arch}_dispatchers_in_registry" 1 \
		"$([ "${bsd_fid:-0}" -gt 0 ] && [ "${mach_fid:-0}" -gt 0 ] && echo 1 || echo 0)"
	check "${arch}_implemented_matches_xnusim_tables" "$(modeled_count)" \
		"$(awk '$1 == "implemented" { print $2 }' "$d/plan")"
	check "${arch}_every_implemented_slot_has_a_recipe" "" \
		"$(awk '$1 == "uncovered" { printf "%s%s:%s", s, $3, $4; s = "," }' "$d/plan")"

	# @in: the dispatcher function the thread is in (0 outside one).
	cat > "$d/count.bt" <<BT
usdt:$LIB:xnu:func_entry /pid == WPID && (arg3 == $bsd_fid || arg3 == $mach_fid)/ { @in[tid] = arg3; }
usdt:$LIB:xnu:func_return /pid == WPID && (arg3 == $bsd_fid || arg3 == $mach_fid)/ { @in[tid] = 0; }
usdt:$LIB:xnu:syscall_entry /pid == WPID/ { @entry[arg3, arg4, arg5, @in[tid]] = count(); }
usdt:$LIB:xnu:syscall_return /pid == WPID/ { @ret[arg3, arg4] = count(); }
BT
	# As in probes_bpftrace.sh: attach to the library FILE (bpftrace -c/-p
	# would not raise the semaphores), filter by the workload's pid.
	"$W" run "$d/go" > "$d/wout" 2> "$d/werr" &
	wpid=$!
	sed -i "s/WPID/$wpid/g" "$d/count.bt"
	bpftrace -q "$d/count.bt" > "$d/out" 2> "$d/err" &
	bpid=$!
	for _ in $(seq 100); do		# until the workload saw the semaphores
		grep -q '^tracer_raised' "$d/wout" && break
		sleep 0.1
	done
	touch "$d/go"
	wait "$wpid"; rc=$?
	sleep 0.2
	kill -INT "$bpid" 2>/dev/null	# bpftrace prints its maps on SIGINT
	wait "$bpid"
	check "${arch}_workload_exit_status" 0 "$rc"
	check "${arch}_tracer_raised_semaphores" 1 "$(awk '/^tracer_raised/ { print $2 }' "$d/wout")"
	if ! grep -q '^@' "$d/out"; then
		grep -v RLIMIT_MEMLOCK "$d/err" | sed 's/^/    /' | head -5
		check "${arch}_bpftrace_printed_maps" 1 0
		return
	fi

	# Per call: "entries entries_with_right_kdebug_and_dispatcher returns".
	awk -v bsd="$bsd_fid" -v mach="$mach_fid" -v arch="$arch" '
	FILENAME ~ /plan$/ && ($1 == "call" || $1 == "last") {
		key = $2 " " $3; want[key] = ($1 == "call") ? "1 1 1" : "1 1 0"
		kd[key] = $4; name[key] = $5; order[++n] = key; next
	}
	FILENAME ~ /plan$/ { next }
	/^@entry\[/ {
		gsub(/[@entry\[\],:]/, " "); split($0, f, " ")
		key = f[1] " " f[2]; e[key] += f[5]
		fid = (f[1] == 1) ? bsd : mach
		if (f[3] == kd[key] && f[4] == fid) ok[key] += f[5]
		seen[key] = 1
	}
	/^@ret\[/ {
		gsub(/[@ret\[\],:]/, " "); split($0, f, " ")
		key = f[1] " " f[2]; r[key] += f[3]; seen[key] = 1
	}
	END {
		for (i = 1; i <= n; i++) {
			k = order[i]; split(k, kf, " ")
			printf "%s_%s_%s_%s %s|%d %d %d\n", arch, kf[1] == 1 ? "bsd" : "mach", kf[2],
				name[k], want[k], e[k], ok[k], r[k]
		}
		unexpected = ""
		for (k in seen) if (!(k in want)) unexpected = unexpected "[" k "]"
		printf "%s_no_unexpected_calls |%s\n", arch, unexpected
	}' "$d/plan" "$d/out" > "$d/result"
	while IFS='|' read -r lhs actual; do
		check "${lhs%% *}" "${lhs#* }" "$actual"
	done < "$d/result"
	check "${arch}_workload_made_every_call" \
		"$(grep -c '^call' "$d/plan")" "$(grep -c '^invoked' "$d/wout")"
}

run_arch arm64
run_arch x86_64

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
