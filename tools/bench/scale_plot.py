#!/usr/bin/env python3
"""tools/bench/scale_plot.py CSV SVG: the scale curve of tools/bench/run.sh (part 8) as an SVG plot.

CSV: the header "scale,points,roads,wall,cpu,rss,<step>,<step>..." and one row per scale (run.sh writes it).
The plot is log-log: seconds (CPU of the whole run and each step's own seconds) against demand points, with a
dashed n log n line through the whole run's CPU at the smallest scale, so a step that grows faster than n log n
rises above its parallel. Standard library only (no plotting package is needed on the bench machine)."""
import csv
import math
import sys

W, H = 860, 520
LEFT, RIGHT, TOP, BOTTOM = 70, 320, 30, 60
COLOURS = ["#000000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: scale_plot.py CSV SVG")
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if len(rows) < 2:
        sys.exit("scale_plot.py: at least two scales are needed")
    rows.sort(key=lambda r: float(r["points"]))
    pts = [float(r["points"]) for r in rows]
    steps = [k for k in rows[0] if k not in ("scale", "points", "roads", "wall", "rss")]
    series = []
    for k in steps:
        ys = [float(r[k]) if r[k] not in ("", None) else None for r in rows]
        if all(y is not None and y > 0 for y in ys):
            series.append(("whole run, CPU s" if k == "cpu" else k, ys))
    # n log n through the whole run's CPU at the smallest scale
    cpu0 = float(rows[0]["cpu"])
    ref = [cpu0 * (n * math.log(n)) / (pts[0] * math.log(pts[0])) for n in pts]
    allv = [y for _, ys in series for y in ys] + ref
    x0, x1 = math.log10(min(pts)), math.log10(max(pts))
    y0, y1 = math.floor(math.log10(min(allv))), math.ceil(math.log10(max(allv)))
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(n):
        return LEFT + (math.log10(n) - x0) / (x1 - x0) * pw

    def py(v):
        return TOP + ph - (math.log10(v) - y0) / (y1 - y0) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" '
           f'font-size="12"><rect width="{W}" height="{H}" fill="white"/>']
    for e in range(y0, y1 + 1):  # horizontal grid at each power of ten
        y = py(10 ** e)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for n, r in zip(pts, rows):  # vertical grid at each scale
        x = px(n)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ph}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + ph + 16}" text-anchor="middle">{n / 1e6:.2f} M</text>')
        out.append(f'<text x="{x:.1f}" y="{TOP + ph + 30}" text-anchor="middle" fill="#666">scale {esc(r["scale"])}</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 8}" text-anchor="middle">demand points (log)</text>')
    out.append(f'<text x="16" y="{TOP + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {TOP + ph / 2})">seconds (log)</text>')
    legend = [("n log n (through the CPU at the smallest scale)", ref, "#999", "6 4")]
    legend += [(name, ys, COLOURS[i % len(COLOURS)], None) for i, (name, ys) in enumerate(series)]
    for i, (name, ys, colour, dash) in enumerate(legend):
        d = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in zip(pts, ys))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"{extra}/>')
        if not dash:
            for n, v in zip(pts, ys):
                out.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="3" fill="{colour}"/>')
        ly = TOP + 10 + 18 * i
        out.append(f'<line x1="{W - RIGHT + 14}" y1="{ly}" x2="{W - RIGHT + 38}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2"{extra}/>')
        out.append(f'<text x="{W - RIGHT + 44}" y="{ly + 4}" font-size="11">{esc(name)}</text>')
    out.append("</svg>")
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
