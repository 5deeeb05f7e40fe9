#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-uml.sh LOG: run the privmem KUnit suites on UML (no KVM) with
# kunit.py and the .kunitconfig next to the code, writing the KTAP
# output to LOG.  Extra arguments go to kunit.py (e.g. --filter_glob).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=$1
shift
mkdir -p "$PRIVMEM_BUILD"
cd "$PRIVMEM_TREE"
rc=0
python3 tools/testing/kunit/kunit.py run --kunitconfig=virt/privmem \
	--build_dir="$PRIVMEM_BUILD/kunit" --jobs="$PRIVMEM_JOBS" \
	--make_options CC="ccache gcc" --timeout "${PRIVMEM_KUNIT_TIMEOUT:-600}" \
	--raw_output=kunit "$@" > "$log" 2> "$log.err" || rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 30 "$log.err" >&2
	grep -E 'error:' "$PRIVMEM_BUILD/kunit/"*.log 2>/dev/null | head -n 20 >&2 || true
fi
exit "$rc"
