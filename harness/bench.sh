#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the conversion benchmark of the core, built in userspace
# from the same sources as the kernel (tools/testing/privmem), comparing
# privmem's range tree with one xarray entry per 4K page.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ut=$PRIVMEM_TREE/tools/testing/privmem
# The kernel's shared userspace shims warn under gcc; keep the build log
# out of the report.
make -s -C "$ut" privmem_bench >"$PRIVMEM_CACHE/bench-build.log" 2>&1 ||
	{ tail -n 20 "$PRIVMEM_CACHE/bench-build.log" >&2; die "benchmark build failed"; }
"$ut/privmem_bench"
# The KVM side: the demo guest's workload, upstream's path vs privmem.
"$PRIVMEM_REPO/harness/bench-kvm.sh"
