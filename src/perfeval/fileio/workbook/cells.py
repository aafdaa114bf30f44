"""Writing one workbook cell, shared by the department workbook and the audited workbook.

Imported only on the workbook code paths (it imports openpyxl).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_EXACT_DIGITS = 15  # what a spreadsheet keeps of a number; longer ones are written as text
MAX_CELL_TEXT = 32_767  # characters a cell holds (openpyxl cuts longer text without a word; we refuse it)

# what a cell cannot hold: XML 1.0 forbids C0 controls but tab and line feed, and U+FFFE/U+FFFF
# (openpyxl refuses the first with IllegalCharacterError and writes the others into a file no
# program reads back); a carriage return becomes a line feed when the workbook is read
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


class CellTextError(ValueError):
    """Text a cell cannot hold as it is; ``ref`` is the cell (``评分表!G12``), ``reason`` why, in Chinese."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(f"{ref}: {reason}")
        self.ref = ref
        self.reason = reason


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be written into a cell exactly (Chinese), or None. Never quotes the text."""
    if len(text) > MAX_CELL_TEXT:
        return f"文字有 {len(text):,} 个字符，超过 Excel 单元格的上限 {MAX_CELL_TEXT:,}；请删减或分成几项填写"
    bad = _UNWRITABLE.search(text)
    if bad:
        ch = bad.group()
        what = "回车符" if ch == "\r" else "控制字符" if ord(ch) < 0x20 else "非字符"
        return (
            f"文字含有 Excel 不能保存的{what} U+{ord(ch):04X}（第 {bad.start() + 1} 个字符）；请在源文件中删去后再转换"
        )
    return None


def _shown(ch: str) -> str:
    if ch in "\t\n":
        return ch
    if not ch.isprintable() and unicodedata.category(ch) != "Zs" or ch in "\ufffe\uffff":
        cp = ord(ch)
        return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"
    return ch


def show_invisible(text: str) -> str:
    """Text for a report a person reads: control, format and line-separator characters (ESC, BEL,
    U+2028, U+202E …) written visibly as ``\\x1b``, ``\\u202e``; tab and line feed kept."""
    if text.isprintable():
        return text
    return "".join(map(_shown, text))


def cell_number(value: Decimal | int | None) -> Decimal | int | str | None:
    """A number as a spreadsheet keeps it exactly; beyond 15 significant digits, as text."""
    if value is None or isinstance(value, int):
        return value
    if len(value.as_tuple().digits) > MAX_EXACT_DIGITS:
        return f"{value:f}"
    return value


def put(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    *,
    number_format: str | None = None,
    fill: PatternFill | None = None,
    font: Font | None = None,
    align: Alignment | None = None,
    border: bool = True,
    visible: bool = False,
) -> Cell | MergedCell:
    """Write ``value`` at (row, col) with its format and style. Text starting with ``=`` stays
    text (never a formula); a Decimal is kept exact. Text a cell cannot hold exactly raises
    :class:`CellTextError` — never cut, never dropped; with ``visible`` (a report), invisible
    characters are first written visibly (:func:`show_invisible`)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Decimal):
        value = cell_number(value)
    elif isinstance(value, str):
        if visible:
            value = show_invisible(value)
        reason = text_problem(value)
        if reason is not None:
            raise CellTextError(f"{ws.title}!{cell.coordinate}", reason)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if number_format:
        cell.number_format = number_format
    if fill:
        cell.fill = fill
    if font:
        cell.font = font
    if align:
        cell.alignment = align
    if border:
        cell.border = BORDER
    return cell


def put_formula(ws: Worksheet, row: int, col: int, formula: str, **style: Any) -> Cell | MergedCell:
    """Write a formula perfeval composed (references to its own cells only, never a file's text)."""
    assert formula.startswith("=")
    cell = put(ws, row, col, formula, **style)
    cell.data_type = "f"
    return cell
