"""Reading workbooks: ones other programs wrote, and bad ones reported by sheet and cell."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.department import BasicData, Department
from perfeval.core.problems import InputError
from perfeval.fileio.workbook.read import read_department
from perfeval.fileio.workbook.write import department_workbook
from perfeval.pipeline.departments import load, parse_department

xlsxwriter = pytest.importorskip("xlsxwriter")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
ANNEX_1 = Path(__file__).parent / "data" / "annex1-taojiang-2019.tsv"  # 附件1 as the report prints it

runner = CliRunner()


@pytest.fixture(scope="module")
def taojiang():
    return load(EXAMPLE)


def own_book(path: Path, taojiang) -> openpyxl.Workbook:
    """The tool's own workbook of the Taojiang example (in memory), rubric path valid from ``path``."""
    ref = os.path.relpath(RUBRIC, path.parent)
    return department_workbook(taojiang.rubric, taojiang.department.model_copy(update={"rubric": ref}), ref)


def own_workbook(path: Path, taojiang) -> Path:
    own_book(path, taojiang).save(path)
    return path


def header_columns(ws, label_row: int) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[label_row] if c.value is not None}


def score_cell(ws, indicator: str, item: str | None = None, column: str = "自评得分") -> str:
    cols = header_columns(ws, 3)
    for row in ws.iter_rows(min_row=4):
        if row[cols["指标标识"] - 1].value == indicator and row[cols["要点标识"] - 1].value == item:
            return row[cols[column] - 1].coordinate
    raise LookupError(indicator)


# --- workbooks written by another program (xlsxwriter) ---------------------------------------------

Transform = Callable[[str, int, int, object], tuple[str, object, object]]


def rewrite_with_xlsxwriter(
    src: Path, dst: Path, transform: Transform | None = None, trailing_blank_rows: int = 0
) -> Path:
    """Copy every value and merged range of ``src`` into a new workbook written by xlsxwriter.

    ``transform(sheet, row, col, value)`` → (kind, value, cached): kind 'number' | 'text' | 'formula'.
    """
    book = openpyxl.load_workbook(src)
    out = xlsxwriter.Workbook(str(dst))
    for ws in book.worksheets:
        sheet = out.add_worksheet(ws.title)
        merged = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or isinstance(cell, openpyxl.cell.cell.MergedCell):
                    continue
                kind, value, cached = (
                    transform(ws.title, cell.row, cell.column, value)
                    if transform
                    else ("text" if isinstance(value, str) else "number", value, None)
                )
                r, c = cell.row - 1, cell.column - 1
                if (cell.row, cell.column) in merged:
                    m = merged[(cell.row, cell.column)]
                    sheet.merge_range(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1, str(value))
                elif kind == "formula":
                    sheet.write_formula(r, c, value, None, cached)
                elif kind == "text":
                    sheet.write_string(r, c, str(value))
                else:
                    sheet.write_number(r, c, float(value))
        blank = out.add_format({"bg_color": "#FFF2CC"})
        for k in range(trailing_blank_rows):
            sheet.write_blank(ws.max_row + 100 + k, 0, None, blank)
            sheet.write_string(ws.max_row + 100 + k, 1, "")
    out.close()
    return dst


def test_a_workbook_by_another_writer_reads_the_same(tmp_path: Path, taojiang) -> None:
    src = own_workbook(tmp_path / "own.xlsx", taojiang)
    dst = rewrite_with_xlsxwriter(src, tmp_path / "other.xlsx", trailing_blank_rows=30)
    assert load(dst).department == load(src).department


def test_numbers_as_text_formulas_and_blank_tails_read_exactly(tmp_path: Path, taojiang) -> None:
    src = own_workbook(tmp_path / "own.xlsx", taojiang)
    book = openpyxl.load_workbook(src)
    total_cell = next(c for c in book["评分表"]["J"] if c.value == "（总分）")
    total_row = total_cell.row

    def transform(sheet: str, row: int, col: int, value):
        if sheet == "基础数据表" and (row, col) == (8, 1):  # 年初预算·小计 = 基本支出 + 项目支出
            return "formula", "=B8+C8", 1048.5
        if sheet == "评分表" and (row, col) == (total_row, 7):  # 总分 as a SUM, cached
            return "formula", f"=SUM(G4:G{total_row - 1})/2+0", 98.2
        if sheet != "填报信息" and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return "text", f"{Decimal(str(value)):,}", None  # "1,048.50", "1,091.84"
        return ("text" if isinstance(value, str) else "number"), value, None

    dst = rewrite_with_xlsxwriter(src, tmp_path / "texty.xlsx", transform, trailing_blank_rows=50)
    loaded = load(dst)
    assert loaded.department == load(src).department
    assert loaded.department.basic_data.initial_budget.total == Decimal("1048.5")
    assert loaded.department.budget.final == Decimal("1295.87")


def test_annex_1_as_printed_in_the_report_reads_by_column_order(tmp_path: Path, taojiang) -> None:
    _, label_line, value_line = ANNEX_1.read_text(encoding="utf-8").splitlines()
    labels, values = label_line.split("\t"), value_line.split("\t")
    path = tmp_path / "annex1.xlsx"
    out = xlsxwriter.Workbook(str(path))
    ws = out.add_worksheet("基础数据表")
    ws.merge_range(0, 0, 0, 25, "2019 年度部门整体支出绩效评价基础数据表")
    ws.write_string(1, 0, "单位名称（盖章）：县政府办")
    ws.merge_range(3, 0, 4, 2, "年初预算支出计划")
    ws.merge_range(3, 3, 4, 7, "收入来源")
    ws.merge_range(3, 8, 3, 22, "实际支出")
    ws.merge_range(4, 8, 4, 14, "基本支出情况")
    ws.merge_range(4, 15, 4, 22, "项目支出情况")
    ws.merge_range(3, 23, 4, 25, "经费结余情况")
    for c, label in enumerate(labels[:26]):
        ws.write_string(5, c, label)
    for c, value in enumerate(values[:26]):
        if value.strip():
            ws.write_string(6, c, value)  # as the PDF gives it: text
    ws.write_string(8, 0, "注：单位有多个大额项目的，请按项目分别填列项目支出情况。")
    out.close()

    data, source = read_department(path)
    expected = taojiang.department.basic_data
    expected = expected.model_copy(update={"projects": [expected.projects[0].model_copy(update={"name": None})]})
    assert BasicData.model_validate(data["basic_data"]) == expected
    assert str(source.locate(("basic_data", "income", "county_finance"))).endswith("annex1.xlsx:基础数据表!G7")


def test_annex_2_without_ids_reads_by_indicator_names(tmp_path: Path, taojiang) -> None:
    """附件2 as a unit keeps it — no hidden ids, no 小计 rows, names spaced as the PDF prints them — pasted in."""
    path = tmp_path / "dept.xlsx"
    book = own_book(path, taojiang)
    old = book["评分表"]
    rows = [[old.cell(row=r, column=c).value for c in range(1, 10)] for r in range(3, old.max_row + 1)]
    rows = rows[: next(i for i, row in enumerate(rows) if row[0] == "总    分") + 1]  # 附件2 ends at 总分
    rows = [row for row in rows if row[4] != "小计（按评分要点合计，可不填）"]
    book.remove(old)
    ws = book.create_sheet("评分表", 2)
    ws["A1"] = "桃江县 2019 年度部门整体支出绩效 评价指标及评分表"
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            if c <= 3 and isinstance(value, str) and value.endswith("分）"):
                name, weight = value[:-2].rsplit("（", 1)
                value = " ".join(name) + f" ({weight} 分)"  # '绩 效 目 标 合 理 性 (4 分)'
            ws.cell(row=r, column=c, value=value)
    book.save(path)
    loaded = load(path)
    assert loaded.department == taojiang.department.model_copy(update={"rubric": loaded.department.rubric})


def test_annex_2_without_ids_needs_the_rubric_to_read_by_names(tmp_path: Path, taojiang) -> None:
    path = tmp_path / "dept.xlsx"
    book = own_book(path, taojiang)
    book["评分表"].delete_cols(10, 3)  # the hidden id columns are gone
    book["填报信息"]["B9"] = "no-such-rubric.yaml"
    book.save(path)
    with pytest.raises(InputError) as err:
        read_department(path)
    assert "dept.xlsx:评分表!G3: 评分表没有“指标标识”列" in str(err.value)
    assert [(p.code, p.location.cell) for p in err.value.problems] == [("scores-no-ids", "评分表!G3")]


# --- bad workbooks: every problem by sheet and cell -------------------------------------------------

Edit = Callable[[openpyxl.Workbook], None]


def _set(sheet: str, cell: str, value) -> Edit:
    def edit(book: openpyxl.Workbook) -> None:
        book[sheet][cell].value = value

    return edit


def _set_score(indicator: str, value, item: str | None = None) -> Edit:
    def edit(book: openpyxl.Workbook) -> None:
        ws = book["评分表"]
        ws[score_cell(ws, indicator, item)].value = value

    return edit


def _clear_id(indicator: str) -> Edit:
    def edit(book: openpyxl.Workbook) -> None:
        ws = book["评分表"]
        coord = score_cell(ws, indicator)
        ws[f"J{ws[coord].row}"].value = None

    return edit


def _rename_fact(old: str, new: str) -> Edit:
    def edit(book: openpyxl.Workbook) -> None:
        ws = book["指标数据"]
        next(c for c in ws["E"] if c.value == old).value = new

    return edit


def _paste_annex_2_without_subtotal_rows(book: openpyxl.Workbook) -> None:
    """Someone pastes 附件2's own rows (no 小计 rows) over A:I; the hidden ids stay where they were."""
    ws = book["评分表"]
    rows = [[ws.cell(row=r, column=c).value for c in range(1, 10)] for r in range(4, 40)]
    kept = [row for row in rows if row[4] != "小计（按评分要点合计，可不填）"]
    for r, row in enumerate(kept, start=4):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if not isinstance(cell, openpyxl.cell.cell.MergedCell):
                cell.value = value


def _edits(*edits: Edit) -> Edit:
    def edit(book: openpyxl.Workbook) -> None:
        for e in edits:
            e(book)

    return edit


def _clear_labels(sheet: str, *labels: str) -> Edit:
    """Empty every cell of ``sheet`` that holds one of ``labels`` (a header someone deleted)."""

    def edit(book: openpyxl.Workbook) -> None:
        for row in book[sheet].iter_rows():
            for cell in row:
                if cell.value in labels:
                    cell.value = None

    return edit


def _drop_id_columns(book: openpyxl.Workbook) -> None:
    """评分表 without the hidden 指标标识/要点标识/分值校验 columns: rows are then read by indicator names."""
    book["评分表"].delete_cols(10, 3)


# (edit, [problem code, sheet!cell, words of the message])
BAD_CELLS = [
    pytest.param(
        _set("基础数据表", "A8", "一千零四十八"),
        ["cell-not-a-number", "基础数据表!A8", "不是数值"],
        id="amount-in-words",
    ),
    pytest.param(
        _set("基础数据表", "B8", "95%"), ["cell-not-a-number", "基础数据表!B8", "百分数"], id="percent-in-amount"
    ),
    pytest.param(
        _set("基础数据表", "C8", datetime(2019, 5, 1)),
        ["cell-not-a-number", "基础数据表!C8", "日期"],
        id="date-in-amount",
    ),
    pytest.param(
        _set("基础数据表", "D9", 12),
        ["basic-data-extra-row", "基础数据表!D9", "只填第一行"],
        id="second-row-outside-projects",
    ),
    pytest.param(
        _set("基础数据表", "A8", -3),
        ["out-of-bounds", "基础数据表!A8", "不能小于 0"],
        id="negative-amount",
    ),
    pytest.param(
        _clear_labels("基础数据表", "initial_budget.total", "项目名称"),
        ["basic-data-header", "基础数据表!A1", "找不到表头（“项目名称”一栏）"],
        id="basic-data-header-deleted",
    ),
    pytest.param(_set("填报信息", "B8", "二〇一九"), ["not-a-number", "填报信息!B8", "不是整数"], id="year-in-words"),
    pytest.param(_set("填报信息", "B6", None), ["missing-field", "填报信息!B6", "缺少必填项 unit"], id="unit-missing"),
    pytest.param(
        _set("填报信息", "B10", "2020年13月1日"),
        ["invalid-value", "填报信息!B10", "filled_on"],
        id="bad-fill-date",
    ),
    pytest.param(
        _set_score("staff_control_rate", "四分"),
        ["cell-not-a-number", "评分表!G14", "staff_control_rate 的自评得分"],
        id="score-in-words",
    ),
    pytest.param(
        _set_score("target_reasonableness", "1 分", "annual_target_set"),
        ["cell-not-a-number", "评分表!G4", "annual_target_set"],
        id="item-score-with-unit",
    ),
    pytest.param(
        _clear_id("staff_control_rate"), ["scores-row-without-id", "评分表!G14", "没有指标标识"], id="row-without-id"
    ),
    pytest.param(
        _paste_annex_2_without_subtotal_rows,
        ["scores-row-shifted", "评分表!F8", "行可能已错位"],
        id="rows-shifted-by-a-paste",
    ),
    pytest.param(
        _set("评分表", "J15", "staff_control_rate"),  # the 三公经费变动率 row now claims to be 在职人员控制率
        ["scores-duplicate-row", "评分表!J15", "指标 staff_control_rate 出现了两次（另一处在第 14 行）"],
        id="indicator-row-twice",
    ),
    pytest.param(
        _set("评分表", "G3", None), ["scores-header", "评分表!A1", "找不到“自评得分”表头"], id="scores-header-deleted"
    ),
    pytest.param(
        _set("评分表", "H4", 1),  # 审核得分 of 评分要点 1 of 绩效目标合理性 only
        ["scores-partial-review", "评分表!H5", "target_reasonableness 只有部分评分要点填了审核得分"],
        id="reviewer-scored-one-item-of-four",
    ),
    pytest.param(
        _edits(_drop_id_columns, _set("评分表", "C4", "目标合理性（4分）")),
        ["scores-row-unknown", "评分表!G4", "找不到它属于评分表中的哪个指标"],
        id="row-name-not-in-the-rubric",
    ),
    pytest.param(
        _edits(_drop_id_columns, _set("评分表", "E8", "5、多出来的要点"), _set("评分表", "G8", 1)),
        ["scores-row-unknown", "评分表!G8", "绩效目标合理性 只有 4 个评分要点，此行多出来了"],
        id="one-checklist-row-too-many",
    ),
    pytest.param(
        _rename_fact("authorized_staff", "authorised_staff"),
        ["unknown-fact", "指标数据!A5", "是否想写 'authorized_staff'"],
        id="unknown-fact",
    ),
    pytest.param(
        _edits(_set("指标数据", "A4", "在编人数"), _set("指标数据", "E4", None), _set("指标数据", "B4", 50)),
        ["unknown-fact-row", "指标数据!A4", "不认识数据项 '在编人数'"],
        id="fact-row-added",
    ),
    pytest.param(
        _edits(_rename_fact("actual_staff", "authorized_staff"), _set("指标数据", "B4", 54)),
        ["duplicate-fact", "指标数据!B5", "指标数据 编制数 填了两次"],
        id="fact-twice",
    ),
    pytest.param(
        _set("指标数据", "B4", "五十四人"), ["cell-not-a-number", "指标数据!B4", "不是数值"], id="fact-in-words"
    ),
    pytest.param(
        _set("基础数据表", "A8", "=B8+C8"),
        ["formula-without-value", "基础数据表!A8", "没有保存计算结果"],
        id="formula-without-cached-value",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), BAD_CELLS)
def test_a_bad_cell_is_reported_by_sheet_and_cell(tmp_path: Path, taojiang, edit: Edit, expected: list[str]) -> None:
    path = tmp_path / "dept.xlsx"
    book = own_book(path, taojiang)
    edit(book)
    book.save(path)
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 2, result.output
    code, where, what = expected
    lines = [line for line in result.stderr.splitlines() if f"dept.xlsx:{where}:" in line]
    assert lines, result.stderr
    assert any(what in line for line in lines), result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(InputError) as err:  # the same problem as a record: its code, at its cell
        load(path)
    found = [(p.code, p.location.cell, p.message) for p in err.value.problems]
    assert any(c == code and cell == where and what in m for c, cell, m in found), found


def test_a_score_beyond_its_weight_is_reported_at_its_cell(tmp_path: Path, taojiang) -> None:
    path = own_workbook(tmp_path / "dept.xlsx", taojiang)
    book = openpyxl.load_workbook(path)
    ws = book["评分表"]
    cell = score_cell(ws, "staff_control_rate")
    ws[cell].value = 5
    book.save(path)
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 2
    assert (
        f"dept.xlsx:评分表!{cell}: 错误：staff_control_rate（在职人员控制率）：自评 5 分，超出分值范围 [0, 4]"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"unit: x\n", "不是有效的 .xlsx 工作簿", id="text-renamed-xlsx"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧版 .xls", id="old-xls-or-encrypted"),
        pytest.param(b"PK\x03\x04broken", "不是有效的 .xlsx 工作簿", id="broken-zip"),
    ],
)
def test_not_a_workbook(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "dept.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_department(path)
    assert expected in str(err.value)
    assert str(err.value).startswith(f"{path}: ")
    assert [p.code for p in err.value.problems] == ["not-a-workbook"]


def test_a_workbook_without_our_sheets_names_the_sheets_it_has(tmp_path: Path) -> None:
    path = tmp_path / "dept.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(path)
    with pytest.raises(InputError) as err:
        read_department(path)
    assert "现有的表：Sheet1" in str(err.value)
    assert [p.code for p in err.value.problems] == ["not-a-department-workbook"]


@pytest.mark.parametrize("dash", ["-", "—", "——", "/", "－"])
def test_a_dash_in_a_number_cell_is_an_empty_cell_not_a_zero(tmp_path: Path, taojiang, dash: str) -> None:
    path = tmp_path / "dept.xlsx"
    book = own_book(path, taojiang)
    book["基础数据表"]["E8"] = dash  # 收入来源·上年结余, empty in the report
    book["基础数据表"]["G8"] = dash  # 收入来源·县级财政, 1048.50 in the report
    book.save(path)
    income = load(path).department.basic_data.income
    assert income.prior_year_balance is None and income.county_finance is None
    assert income.total == Decimal("1048.5")


def test_reviewer_scores_per_item_add_up_to_the_indicator(tmp_path: Path, taojiang) -> None:
    path = own_workbook(tmp_path / "dept.xlsx", taojiang)
    book = openpyxl.load_workbook(path)
    ws = book["评分表"]
    for item, value in (
        ("annual_target_set", 1),
        ("complies_with_law_and_plans", 1),
        ("matches_mandate", 0.5),
        ("matches_medium_term_plan", 0),
    ):
        ws[score_cell(ws, "target_reasonableness", item, "审核得分")].value = value
    book.save(path)
    data, source = read_department(path)
    dept = parse_department(data, source)
    assert dept.self_assessment.scores["target_reasonableness"].reviewed == Decimal("2.5")


def test_an_empty_template_reports_what_is_missing_where(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    assert runner.invoke(app, ["init", "--rubric", str(RUBRIC), "--output", str(path)]).exit_code == 0
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 2
    assert "blank.xlsx:填报信息!B6: 错误：缺少必填项 unit（单位名称）" in result.stderr
    assert "blank.xlsx:填报信息!B8: 错误：缺少必填项 year（评价年度）" in result.stderr


def test_department_model_from_workbook_is_the_yaml_one(tmp_path: Path, taojiang) -> None:
    path = own_workbook(tmp_path / "dept.xlsx", taojiang)
    data, source = read_department(path)
    assert isinstance(parse_department(data, source), Department)
    assert data["facts"]["authorized_staff"] == 54 and isinstance(data["facts"]["authorized_staff"], int)
    assert data["budget"]["final"] == Decimal("1295.87") and isinstance(data["budget"]["final"], Decimal)


def test_openpyxl_parses_workbook_xml_through_defusedxml() -> None:
    """perfeval refuses a DTD in any part before openpyxl reads it; openpyxl itself, behind that,
    parses through defusedxml (a dependency): an entity bomb given to it directly is refused too."""
    import openpyxl.xml
    from defusedxml import DefusedXmlException
    from openpyxl.xml.functions import fromstring, iterparse

    from hostile_files import BILLION_LAUGHS

    assert openpyxl.xml.DEFUSEDXML is True
    bomb = BILLION_LAUGHS + b"<a>&lol9;</a>"
    with pytest.raises(DefusedXmlException):
        fromstring(bomb)
    import io

    with pytest.raises(DefusedXmlException):
        for _ in iterparse(io.BytesIO(bomb)):
            pass
