"""A conservative model of how wide text prints, for column widths and row heights of the workpaper.

A spreadsheet's column width is counted in "characters" of the default font's digit (about half an
em); a Chinese character takes a full em. So here a CJK or full-width character counts **2** units
and anything else **1**, rounded up, and a line that does not fit wraps at the column's width. A
row's height is the largest number of wrapped lines of its cells times :data:`LINE_HEIGHT`. The model
errs on the generous side (every CJK glyph a full em, every Latin glyph a half): a row may be a line
too tall, never a line too short, so nothing is cut off when printed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

LINE_HEIGHT = 15.0  # points per line of 10 pt 宋体 with its leading, rounded up (Excel's own is 13.5)
ROW_PADDING = 2.0  # points above and below the text
MAX_ROW_HEIGHT = 409.0  # the most a spreadsheet row can be


@lru_cache(maxsize=8192)
def _char_units(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


def text_units(text: str) -> int:
    """Width of one line of ``text`` in half-em units (CJK 2, Latin 1)."""
    if text.isascii():
        return len(text)
    return sum(_char_units(ch) for ch in text)


@lru_cache(maxsize=8192)  # indicator names and notes repeat from unit to unit
def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` units wide (explicit newlines kept)."""
    if not text:
        return 1
    usable = max(1.0, width - 1)  # the cell's own margins take about one unit
    lines = 0
    for line in text.split("\n"):
        units = text_units(line)
        lines += max(1, -(-units // int(usable)))
    return lines


def row_height(cells: list[tuple[str, float]]) -> float | None:
    """The height a row needs for its wrapped ``(text, column width)`` cells; None when one line does."""
    lines = max((wrapped_lines(text, width) for text, width in cells if text), default=1)
    if lines <= 1:
        return None
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING)


def column_points(width: float) -> float:
    """A column ``width`` (spreadsheet units) in points, as a spreadsheet draws it (7 px a unit + 5 px)."""
    return (int(width * 7 + 5)) * 0.75
