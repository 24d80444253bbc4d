#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The HTML report: self-contained (no network: no external scripts, styles
# or images), and it loads in a headless Chromium without console errors,
# with its main elements present after the script ran.
set -u
OUTPUT=${OUTPUT:-.output}
VIZ=$OUTPUT/bin/xnutrace-viz
G=tests/golden/viz
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "$1 OK"; pass=$((pass + 1)); }
ng() { echo "$1 NG${2:+: $2}"; fail=$((fail + 1)); }

if [ ! -x "$VIZ" ]; then echo "viz_html NG: $VIZ not built"; echo "0 passed, 1 failed"; exit 1; fi
R=$tmp/report.html
if "$VIZ" html $G/fork_exec.json $G/posix_spawn.json --per fork,posix_spawn -o "$R" 2> "$tmp/err"; then
	ok html_written; else ng html_written "$(cat "$tmp/err")"; fi
"$VIZ" html $G/fork_exec.json -o "$tmp/one.html" && grep -q 'id="callgraph-0"' "$tmp/one.html" \
	&& ! grep -q 'id="diff"' "$tmp/one.html" && ok html_single_file || ng html_single_file
# self-contained: nothing fetched (links to XNU source are <a href>, not loads)
if grep -Eiq '<(script|img|iframe|link)[^>]+(src|href)=|@import|url\((https?:)?//' "$R"; then
	ng html_self_contained "$(grep -Eio '<(script|img|iframe|link)[^>]+(src|href)=[^>]*' "$R" | head -3)"
else ok html_self_contained; fi
for id in summary-0 syscalls-0 proctree-0 callgraph-0 flame-0 summary-1 callgraph-1 diff diffflame-0; do
	grep -q "id=\"$id\"" "$R" && ok "html_has_$id" || ng "html_has_$id"
done
grep -q 'posix_spawn never reaches' "$R" && ok html_diff_summary || ng html_diff_summary
grep -q '<svg class="hist"' "$R" && ok html_histograms || ng html_histograms

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
	ng browser "chromium is not installed (make deps installs it)"
else
	prof=$(mktemp -d)
	flags=(--headless --no-sandbox --disable-gpu --user-data-dir="$prof"
	       --disable-background-networking --no-first-run --enable-logging=stderr --v=0
	       --virtual-time-budget=3000 --window-size=1400,1000)
	timeout 120 "$CHROME" "${flags[@]}" --dump-dom "file://$(realpath "$R")" \
		> "$tmp/dom.html" 2> "$tmp/console.log"
	timeout 120 "$CHROME" "${flags[@]}" --screenshot="$tmp/shot.png" "file://$(realpath "$R")" \
		> /dev/null 2>> "$tmp/console.log"
	rm -rf "$prof"
	grep -q 'data-ready="1"' "$tmp/dom.html" && ok browser_script_ran \
		|| ng browser_script_ran "$(head -c 300 "$tmp/console.log")"
	if grep -E 'CONSOLE|Uncaught|SyntaxError|ReferenceError|TypeError' "$tmp/console.log" \
		| grep -v 'Fontconfig' > "$tmp/errors"; then
		ng browser_no_console_errors "$(head -n 5 "$tmp/errors")"
	else ok browser_no_console_errors; fi
	n=$(grep -o '<svg' "$tmp/dom.html" | wc -l)
	[ "$n" -ge 6 ] && grep -q 'id="proctree-0"' "$tmp/dom.html" && grep -q 'id="diff"' "$tmp/dom.html" \
		&& ok browser_main_elements || ng browser_main_elements "$n svg"
	[ -s "$tmp/shot.png" ] && head -c 5 "$tmp/shot.png" | grep -q PNG && ok browser_screenshot \
		|| ng browser_screenshot
	[ -n "${VIZ_KEEP:-}" ] && cp "$tmp/shot.png" "$R" "$VIZ_KEEP/"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
