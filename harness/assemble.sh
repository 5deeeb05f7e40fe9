#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the work tree: pristine tree + patches/ + overlay files.
#
# Idempotent and incremental: a file in the work tree is rewritten only
# when its content changes, so running this twice changes nothing and
# editing one overlay file rebuilds only what depends on it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$PRIVMEM_REPO/harness/fetch-kernel.sh"

if [ ! -f "$PRIVMEM_TREE/.privmem-tree" ]; then
	msg "creating work tree $PRIVMEM_TREE"
	rm -rf "$PRIVMEM_TREE"
	cp -a "$PRIVMEM_PRISTINE" "$PRIVMEM_TREE.tmp"
	rm -f "$PRIVMEM_TREE.tmp/.privmem-pristine"
	touch "$PRIVMEM_TREE.tmp/.privmem-tree"
	mv "$PRIVMEM_TREE.tmp" "$PRIVMEM_TREE"
fi

stage=$PRIVMEM_CACHE/stage
rm -rf "$stage"
mkdir -p "$stage"

# Files touched by the patch series, at their patched state.
shopt -s nullglob
patches=("$PRIVMEM_REPO"/patches/*.patch)
for p in "${patches[@]}"; do
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p; s|^--- a/\([^[:space:]]*\).*|\1|p' "$p"
done | sort -u > "$stage/.patched"
while read -r f; do
	if [ -f "$PRIVMEM_PRISTINE/$f" ]; then
		mkdir -p "$stage/$(dirname "$f")"
		cp -p "$PRIVMEM_PRISTINE/$f" "$stage/$f"
	fi
done < "$stage/.patched"
for p in "${patches[@]}"; do
	if ! out=$(patch -d "$stage" -p1 -s -N -r - --no-backup-if-mismatch < "$p" 2>&1); then
		printf '%s\n' "$out" >&2
		die "patch does not apply: patches/$(basename "$p")"
	fi
done

# Overlay files.  Repo paths are kernel-tree paths, except the KUnit
# suites: tests/kunit/ is virt/privmem/tests/ in the tree.
for d in arch block drivers include lib mm virt Documentation tools; do
	[ -d "$PRIVMEM_REPO/$d" ] && cp -a "$PRIVMEM_REPO/$d" "$stage/"
done
if [ -d "$PRIVMEM_REPO/tests/kunit" ]; then
	mkdir -p "$stage/virt/privmem/tests"
	cp -a "$PRIVMEM_REPO/tests/kunit/." "$stage/virt/privmem/tests/"
fi
rm -f "$stage/.patched.list"
(cd "$stage" && find . -type f ! -name .patched | sed 's|^\./||' | sort) > "$stage/.managed"

# Files we managed last time but no longer do go back to pristine
# (or away, if the pristine tree does not have them).
old=$PRIVMEM_TREE/.privmem-managed
if [ -f "$old" ]; then
	comm -23 "$old" "$stage/.managed" | while read -r f; do
		if [ -f "$PRIVMEM_PRISTINE/$f" ]; then
			cmp -s "$PRIVMEM_PRISTINE/$f" "$PRIVMEM_TREE/$f" ||
				cp "$PRIVMEM_PRISTINE/$f" "$PRIVMEM_TREE/$f"
		else
			rm -f "$PRIVMEM_TREE/$f"
		fi
	done
fi

# Copy what changed, by content; unchanged files keep their timestamps.
rsync -r --checksum --exclude=.managed --exclude=.patched "$stage/" "$PRIVMEM_TREE/"
mv "$stage/.managed" "$old"
rm -rf "$stage"
