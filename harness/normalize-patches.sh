#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# normalize-patches.sh [PATCH...]: rewrite the series in patches/ as
# 'git format-patch' output (diffstat, index lines, Signed-off-by), so
# that checkpatch and 'git am' read it as a real submission.  Each patch
# keeps its file name, subject and body; they are applied in order onto
# the pristine tree.  With arguments, only those files are rewritten
# (the whole series is still applied, to get their context right).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$PRIVMEM_REPO/harness/fetch-kernel.sh"
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
mapfile -t series < <(ls "$PRIVMEM_REPO"/patches/*.patch)
author="privmem developers <privmem@localhost>"

cd "$repo"
git init -q
export GIT_AUTHOR_DATE="2026-11-25T00:00:00Z" GIT_COMMITTER_DATE="2026-11-25T00:00:00Z"
git config user.name "privmem developers"
git config user.email privmem@localhost
for p in "${series[@]}"; do
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p; s|^--- a/\([^[:space:]]*\).*|\1|p' "$p"
done | sort -u | while read -r f; do
	[ -f "$PRIVMEM_PRISTINE/$f" ] || continue
	mkdir -p "$(dirname "$f")"
	cp "$PRIVMEM_PRISTINE/$f" "$f"
done
git add -A
git commit -qm base --allow-empty
base=$(git rev-parse HEAD)

for p in "${series[@]}"; do
	# A long subject is folded onto continuation lines: unfold it.
	subject=$(awk '/^Subject:/ { sub(/^Subject: *(\[PATCH[^]]*\] *)?/, "")
				 line = $0; s = 1; next }
		       s && /^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next }
		       s { print line; exit }' "$p")
	[ -n "$subject" ] || die "$(basename "$p"): no Subject line"
	# The body: after the header block, up to the diffstat or the diff.
	body=$(awk 'h && /^(---$|diff --git|Index:|--- a\/)/ {exit}
		    h {print}
		    !h && /^$/ {h = 1}' "$p" | grep -v '^Signed-off-by:' |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
	patch -p1 -s -N --no-backup-if-mismatch < "$p" ||
		die "patch does not apply: patches/$(basename "$p")"
	git add -A
	printf '%s\n\n%s\n\nSigned-off-by: %s\n' "$subject" "$body" "$author" |
		git commit -q --author="$author" -F -
done

out=$(mktemp -d)
git format-patch -q -N -o "$out" --no-signature --zero-commit "$base"
i=0
for p in "${series[@]}"; do
	i=$((i + 1))
	new=$(ls "$out" | sed -n "${i}p")
	if [ $# -eq 0 ] || for a in "$@"; do basename "$a"; done | grep -qxF "$(basename "$p")"; then
		cp "$out/$new" "$p"
	fi
done
rm -rf "$out"
