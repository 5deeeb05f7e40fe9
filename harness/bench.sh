#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the conversion benchmark of the core, built in userspace
# from the same sources as the kernel (tools/testing/privmem), comparing
# privmem's range tree with one xarray entry per 4K page.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

make -s -C "$PRIVMEM_TREE/tools/testing/privmem" bench
# The KVM side: the demo guest's workload, upstream's path vs privmem.
"$PRIVMEM_REPO/harness/bench-kvm.sh"
