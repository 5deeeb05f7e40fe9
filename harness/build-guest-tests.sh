#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-guest-tests.sh [ARCH]: build the KVM selftests a QEMU guest runs,
# static, from the assembled work tree (so they see the privmem uapi).
#   x86_64 (default): into $PRIVMEM_BUILD/guest-tests/;
#   arm64:            cross-built, into $PRIVMEM_BUILD/guest-tests-arm64/.
# initramfs.sh copies every file there into the guest's /tests, and the
# guest runs each as one KTAP case.
#
# The caller holds /tmp/privmem-build.lock (make test does).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-x86_64}
case $arch in
x86_64)
	# privmem's own tests, then upstream's private-memory tests, which
	# must keep passing on a privmem kernel, and upstream's SEV tests,
	# which must keep skipping (the guest's CPU has no SEV) rather than
	# fail now that kvm-amd has privmem's SEV-SNP hooks.
	tests=(
		x86/privmem_test
		x86/privmem_isolation_test
		x86/privmem_stress_test
		x86/privmem_demo
		x86/private_mem_conversions_test
		x86/private_mem_kvm_exits_test
		guest_memfd_test
		pre_fault_memory_test
		set_memory_region_test
		vm_types_test
		kvm_binary_stats_test
		x86/sev_init2_tests
		x86/sev_smoke_test
		x86/sev_migrate_tests
	)
	suffix=
	mkvars=(CC="ccache gcc")
	;;
arm64)
	# privmem's pKVM test, then upstream's arm64 tests that pass nested
	# under TCG on a kvm-arm.mode=protected host, about 3 minutes in all
	# (their VMs are not protected: privmem and pKVM must leave ordinary
	# VMs alone).  README.md, "What make test does", lists what is left
	# out and why.
	tests=(
		arm64/privmem_pkvm_test
		arm64/debug-exceptions
		arm64/hidden_features
		arm64/hypercalls
		arm64/idreg-idst
		arm64/kvm-uuid
		arm64/mmio_sign_ext
		arm64/no-vgic
		arm64/psci_test
		arm64/set_id_regs
		arm64/smccc_filter
		arm64/vcpu_width_config
		coalesced_io_test
		get-reg-list
		guest_memfd_test
		guest_print_test
		kvm_binary_stats_test
		kvm_create_max_vcpus
		set_memory_region_test
		steal_time
	)
	suffix=-arm64
	mkvars=(CROSS_COMPILE=aarch64-linux-gnu- CC="ccache aarch64-linux-gnu-gcc")
	;;
*)	die "no guest tests for $arch" ;;
esac
[ -n "${PRIVMEM_GUEST_TESTS:-}" ] && read -ra tests <<< "$PRIVMEM_GUEST_TESTS"

hdr=$PRIVMEM_BUILD/uapi-headers$suffix
out=$PRIVMEM_BUILD/kvm-selftests$suffix
dest=$PRIVMEM_BUILD/guest-tests$suffix
mkdir -p "$hdr" "$out" "$dest"
# Never boot stale binaries after a failed build.
rm -f "$dest"/*

msg "installing uapi headers"
make -s -C "$PRIVMEM_TREE" O="$PRIVMEM_BUILD/uapi-obj$suffix" ARCH="$arch" \
	INSTALL_HDR_PATH="$hdr" headers_install >/dev/null

msg "building $arch KVM selftests: ${tests[*]}"
targets=()
for t in "${tests[@]}"; do
	targets+=("$out/$t")
done
# Objects built while CCACHE_BASEDIR applied have such relative
# dependency files: rebuild them once.
find "$out" -name '*.d' -exec grep -l '^\.\./' {} + 2>/dev/null |
	while read -r d; do rm -f "$d" "${d%.d}.o"; done || true
# Without CCACHE_BASEDIR here: ccache would make -o relative, the
# dependency files would then name the objects by a relative path that
# make does not match with its absolute targets, and a changed header
# (x86/privmem_util.h) would leave stale tests behind.
if ! CCACHE_BASEDIR= make -C "$PRIVMEM_TREE/tools/testing/selftests/kvm" -j"$PRIVMEM_JOBS" \
	ARCH="$arch" OUTPUT="$out" KHDR_INCLUDES="-isystem $hdr/include" \
	LINUX_HDR_PATH="$hdr/include/" EXTRA_CFLAGS=-static \
	"${mkvars[@]}" "${targets[@]}" >"$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -n 30 >&2
	die "KVM selftests build failed (log: $out/build.log)"
fi

# One flat directory: the guest names each case after its file.
for t in "${tests[@]}"; do
	cp "$out/$t" "$dest/$(basename "$t")"
done
