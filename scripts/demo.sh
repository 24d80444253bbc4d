#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make demo: boots a simulated machine per example workload, runs it as a
# process under launchd, and shows what it did.  Later issues extend this
# with traces, call graphs and the fork-vs-spawn comparison.
set -u
OUTPUT=${OUTPUT:-.output}
XNUSIM=$OUTPUT/bin/xnusim
status=0
for arch in arm64 x86_64; do
	for ex in file_io mmap ports; do
		echo "== $ex on a simulated $arch machine"
		"$XNUSIM" run --arch "$arch" -- "$OUTPUT/examples/$ex/$ex" || { echo "!! $ex failed ($?)"; status=1; }
		echo
	done
done
exit $status
