#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz [FUZZ_SECONDS=3600]: run the core's libFuzzer target for that
# long (default one hour), starting from the seed corpus in the repository
# (tools/testing/privmem/corpus/) and from what earlier runs found (kept in
# the build tree), and print the executions, their rate and the corpus.
# A crash or a sanitizer report fails it and leaves the input in the build
# tree (tools/testing/privmem/crash-*).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${1:-3600}
exec 9>/tmp/privmem-build.lock
flock 9
"$PRIVMEM_REPO/harness/deps.sh"
"$PRIVMEM_REPO/harness/assemble.sh"
ut=$PRIVMEM_TREE/tools/testing/privmem
log=$PRIVMEM_CACHE/fuzz-long.log
msg "fuzzing for $secs s (log: $log)"
rc=0
make -s -C "$ut" fuzz FUZZ_SECONDS="$secs" > "$log" 2>&1 || rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
echo "fuzz: ${runs:-?} executions in $secs s (${rate:-?}/s), corpus $(ls "$ut/fuzz-corpus" | wc -l) inputs + $(ls "$ut/corpus" 2>/dev/null | wc -l) seeds"
[ "$rc" -eq 0 ] || { tail -n 30 "$log" >&2; exit "$rc"; }
