"""Writing one workbook cell, shared by the department workbook and the audited workbook.

Imported only on the workbook code paths (it imports openpyxl).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_EXACT_DIGITS = 15  # what a spreadsheet keeps of a number; longer ones are written as text


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
) -> Cell | MergedCell:
    """Write ``value`` at (row, col) with its format and style. Text starting with ``=`` stays
    text (never a formula); a Decimal is kept exact."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Decimal):
        value = cell_number(value)
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
