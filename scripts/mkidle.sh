#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mkidle.sh OUT.a OBJ...: the idle copy of the kernel (docs/tracepoints.md,
# "Cost when nobody listens").  OBJ are the core's objects built with
# XS_NO_TRACE; every global symbol they define is renamed xs_idle__<name> in
# all of them (definitions and references alike), so the copy calls only
# itself and the platform layer.  The Makefile links OUT.a whole into
# libxnusim.so with --exclude-libs, which hides every symbol of it.
set -eu
out=$1; shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -g --defined-only "$@" | awk 'NF == 3 { print $3 " xs_idle__" $3 }' | sort -u > "$tmp/syms"
i=0
for o in "$@"; do
	i=$((i + 1))
	objcopy --redefine-syms="$tmp/syms" "$o" "$tmp/$i-$(basename "$o")"
done
rm -f "$out"
ar rcs "$out" "$tmp"/*.o
