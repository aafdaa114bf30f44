"""Charts as inline SVG, drawn from numbers in Python: no script, no library from the network, no bitmap.

Each chart is a string ``<svg class="chart …" role="img">`` with a ``<title>``, sized by its ``viewBox``
so that it scales with the page and prints sharp. Every text in a chart is escaped here; callers pass
plain text. Numbers are drawn with the printed form the tables use (``fmt_points``), so a chart and
its table never disagree.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from perfeval.reporting.visible import visible

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
INK = "#222"
GRID = "#d9d9d9"
RED = "#c00000"
ORANGE = "#e69500"
BLUE = "#2f6fb0"
GREY = "#8c8c8c"
LIGHT = "#9dc3e6"


def esc(text: str) -> str:
    """Text from anywhere (an input file too) for HTML or SVG: control characters made visible, escaped."""
    return html.escape(visible(text), quote=True)


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(kind: str, width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart {kind}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(title)}" font-family="{FONT}" font-size="12">'
        f"<title>{esc(title)}</title>" + "".join(body) + "</svg>"
    )


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = max(high - low, 1e-9)
    raw = span / count
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**4, 10**5, 10**6) if s >= raw)
    first = int(low // step) * step
    out, t = [], float(first)
    while t <= high + 1e-9:
        if t >= low - 1e-9:
            out.append(t)
        t += step
    return out


# --- grouped bars ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    color: str
    values: Sequence[int]


def grouped_bars(title: str, categories: Sequence[str], series: Sequence[Series], *, kind: str) -> str:
    """Vertical bars, one group per category, one bar per series, the count on top of each bar."""
    width, height, left, bottom, top = 640, 300, 44, 44, 36
    plot_w, plot_h = width - left - 16, height - top - bottom
    most = max((v for s in series for v in s.values), default=0)
    ticks = _ticks(0, max(most, 1), 4)
    ceiling = max(ticks[-1], most, 1)
    body = [f'<text x="{left}" y="20" font-size="14" font-weight="bold" fill="{INK}">{esc(title)}</text>']
    for t in ticks:
        y = top + plot_h - plot_h * t / ceiling
        body.append(f'<line x1="{left}" x2="{width - 16}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="{GREY}">{_n(t)}</text>')
    group = plot_w / max(len(categories), 1)
    bar = min(40.0, group * 0.8 / max(len(series), 1))
    for i, cat in enumerate(categories):
        x0 = left + group * i + (group - bar * len(series)) / 2
        for k, s in enumerate(series):
            v = s.values[i]
            h = plot_h * v / ceiling
            x, y = x0 + bar * k, top + plot_h - h
            body.append(
                f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(bar - 2)}" height="{_n(h)}" fill="{s.color}">'
                f"<title>{esc(cat)} · {esc(s.name)}：{v} 个</title></rect>"
            )
            body.append(f'<text x="{_n(x + bar / 2 - 1)}" y="{_n(y - 4)}" text-anchor="middle" fill="{INK}">{v}</text>')
        body.append(
            f'<text x="{_n(left + group * i + group / 2)}" y="{height - bottom + 18}" text-anchor="middle" '
            f'fill="{INK}">{esc(cat)}</text>'
        )
    body.append(
        f'<line x1="{left}" x2="{width - 16}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{INK}"/>'
    )  # the axis
    lx = width - 16 - 110 * len(series)
    for k, s in enumerate(series):
        x = lx + 110 * k
        body.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{s.color}"/>')
        body.append(f'<text x="{x + 16}" y="19" fill="{INK}">{esc(s.name)}</text>')
    return _svg(kind, width, height, title, body)


# --- a scatter of self-scores against audited scores --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    label: str  # shown beside the point when ``marked``
    tip: str  # the point's tooltip
    x: Decimal  # 审核 (or 复核) score rate, percent of 分值
    y: Decimal  # 自评 score rate, percent of 分值
    marked: bool = False


def scatter(title: str, points: Sequence[Point], *, x_label: str, y_label: str, kind: str) -> str:
    """Each unit a dot: its audited score across, its self-score up; the diagonal is 自评 = 审核, so a dot
    above it claimed more than the audit gives (red), below it less (orange)."""
    width, height, left, bottom, top, right = 640, 480, 56, 48, 36, 20
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for p in points for v in (p.x, p.y)] or [0.0, 100.0]
    low = min(values)
    low = max(0.0, min(low - 2, 100 - 10))
    high = max(max(values) + 1, 100.0)
    ticks = _ticks(low, high, 6)
    low, high = min(low, ticks[0]), max(high, ticks[-1])

    def sx(v: float) -> float:
        return left + plot_w * (v - low) / (high - low)

    def sy(v: float) -> float:
        return top + plot_h - plot_h * (v - low) / (high - low)

    body = [f'<text x="{left}" y="20" font-size="14" font-weight="bold" fill="{INK}">{esc(title)}</text>']
    for t in ticks:
        body.append(f'<line x1="{_n(sx(t))}" x2="{_n(sx(t))}" y1="{top}" y2="{top + plot_h}" stroke="{GRID}"/>')
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_n(sy(t))}" y2="{_n(sy(t))}" stroke="{GRID}"/>')
        body.append(f'<text x="{_n(sx(t))}" y="{top + plot_h + 16}" text-anchor="middle" fill="{GREY}">{_n(t)}</text>')
        body.append(f'<text x="{left - 6}" y="{_n(sy(t) + 4)}" text-anchor="end" fill="{GREY}">{_n(t)}</text>')
    body.append(
        f'<line class="diagonal" x1="{_n(sx(low))}" y1="{_n(sy(low))}" x2="{_n(sx(high))}" y2="{_n(sy(high))}" '
        f'stroke="{GREY}" stroke-dasharray="4 3"/>'
    )
    body.append(
        f'<text x="{_n(left + plot_w / 2)}" y="{height - 8}" text-anchor="middle" fill="{INK}">{esc(x_label)}</text>'
    )
    body.append(
        f'<text x="14" y="{_n(top + plot_h / 2)}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 14 {_n(top + plot_h / 2)})">{esc(y_label)}</text>'
    )
    for p in points:
        x, y = sx(float(p.x)), sy(float(p.y))
        color = RED if p.y > p.x else ORANGE if p.y < p.x else BLUE
        body.append(
            f'<circle class="unit-point" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{color}" fill-opacity="0.75">'
            f"<title>{esc(p.tip)}</title></circle>"
        )
        if p.marked:
            body.append(f'<text x="{_n(x + 6)}" y="{_n(y - 5)}" fill="{RED}" font-size="11">{esc(p.label)}</text>')
    for k, (name, color) in enumerate((("高于审核（高报）", RED), ("与审核一致", BLUE), ("低于审核", ORANGE))):
        x = left + 8 + 130 * k
        body.append(f'<circle cx="{x + 5}" cy="{top + 10}" r="4" fill="{color}"/>')
        body.append(f'<text x="{x + 14}" y="{top + 14}" fill="{INK}">{esc(name)}</text>')
    return _svg(kind, width, height, title, body)


# --- horizontal bars ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    parts: Sequence[tuple[str, int | Decimal, str]]  # (name, value, color), stacked left to right
    note: str = ""  # printed after the bar


def horizontal_bars(title: str, bars: Sequence[Bar], *, kind: str, unit: str = "") -> str:
    """One row per bar, its parts stacked, the total (or ``note``) after it."""
    row, left, width, top = 24, 230, 640, 34
    height = top + row * max(len(bars), 1) + 12
    plot_w = width - left - 90
    most = max((sum(float(v) for _, v, _ in b.parts) for b in bars), default=0.0) or 1.0
    body = [f'<text x="8" y="20" font-size="14" font-weight="bold" fill="{INK}">{esc(title)}</text>']
    for i, b in enumerate(bars):
        y = top + row * i
        body.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="{INK}">{esc(_clip(b.label, 34))}</text>'
        )
        x = float(left)
        total = 0.0
        for name, value, color in b.parts:
            w = plot_w * float(value) / most
            total += float(value)
            if w > 0:
                body.append(
                    f'<rect class="bar" x="{_n(x)}" y="{y + 3}" width="{_n(w)}" height="{row - 8}" fill="{color}">'
                    f"<title>{esc(b.label)} · {esc(name)}：{esc(_plain(value))}{esc(unit)}</title></rect>"
                )
            x += w
        body.append(f'<text x="{_n(x + 6)}" y="{y + 15}" fill="{INK}">{esc(b.note or _n(total))}</text>')
    return _svg(kind, width, height, title, body)


def _plain(value: int | Decimal) -> str:
    return str(value) if isinstance(value, int) else f"{value:f}"


def _clip(text: str, units: int) -> str:
    """At most ``units`` half-em units of ``text`` (a CJK character is two), with an ellipsis if cut."""
    out: list[str] = []
    used = 0
    for ch in text:
        w = 1 if ch.isascii() else 2
        if used + w > units - 2:
            return "".join(out) + "…"
        out.append(ch)
        used += w
    return text
