#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make run [POLICY=name]: the main job.  Builds the x86_64 privmem kernel,
# boots it in QEMU and runs the demo workload in the guest, printing its
# report.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

policy=${1:-cc}
"$PRIVMEM_REPO/harness/build-kernel.sh" x86_64
"$PRIVMEM_REPO/harness/build-guest-tests.sh"
log=$PRIVMEM_CACHE/run-console.log
msg "booting the privmem kernel (policy $policy)"
"$PRIVMEM_REPO/harness/boot.sh" run "$log" "privmem.demo_policy=$policy"
sed -n '/privmem-guest: begin/,/privmem-guest: end/p' "$log" | sed '1d;$d'
