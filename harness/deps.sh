#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the harness needs, only those missing,
# non-interactively.  All come from the machine's own Debian release.
set -euo pipefail

pkgs=(make gcc flex bison bc libelf-dev libssl-dev dwarves cpio ccache
      rsync xz-utils file python3 perl kmod patch busybox-static
      qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      sparse coccinelle clang libclang-rt-14-dev liburcu-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "==> installing ${missing[*]}" >&2
[ "$(id -u)" -eq 0 ] && sudo= || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
