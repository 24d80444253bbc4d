#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Installs what xnutrace needs on Debian 12, idempotently.  As root it runs
# apt-get for whatever is missing; otherwise it prints the exact command and
# stops.  XNUTRACE_SKIP_DEPS=1 skips the check (packaging, offline builds).
set -eu
[ "${XNUTRACE_SKIP_DEPS:-0}" = 1 ] && exit 0

PKGS=(
	build-essential gawk pkg-config
	clang llvm libclang-rt-14-dev
	libbpf-dev bpftool libelf-dev zlib1g-dev
	systemtap-sdt-dev	
	bpftrace		
	graphviz libgraphviz-dev
	jq libjansson-dev
	python3-jsonschema	# tests/scripts/collector_*.sh: artifacts against docs/artifact.schema.json
	libcap2-bin		# capsh: tests/scripts/collector_privileges.sh drops capabilities as root
	chromium		# tests/scripts/viz_html.sh: the report in a headless browser
	# make kmod / test-kmod (tests/scripts/kmod_qemu.sh): xnusim.ko against the
	# headers of the kernel linux-headers-amd64 names, booted in QEMU (TCG)
	linux-headers-amd64 qemu-system-x86 busybox-static cpio kmod xz-utils
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "xnutrace: missing packages: ${missing[*]}" >&2
	echo "xnutrace: run as root:  apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "xnutrace: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
