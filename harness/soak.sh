#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make soak [N=20] [SOAK_TESTS=privmem] [SOAK_VARIANT=x86_64]: boot the
# guest tests N times on one kernel (KUnit off) and print, for every
# boot, its result line, then "soak: P/N boots passed".  A boot passes
# when the guest finished and its tests had no failure and no skip: the
# soak is there to catch what fails rarely, and a skip hides it.  The
# consoles of failed boots stay in $PRIVMEM_CACHE/soak/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

n=${1:-20}
tests=${SOAK_TESTS:-privmem}
variant=${SOAK_VARIANT:-x86_64}
dir=$PRIVMEM_CACHE/soak
rm -rf "$dir"
mkdir -p "$dir"

exec 9>/tmp/privmem-build.lock
flock 9
"$PRIVMEM_REPO/harness/deps.sh" || die "cannot install the build dependencies"
"$PRIVMEM_REPO/harness/assemble.sh" || die "cannot assemble the kernel tree"
"$PRIVMEM_REPO/harness/build-kernel.sh" "$variant" || die "kernel build failed"
"$PRIVMEM_REPO/harness/build-guest-tests.sh" || die "guest tests build failed"

pass=0
for i in $(seq 1 "$n"); do
	log=$dir/console-$i.log
	start=$(date +%s)
	PRIVMEM_VARIANT=$variant "$PRIVMEM_REPO/harness/boot.sh" test "$log" \
		kunit.enable=0 "privmem.tests=$tests" 2>"$dir/boot-$i.err"
	rc=$?
	sed -n '/privmem-guest: begin/,/privmem-guest: end/p' "$log" > "$dir/tests-$i.ktap"
	line=$(python3 "$PRIVMEM_REPO/harness/ktap.py" --name soak "$dir/tests-$i.ktap" \
		--step boot "$rc" 2>&1 | tail -n 1)
	if [ "$rc" -eq 0 ] && [[ $line == *" 0 failed, 0 skipped" ]]; then
		pass=$((pass + 1))
		rm -f "$log" "$dir/boot-$i.err"
	fi
	printf 'soak: boot %d/%d: %s (%ds)\n' "$i" "$n" "$line" $(($(date +%s) - start))
done
echo "soak: $pass/$n boots passed"
[ "$pass" -eq "$n" ]
