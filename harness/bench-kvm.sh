#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-kvm.sh: the KVM side of "make bench".  Boots the privmem kernel
# (the test kernel without CONFIG_PRIVMEM_DEBUG) once and runs the demo
# guest's conversion workload through upstream's path (one
# KVM_HC_MAP_GPA_RANGE exit + KVM_SET_MEMORY_ATTRIBUTES per entry) and
# through privmem (one in-kernel batch per phase), printing exits to
# userspace, wall time and attribute-tracking memory for both.
# The caller holds /tmp/privmem-build.lock.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The test kernel without CONFIG_PRIVMEM_DEBUG (configs/x86_64-bench.config).
"$PRIVMEM_REPO/harness/build-kernel.sh" x86_64-bench
"$PRIVMEM_REPO/harness/build-guest-tests.sh"
log=$PRIVMEM_CACHE/bench-console.log
msg "booting the privmem kernel without CONFIG_PRIVMEM_DEBUG (KVM benchmark)"
PRIVMEM_VARIANT=x86_64-bench "$PRIVMEM_REPO/harness/boot.sh" run "$log" privmem.demo_bench=1
sed -n '/privmem-guest: begin/,/privmem-guest: end/p' "$log" | sed '1d;$d' |
	grep -v -e 'TSC rate' -e '^Random seed' -e '^clocksource'
# A benchmark that did not finish is a failure, not a short report.
grep -q 'privmem demo: exit status 0' "$log" ||
	die "the KVM benchmark failed; console log: $log"
