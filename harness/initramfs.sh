#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh OUT: build the test guest's initramfs (busybox-static,
# harness/guest/, and any guest test binaries under $PRIVMEM_BUILD/guest-tests).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
bb=/bin/busybox
file "$bb" 2>/dev/null | grep -q static || bb=$(command -v busybox)
root=$PRIVMEM_CACHE/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/privmem,tests}
cp "$bb" "$root/bin/busybox"
g=$PRIVMEM_REPO/harness/guest
cp "$g/init" "$root/init"
cp "$g/run-tests" "$g/demo" "$root/lib/privmem/"
cp "$g"/tests/* "$root/tests/"
if [ -d "$PRIVMEM_BUILD/guest-tests" ]; then
	cp "$PRIVMEM_BUILD"/guest-tests/* "$root/tests/" 2>/dev/null || true
fi
(cd "$root" && find . | sort | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
