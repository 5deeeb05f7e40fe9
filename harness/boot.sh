#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh MODE LOG: boot the x86_64 privmem kernel in QEMU under TCG with
# an SVM-capable CPU (so KVM runs inside the guest), in MODE "test" or
# "run", writing the serial console to LOG.  Bounded by
# PRIVMEM_BOOT_TIMEOUT seconds; a timeout, a panic or a missing end
# marker is a failure and shows the console tail.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=$1 log=$2
shift 2
# PRIVMEM_VARIANT=x86_64-debug boots the debug kernel (build-kernel.sh).
kernel=$PRIVMEM_BUILD/${PRIVMEM_VARIANT:-x86_64}/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no kernel at $kernel: build it first"
initrd=$PRIVMEM_BUILD/initramfs.cpio.gz
"$PRIVMEM_REPO/harness/initramfs.sh" "$initrd"

# loglevel=7: KUnit reports at KERN_INFO and must reach the console.
append="console=ttyS0 panic=-1 oops=panic printk.time=0 loglevel=7"
append+=" privmem.mode=$mode ${PRIVMEM_APPEND:-} $*"
rc=0
timeout --foreground -k 10 "${PRIVMEM_BOOT_TIMEOUT:-900}" \
	qemu-system-x86_64 -accel tcg -cpu EPYC,+svm,+npt -smp 2 -m 2G \
	-nographic -no-reboot -nic none -serial mon:stdio -display none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	</dev/null 2>&1 | tr -d '\r' > "$log" || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q "privmem-guest: end $mode" "$log"; then
	echo "privmem: guest did not finish (status $rc); console tail:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
