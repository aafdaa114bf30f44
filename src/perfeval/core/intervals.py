"""Intervals as rubrics write them (区间): ``[0.8, inf)``, ``(0.1, 0.2]``, ``[0, 0]`` — square brackets include
the edge, round ones exclude it. Parsed once; pure."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from perfeval.core.decimals import ZERO, fmt_points

_INTERVAL = re.compile(r"^\s*([\[(])\s*([-+]?[\d.]+%?|-inf|-∞)?\s*[,，]\s*([-+]?[\d.]+%?|\+?inf|\+?∞)?\s*([\])])\s*$")


class Interval:
    __slots__ = ("low", "high", "low_closed", "high_closed", "text")

    def __init__(
        self, low: Decimal | None, high: Decimal | None, low_closed: bool, high_closed: bool, text: str
    ) -> None:
        self.low, self.high = low, high
        self.low_closed, self.high_closed = low_closed, high_closed
        self.text = text

    def __contains__(self, x: Decimal) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_closed)):
            return False
        if self.high is not None and (x > self.high or (x == self.high and not self.high_closed)):
            return False
        return True


def _bound(text: str | None) -> Decimal | None:
    if text is None or text.lstrip("+-") in ("inf", "∞"):
        return None
    try:
        if text.endswith("%"):
            return Decimal(text[:-1]) / 100
        return Decimal(text)
    except InvalidOperation:  # '1.2.3' passes the pattern; pydantic reports ValueError only
        raise ValueError(f"区间端点 {text!r} 不是数值") from None


def parse_interval(text: str) -> Interval:
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f"区间 {text!r} 格式不对；应如 '[0.8, inf)'、'(0.1, 0.2]'")
    lo_b, lo, hi, hi_b = m.groups()
    low, high = _bound(lo), _bound(hi)
    if low is None and lo_b == "[" or high is None and hi_b == "]":
        raise ValueError(f"区间 {text!r}：无穷端点只能用圆括号")
    if low is not None and high is not None and (low > high or (low == high and not (lo_b == "[" and hi_b == "]"))):
        raise ValueError(f"区间 {text!r} 是空的：下限应小于上限")
    return Interval(low, high, lo_b == "[", hi_b == "]", text)


# --- a list of intervals: ordered, without overlaps or gaps, covering a domain -----------------


def _lo_key(iv: Interval) -> tuple[bool, Decimal, bool]:
    # -inf first; at equal bounds a closed low edge starts earlier than an open one
    return (iv.low is not None, iv.low if iv.low is not None else ZERO, not iv.low_closed)


def _fmt_bound(x: Decimal | None, percent: bool, low: bool) -> str:
    if x is None:
        return "-inf" if low else "inf"
    return f"{fmt_points(x * 100)}%" if percent else fmt_points(x)


def interval_problems(
    intervals: list[Interval], domain: Interval, *, percent: bool = True
) -> list[tuple[int | None, str]]:
    """Problems with a list of band intervals: order, overlap, gaps, coverage of ``domain``.

    Returns (index of the band at fault or None, message) pairs; pure.
    """
    out: list[tuple[int | None, str]] = []
    if not intervals:
        return out
    order = sorted(range(len(intervals)), key=lambda i: _lo_key(intervals[i]))
    listed = list(range(len(intervals)))
    if order != listed and order != listed[::-1]:
        out.append((None, "分档没有按顺序排列（应从低到高或从高到低依次列出）"))
    reach_i = order[0]  # the band reaching furthest up so far
    for b_i in order[1:]:
        a, b = intervals[reach_i], intervals[b_i]
        if a.high is None or b.low is None or a.high > b.low or (a.high == b.low and a.high_closed and b.low_closed):
            out.append((b_i, f"分档 {a.text} 与 {b.text} 重叠；一个值只能落在一档"))
        elif a.high < b.low or (a.high == b.low and not a.high_closed and not b.low_closed):
            gap_lo = "[" if not a.high_closed else "("
            gap_hi = "]" if not b.low_closed else ")"
            out.append(
                (
                    b_i,
                    f"分档 {a.text} 与 {b.text} 之间有空档 {gap_lo}{_fmt_bound(a.high, percent, True)}, "
                    f"{_fmt_bound(b.low, percent, False)}{gap_hi}；落在其中的值无档可依",
                )
            )
        if a.high is not None and (b.high is None or b.high > a.high or (b.high == a.high and b.high_closed)):
            reach_i = b_i
    first, last = intervals[order[0]], intervals[reach_i]
    if domain.low is not None and (
        first.low is not None
        and (first.low > domain.low or (first.low == domain.low and domain.low_closed and not first.low_closed))
    ):
        out.append((order[0], f"分档没有覆盖取值区间 {domain.text} 的下端（最低一档为 {first.text}）"))
    if domain.low is None and first.low is not None:
        out.append((order[0], f"分档没有覆盖取值区间 {domain.text} 的下端（最低一档为 {first.text}）"))
    if last.high is not None and (
        domain.high is None
        or last.high < domain.high
        or (last.high == domain.high and domain.high_closed and not last.high_closed)
    ):
        out.append((reach_i, f"分档没有覆盖取值区间 {domain.text} 的上端（最高一档为 {last.text}）"))
    return out
