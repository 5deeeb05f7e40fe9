#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: checkpatch --strict on every privmem file and patch, sparse
# (C=2) and W=1 on the privmem objects, coccicheck on virt/privmem and
# kernel-doc on the privmem headers and sources.  Any finding fails.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$PRIVMEM_REPO"
mapfile -t files < <(git ls-files 'virt/privmem/*.[ch]' 'tests/kunit/*.[ch]' \
	'include/*privmem*' 'arch/*privmem*' 'tools/testing/privmem/*.[ch]' | sort)
mapfile -t kfiles < <(printf '%s\n' "${files[@]}" | grep -v '^tools/')
mapfile -t patches < <(git ls-files 'patches/*.patch')
findings=0
report() {	# report TOOL FILE-WITH-FINDINGS
	if [ -s "$2" ]; then
		echo "---- $1"
		cat "$2"
		findings=$((findings + $(grep -c . "$2")))
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# checkpatch is run from outside any git repository and reads stdin: in
# a repository it takes a tracked .patch for a file to check.
# EMBEDDED_FILENAME is ignored: the top-level Kconfig's job is to source
# other Kconfig files by name.
cp="$PRIVMEM_TREE/scripts/checkpatch.pl --strict --no-tree --quiet --show-types"
for f in "${files[@]}"; do
	(cd "$tmp" && $cp --ignore FILE_PATH_CHANGES -f "$PRIVMEM_REPO/$f" 2>&1) |
		grep -E '^(ERROR|WARNING|CHECK)' | sed "s|^|$f: |"
done > "$tmp/checkpatch"
for p in "${patches[@]}"; do
	(cd "$tmp" && $cp --ignore EMBEDDED_FILENAME - < "$PRIVMEM_REPO/$p" 2>&1) |
		grep -E '^(ERROR|WARNING|CHECK)' | sed "s|^|$p: |"
done >> "$tmp/checkpatch"
report checkpatch "$tmp/checkpatch"

kd=$PRIVMEM_TREE/scripts/kernel-doc
[ -x "$kd" ] || kd="$PRIVMEM_TREE/scripts/kernel-doc.py"
for f in "${kfiles[@]}"; do
	"$kd" -none -Wall "$PRIVMEM_TREE/$(echo "$f" | sed 's|^tests/kunit/|virt/privmem/tests/|')" 2>&1
done | grep -v '^$' > "$tmp/kerneldoc"
report kernel-doc "$tmp/kerneldoc"

# sparse and W=1: rebuild the privmem objects of the x86_64 kernel.  The
# build directory is shared with make test and make run: hold the build
# lock from here on.
exec 9>/tmp/privmem-build.lock
flock 9
"$PRIVMEM_REPO/harness/build-kernel.sh" x86_64 >/dev/null 2>&1 ||
	echo "x86_64 build failed" >> "$tmp/build"
report build "$tmp/build"
out=$PRIVMEM_BUILD/x86_64
dirs=(virt/privmem/)
for d in arch/x86/kvm; do
	ls "$PRIVMEM_TREE/$d"/privmem* >/dev/null 2>&1 && dirs+=("$d/")
done
make -s -C "$PRIVMEM_TREE" O="$out" ARCH=x86_64 \
	CC="ccache gcc" -j"$PRIVMEM_JOBS" C=2 W=1 "${dirs[@]}" 2>&1 |
	grep -E 'privmem' | grep -E 'warning|error' > "$tmp/sparse"
report "sparse/W=1" "$tmp/sparse"

if command -v spatch >/dev/null; then
	make -s -C "$PRIVMEM_TREE" O="$out" ARCH=x86_64 coccicheck MODE=report \
		M=virt/privmem J="$PRIVMEM_JOBS" 2>/dev/null |
		grep -E '^[^ ]*privmem[^ ]*:[0-9]+' > "$tmp/cocci"
	report coccicheck "$tmp/cocci"
fi

echo "check: $findings findings"
[ "$findings" -eq 0 ]
