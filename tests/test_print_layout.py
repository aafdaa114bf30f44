"""The workbooks print readably on A4: every wrapped cell's row (or merged block of rows) is tall enough for
the lines its text needs at its column width, and 附件1 is not shrunk to one unreadable page.

The width model here is this test's own, and conservative: a CJK character is one em wide, any other
character half an em, a line 1.35 em tall; a column of Excel width w is 7·w pixels of text. (The writer,
``perfeval.fileio.workbook.print_layout``, is more generous still.) The pages themselves were printed
by LibreOffice and looked at; this test keeps them that way.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from perfeval.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [
    "taojiang-2019",
    "illustrative-county-office",
    "hunan-county-2019",
    "sichuan-dazhou",
    "project-2020",
    "national-dept-platform",
    "yiyang-gsl-2019",
]


def wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


def lines_needed(text: str, width_px: float, size_pt: float) -> int:
    """Greedy wrapping: a line may break before any CJK character or at a space; Latin words stay whole."""
    em = size_pt * 96 / 72
    total = 0
    for paragraph in text.split("\n"):
        tokens: list[str] = []
        for c in paragraph:
            if wide(c) or c == " " or not tokens or wide(tokens[-1][-1]) or tokens[-1] == " ":
                tokens.append(c)
            else:
                tokens[-1] += c
        lines, line = 1, 0.0
        for token in tokens:
            w = sum(em if wide(c) else em / 2 for c in token)
            if line and line + w > width_px:
                lines, line = lines + 1, w
            else:
                line += w
        total += lines
    return total


def short_rows(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path)[sheet]
    merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}

    spans = {c: dim for dim in ws.column_dimensions.values() for c in range(dim.min or 0, (dim.max or -1) + 1)}

    def px(col: int) -> float:
        # a <col> element may cover several columns (xlsxwriter writes B:C as one): openpyxl keys it by B
        dim = ws.column_dimensions.get(get_column_letter(col)) if col not in spans else spans[col]
        if dim is not None and dim.hidden:
            return 0.0
        return 7 * ((dim.width if dim is not None else None) or 8.43)

    def height(row: int) -> float:
        dim = ws.row_dimensions[row]
        return 0.0 if dim.hidden else (dim.height or 15.0)

    wrong = []
    checked = 0
    for row in ws.iter_rows():
        for cell in row:
            text = cell.value
            if not isinstance(text, str) or text.startswith("=") or not (cell.alignment and cell.alignment.wrap_text):
                continue
            rng = merged.get((cell.row, cell.column))
            rows = range(rng.min_row, rng.max_row + 1) if rng else range(cell.row, cell.row + 1)
            cols = range(rng.min_col, rng.max_col + 1) if rng else range(cell.column, cell.column + 1)
            width = sum(px(c) for c in cols)
            if width == 0 or all(ws.row_dimensions[r].hidden for r in rows):
                continue
            size = float(cell.font.sz or 11)
            needed = lines_needed(text, width, size) * size * 1.35
            have = sum(height(r) for r in rows)
            checked += 1
            if have < needed:
                wrong.append(f"{sheet}!{cell.coordinate}: {have:.0f} pt < {needed:.0f} pt for {text[:30]!r}")
    assert checked, f"{sheet}: no wrapped cell was checked"
    return wrong


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("print")
    books = {}
    for name in EXAMPLES:
        book = out / f"{name}.xlsx"
        result = CliRunner().invoke(app, ["convert", str(ROOT / "examples" / f"{name}.yaml"), str(book)])
        assert result.exit_code == 0, result.output
        books[name] = book
    return books


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("sheet", ["评分表", "基础数据表", "填报信息", "指标数据", "其他内容"])
def test_converted_workbooks_have_rows_tall_enough_for_their_text(converted, name: str, sheet: str) -> None:
    assert short_rows(converted[name], sheet) == []


def test_the_audited_workbook_has_rows_tall_enough_for_its_text(tmp_path: Path) -> None:
    out = tmp_path / "audit.xlsx"
    files = [str(ROOT / "examples" / f"{n}.yaml") for n in EXAMPLES]
    result = CliRunner().invoke(app, ["check", *files, "--output", str(out)])
    assert out.exists(), result.output
    for sheet in load_workbook(out, read_only=True).sheetnames:
        assert short_rows(out, sheet) == [], sheet


def test_annex_1_prints_on_two_legible_pages(converted) -> None:
    ws = load_workbook(converted["taojiang-2019"])["基础数据表"]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # not all 27 columns squeezed onto one page
    assert [b.id for b in ws.col_breaks.brk] == [15]
    scale = ws.page_setup.scale / 100
    a4_landscape_px = (297 / 25.4 - 0.8) * 96  # the printable width with 0.4-inch side margins
    for page in (range(1, 16), range(16, 28)):
        printed = sum(7 * ws.column_dimensions[get_column_letter(c)].width + 5 for c in page) * scale
        assert printed <= a4_landscape_px, page
    assert scale * 11 >= 8  # the text prints at 8 pt or more
    assert ws.print_title_rows == "$1:$6"  # title and headers on both pages


def test_the_model_wraps_as_expected() -> None:
    em = 11 * 96 / 72
    assert lines_needed("一二三四五六七八九十", 5 * em, 11) == 2
    assert lines_needed("abcdefghij", 5 * em, 11) == 1  # ten Latin characters: five ems
    assert lines_needed("第一行\n第二行", 10 * em, 11) == 2


@pytest.mark.parametrize("name", ["national-dept-platform", "project-2020", "sichuan-dazhou"])
def test_the_department_indicator_rows_are_tall_enough_for_their_text(converted, name: str) -> None:
    assert short_rows(converted[name], "部门特性指标") == []
