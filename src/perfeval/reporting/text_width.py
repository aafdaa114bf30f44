"""Column widths and row heights of the workpaper.

Column widths are counted in spreadsheet "characters" (about half an em): a CJK or full-width character
counts **2** units and anything else **1** (:func:`text_units`). How many lines a cell wraps into is the
one model every workbook perfeval writes uses (:mod:`perfeval.fileio.text_measure`); a row's height is the
largest number of wrapped lines of its cells times :data:`LINE_HEIGHT`, so a row may be a line too tall,
never a line too short, and nothing is cut off when printed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from perfeval.fileio.text_measure import column_px, lines_needed

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


FONT_PT = 10.0  # the workpaper's font size


@lru_cache(maxsize=8192)  # indicator names and notes repeat from unit to unit
def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` units wide (explicit newlines kept): the model
    the department workbooks use too (:func:`perfeval.fileio.text_measure.lines_needed`)."""
    if not text:
        return 1
    return lines_needed(text, column_px(width), FONT_PT)


def row_height(cells: list[tuple[str, float]]) -> float | None:
    """The height a row needs for its wrapped ``(text, column width)`` cells; None when one line does."""
    lines = max((wrapped_lines(text, width) for text, width in cells if text), default=1)
    if lines <= 1:
        return None
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING)


def column_points(width: float) -> float:
    """A column ``width`` (spreadsheet units) in points, as a spreadsheet draws it (7 px a unit + 5 px)."""
    return (int(width * 7 + 5)) * 0.75
