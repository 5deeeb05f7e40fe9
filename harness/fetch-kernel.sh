#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Download the pinned Debian linux-source package, verify it against the
# SHA-256 pinned in harness/lib.sh and unpack the pristine tree into the
# cache.  The mirror is the one this machine's apt already uses; no host
# name is written anywhere in the repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

stamp=$PRIVMEM_PRISTINE/.privmem-pristine
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PRIVMEM_KTAR_SHA256" ]; then
	exit 0
fi

dl=$PRIVMEM_CACHE/download
mkdir -p "$dl"
deb=$dl/${PRIVMEM_KPKG}_${PRIVMEM_KVER//:/%3a}_all.deb

# The first Debian archive URI in the machine's apt sources (deb822 or
# one-line format), excluding the security archive.
mirror_uri() {
	{
		grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
			sed 's/^URIs:[[:space:]]*//' | tr ' ' '\n'
		grep -hs '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
			sed 's/\[[^]]*\]//' | awk '{print $2}'
	} | grep -E '/debian/?$' | grep -v security | head -n 1
}

if [ ! -f "$deb" ] || ! echo "$PRIVMEM_KDEB_SHA256  $deb" | sha256sum -c --status; then
	uri=$(mirror_uri) || true
	[ -n "$uri" ] || die "cannot find a Debian mirror in the apt sources; set PRIVMEM_CACHE to a cache holding $(basename "$deb")"
	apt=$dl/apt
	mkdir -p "$apt/lists/partial" "$apt/archives/partial"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" "$PRIVMEM_KSUITE" > "$apt/privmem.sources"
	aptopts=(-o "Dir::Etc::SourceList=/dev/null"
		 -o "Dir::Etc::SourceParts=$apt/sources.d"
		 -o "Dir::State::Lists=$apt/lists"
		 -o "Dir::Cache::Archives=$apt/archives"
		 -o "APT::Get::List-Cleanup=0" -q)
	mkdir -p "$apt/sources.d"
	cp "$apt/privmem.sources" "$apt/sources.d/"
	msg "fetching $PRIVMEM_KPKG=$PRIVMEM_KVER from $PRIVMEM_KSUITE"
	if ! apt-get "${aptopts[@]}" update >"$apt/log" 2>&1 ||
	   ! (cd "$dl" && apt-get "${aptopts[@]}" download "$PRIVMEM_KPKG=$PRIVMEM_KVER" >>"$apt/log" 2>&1); then
		die "cannot download $PRIVMEM_KPKG $PRIVMEM_KVER (log: $apt/log); set PRIVMEM_KVER with PRIVMEM_KDEB_SHA256 and PRIVMEM_KTAR_SHA256 to use another version"
	fi
	echo "$PRIVMEM_KDEB_SHA256  $deb" | sha256sum -c --status ||
		die "$(basename "$deb") does not match the pinned SHA-256 $PRIVMEM_KDEB_SHA256"
fi

msg "unpacking $(basename "$deb")"
x=$dl/x
rm -rf "$x" && mkdir -p "$x"
dpkg -x "$deb" "$x"
tar=$(ls "$x"/usr/src/linux-source-*.tar.xz)
echo "$PRIVMEM_KTAR_SHA256  $tar" | sha256sum -c --status ||
	die "$tar does not match the pinned SHA-256 $PRIVMEM_KTAR_SHA256"
rm -rf "$PRIVMEM_PRISTINE" "$PRIVMEM_PRISTINE.tmp"
mkdir -p "$PRIVMEM_PRISTINE.tmp"
tar -xJf "$tar" -C "$PRIVMEM_PRISTINE.tmp" --strip-components=1
rm -rf "$x"
echo "$PRIVMEM_KTAR_SHA256" > "$PRIVMEM_PRISTINE.tmp/.privmem-pristine"
mv "$PRIVMEM_PRISTINE.tmp" "$PRIVMEM_PRISTINE"
msg "pristine tree ready in $PRIVMEM_PRISTINE"
