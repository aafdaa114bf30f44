"""Writing department workbooks (附件1 基础数据表 + 附件2 评分表 + 填报信息 + 指标数据).

Imported only by the code paths that touch a workbook (``perfeval.pipeline`` for ``.xlsx``
inputs, ``init``, ``convert``, ``check --output``), so openpyxl never loads at start-up.

A department workbook has five sheets, six for a rubric with 部门特性指标:

* 填报信息 — unit, year, rubric file, fill date …; 预算调整; 按功能科目的支出; “三公”经费;
* 基础数据表 — laid out like 附件1 (three header rows, one data row, one more row per project);
* 评分表 — laid out like 附件2: one row per indicator, one row per 评分要点 with a 小计 row,
  the 总分 row, and the 各级小计 block. Hidden columns carry the stable indicator and item ids;
* 指标数据 — the facts the rubric's formulas need, each with its Chinese label and unit;
* 部门特性指标 — the platform 自评表's own indicators, one row each (only for a rubric with such nodes);
* 其他内容 — every other value of the department file (报告所称, 出处, 人员编制, 复核 …), one row
  per value by key path (``other_values.py``), so that nothing the YAML holds is lost.

Hidden key columns/rows make reading back exact; workbooks from other programs without
them are read by header labels and the 附件1 column order.

Why this module is long: the sheets are laid out here cell by cell, as the printed forms
are; each sheet is one function, and they share the styles and the validations.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from perfeval.core.decimals import fmt_points, plain
from perfeval.core.department import ACHIEVEMENT_LABELS, DEPARTMENT_FORMAT, ROW_KIND_LABELS, Department
from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.rubric import Node, Rubric
from perfeval.core.rules import Checklist
from perfeval.fileio.safe_write import write_atomic
from perfeval.fileio.workbook.cells import CellTextError, put_formula, show_invisible, text_problem
from perfeval.fileio.workbook.cells import put as _put
from perfeval.fileio.workbook.layout import (
    ADJUSTMENT_KINDS,
    BASIC_COLUMNS,
    ITEMS_TOTAL_LABEL,
    META_FIELDS,
    NONE_MARK,
    ROW_ACHIEVEMENTS,
    ROW_COLUMNS,
    ROW_KINDS,
    ROW_NODE_ID_LABEL,
    ROW_NODE_LABEL,
    ROW_NUMBERS,
    SANGONG_COLUMNS,
    SANGONG_ROWS,
    SCORE_TAIL,
    SHEET_BASIC,
    SHEET_FACTS,
    SHEET_INFO,
    SHEET_OTHER,
    SHEET_ROWS,
    SHEET_SCORES,
    SUBTOTAL_MARK,
    TEMPLATE_ROWS,
    TOTAL_ID,
    display_width,
    fact_rows,
    tier_labels,
)
from perfeval.fileio.workbook.other_values import HEADERS, KINDS, NUMBER, TEXT, YES_NO, other_rows
from perfeval.fileio.workbook.other_values import format_path as _format_path
from perfeval.fileio.workbook.print_layout import fit_rows, scale_to_fit

# --- styles ---------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # cells to fill in
KEY_FILL = PatternFill("solid", fgColor="EDEDED")
DIFF_FILL = PatternFill("solid", fgColor="F8CBAD")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HINT = Font(italic=True, color="595959", size=9)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
TOP_CENTER = Alignment(horizontal="center", vertical="top")
AMOUNT_FORMAT = "#,##0.00"
POINTS_FORMAT = "0.##"
PERCENT_FORMAT = "0.00%"


def _title(ws: Worksheet, text: str, width: int, row: int = 1, *, formula: bool = False) -> None:
    write = put_formula if formula else _put
    write(ws, row, 1, text, font=TITLE, align=Alignment(horizontal="center", vertical="center"), border=False)
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 24


def _size_columns(ws: Worksheet, widths: Mapping[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def _fit(texts: list[str], low: int = 6, high: int = 40) -> int:
    longest = max((display_width(t) for t in texts if t), default=low)
    return max(low, min(high, longest + 2))


def _page_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    fit = ws.sheet_properties.pageSetUpPr  # (a new sheet has one; the stub allows None)
    if fit is None:
        fit = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    fit.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows


def _hide_column(ws: Worksheet, col: int, width: float = 14) -> None:
    dim = ws.column_dimensions[get_column_letter(col)]
    dim.width = width
    dim.hidden = True


class _Validations:
    """Data validation rules, one per distinct range, so each cell stays within [0, 分值]."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        # by (low, high) for a range, by ("list", *options) for a choice
        self.by_key: dict[tuple[Decimal | int | str | None, ...], DataValidation] = {}

    def add(
        self, cell: str, *, low: Decimal | int | None = 0, high: Decimal | int | None = None, what: str = "数值"
    ) -> None:
        key = (low, high)
        dv = self.by_key.get(key)
        if dv is None:
            if high is not None:
                dv = DataValidation(
                    type="decimal",
                    operator="between",
                    formula1=str(low),
                    formula2=plain(Decimal(high)),
                    allow_blank=True,
                )
                dv.error = f"请填写 {low} 到 {fmt_points(Decimal(high))} 之间的{what}"
            elif low is not None:
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(low), allow_blank=True)
                dv.error = f"请填写不小于 {low} 的{what}（只填数字，不要带单位）"
            else:
                dv = DataValidation(
                    type="decimal", operator="between", formula1="-1E+15", formula2="1E+15", allow_blank=True
                )
                dv.error = f"请填写{what}（只填数字，不要带单位）"
            dv.errorTitle = "需要数值"
            dv.showErrorMessage = True
            self.ws.add_data_validation(dv)
            self.by_key[key] = dv
        dv.add(cell)

    def choice(self, cell: str, options: tuple[str, ...]) -> None:
        key = ("list",) + options
        dv = self.by_key.get(key)
        if dv is None:
            dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            dv.error = f"请从 {'、'.join(options)} 中选择"
            dv.errorTitle = "请选择"
            dv.showErrorMessage = True
            self.ws.add_data_validation(dv)
            self.by_key[key] = dv
        dv.add(cell)


# --- 填报信息 ---------------------------------------------------------------------------------

INFO_KEY_COL = 8  # H: the hidden key column of 填报信息


def _meta_value(dept: Department | None, key: str, rubric_ref: str) -> Any:
    if key == "rubric":
        return rubric_ref
    if key == "format":
        return DEPARTMENT_FORMAT
    if dept is None:
        return {"amount_unit": "万元", "illustrative": "否"}.get(key)
    value = getattr(dept, key)
    if key == "illustrative":
        return "是" if value else "否"
    return value


def _ref(sheet: str, row: int, col: int) -> str:
    """An absolute reference to a cell of another sheet: '填报信息'!$B$6."""
    return f"'{sheet}'!${get_column_letter(col)}${row}"


def _span(sheet: str, col: int, first: int, last: int) -> str:
    letter = get_column_letter(col)
    return f"'{sheet}'!${letter}${first}:${letter}${last}"


def _info_sheet(wb: Workbook, dept: Department | None, rubric_ref: str) -> dict[str, str]:
    """填报信息; returns where its cells are, for the formulas of the other sheets."""
    ws = wb.create_sheet(SHEET_INFO)
    where: dict[str, str] = {}
    dv = _Validations(ws)
    _title(ws, "部门整体支出绩效评价 · 填报信息", 6)
    _put(
        ws,
        2,
        1,
        "黄色单元格为填写处；不掌握的数据留空，不要填 0。灰色隐藏列是程序使用的标识，请勿改动。",
        font=HINT,
        border=False,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=6)
    row = 4

    def section(title: str, key: str, headers: list[str]) -> None:
        nonlocal row
        _put(ws, row, 1, title, font=BOLD, border=False)
        _put(ws, row, INFO_KEY_COL, f"section:{key}", fill=KEY_FILL, border=False)
        row += 1
        for i, h in enumerate(headers, start=1):
            _put(ws, row, i, h, font=BOLD, fill=HEADER_FILL, align=CENTER)
        row += 1

    section("一、基本信息", "meta", ["项目", "填写内容", "填写说明"])
    for key, label, hint in META_FIELDS:
        value = _meta_value(dept, key, rubric_ref)
        _put(ws, row, 1, label, font=BOLD)
        c = _put(
            ws,
            row,
            2,
            value,
            fill=INPUT_FILL if key != "format" else None,
            align=WRAP,
            number_format="@" if key in ("filled_on", "rubric") else None,
        )
        if key == "year":
            dv.add(c.coordinate, low=2000, high=2100, what="年份")
        elif key == "illustrative":
            dv.choice(c.coordinate, ("是", "否"))
        elif key == "amount_unit":
            dv.choice(c.coordinate, ("万元", "元"))
        _put(ws, row, 3, hint, font=HINT, align=WRAP)
        _put(ws, row, INFO_KEY_COL, key, fill=KEY_FILL, border=False)
        where[key] = _ref(SHEET_INFO, row, 2)
        row += 1

    row += 1
    section("二、预算调整（金额单位同上）", "budget", ["项目", "金额", "说明"])
    _put(ws, row, 1, "调整后预算数（全年预算数）", font=BOLD)
    c = _put(ws, row, 2, dept.budget.final if dept else None, number_format=AMOUNT_FORMAT, fill=INPUT_FILL)
    dv.add(c.coordinate, what="金额")
    _put(ws, row, 3, "年初预算加减本年调整后的全年预算数", font=HINT, align=WRAP)
    _put(ws, row, INFO_KEY_COL, "budget.final", fill=KEY_FILL, border=False)
    where["budget.final"] = _ref(SHEET_INFO, row, 2)
    row += 2

    section(
        "三、预算调整明细（每笔一行；确无调整的在第一行类型栏填“无”；未掌握的留空）",
        "adjustments",
        ["类型", "金额", "说明"],
    )
    adjustments = dept.budget.adjustments if dept else None
    rows: list[tuple[str | None, Decimal | None, str | None]] = [(a.kind, a.amount, a.note) for a in adjustments or []]
    if adjustments == []:
        rows = [(NONE_MARK, None, None)]
    n_adjustments = max(len(rows) + 2, 5)
    where["adjustments.kind"] = _span(SHEET_INFO, 1, row, row + n_adjustments - 1)
    where["adjustments.amount"] = _span(SHEET_INFO, 2, row, row + n_adjustments - 1)
    for i in range(n_adjustments):
        kind, amount, note = rows[i] if i < len(rows) else (None, None, None)
        c = _put(ws, row, 1, kind, fill=INPUT_FILL)
        dv.choice(c.coordinate, ADJUSTMENT_KINDS + (NONE_MARK,))
        c = _put(ws, row, 2, amount, number_format=AMOUNT_FORMAT, fill=INPUT_FILL)
        dv.add(c.coordinate, what="金额")
        _put(ws, row, 3, note, fill=INPUT_FILL, align=WRAP)
        row += 1

    row += 1
    section(
        "四、按功能科目的支出（类-款-项；确无的在第一行编码栏填“无”）",
        "functions",
        ["功能科目编码", "科目名称", "金额"],
    )
    functions = dept.spending_by_function if dept else None
    frows: list[tuple[str | None, str | None, Decimal | None]] = [(f.code, f.name, f.amount) for f in functions or []]
    if functions == []:
        frows = [(NONE_MARK, None, None)]
    n_functions = max(len(frows) + 2, 8)
    where["functions.code"] = _span(SHEET_INFO, 1, row, row + n_functions - 1)
    where["functions.amount"] = _span(SHEET_INFO, 3, row, row + n_functions - 1)
    for i in range(n_functions):
        code, name, amount = frows[i] if i < len(frows) else (None, None, None)
        _put(ws, row, 1, code, fill=INPUT_FILL, number_format="@")
        _put(ws, row, 2, name, fill=INPUT_FILL)
        c = _put(ws, row, 3, amount, number_format=AMOUNT_FORMAT, fill=INPUT_FILL)
        dv.add(c.coordinate, what="金额")
        row += 1

    row += 1
    section("五、“三公”经费", "sangong", ["口径"] + [label for _, label in SANGONG_COLUMNS])
    for key, label in SANGONG_ROWS:
        _put(ws, row, 1, label, font=BOLD)
        part = getattr(dept.sangong, key) if dept else None
        for j, (field, _) in enumerate(SANGONG_COLUMNS, start=2):
            c = _put(ws, row, j, getattr(part, field) if part else None, number_format=AMOUNT_FORMAT, fill=INPUT_FILL)
            dv.add(c.coordinate, what="金额")
        _put(ws, row, INFO_KEY_COL, f"sangong.{key}", fill=KEY_FILL, border=False)
        where[f"sangong.{key}"] = _ref(SHEET_INFO, row, 2)
        row += 1

    _size_columns(ws, {1: 30, 2: 34, 3: 40, 4: 18, 5: 20, 6: 14})
    _hide_column(ws, INFO_KEY_COL)
    ws.freeze_panes = "A3"
    _page_setup(ws)
    fit_rows(ws)
    return where


# --- 基础数据表 (附件1) ----------------------------------------------------------------------

BASIC_HEADER_ROW = 4  # three header rows 4–6, the hidden key row 7, data from row 8
BASIC_KEY_ROW = 7
BASIC_FIRST_ROW = 8
BASIC_SPARE_PROJECT_ROWS = 5


BASIC_PAGE_BREAK = 15  # 附件1 prints on two pages: 年初预算、收入来源、基本支出 | 项目支出、经费结余、项目说明


def _linked(where: dict[str, str], key: str) -> str:
    """A formula's reference to a 填报信息 field, blank when it is blank (not 0)."""
    if key == "unit":  # the 盖章 name when given, else the full name
        return f'IF({where["unit_short"]}<>"",{where["unit_short"]},{where["unit"]})'
    return f'IF({where[key]}="","",{where[key]})'


def _heading_cells(ws: Worksheet, row: int, cells: list[tuple[int, str, str]], where: dict[str, str]) -> None:
    """Form headers linked to 填报信息 (单位名称、填报日期、金额单位): filled in as 填报信息 is."""
    for col, label, key in cells:
        put_formula(ws, row, col, f'="{label}："&{_linked(where, key)}', border=False)


def _basic_sheet(wb: Workbook, dept: Department | None, heading: dict[str, str], where: dict[str, str]) -> range:
    """附件1; returns the rows of its project lines."""
    ws = wb.create_sheet(SHEET_BASIC)
    dv = _Validations(ws)
    width = len(BASIC_COLUMNS)
    title = f'=IF({where["year"]}="","    ",{where["year"]})&" 年度部门整体支出绩效评价基础数据表'
    _title(ws, title + '"', BASIC_PAGE_BREAK, formula=True)
    c = put_formula(
        ws, 1, BASIC_PAGE_BREAK + 1, title + '（续）"', font=TITLE, align=Alignment(horizontal="center"), border=False
    )
    ws.merge_cells(start_row=1, start_column=c.column, end_row=1, end_column=width)
    _heading_cells(ws, 2, [(1, "单位名称（盖章）", "unit"), (6, "填报日期", "filled_on")], where)
    _heading_cells(ws, 2, [(11, "金额单位", "amount_unit"), (BASIC_PAGE_BREAK + 1, "单位名称（盖章）", "unit")], where)
    _heading_cells(ws, 2, [(BASIC_PAGE_BREAK + 9, "金额单位", "amount_unit")], where)

    # three header rows with merged group cells, as 附件1
    top, sub = BASIC_HEADER_ROW, BASIC_HEADER_ROW + 1
    label_row = BASIC_HEADER_ROW + 2
    spans: dict[tuple[int, str], list[int]] = {}
    for col, (group, subgroup, label, _) in enumerate(BASIC_COLUMNS, start=1):
        page = "" if col <= BASIC_PAGE_BREAK else "续"  # a group header is cut at the page break, and repeated
        spans.setdefault((top, group + page), []).append(col)
        if subgroup:
            spans.setdefault((sub, subgroup), []).append(col)
        _put(ws, label_row, col, label, font=BOLD, fill=HEADER_FILL, align=CENTER)
        _put(ws, top, col, None, fill=HEADER_FILL, align=CENTER)
        _put(ws, sub, col, None, fill=HEADER_FILL, align=CENTER)
    for (r, text), cols in spans.items():
        text = text.removesuffix("续") if r == top else text
        _put(ws, r, cols[0], text, font=BOLD, fill=HEADER_FILL, align=CENTER)
        has_sub = any(BASIC_COLUMNS[c - 1][1] for c in cols)
        end_row = r if (r == sub or has_sub) else sub
        if cols[-1] > cols[0] or end_row > r:
            ws.merge_cells(start_row=r, start_column=cols[0], end_row=end_row, end_column=cols[-1])
    # 项目说明 is a single column: merge its three header cells
    note_col = width
    ws.unmerge_cells(start_row=top, start_column=note_col, end_row=sub, end_column=note_col)
    ws.merge_cells(start_row=top, start_column=note_col, end_row=label_row, end_column=note_col)
    for col, (_, _, _, key) in enumerate(BASIC_COLUMNS, start=1):
        _put(ws, BASIC_KEY_ROW, col, key, fill=KEY_FILL, border=False)
    ws.row_dimensions[BASIC_KEY_ROW].hidden = True

    bd = dept.basic_data if dept else None
    projects = bd.projects if bd else None
    project_rows: list[Any] = list(projects or [])
    if projects == []:
        project_rows = [NONE_MARK]
    n_rows = max(1, len(project_rows)) + BASIC_SPARE_PROJECT_ROWS
    for i in range(n_rows):
        r = BASIC_FIRST_ROW + i
        project = project_rows[i] if i < len(project_rows) else None
        for col, (_, _, _, key) in enumerate(BASIC_COLUMNS, start=1):
            part, field = key.split(".")
            if part == "projects":
                if project == NONE_MARK:
                    value = NONE_MARK if field == "name" else None
                else:
                    value = getattr(project, field) if project is not None else None
            elif i == 0:
                value = getattr(getattr(bd, part), field) if bd else None
            else:
                _put(ws, r, col, None, fill=KEY_FILL)  # only the first row holds these
                continue
            text_col = field in ("name", "note")
            c = _put(
                ws,
                r,
                col,
                value,
                fill=INPUT_FILL,
                align=WRAP if text_col else None,
                number_format=None if text_col else AMOUNT_FORMAT,
            )
            if not text_col:
                dv.add(c.coordinate, what="金额")
    r = BASIC_FIRST_ROW + n_rows + 1
    _put(
        ws,
        r,
        1,
        "注：单位有多个大额项目的，请按项目分别填列项目支出情况（每个项目一行）；"
        "年初预算、收入来源、基本支出和经费结余只填第一行。确无项目支出的，在项目名称栏填“无”。",
        font=HINT,
        border=False,
    )
    _put(ws, r + 2, 1, "填 报 人：", border=False)
    _put(ws, r + 2, 9, "单位负责人（签字）：", border=False)

    widths = {}
    for col, (_, _, _, key) in enumerate(BASIC_COLUMNS, start=1):
        widths[col] = 24 if key in ("projects.name", "projects.note") else 11  # 1,295.87; labels wrap
    _size_columns(ws, widths)
    ws.freeze_panes = ws.cell(row=BASIC_FIRST_ROW, column=1).coordinate
    # two A4 pages side by side, each with the title and the three header rows, at a legible scale
    # (one page would shrink 27 columns to about 4 pt)
    _page_setup(ws, f"1:{label_row}")
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = scale_to_fit(ws, [range(1, BASIC_PAGE_BREAK + 1), range(BASIC_PAGE_BREAK + 1, width + 1)])
    ws.col_breaks.append(Break(id=BASIC_PAGE_BREAK))
    ws.print_area = f"A1:{get_column_letter(width)}{r + 2}"
    fit_rows(ws, 1, r + 2)
    return range(BASIC_FIRST_ROW, BASIC_FIRST_ROW + n_rows)


# --- 评分表 (附件2) ---------------------------------------------------------------------------


def _tier_text(node: Node) -> str:
    return f"{node.name}（{fmt_points(node.weight)}分）"


def _score_sheet(wb: Workbook, rubric: Rubric, dept: Department | None, where: dict[str, str]) -> None:
    ws = wb.create_sheet(SHEET_SCORES)
    dv = _Validations(ws)
    tiers = tier_labels(rubric)
    headers = tiers + SCORE_TAIL
    col = {h: i for i, h in enumerate(headers, start=1)}
    c_content, c_desc, c_weight = col["指标内容"], col["指标说明"], col["分值"]
    c_self, c_rev, c_note, c_id, c_item = (
        col["自评得分"],
        col["审核得分"],
        col["说明"],
        col["指标标识"],
        col["要点标识"],
    )
    c_check = col["分值校验"]
    visible = c_note
    _title(ws, rubric.name, visible)
    _heading_cells(ws, 2, [(1, "评价单位（盖章）", "unit"), (c_desc, "填报日期", "filled_on")], where)
    header_row = 3
    for h, i in col.items():
        _put(ws, header_row, i, h, font=BOLD, fill=KEY_FILL if i > visible else HEADER_FILL, align=CENTER)
    scores = dept.self_assessment.scores if dept else {}
    row = header_row + 1

    def score_cells(
        r: int,
        high: Decimal,
        self_value: Decimal | None,
        reviewed: Decimal | None,
        note: str | None,
        *,
        reviewed_ok: bool = True,
    ) -> None:
        c = _put(ws, r, c_self, self_value, number_format=POINTS_FORMAT, fill=INPUT_FILL, align=CENTER)
        dv.add(c.coordinate, low=0, high=high, what="得分")
        if reviewed_ok:
            c = _put(ws, r, c_rev, reviewed, number_format=POINTS_FORMAT, align=CENTER)
            dv.add(c.coordinate, low=0, high=high, what="得分")
        else:
            _put(ws, r, c_rev, None, fill=KEY_FILL)
        _put(ws, r, c_note, note, align=WRAP)

    def leaf_rows(node: Node) -> int:
        entry = scores.get(node.id)
        start = row_ref[0]
        r = start
        if isinstance(node.rule, Checklist):
            items = entry.items if entry and entry.items else {}
            for item in node.rule.items:
                _put(ws, r, c_content, node.content, align=WRAP)
                _put(ws, r, c_desc, item.text, align=WRAP)
                _put(ws, r, c_weight, item.points, number_format=POINTS_FORMAT, align=CENTER)
                score_cells(r, item.points, items.get(item.id), None, None, reviewed_ok=False)
                _put(ws, r, c_id, node.id, fill=KEY_FILL)
                _put(ws, r, c_item, item.id, fill=KEY_FILL)
                _put(ws, r, c_check, item.points, fill=KEY_FILL)
                r += 1
            _put(ws, r, c_content, node.content, align=WRAP)
            _put(ws, r, c_desc, ITEMS_TOTAL_LABEL, font=BOLD, align=WRAP)
        else:
            _put(ws, r, c_content, node.content, align=WRAP)
            _put(ws, r, c_desc, node.description, align=WRAP)
        _put(ws, r, c_weight, node.weight, number_format=POINTS_FORMAT, align=CENTER, font=BOLD)
        score_cells(
            r,
            node.weight,
            entry.score if entry else None,
            entry.reviewed if entry else None,
            entry.note if entry else None,
        )
        _put(ws, r, c_id, node.id, fill=KEY_FILL)
        _put(ws, r, c_item, None, fill=KEY_FILL)
        _put(ws, r, c_check, node.weight, fill=KEY_FILL)
        if r > start and node.content:
            ws.merge_cells(start_row=start, start_column=c_content, end_row=r, end_column=c_content)
        return r + 1

    row_ref = [row]

    def emit(node: Node, depth: int) -> None:
        start = row_ref[0]
        if node.is_leaf:
            row_ref[0] = leaf_rows(node)
        else:
            for child in node.children:
                emit(child, depth + 1)
        end = row_ref[0] - 1
        c = depth
        _put(ws, start, c, _tier_text(node), align=CENTER, font=BOLD if not node.is_leaf else None)
        for r in range(start + 1, end + 1):
            _put(ws, r, c, None)
        if node.is_leaf:  # a leaf above the deepest tier fills the tiers below it too
            for d in range(depth + 1, len(tiers) + 1):
                for r in range(start, end + 1):
                    _put(ws, r, d, None)
            if len(tiers) > depth:
                ws.merge_cells(start_row=start, start_column=depth, end_row=end, end_column=len(tiers))
            elif end > start:
                ws.merge_cells(start_row=start, start_column=c, end_row=end, end_column=c)
        elif end > start:
            ws.merge_cells(start_row=start, start_column=c, end_row=end, end_column=c)

    for top in rubric.indicators:
        emit(top, 1)
    row = row_ref[0]

    # 总分
    _put(ws, row, 1, "总    分", font=BOLD, align=CENTER)
    for i in range(2, c_weight):
        _put(ws, row, i, None)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=c_weight - 1)
    _put(ws, row, c_weight, rubric.total, number_format=POINTS_FORMAT, font=BOLD, align=CENTER)
    c = _put(
        ws,
        row,
        c_self,
        dept.self_assessment.total if dept else None,
        number_format=POINTS_FORMAT,
        fill=INPUT_FILL,
        font=BOLD,
        align=CENTER,
    )
    dv.add(c.coordinate, low=0, high=rubric.total, what="得分")
    _put(ws, row, c_rev, None)
    _put(ws, row, c_note, None)
    _put(ws, row, c_id, TOTAL_ID, fill=KEY_FILL)
    _put(ws, row, c_item, None, fill=KEY_FILL)
    _put(ws, row, c_check, rubric.total, fill=KEY_FILL)
    last_table_row = row
    row += 2

    # 各级小计
    _put(ws, row, 1, "各级小计（单位报告中填了一级、二级指标小计的，填在这里；可不填）", font=BOLD, border=False)
    row += 1
    subtotals = dept.self_assessment.subtotals if dept else {}
    for node, depth in rubric.walk():
        if node.is_leaf:
            continue
        _put(ws, row, depth, _tier_text(node))
        _put(ws, row, c_weight, node.weight, number_format=POINTS_FORMAT, align=CENTER)
        c = _put(ws, row, c_self, subtotals.get(node.id), number_format=POINTS_FORMAT, fill=INPUT_FILL, align=CENTER)
        dv.add(c.coordinate, low=0, high=node.weight, what="得分")
        _put(ws, row, c_id, node.id, fill=KEY_FILL)
        _put(ws, row, c_item, SUBTOTAL_MARK, fill=KEY_FILL)
        _put(ws, row, c_check, node.weight, fill=KEY_FILL)
        row += 1
    row += 1
    _put(ws, row, 1, "填报人：", border=False)

    widths = {i: 12 for i in range(1, len(tiers) + 1)}
    widths.update({c_content: 36, c_desc: 44, c_weight: 7, c_self: 9, c_rev: 9, c_note: 28})
    _size_columns(ws, widths)
    _hide_column(ws, c_id, 24)
    _hide_column(ws, c_item, 24)
    _hide_column(ws, c_check, 10)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    ws.print_area = f"A1:{get_column_letter(visible)}{last_table_row}"
    _page_setup(ws, f"{header_row}:{header_row}")
    fit_rows(ws, 1, row)


# --- 指标数据 (facts) -------------------------------------------------------------------------

FACT_HEADERS = ["数据项", "数值", "单位", "用于指标", "标识"]


def _derived_formulas(where: dict[str, str], projects: range) -> dict[str, str]:
    """Excel formulas for the derived facts of a fill-in workbook: shown as 填报信息 and 基础数据表 are filled,
    blank while a figure they need is blank (blank is not 0). perfeval itself recomputes them from the cells."""
    col = {key: i for i, (_, _, _, key) in enumerate(BASIC_COLUMNS, start=1)}

    def cell(key: str) -> str:
        return _ref(SHEET_BASIC, BASIC_FIRST_ROW, col[key])

    def plain_ref(ref: str) -> str:
        return f'IF({ref}="","",{ref})'

    project = _span(SHEET_BASIC, col["projects.total"], projects.start, projects.stop - 1)
    kinds, amounts = where["adjustments.kind"], where["adjustments.amount"]
    some_adjustment = f"COUNTA({kinds})>0"

    def adjusted(*wanted: str) -> str:
        total = "+".join(f'SUMIF({kinds},"{k}",{amounts})' for k in wanted)
        return f'IF({some_adjustment},{total},"")'

    initial = (
        f'IF({cell("initial_budget.total")}<>"",{cell("initial_budget.total")},'
        f'IF(AND({cell("initial_budget.basic")}<>"",{cell("initial_budget.project")}<>""),'
        f'{cell("initial_budget.basic")}+{cell("initial_budget.project")},""))'
    )
    project_total = f'IF(COUNT({project})=0,"",SUM({project}))'
    basic = cell("basic_spending.total")
    return {
        "initial_budget": initial,
        "initial_budget_basic": plain_ref(cell("initial_budget.basic")),
        "initial_budget_project": plain_ref(cell("initial_budget.project")),
        "income_total": plain_ref(cell("income.total")),
        "prior_year_balance": plain_ref(cell("income.prior_year_balance")),
        "basic_spending": plain_ref(basic),
        "project_spending": project_total,
        "actual_spending": f'IF(OR({basic}="",COUNT({project})=0),"",{basic}+SUM({project}))',
        "balance_total": plain_ref(cell("balance.total")),
        "adjustment_total": adjusted("追加", "追减", "结构调整"),
        "adjustment_increase": adjusted("追加"),
        "adjustment_decrease": adjusted("追减"),
        "final_budget": (
            f'IF({where["budget.final"]}<>"",{where["budget.final"]},'
            f'IF(OR({initial}="",NOT({some_adjustment})),"",{initial}+{adjusted("追加")}-{adjusted("追减")}))'
        ),
        "function_spending_total": f'IF(COUNTA({where["functions.code"]})=0,"",SUM({where["functions.amount"]}))',
        "sangong_budget": plain_ref(where["sangong.budget"]),
        "sangong_prior_budget": plain_ref(where["sangong.prior_year_budget"]),
        "sangong_actual": plain_ref(where["sangong.actual"]),
    }


def _facts_sheet(wb: Workbook, rubric: Rubric, dept: Department | None, where: dict[str, str], projects: range) -> None:
    ws = wb.create_sheet(SHEET_FACTS)
    dv = _Validations(ws)
    _title(ws, "指标公式所需数据", 4)
    _put(
        ws,
        2,
        1,
        "只填写掌握的数据；不掌握的留空（不要填 0），perfeval 会指出哪些指标因此无法核验。百分比可直接填 95.1%。",
        font=HINT,
        border=False,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    header_row = 3
    for i, h in enumerate(FACT_HEADERS, start=1):
        _put(ws, header_row, i, h, font=BOLD, fill=KEY_FILL if i == 5 else HEADER_FILL, align=CENTER)
    reported, derived = fact_rows(rubric)
    facts = dict(dept.facts) if dept else {}
    row = header_row + 1
    listed = set()
    for fr in reported:
        info = fr.info
        listed.add(info.name)
        _put(ws, row, 1, info.label, align=WRAP)
        fmt = PERCENT_FORMAT if info.unit == "%" else (AMOUNT_FORMAT if info.unit in ("万元", "元") else "0.##")
        c = _put(ws, row, 2, facts.get(info.name), number_format=fmt, fill=INPUT_FILL)
        dv.add(c.coordinate, what="数值")
        _put(ws, row, 3, info.unit, align=CENTER)
        _put(ws, row, 4, "、".join(fr.used_by), align=WRAP)
        _put(ws, row, 5, info.name, fill=KEY_FILL)
        row += 1
    for name, value in facts.items():  # facts the rubric does not name: kept, so nothing is lost
        if name in listed:
            continue
        _put(ws, row, 1, name)
        _put(ws, row, 2, value, fill=INPUT_FILL)
        _put(ws, row, 3, None)
        _put(ws, row, 4, "（评分表未用到）")
        _put(ws, row, 5, name, fill=KEY_FILL)
        row += 1
    if derived:
        row += 1
        _put(
            ws,
            row,
            1,
            "以下数据由基础数据表、预算调整和“三公”经费自动计算，无需填写（空白表示所需数据尚未填齐）：",
            font=BOLD,
            border=False,
        )
        _put(ws, row, 5, "section:derived", fill=KEY_FILL, border=False)
        row += 1
        formulas = _derived_formulas(where, projects)
        for fr in derived:
            info = fr.info
            _put(ws, row, 1, info.label, align=WRAP)
            fmt = PERCENT_FORMAT if info.unit == "%" else (AMOUNT_FORMAT if info.unit in ("万元", "元") else "0.##")
            if dept is not None and info.derive is not None:  # a converted department: the values themselves
                computed = info.derive(dept)
                _put(
                    ws,
                    row,
                    2,
                    computed if computed is not None else "缺数据",
                    number_format=fmt,
                    font=None if computed is not None else HINT,
                )
            elif info.name in formulas:  # a fill-in workbook: computed as it is filled
                put_formula(ws, row, 2, "=" + formulas[info.name], number_format=fmt)
            else:
                _put(ws, row, 2, "自动计算", font=HINT)
            _put(ws, row, 3, info.unit, align=CENTER)
            _put(ws, row, 4, "、".join(fr.used_by), align=WRAP)
            row += 1
    _size_columns(ws, {1: 40, 2: 16, 3: 8, 4: 40})
    _hide_column(ws, 5, 26)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    _page_setup(ws, f"{header_row}:{header_row}")
    fit_rows(ws)


def _rows_sheet(wb: Workbook, rubric: Rubric, dept: Department | None) -> None:
    """部门特性指标: the platform 自评表's own indicators, one row each, under the rubric node they belong to.
    Written only for a rubric with such nodes, or a department with such rows."""
    nodes = {n.id: n.name for n in rubric.row_nodes()}
    given = dept.department_indicators if dept is not None else {}
    if not nodes and not given:
        return
    ws = wb.create_sheet(SHEET_ROWS)
    dv = _Validations(ws)
    headers = [ROW_NODE_LABEL, *(label for _, label in ROW_COLUMNS), ROW_NODE_ID_LABEL]
    _title(ws, "部门特性指标（年度绩效指标）", len(headers) - 1)
    _put(
        ws,
        2,
        1,
        "每个指标一行：指标类型填 正向、反向、等于 或 定性；定性指标填完成情况（达成、部分达成、未达成），不填指标值；"
        "百分比指标的计量单位写 %，指标值可写 98%。指标 id 用小写英文（如 satisfaction），同一张表内不重复。",
        font=HINT,
        align=WRAP,
        border=False,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers) - 1)
    ws.row_dimensions[2].height = 30
    header_row = 3
    for i, h in enumerate(headers, start=1):
        fill = KEY_FILL if h in (ROW_NODE_ID_LABEL, "指标 id") else HEADER_FILL
        _put(ws, header_row, i, h, font=BOLD, fill=fill, align=CENTER)
    row = header_row + 1
    for nid in [*nodes, *(k for k in given if k not in nodes)]:
        indicator_rows: list[Any] = list(given.get(nid) or []) if dept is not None else [None] * TEMPLATE_ROWS
        for item in indicator_rows:
            _put(ws, row, 1, nodes.get(nid, nid), align=WRAP)
            for col, (name, _) in enumerate(ROW_COLUMNS, start=2):
                value = getattr(item, name) if item is not None else None
                if name == "kind" and value is not None:
                    value = ROW_KIND_LABELS[value]
                elif name == "achievement" and value is not None:
                    value = ACHIEVEMENT_LABELS[value]
                percent = item is not None and item.unit == "%" and name in ("target", "actual")
                fmt = PERCENT_FORMAT if percent else (POINTS_FORMAT if name in ROW_NUMBERS else "@")
                cell = _put(ws, row, col, value, number_format=fmt, fill=INPUT_FILL, align=WRAP)
                if name == "kind":
                    dv.choice(cell.coordinate, ROW_KINDS)
                elif name == "achievement":
                    dv.choice(cell.coordinate, ROW_ACHIEVEMENTS)
                elif name in ("weight", "score", "reviewed"):
                    dv.add(cell.coordinate, what="分数")
                elif name in ("target", "actual"):
                    dv.add(cell.coordinate, low=None)
            _put(ws, row, len(headers), nid, fill=KEY_FILL)
            row += 1
    widths = {1: 16, 2: 22, 3: 14, 4: 8, 5: 7, 6: 10, 7: 10, 8: 8, 9: 9, 10: 8, 11: 8, 12: 28, 13: 18, 14: 16}
    _size_columns(ws, widths)
    _hide_column(ws, len(headers), 20)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3).coordinate
    _page_setup(ws, f"{header_row}:{header_row}")
    fit_rows(ws)


def _other_sheet(wb: Workbook, rubric: Rubric, dept: Department | None) -> None:
    ws = wb.create_sheet(SHEET_OTHER)
    _title(ws, "其他内容", len(HEADERS))
    _put(
        ws,
        2,
        1,
        "部门文件中其他各表没有位置的内容（报告所称、出处、人员编制、二者择其一、复核等），每个值一行，"
        "按“键路径”识别；“值类型”为 文字、数值、是否，或 空列表、空映射、空值。可按同样写法增加行，如 "
        "claims[0].fact 与 claims[0].value。",
        font=HINT,
        align=WRAP,
        border=False,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    ws.row_dimensions[2].height = 45
    header_row = 3
    for i, h in enumerate(HEADERS, start=1):
        _put(ws, header_row, i, h, font=BOLD, fill=KEY_FILL if h == "键路径" else HEADER_FILL, align=CENTER)
    kinds = DataValidation(type="list", formula1='"' + ",".join(KINDS) + '"', allow_blank=True)
    kinds.error = "请选择：" + "、".join(KINDS)
    kinds.errorTitle = "值类型"
    ws.add_data_validation(kinds)
    names = {n.id: n.name for n, _ in rubric.walk()}
    row = header_row + 1
    for item in other_rows(dept, names) if dept is not None else []:
        _put(ws, row, 1, item.label, align=WRAP)
        fmt = "@" if item.kind in (TEXT, YES_NO) else ("General" if item.kind == NUMBER else None)
        _put(ws, row, 2, item.value, number_format=fmt, fill=INPUT_FILL, align=WRAP)
        _put(ws, row, 3, item.kind, align=TOP_CENTER)
        _put(ws, row, 4, _format_path(item.path), fill=KEY_FILL, align=WRAP)
        row += 1
    kinds.add(f"C{header_row + 1}:C{max(row, header_row + 200)}")
    _size_columns(ws, {1: 52, 2: 36, 3: 9, 4: 44})
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    _page_setup(ws, f"{header_row}:{header_row}")
    fit_rows(ws)


# --- the department workbook ------------------------------------------------------------------


def _heading(dept: Department | None) -> dict[str, str]:
    if dept is None:
        return {"unit": "", "filled_on": "", "amount_unit": "万元"}
    filled = dept.filled_on
    if filled:
        y, m, d = filled.split("-")
        filled = f"{y} 年 {int(m)} 月 {int(d)} 日"
    return {"unit": dept.unit_short or dept.unit, "filled_on": filled or "", "amount_unit": dept.amount_unit}


def department_workbook(rubric: Rubric, dept: Department | None, rubric_ref: str) -> Workbook:
    """The fill-in workbook for ``rubric``; with ``dept``, filled with that department's data."""
    wb = Workbook()
    first = wb.active  # the empty sheet a new workbook starts with
    if first is not None:
        wb.remove(first)
    heading = _heading(dept)
    where = _info_sheet(wb, dept, rubric_ref)
    projects = _basic_sheet(wb, dept, heading, where)
    _score_sheet(wb, rubric, dept, where)
    _facts_sheet(wb, rubric, dept, where, projects)
    _rows_sheet(wb, rubric, dept)
    _other_sheet(wb, rubric, dept)
    wb.calculation.fullCalcOnLoad = True  # the linked headers and derived facts: computed when opened
    wb.active = wb.sheetnames.index(SHEET_BASIC)
    wb.properties.creator = "perfeval"
    wb.properties.title = show_invisible(rubric.name)[:255].replace("\n", " ")  # (read by no one; shown by Explorer)
    return wb


def _texts(model: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every text of a department model with its key path (``('basic_data', 'projects', 0, 'name')``)."""
    if isinstance(model, str):
        yield path, model
    elif isinstance(model, dict):
        for k, v in model.items():
            yield from _texts(v, path + (k,))
    elif isinstance(model, (list, tuple)):
        for i, v in enumerate(model):
            yield from _texts(v, path + (i,))
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from _texts(getattr(model, name), path + (name,))


def _unwritable_texts(dept: Department, source: Any, file: str) -> list[Problem]:
    """The department's texts a cell cannot hold, each named (``unit（单位名称）``) and located in
    the input file when its source map is given (else at ``file``)."""
    from perfeval.fileio.model_errors import labeller

    label = labeller(Department)
    problems = []
    for path, text in _texts(dept):
        reason = text_problem(text)
        if reason is not None:
            where = source.locate(path) if source is not None else Location(file)
            code = "text-too-long" if reason.startswith("文字有") else "unwritable-text"
            problems.append(Problem(code, f"{label(path)}：{reason}", where))
    return problems


def write_department_workbook(
    path: Path,
    rubric: Rubric,
    dept: Department | None,
    rubric_ref: str,
    *,
    force: bool,
    inputs: tuple[Path, ...] = (),
    source: Any = None,
) -> None:
    """Write the department workbook (or, without ``dept``, the empty template) at ``path``.

    Text a cell cannot hold exactly — over 32,767 characters, a control character — is refused
    (:class:`InputError`), never cut or dropped: the department's own texts by field, located in
    the input when ``source`` (its source map) is given; any other (the rubric's) by sheet and cell.
    """
    if dept is not None:
        problems = _unwritable_texts(dept, source, str(inputs[0] if inputs else path))
        if problems:
            raise InputError(problems)
    try:
        wb = department_workbook(rubric, dept, rubric_ref)
    except CellTextError as exc:
        code = "text-too-long" if exc.reason.startswith("文字有") else "unwritable-text"
        raise InputError(
            [Problem(code, f"工作表单元格 {exc.ref}（来自评分表的文字）：{exc.reason}", Location(str(path)))]
        ) from None
    write_atomic(path, lambda tmp: wb.save(tmp), force=force, inputs=inputs)
