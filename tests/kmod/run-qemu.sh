#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# run-qemu.sh: test xnusim.ko inside a QEMU guest booted from Debian's own
# kernel package (the recipe in NOTES.md).  Fetches linux-image-<kver>-
# unsigned once (apt-get download + dpkg-deb -x, no install), packs an
# initramfs of busybox-static + the module + the static test programs
# (make kmod) + tests/kmod/init, boots it with TCG, and reads the results
# off the serial console: one "  name OK|NG" line per case, then
# "N passed, N failed" last.  OUTPUT and KMOD_KVER as for make.
set -u
OUTPUT=${OUTPUT:-.output}
KOUT=$OUTPUT/kmod
KVER=${KMOD_KVER:-$(apt-cache depends linux-headers-amd64 2>/dev/null |
	sed -n 's/^ *Depends: linux-headers-//p' | head -n 1)}
TIMEOUT=${KMOD_QEMU_TIMEOUT:-300}
LOG=$KOUT/serial.log

skip() { echo "  kmod_qemu: SKIP: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
fail() { echo "  kmod_qemu: NG: $*"; echo "0 passed, 1 failed"; exit 1; }

[ -n "$KVER" ] || skip "no linux-headers-amd64 in the package lists"
command -v qemu-system-x86_64 > /dev/null || skip "qemu-system-x86 is not installed (make deps)"
BUSYBOX=$(command -v busybox) || skip "busybox-static is not installed (make deps)"
command -v cpio > /dev/null || skip "cpio is not installed (make deps)"
# The guest has no libc: busybox must be the static one.
LC_ALL=C ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic executable' ||
	skip "$BUSYBOX is not static (install busybox-static)"
[ -f "$KOUT/xnusim.ko" ] || fail "no $KOUT/xnusim.ko (make kmod)"

# -- the kernel: Debian's package, unpacked, never installed ---------------------
KDIR=$KOUT/linux-image-$KVER
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
if [ ! -f "$VMLINUZ" ]; then
	rm -rf "$KDIR" && mkdir -p "$KDIR/deb"
	if ! (cd "$KDIR/deb" && apt-get download -q "linux-image-$KVER-unsigned") \
			> "$KOUT/apt-download.log" 2>&1; then
		cat "$KOUT/apt-download.log"
		skip "cannot download linux-image-$KVER-unsigned"
	fi
	dpkg-deb -x "$KDIR"/deb/*.deb "$KDIR" || fail "dpkg-deb -x failed"
	rm -rf "$KDIR/deb"
fi
[ -f "$VMLINUZ" ] || fail "no $VMLINUZ in the package"

# -- the initramfs ------------------------------------------------------------------
IR=$KOUT/initramfs
rm -rf "$IR" && mkdir -p "$IR/bin" "$IR/tests"
cp "$BUSYBOX" "$IR/bin/busybox"
cp tests/kmod/init "$IR/init" && chmod 0755 "$IR/init"
cp "$KOUT/xnusim.ko" "$IR/"
for src in tests/kmod/*.c; do
	t=$KOUT/$(basename "$src" .c)
	[ -x "$t" ] || fail "no $t (make kmod)"
	cp "$t" "$IR/tests/"
done
(cd "$IR" && find . | cpio -o -H newc --quiet | gzip -1) > "$KOUT/initrd.gz" ||
	fail "cannot pack the initramfs"

# -- boot (TCG: /dev/kvm here hangs stock kernels, NOTES.md) -----------------------------
start=$(date +%s)
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -smp 1 -m 512M -display none -monitor none \
	-serial stdio -no-reboot -kernel "$VMLINUZ" -initrd "$KOUT/initrd.gz" \
	-append 'console=ttyS0 panic=-1 quiet' < /dev/null 2>&1 | tr -d '\r' > "$LOG"
qemu_rc=${PIPESTATUS[0]}
echo "  (guest ran $(( $(date +%s) - start ))s, qemu exit $qemu_rc, log $LOG)"

# -- results ----------------------------------------------------------------------------
body=$(sed -n '/^XNUSIM-KMOD-BEGIN/,/^XNUSIM-KMOD-END/p' "$LOG")
passed=0; failed=0
while IFS= read -r line; do
	if [[ "$line" =~ ^\ \ ([^\ ]+)\ +(OK|NG)$ ]]; then
		echo "$line"
		if [ "${BASH_REMATCH[2]}" = OK ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	elif [[ "$line" =~ ^\ \ \ \  ]] || [[ "$line" =~ ^==\ .*exit\ [1-9] ]]; then
		echo "$line"	# a failed check's detail, or a test program's bad exit
	fi
done <<< "$body"
check() {	# name, condition already evaluated (0 = OK)
	if [ "$2" -eq 0 ]; then printf '  %-50s OK\n' "$1"; passed=$((passed + 1))
	else printf '  %-50s NG\n' "$1"; failed=$((failed + 1)); fi
}
grep -q '^XNUSIM-KMOD-END' "$LOG"; check guest_ran_to_the_end $?
for src in tests/kmod/*.c; do
	n=$(basename "$src" .c)
	grep -qE "^== $n exit 0$" "$LOG"; check "${n}_exit_0" $?
done
if ! grep -q '^XNUSIM-KMOD-END' "$LOG"; then
	echo "  --- last lines of the serial console ---"
	tail -n 40 "$LOG" | sed 's/^/  | /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
