#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test run behind "make test":
#   1. KUnit on UML for the privmem suites (no KVM);
#   2. the userspace build of the core: harness, fuzzer (ASan/UBSan);
#   3. the guest tests and the three kernels built, one after the other;
#   4. the x86_64 privmem kernel, booted in QEMU (TCG, SVM CPU) with the
#      project's initramfs: built-in KUnit suites, then the guest tests;
#      beside it, the x86_64 debug kernel (lockdep, KASAN, ...): KUnit and
#      privmem's guest tests again, with panic_on_warn;
#   5. the arm64 privmem kernel, booted in QEMU (TCG, EL2) with protected
#      KVM: pKVM must initialise, then built-in KUnit suites and the
#      arm64 guest's checks;
# then one summary line "N passed, N failed, N skipped".  A build error,
# a failing case, a guest that hangs or panics, or a missing result makes
# the run fail.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# One run at a time on a machine: the work tree, the build directories
# and the results are shared, and two kernel builds at once would starve
# each other of the two cores.
exec 9>/tmp/privmem-build.lock
flock 9

"$PRIVMEM_REPO/harness/deps.sh" || die "cannot install the build dependencies"
"$PRIVMEM_REPO/harness/assemble.sh" || die "cannot assemble the kernel tree"

out=$PRIVMEM_CACHE/results
rm -rf "$out"
mkdir -p "$out"
args=()
step() {	# step NAME CMD...: run a step without KTAP output
	local name=$1 rc=0
	shift
	msg "$name"
	"$@" || rc=$?
	args+=(--step "$name" "$rc")
	return "$rc"
}
ktap() {	# ktap NAME LOG CMD...: run a step whose LOG holds KTAP
	local name=$1 log=$2 rc=0
	shift 2
	msg "$name"
	"$@" || rc=$?
	args+=(--name "$name" "$log")
	[ "$rc" -eq 0 ] || args+=(--step "$name" "$rc")
}

ktap kunit-uml "$out/uml.ktap" "$PRIVMEM_REPO/harness/kunit-uml.sh" "$out/uml.ktap"

ut=$PRIVMEM_TREE/tools/testing/privmem
if [ -f "$ut/Makefile" ]; then
	ktap userspace "$out/userspace.ktap" \
		sh -c 'make -s -C "$1" test > "$2" 2>&1' - "$ut" "$out/userspace.ktap"
	# libFuzzer has no KTAP: a crash or a sanitizer report fails the step.
	step fuzz sh -c 'make -s -C "$1" fuzz FUZZ_SECONDS="$3" > "$2" 2>&1 ||
		{ tail -n 30 "$2" >&2; exit 1; }' - "$ut" "$out/fuzz.log" \
		"${PRIVMEM_FUZZ_SECONDS:-60}"
fi

# Every build first, one at a time (two kernel builds at once starve
# each other of the two cores); then the boots.
step build-guest-tests "$PRIVMEM_REPO/harness/build-guest-tests.sh"
x86=0 arm=0 dbg=0
step build-x86_64 "$PRIVMEM_REPO/harness/build-kernel.sh" x86_64 && x86=1
step build-guest-tests-arm64 "$PRIVMEM_REPO/harness/build-guest-tests.sh" arm64 &&
	step build-arm64 "$PRIVMEM_REPO/harness/build-kernel.sh" arm64 && arm=1
step build-x86_64-debug "$PRIVMEM_REPO/harness/build-kernel.sh" x86_64-debug && dbg=1

# The two x86_64 kernels boot side by side: each QEMU runs its guest on
# one TCG thread (boot.sh), so each has a core of its own.  They share
# one initramfs, made once here.
#   x86_64: the kernel's own KUnit run, then the guest tests;
#   x86_64-debug: lockdep, KASAN, DEBUG_VM, KVM_PROVE_MMU and DEBUG_LIST,
#   booted with panic_on_warn: its KUnit suites (but the ones marked
#   slow, which the kernel above already ran: under KASAN they take ten
#   minutes) and privmem's guest tests.  Any report (a splat, a WARN, a
#   KASAN error) fails it.
# split NAME LOG: the console LOG holds the kernel's own KUnit run, then
# the guest tests; count them as NAME-kunit and NAME-tests.
split() {
	sed -n '/privmem-guest: begin/q;p' "$2" > "$out/$1-kunit.ktap"
	sed -n '/privmem-guest: begin/,/privmem-guest: end/p' "$2" > "$out/$1-tests.ktap"
	args+=(--name "$1-kunit" "$out/$1-kunit.ktap" --name "$1-tests" "$out/$1-tests.ktap")
}

initrd=$PRIVMEM_BUILD/initramfs-x86_64.cpio.gz
if [ $((x86 + dbg)) -gt 0 ] &&
	step initramfs-x86_64 "$PRIVMEM_REPO/harness/initramfs.sh" "$initrd" x86_64; then
	boots=() pids=()
	if [ $x86 = 1 ]; then
		msg "boot-x86_64"
		PRIVMEM_INITRD=$initrd "$PRIVMEM_REPO/harness/boot.sh" test \
			"$out/console.log" 2> "$out/boot-x86_64.err" &
		boots+=(x86_64) pids+=($!)
	fi
	if [ $dbg = 1 ]; then
		msg "boot-x86_64-debug"
		PRIVMEM_INITRD=$initrd PRIVMEM_VARIANT=x86_64-debug \
			"$PRIVMEM_REPO/harness/boot.sh" test "$out/console-debug.log" \
			panic_on_warn=1 privmem.tests=privmem 'kunit.filter=speed>slow' \
			2> "$out/boot-x86_64-debug.err" &
		boots+=(x86_64-debug) pids+=($!)
	fi
	for i in "${!pids[@]}"; do
		rc=0
		wait "${pids[i]}" || rc=$?
		cat "$out/boot-${boots[i]}.err" >&2
		args+=(--step "boot-${boots[i]}" "$rc")
	done
	[ $x86 = 1 ] && split guest "$out/console.log"
	[ $dbg = 1 ] && split debug "$out/console-debug.log"
fi

# arm64 with kvm-arm.mode=protected, alone (its QEMU runs a TCG thread per
# vCPU): the kernel must say pKVM is up ("Protected nVHE mode initialized
# successfully"), or KVM fell back to plain nVHE and nothing after it
# tests pKVM.
if [ $arm = 1 ]; then
	msg "boot-arm64"
	PRIVMEM_VARIANT=arm64 "$PRIVMEM_REPO/harness/boot.sh" test "$out/console-arm64.log"
	args+=(--step boot-arm64 $?)
	grep -Eq 'Protected [hn]VHE mode initialized successfully' "$out/console-arm64.log"
	args+=(--step pkvm-initialised $?)
	split arm64 "$out/console-arm64.log"
fi
flock -u 9

echo
python3 "$PRIVMEM_REPO/harness/ktap.py" "${args[@]}"
