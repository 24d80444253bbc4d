#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mkrootfs.sh OUTPUT MANIFEST: build the simulated root file system in
# OUTPUT/rootfs from MANIFEST (path, mode, uid:gid, kind, source): Mach-O
# images with mkmacho (dyld; images bound to an ELF by absolute path), copies
# of scripts and files, and every example as /usr/local/bin/<name>.  The
# kernel reads OUTPUT/rootfs/manifest.tsv and the files at boot.
set -eu
out=$1; man=$2
root=$out/rootfs; tmp=$out/rootfs.tmp; mk=$out/bin/mkmacho
rm -rf "$tmp"; mkdir -p "$tmp"
entries() {
	grep -v '^#' "$man" | grep -v '^[[:space:]]*$'
	for e in "$out"/examples/*/*; do
		[ -f "$e" ] && [ -x "$e" ] || continue
		printf '/usr/local/bin/%s\t0755\t0:0\tmacho\texamples/%s\n' \
			"$(basename "$e")" "${e#"$out"/examples/}"
	done
}
entries | while IFS=$'\t' read -r path mode owner kind src; do
	dest=$tmp$path
	case $kind in
	dir) mkdir -p "$dest" ;;
	dyld) mkdir -p "$(dirname "$dest")"; "$mk" -o "$dest" --fat --dylinker ;;
	macho)
		mkdir -p "$(dirname "$dest")"
		"$mk" -o "$dest" --fat --bind "$(realpath "$out/$src")" ;;
	script|file) mkdir -p "$(dirname "$dest")"; cp "$src" "$dest" ;;
	*) echo "mkrootfs: $path: unknown kind $kind" >&2; exit 1 ;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\n' "$path" "$mode" "$owner" "$kind" "$src" >> "$tmp/manifest.tsv"
done
rm -rf "$root"; mv "$tmp" "$root"
