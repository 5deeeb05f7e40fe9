#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""map-svg.py [TITLE] < LINES > MAP.svg: draw a privmem range map.

Reads "privmem-map START END ATTR GRAN" lines (hexadecimal GPAs, as
privmem_demo prints them after its report; other lines are ignored) and
writes an SVG of the guest-physical span: one row per ROW_BYTES of GPA,
each range coloured by its state (shared, private 4K, private 2M), with a
legend and the number of ranges of each kind.
"""
import re
import sys
from xml.sax.saxutils import escape

ROW_BYTES = 64 << 20        # GPA per row
WIDTH = 1024                # pixels per row
ROW_H, GAP, LEFT, TOP = 18, 6, 110, 40
COLOURS = {
    ("shared", "4K"): "#d9d9d9",
    ("private", "4K"): "#f0a030",
    ("private", "2M"): "#c0392b",
}
NAMES = {
    ("shared", "4K"): "shared",
    ("private", "4K"): "private 4K",
    ("private", "2M"): "private 2M",
}


def main():
    title = sys.argv[1] if len(sys.argv) > 1 else "privmem range map"
    pat = re.compile(r"privmem-map (0x[0-9a-f]+) (0x[0-9a-f]+) (\w+) (\w+)")
    ranges = []
    for line in sys.stdin:
        m = pat.search(line)
        if m:
            ranges.append((int(m[1], 16), int(m[2], 16), m[3], m[4]))
    if not ranges:
        sys.exit("map-svg.py: no privmem-map lines")
    ranges.sort()
    base, end = ranges[0][0], ranges[-1][1]
    rows = max(1, -(-(end - base) // ROW_BYTES))
    height = TOP + rows * (ROW_H + GAP) + 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + 20}" '
           f'height="{height}" font-family="monospace" font-size="12">',
           f'<text x="10" y="22" font-size="14">{escape(title)}: {len(ranges)} '
           f'ranges, GPA {base:#x}-{end:#x}</text>']
    scale = WIDTH / ROW_BYTES
    for r in range(rows):
        y = TOP + r * (ROW_H + GAP)
        out.append(f'<text x="10" y="{y + 13}">{base + r * ROW_BYTES:#011x}</text>')
        out.append(f'<rect x="{LEFT}" y="{y}" width="{WIDTH}" height="{ROW_H}" '
                   'fill="none" stroke="#888" stroke-width="0.5"/>')
    count = {}
    for start, stop, attr, gran in ranges:
        key = (attr, gran if attr == "private" else "4K")
        count[key] = count.get(key, 0) + 1
        colour = COLOURS.get(key, "#000000")
        # A range may span rows: draw one piece per row.
        pos = start
        while pos < stop:
            row = (pos - base) // ROW_BYTES
            row_end = base + (row + 1) * ROW_BYTES
            piece = min(stop, row_end)
            x = LEFT + (pos - base - row * ROW_BYTES) * scale
            w = max((piece - pos) * scale, 0.5)
            y = TOP + row * (ROW_H + GAP)
            out.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" '
                       f'height="{ROW_H}" fill="{colour}"/>')
            pos = piece
    y = TOP + rows * (ROW_H + GAP) + 20
    x = LEFT
    for key, colour in COLOURS.items():
        out.append(f'<rect x="{x}" y="{y - 11}" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{x + 20}" y="{y}">{NAMES[key]}: {count.get(key, 0)} '
                   'ranges</text>')
        x += 230
    out.append(f'<text x="10" y="{y + 22}">one row = {ROW_BYTES >> 20} MiB of '
               'guest-physical address space</text>')
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
