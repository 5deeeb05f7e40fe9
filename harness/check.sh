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
	'include/*privmem*' 'arch/*privmem*' 'tools/testing/privmem/*.[ch]' \
	'tools/testing/selftests/kvm/*privmem*.[ch]' 'harness/guest/*.c' | sort)
mapfile -t kfiles < <(printf '%s\n' "${files[@]}" | grep -Ev '^(tools|harness)/')
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

# sparse and W=1: rebuild the privmem objects of the x86_64 and arm64
# kernels.  The
# build directory is shared with make test and make run: hold the build
# lock from here on.
exec 9>/tmp/privmem-build.lock
flock 9
"$PRIVMEM_REPO/harness/build-kernel.sh" x86_64 >/dev/null 2>&1 ||
	echo "x86_64 build failed" >> "$tmp/build"
report build "$tmp/build"
out=$PRIVMEM_BUILD/x86_64
dirs=(virt/privmem/)
# The SEV-SNP and TDX adapters sit in svm/ and vmx/, which kbuild builds
# as part of arch/x86/kvm/.
if compgen -G "$PRIVMEM_TREE/arch/x86/kvm/*/privmem*" >/dev/null; then
	dirs+=(arch/x86/kvm/)
fi
# Debian's sparse (0.6.4) predates __typeof_unqual__, and without it the
# kernel's own probe (scripts/checker-valid.sh) turns sparse off with only
# a make warning: CF maps it to __typeof__, and a run in which sparse
# still did not start is a finding.  0.6.4 also cannot evaluate the
# modinfo section attributes of MODULE_*() and module_param*(): "bad
# constant expression" on such a line is dropped, nothing else is.
cf=-D__typeof_unqual__=__typeof__
sparse_filter() {
	local line f l src
	while IFS= read -r line; do
		case $line in
		*"sparse is not available"*)
			echo "sparse did not run: $line"; continue ;;
		*warning*|*error*) ;;
		*) continue ;;
		esac
		f=${line%%:*}
		# Only privmem's files (the tree's path has "privmem" in it).
		[[ ${f#"$PRIVMEM_TREE"/} =~ (^virt/privmem/|/privmem[^/]*$) ]] || continue
		l=${line#*:}
		l=${l%%:*}
		src=$(sed -n "${l}p" "$f" 2>/dev/null)
		if [[ $line == *"bad constant expression"* ]] &&
		   [[ $src =~ ^(MODULE_|module_param) ]]; then
			continue
		fi
		echo "$line"
	done
}
make -s -C "$PRIVMEM_TREE" O="$out" ARCH=x86_64 \
	CC="ccache gcc" -j"$PRIVMEM_JOBS" C=2 CF="$cf" W=1 "${dirs[@]}" 2>&1 |
	sparse_filter > "$tmp/sparse"
# The same for arm64: the pKVM adapter and the core, cross-built.
"$PRIVMEM_REPO/harness/build-kernel.sh" arm64 >/dev/null 2>&1 ||
	echo "arm64 build failed" >> "$tmp/sparse"
make -s -C "$PRIVMEM_TREE" O="$PRIVMEM_BUILD/arm64" ARCH=arm64 \
	CROSS_COMPILE=aarch64-linux-gnu- CC="ccache aarch64-linux-gnu-gcc" \
	-j"$PRIVMEM_JOBS" C=2 CF="$cf" W=1 virt/privmem/ \
	arch/arm64/kvm/privmem-pkvm.o arch/arm64/kvm/privmem-pkvm-test.o 2>&1 |
	sparse_filter >> "$tmp/sparse"
report "sparse/W=1" "$tmp/sparse"

if command -v spatch >/dev/null; then
	make -s -C "$PRIVMEM_TREE" O="$out" ARCH=x86_64 coccicheck MODE=report \
		M=virt/privmem J="$PRIVMEM_JOBS" 2>/dev/null |
		grep -E '^[^ ]*privmem[^ ]*:[0-9]+' > "$tmp/cocci"
	report coccicheck "$tmp/cocci"
fi

echo "check: $findings findings"
[ "$findings" -eq 0 ]
