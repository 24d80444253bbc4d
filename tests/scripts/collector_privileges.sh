#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# collector_privileges.sh: the bpf backend decides on the effective
# capabilities, not the uid.  As root with CAP_BPF, CAP_PERFMON and
# CAP_SYS_ADMIN dropped (setpriv, capsh: a container's root), `record
# --backend bpf` fails up front naming the missing capability; with one of the
# pair it names the other; CAP_SYS_ADMIN alone is enough; `--backend auto`
# falls back to inproc and says so; in a user namespace the capabilities held
# there do not count.  Needs root (skipped with the reason otherwise).
set -u
OUTPUT=${OUTPUT:-.output}
X="$OUTPUT/bin/xnutrace"
W="$OUTPUT/examples/file_io/file_io"
. "$(dirname "$0")/testlib.bash"
# rec NAME BACKEND WRAPPER...: records $W through the wrapper; $T/NAME.{json,err,rc}
rec() {
	local n=$1 b=$2; shift 2
	"$@" "$X" record --backend "$b" -o "$T/$n.json" -- "$W" >/dev/null 2>"$T/$n.err"
	echo $? > "$T/$n.rc"
}
failed_up_front() {	# NAME: exit 1, no artifact, nothing recorded
	[ "$(cat "$T/$1.rc")" -eq 1 ] && [ ! -e "$T/$1.json" ] && ! grep -q 'recording pid' "$T/$1.err" ||
		{ echo "exit $(cat "$T/$1.rc")"; cat "$T/$1.err"; return 1; }
}
says() { grep -qF -- "$2" "$T/$1.err" || { echo "no '$2' in:"; cat "$T/$1.err"; return 1; }; }
refused() { failed_up_front "$1" && says "$1" "$2"; }	# NAME MESSAGE
warned_first() {	# NAME: the fallback warning is the first line, before the recording
	head -1 "$T/$1.err" | grep -qF 'using the inproc backend: the bpf backend needs CAP_BPF and CAP_PERFMON' &&
		grep -q 'recording pid' "$T/$1.err" || { cat "$T/$1.err"; return 1; }
}
backend_is() {	# NAME BACKEND: exit 0 and the artifact's meta.backend
	[ "$(cat "$T/$1.rc")" -eq 0 ] && jq -e ".meta.backend == \"$2\"" "$T/$1.json" >/dev/null ||
		{ echo "exit $(cat "$T/$1.rc")"; cat "$T/$1.err"; return 1; }
}

if [ ! -x "$X" ]; then echo "  $X not built"; echo "0 passed, 1 failed"; exit 1; fi

CASES=(root_without_caps_bpf_fails root_without_caps_names_them root_without_cap_perfmon_names_it
       root_without_cap_bpf_names_it cap_sys_admin_alone_records_with_bpf
       auto_without_caps_falls_back_to_inproc auto_says_why_before_recording
       capsh_drop_bpf_fails_naming_caps userns_root_bpf_fails userns_root_names_initial_namespace
       userns_root_auto_falls_back)
if [ "$(id -u)" -ne 0 ]; then
	for c in "${CASES[@]}"; do skip "$c" "needs root to drop capabilities"; done
	echo "$passed passed, $failed failed, $skipped skipped"; exit 0
fi

# setpriv execs the program with the bounding set shrunk: root keeps its uid
# but the dropped capabilities are not in its effective set.
drop() { echo setpriv --inh-caps=-all --bounding-set="$1" --; }

rec nocaps bpf $(drop -bpf,-perfmon,-sys_admin)
check root_without_caps_bpf_fails           failed_up_front nocaps
check root_without_caps_names_them          says nocaps 'needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): running as root'
rec noperfmon bpf $(drop -perfmon,-sys_admin)
check root_without_cap_perfmon_names_it     refused noperfmon 'needs CAP_PERFMON to attach uprobes'
rec nobpf bpf $(drop -bpf,-sys_admin)
check root_without_cap_bpf_names_it         refused nobpf 'needs CAP_BPF to load'
rec sysadmin bpf $(drop -bpf,-perfmon)
check cap_sys_admin_alone_records_with_bpf  backend_is sysadmin bpf
rec autonocaps auto $(drop -bpf,-perfmon,-sys_admin)
check auto_without_caps_falls_back_to_inproc backend_is autonocaps inproc
check auto_says_why_before_recording        warned_first autonocaps

if command -v capsh >/dev/null; then
	capsh --drop=cap_sys_admin,cap_bpf,cap_perfmon -- -c \
		"'$X' record --backend bpf -o '$T/capsh.json' -- '$W' >/dev/null 2>'$T/capsh.err'; echo \$? > '$T/capsh.rc'"
	check capsh_drop_bpf_fails_naming_caps      refused capsh 'needs CAP_BPF and CAP_PERFMON'
else
	skip capsh_drop_bpf_fails_naming_caps "capsh (libcap2-bin) not installed"
fi

# Root of a new user namespace has every capability there, none for bpf(2).
if unshare -U -r true 2>/dev/null; then
	rec userns bpf unshare -U -r
	check userns_root_bpf_fails                 failed_up_front userns
	check userns_root_names_initial_namespace   says userns 'in the initial user namespace'
	rec userns_auto auto unshare -U -r
	check userns_root_auto_falls_back           backend_is userns_auto inproc
else
	for c in userns_root_bpf_fails userns_root_names_initial_namespace userns_root_auto_falls_back; do
		skip "$c" "unshare -U is not permitted here"
	done
fi

testlib_summary
