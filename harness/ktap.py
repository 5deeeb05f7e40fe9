#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count KTAP/TAP results in console logs and print one summary line.

Usage: ktap.py [--name NAME FILE]... [--step NAME STATUS]...

Each --name NAME FILE reads a log (a QEMU console, kunit.py raw output,
a userspace harness) and counts its leaf test cases.  A log with no
result at all, with fewer results than its plan promised, or with a
kernel panic/oops in it counts as one failure, so a guest that hangs or
crashes can never look green.  --step NAME STATUS records one result
for a step that has no KTAP output (a build, for instance); STATUS is
0 for pass and anything else for failure.

The last line printed is "N passed, N failed, N skipped"; the exit
status is non-zero when anything failed.
"""
import re
import sys

RESULT = re.compile(r'^(\s*)(ok|not ok)\s+(\d+)\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)\s*$')
PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')
CRASH = re.compile(r'Kernel panic|BUG: |Oops: |WARNING: CPU: |general protection fault|'
                   r'KASAN: |UBSAN: |kernel BUG at|Call Trace:')


def parse(path):
    """Return (passed, failed, skipped, problems) for one log."""
    try:
        with open(path, errors='replace') as f:
            lines = [PREFIX.sub('', l.rstrip('\r\n')) for l in f]
    except OSError as e:
        return 0, 0, 0, ['cannot read %s: %s' % (path, e)]

    passed = failed = skipped = 0
    problems = []
    plans = {}      # indent -> (planned, seen)
    last_indent = None
    for line in lines:
        if CRASH.search(line):
            problems.append('crash: ' + line.strip())
        m = PLAN.match(line)
        if m:
            ind = len(m.group(1))
            prev = plans.get(ind)
            if prev and prev[1] != prev[0]:
                problems.append('plan of %d at depth %d, saw %d' % (prev[0], ind, prev[1]))
            plans[ind] = (int(m.group(2)), 0)
            # A new plan at this depth resets all deeper ones.
            for k in [k for k in plans if k > ind]:
                del plans[k]
            continue
        m = RESULT.match(line)
        if not m:
            continue
        ind = len(m.group(1))
        if ind in plans:
            planned, seen = plans[ind]
            plans[ind] = (planned, seen + 1)
        for k in [k for k in plans if k > ind]:
            planned, seen = plans.pop(k)
            if seen != planned:
                problems.append('%s: planned %d subtests, saw %d' % (m.group(4), planned, seen))
        is_parent = last_indent is not None and last_indent > ind
        last_indent = ind
        if is_parent:
            # A parent that failed with no failing child (a suite whose
            # init failed, say) is still a failure.
            continue
        directive = (m.group(5) or '').upper()
        if directive.startswith('SKIP'):
            skipped += 1
        elif m.group(2) == 'ok':
            passed += 1
        else:
            failed += 1
            print('FAIL: %s: %s' % (path, line.strip()))
    for ind, (planned, seen) in plans.items():
        if seen != planned:
            problems.append('planned %d tests at depth %d, saw %d' % (planned, ind, seen))
    if passed + failed + skipped == 0:
        problems.append('no test results')
    return passed, failed, skipped, problems


def main(argv):
    total = [0, 0, 0]
    i = 0
    while i < len(argv):
        kind = argv[i]
        if kind == '--name' and i + 2 < len(argv) + 1:
            name, path = argv[i + 1], argv[i + 2]
            p, f, s, problems = parse(path)
            for prob in problems:
                print('FAIL: %s: %s' % (name, prob))
            f += 1 if problems else 0
            print('%s: %d passed, %d failed, %d skipped' % (name, p, f, s))
            total[0] += p
            total[1] += f
            total[2] += s
            i += 3
        elif kind == '--step':
            name, status = argv[i + 1], argv[i + 2]
            if status == '0':
                total[0] += 1
            else:
                total[1] += 1
                print('FAIL: step %s (status %s)' % (name, status))
            i += 3
        else:
            sys.exit('usage: ktap.py [--name NAME FILE]... [--step NAME STATUS]...')
    print('%d passed, %d failed, %d skipped' % tuple(total))
    return 1 if total[1] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
