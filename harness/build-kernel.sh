#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh ARCH: configure (tinyconfig + harness/configs/ARCH.config)
# and build the privmem kernel for ARCH (x86_64 or arm64) out of tree,
# with ccache.  The configuration is redone only when the fragment or the
# Kconfig files change; every "=y" line of the fragment must survive
# olddefconfig, or the build stops naming the lines that did not.
# PRIVMEM_CONFIG_ONLY=1 stops after configuring.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# A variant "ARCH-NAME" (x86_64-debug) is ARCH's fragment plus its own;
# a symbol the variant sets (or unsets) is dropped from ARCH's.
variant=${1:-x86_64}
arch=${variant%%-*}
frag=$PRIVMEM_REPO/harness/configs/$variant.config
[ -f "$frag" ] || die "no config fragment for $variant"
out=$PRIVMEM_BUILD/$variant
mkdir -p "$out"
if [ "$variant" != "$arch" ]; then
	own=$(grep -oE 'CONFIG_[A-Z0-9_]+' "$frag" | sort -u | sed 's/.*/^(# )?&[= ]/')
	{ grep -vE -f <(echo "${own:-^\$}") "$PRIVMEM_REPO/harness/configs/$arch.config" || true
	  cat "$frag"; } > "$out/fragment.config"
	frag=$out/fragment.config
fi

case $arch in
x86_64)	cross= image=bzImage ;;
arm64)	cross=aarch64-linux-gnu- image=Image ;;
*)	die "unknown arch $arch" ;;
esac
kmake=(ARCH="$arch" CROSS_COMPILE="$cross" CC="ccache ${cross}gcc"
       -C "$PRIVMEM_TREE" O="$out" -j"$PRIVMEM_JOBS")
[ -n "${PRIVMEM_MAKE_OPTS:-}" ] && read -ra extra <<< "$PRIVMEM_MAKE_OPTS" && kmake+=("${extra[@]}")

sum=$( (cat "$frag"; cat "$PRIVMEM_TREE/virt/privmem/Kconfig" 2>/dev/null) | sha256sum | cut -d' ' -f1)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.privmem-config" 2>/dev/null)" != "$sum" ]; then
	msg "configuring $variant"
	make -s "${kmake[@]}" tinyconfig >/dev/null
	"$PRIVMEM_TREE/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >/dev/null
	make -s "${kmake[@]}" olddefconfig >/dev/null
	missing=$(grep -E '^CONFIG_[A-Z0-9_]+=y' "$frag" | while read -r l; do
		grep -qx "$l" "$out/.config" || echo "${l%=y}"; done)
	[ -z "$missing" ] || die "$variant config: not set after olddefconfig: $(echo $missing)"
	echo "$sum" > "$out/.privmem-config"
fi

[ -z "${PRIVMEM_CONFIG_ONLY:-}" ] || exit 0

msg "building $variant $image"
make "${kmake[@]}" "${@:2}" "$image" >"$out/build.log" 2>&1 || {
	grep -E 'error|Error' "$out/build.log" | head -n 30 >&2
	die "$variant build failed (log: $out/build.log)"
}
grep -E ': warning:' "$out/build.log" >&2 || true
