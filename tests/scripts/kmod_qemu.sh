#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# kmod_qemu.sh: the kernel-module build (xnusim.ko) tested in a QEMU guest,
# as part of make test: make kmod, then tests/kmod/run-qemu.sh (about a
# minute with TCG).  Skipped, saying why, where the packages are missing.
set -u
OUTPUT=${OUTPUT:-.output}
skip() { echo "  kmod_qemu: SKIP: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

[ "${SANITIZE:-0}" = 1 ] && skip "sanitizer build (the module is built with the kernel's flags)"
[ "$(uname -m)" = x86_64 ] || skip "the guest is x86_64 with TCG; this host is $(uname -m)"
KVER=${KMOD_KVER:-$(apt-cache depends linux-headers-amd64 2>/dev/null |
	sed -n 's/^ *Depends: linux-headers-//p' | head -n 1)}
[ -n "$KVER" ] && [ -f "/usr/src/linux-headers-$KVER/Makefile" ] ||
	skip "no kernel headers for '$KVER' (make deps as root)"
command -v qemu-system-x86_64 > /dev/null || skip "qemu-system-x86 is not installed (make deps)"

log=$(mktemp)
if ! make --no-print-directory OUTPUT="$OUTPUT" KMOD_KVER="$KVER" kmod > "$log" 2>&1; then
	tail -n 30 "$log"; rm -f "$log"
	echo "  kmod_build NG"
	echo "0 passed, 1 failed"
	exit 1
fi
rm -f "$log"
OUTPUT="$OUTPUT" KMOD_KVER="$KVER" exec tests/kmod/run-qemu.sh
