#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh OUT [ARCH]: build a test guest's initramfs.
#   x86_64 (default): busybox-static, harness/guest/, and any guest test
#                     binaries under $PRIVMEM_BUILD/guest-tests;
#   arm64:            harness/guest/arm64/init.c, cross-built static
#                     against the work tree's arm64 uapi headers, and the
#                     test binaries under $PRIVMEM_BUILD/guest-tests-arm64.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
arch=${2:-x86_64}
g=$PRIVMEM_REPO/harness/guest
root=$PRIVMEM_CACHE/initramfs-$arch
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/privmem,tests}
case $arch in
x86_64)
	bb=/bin/busybox
	file "$bb" 2>/dev/null | grep -q static || bb=$(command -v busybox)
	cp "$bb" "$root/bin/busybox"
	cp "$g/init" "$root/init"
	cp "$g/run-tests" "$g/demo" "$root/lib/privmem/"
	cp "$g"/tests/* "$root/tests/"
	if [ -d "$PRIVMEM_BUILD/guest-tests" ]; then
		cp "$PRIVMEM_BUILD"/guest-tests/* "$root/tests/" 2>/dev/null || true
	fi
	;;
arm64)
	hdr=$PRIVMEM_BUILD/uapi-headers-arm64
	make -s -C "$PRIVMEM_TREE" O="$PRIVMEM_BUILD/uapi-obj-arm64" ARCH=arm64 \
		INSTALL_HDR_PATH="$hdr" headers_install >/dev/null
	aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -isystem "$hdr/include" \
		-o "$root/init" "$g/arm64/init.c"
	if [ -d "$PRIVMEM_BUILD/guest-tests-arm64" ]; then
		cp "$PRIVMEM_BUILD"/guest-tests-arm64/* "$root/tests/" 2>/dev/null || true
	fi
	;;
*)	die "no initramfs for $arch" ;;
esac
(cd "$root" && find . | sort | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
