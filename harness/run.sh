#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make run [POLICY=name]: the main job.  Builds the x86_64 privmem kernel,
# boots it in QEMU and runs the demo workload in the guest, printing its
# report, and draws the final range map as an SVG (run-map.svg in the
# cache, harness/map-svg.py).  make run ARCH=arm64 (PRIVMEM_RUN_ARCH=arm64) boots the arm64
# kernel with pKVM instead: a protected VM shares and unshares a page
# through privmem (policy inplace, the only one pKVM has; POLICY is
# ignored) and its VMM prints what privmem saw.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

policy=${1:-cc}
if [ "${PRIVMEM_RUN_ARCH:-x86_64}" = arm64 ]; then
	# The pKVM demo: a protected VM through privmem (policy inplace).
	"$PRIVMEM_REPO/harness/build-kernel.sh" arm64
	"$PRIVMEM_REPO/harness/build-guest-tests.sh" arm64
	log=$PRIVMEM_CACHE/run-console-arm64.log
	msg "booting the arm64 privmem kernel (pKVM, kvm-arm.mode=protected)"
	PRIVMEM_VARIANT=arm64 "$PRIVMEM_REPO/harness/boot.sh" run "$log"
	sed -n '/privmem-guest: begin/,/privmem-guest: end/p' "$log" | sed '1d;$d'
	grep -q "privmem pkvm demo: done" "$log"
	exit
fi
"$PRIVMEM_REPO/harness/build-kernel.sh" x86_64
"$PRIVMEM_REPO/harness/build-guest-tests.sh"
log=$PRIVMEM_CACHE/run-console.log
msg "booting the privmem kernel (policy $policy)"
"$PRIVMEM_REPO/harness/boot.sh" run "$log" "privmem.demo_policy=$policy"
sed -n '/privmem-guest: begin/,/privmem-guest: end/p' "$log" | sed '1d;$d' |
	grep -v '^privmem-map '
# The final range map as a picture, from the demo's privmem-map lines.
svg=$PRIVMEM_CACHE/run-map.svg
tr -d '\r' < "$log" | "$PRIVMEM_REPO/harness/map-svg.py" "privmem demo, policy $policy" > "$svg"
echo "range map drawn in $svg"
