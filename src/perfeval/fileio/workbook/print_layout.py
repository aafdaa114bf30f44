"""Workbooks that print: row heights set from the wrapped text, and A4 landscape page setup.

A spreadsheet row is one line tall unless told otherwise, and neither Excel nor LibreOffice grows a row
for wrapped text when the file says nothing — so an 指标说明 of 80 characters printed as its first 20.
:func:`fit_rows` measures every wrapped cell (its text, its font size, the width of its column or of its
merged range) and makes each row, or each merged block of rows, tall enough for the lines it needs.

The width model (:mod:`perfeval.fileio.text_measure`, shared with the workpaper) is deliberately generous, so that a font the printer substitutes (Noto Sans CJK for
SimSun, Carlito for Calibri) still fits: a CJK character takes 1.05 em, any other character 0.55 em, a
line 1.5 em. ``tests/test_print_layout.py`` checks the result with a stricter model of its own (1 em,
half an em, 1.35 em a line); the pages themselves were looked at after LibreOffice printed them.
"""

from __future__ import annotations

import math
from typing import TypeGuard

from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.fileio.text_measure import column_px, lines_needed

DEFAULT_WIDTH = 8.43  # Excel's default column width, in characters of the default font
DEFAULT_HEIGHT = 15.0  # points
LINE_EM = 1.5
PADDING_PT = 4.0
# A4 landscape, with the 0.4-inch side margins _page_setup sets: the printable width in pixels at 100 %
A4_LANDSCAPE_PX = (297 / 25.4 - 0.8) * 96


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value != "" and not value.startswith("=")


def fit_rows(ws: Worksheet, first_row: int = 1, last_row: int | None = None) -> None:
    """Make every row from ``first_row`` to ``last_row`` tall enough for its wrapped cells."""
    last_row = last_row or ws.max_row
    widths: dict[int, float] = {}

    def width_of(col: int) -> float:
        if col not in widths:
            dim = ws.column_dimensions.get(get_column_letter(col))
            widths[col] = (
                0.0 if dim is not None and dim.hidden else column_px((dim.width if dim else None) or DEFAULT_WIDTH)
            )
        return widths[col]

    merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for rng in ws.merged_cells.ranges:
        merged[(rng.min_row, rng.min_col)] = (rng.min_row, rng.min_col, rng.max_row, rng.max_col)
    own: dict[int, float] = {}
    blocks: list[tuple[int, int, float]] = []
    for row in ws.iter_rows(min_row=first_row, max_row=last_row):
        for cell in row:
            if isinstance(cell, MergedCell):  # (covered by its range's first cell; its value is always None)
                continue
            if not _is_text(cell.value) or not (cell.alignment and cell.alignment.wrap_text):
                continue
            r, c = cell.row, cell.column
            r1, c1, r2, c2 = merged.get((r, c), (r, c, r, c))
            width = sum(width_of(k) for k in range(c1, c2 + 1))
            if width <= 0:
                continue
            size = float(cell.font.sz or 11) if cell.font else 11.0
            needed = lines_needed(cell.value, width, size) * size * LINE_EM + PADDING_PT
            if r2 > r1:
                blocks.append((r1, min(r2, last_row), needed))
            else:
                own[r] = max(own.get(r, 0.0), needed)
    heights: dict[int, float] = {}
    for r in range(first_row, last_row + 1):
        dim = ws.row_dimensions[r]
        if dim.hidden:
            continue
        heights[r] = max(own.get(r, 0.0), dim.height or DEFAULT_HEIGHT)
    for r1, r2, needed in blocks:
        rows = [r for r in range(r1, r2 + 1) if r in heights]
        have = sum(heights[r] for r in rows)
        if rows and have < needed:
            extra = (needed - have) / len(rows)
            for r in rows:
                heights[r] += extra
    for r, h in heights.items():
        if h > DEFAULT_HEIGHT or ws.row_dimensions[r].height is not None:
            ws.row_dimensions[r].height = math.ceil(h)


def scale_to_fit(ws: Worksheet, pages: list[range]) -> int:
    """The print scale (percent) at which each of ``pages`` (ranges of columns) fits one A4 landscape width."""
    widest = max(
        sum(column_px(ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH) for c in p) for p in pages
    )
    # 8 % to spare: LibreOffice measures a column a little wider than Excel's 7 px a character
    return max(10, min(100, math.floor(A4_LANDSCAPE_PX / widest * 92)))
