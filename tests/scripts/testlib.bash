# SPDX-License-Identifier: BSD-2-Clause
# testlib.bash: what the collector's shell tests share (sourced, not run:
# tests/run.sh runs only *.sh).  A scratch directory $T, removed at exit;
# counters; one line per case ("  name  OK|NG|SKIP"); the summary line
# tests/run.sh reads last, with the exit status.
passed=0; failed=0; skipped=0
T=$(mktemp -d); chmod 755 "$T"; trap 'rm -rf "$T"' EXIT

check() {	# name, then a command that must succeed
	local name=$1; shift
	if "$@" >"$T/last.out" 2>&1; then
		printf '  %-52s OK\n' "$name"; passed=$((passed + 1))
	else
		printf '  %-52s NG\n' "$name"; failed=$((failed + 1)); sed 's/^/    /' "$T/last.out" | tail -5
	fi
}
skip() { printf '  %-52s SKIP (%s)\n' "$1" "$2"; skipped=$((skipped + 1)); }
jqt() { jq -e "$2" "$1" >/dev/null || { echo "false: $2"; return 1; }; }	# file, jq test

testlib_summary() {	# the last line, and the status: 0 when nothing failed
	if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"
	else echo "$passed passed, $failed failed"; fi
	[ "$failed" -eq 0 ]
}
