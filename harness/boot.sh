#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh MODE LOG [ARG...]: boot a privmem kernel in QEMU under TCG, in
# MODE "test" or "run", writing the serial console to LOG; ARGs go on the
# kernel command line.  PRIVMEM_VARIANT picks the kernel (build-kernel.sh):
#   x86_64, x86_64-debug, x86_64-bench
#                         an SVM-capable EPYC CPU, so KVM runs inside;
#   arm64                 -M virt,virtualization=on: the kernel starts at
#                         EL2 and runs protected KVM (kvm-arm.mode=protected).
# PRIVMEM_QEMU_ACCEL overrides the x86 accelerator ("tcg,thread=single").
# PRIVMEM_INITRD names a ready initramfs (else initramfs.sh makes one).
# Bounded by PRIVMEM_BOOT_TIMEOUT seconds; a timeout, a panic or a missing
# end marker is a failure and shows the console tail.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=$1 log=$2
shift 2
variant=${PRIVMEM_VARIANT:-x86_64}
arch=${variant%%-*}
# PRIVMEM_INITRD: an initramfs initramfs.sh made already (make test's
# side-by-side boots share one instead of each rebuilding the same one).
initrd=${PRIVMEM_INITRD:-}
if [ -z "$initrd" ]; then
	initrd=$PRIVMEM_BUILD/initramfs-$arch.cpio.gz
	"$PRIVMEM_REPO/harness/initramfs.sh" "$initrd" "$arch"
fi

# loglevel=7: KUnit reports at KERN_INFO and must reach the console.
append="panic=-1 oops=panic printk.time=0 loglevel=7"
append+=" privmem.mode=$mode ${PRIVMEM_APPEND:-} $*"
case $arch in
x86_64)
	kernel=$PRIVMEM_BUILD/$variant/arch/x86/boot/bzImage
	# One TCG thread for both vCPUs.  With QEMU 7.2's multi-threaded
	# TCG an L2 guest of KVM-on-SVM now and then resumes at L1's own
	# RIP, the instruction after VMRUN in __svm_vcpu_run, and triple
	# faults (KVM_EXIT_SHUTDOWN): 5 of 20 boots of privmem_test, none
	# of 32 with thread=single, at about the same boot time.  The guest
	# still has two vCPUs, interleaved, so its IPIs and concurrent
	# conversions stay.  See README.md, "Known problems".
	qemu=(qemu-system-x86_64 -accel "${PRIVMEM_QEMU_ACCEL:-tcg,thread=single}"
	      -cpu EPYC,+svm,+npt)
	append="console=ttyS0 $append"
	;;
arm64)
	# pauth-impdef: QEMU's own pointer-authentication hash, much cheaper
	# under TCG than the architected QARMA one.
	kernel=$PRIVMEM_BUILD/$variant/arch/arm64/boot/Image
	qemu=(qemu-system-aarch64 -accel tcg -M virt,virtualization=on,gic-version=3
	      -cpu max,pauth-impdef=on)
	append="console=ttyAMA0 kvm-arm.mode=protected $append"
	;;
*)	die "cannot boot $arch" ;;
esac
[ -f "$kernel" ] || die "no kernel at $kernel: build it first"
rc=0
timeout --foreground -k 10 "${PRIVMEM_BOOT_TIMEOUT:-900}" \
	"${qemu[@]}" -smp 2 -m 2G \
	-nographic -no-reboot -nic none -serial mon:stdio -display none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	</dev/null 2>&1 | stdbuf -o0 tr -d '\r' > "$log" || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q "privmem-guest: end $mode" "$log"; then
	echo "privmem: guest did not finish (status $rc); console tail:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
