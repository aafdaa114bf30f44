"""The audited workbook that ``perfeval check … --output audit.xlsx`` hands back.

For each department, the audited 评分表 laid out like 附件2: 自评得分 beside 核算得分 and
审核得分, the difference, the status, how the score was worked out, and the findings for the
indicator; differences are highlighted. Then a 问题清单 sheet with every finding, and, for
several departments, a 汇总 sheet with one row each.

Why this module is long: the audited 评分表, 问题清单 and 汇总 sheets are laid out cell by cell
and share their styles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.core.decimals import fmt_points
from perfeval.core.engine import Status
from perfeval.core.problems import LEVEL_LABELS, InputError, Location, Problem
from perfeval.fileio.safe_write import write_atomic
from perfeval.fileio.workbook.cells import CellTextError
from perfeval.fileio.workbook.cells import put as put_cell
from perfeval.fileio.workbook.print_layout import fit_rows
from perfeval.pipeline.reports import FileReport, IndicatorRow
from perfeval.reporting.tables import recomputed_cell

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DIFF_FILL = PatternFill("solid", fgColor="F8CBAD")
ATTENTION_FILL = PatternFill("solid", fgColor="FFE699")
TOTAL_FILL = PatternFill("solid", fgColor="EDEDED")
BOLD = Font(bold=True)
RED = Font(color="C00000")
RED_BOLD = Font(color="C00000", bold=True)
TITLE = Font(bold=True, size=14)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
POINTS_FORMAT = "0.##"

STATUS_FILL = {
    Status.OVER_CLAIMED: DIFF_FILL,
    Status.OUT_OF_RANGE: DIFF_FILL,
    Status.UNDER_CLAIMED: ATTENTION_FILL,
    Status.UNVERIFIABLE: ATTENTION_FILL,
    Status.NOT_SCORED: ATTENTION_FILL,
}
DEFAULT_LEVELS = ["一级指标", "二级指标", "三级指标"]


def _page_setup(ws: Worksheet, title_rows: str) -> None:
    """A4 landscape, as wide as the page, the header row repeated, each row as tall as its wrapped text
    (called last: the columns' widths are set)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    fit_rows(ws)


def _widths(ws: Worksheet, widths: Mapping[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def _level(p: Problem) -> str:
    return LEVEL_LABELS.get(p.level, p.level)


def _finding_text(p: Problem) -> str:
    return f"{_level(p)}：{p.message}"


def _by_indicator(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for p in problems:
        if p.indicator_id:
            out.setdefault(p.indicator_id, []).append(p)
    return out


def _recomputed(n: IndicatorRow) -> Decimal | str | None:
    if n.score is not None:
        return n.score
    return recomputed_cell(n) or None


def _difference(self_score: Decimal | None, audited: Decimal | None) -> Decimal | None:
    if self_score is None or audited is None:
        return None
    return audited - self_score


def _depth(report: FileReport) -> int:
    return max((n.depth for n in report.indicators), default=1)


def _put(ws: Worksheet, row: int, col: int, value: Any, **style: Any) -> Any:
    """A cell of the report: text from the inputs with its invisible characters shown (\\x1b)."""
    return put_cell(ws, row, col, value, visible=True, **style)


def _sheet_title(i: int, unit: str, taken: set[str]) -> str:
    shown = "".join(ch if ch.isprintable() else "_" for ch in unit)  # (a title cannot show \x1b: no backslash)
    base = re.sub(r"[\[\]:*?/\\]", "", f"{i}.{shown}")[:31]
    title, k = base, 2
    while title in taken:
        title = f"{base[:28]}~{k}"
        k += 1
    taken.add(title)
    return title


def _audited_sheet(ws: Worksheet, report: FileReport, levels: list[str]) -> None:
    depth = _depth(report)
    file_name, findings = report.file, report.problems
    children = report.children_of()
    tiers = (levels + [f"{i + 1}级指标" for i in range(len(levels), depth)])[:depth]
    headers = tiers + ["分值", "自评得分", "核算得分", "审核得分", "差异（审核−自评）", "状态", "核算说明", "审核意见"]
    col = {h: i for i, h in enumerate(headers, start=1)}
    width = len(headers)
    _put(
        ws,
        1,
        1,
        f"{report.unit} {report.year} 年度 · {report.rubric_name}（审核）",
        font=TITLE,
        align=Alignment(horizontal="center"),
        border=False,
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    _put(ws, 2, 1, f"文件：{file_name}", border=False)
    if report.illustrative:
        _put(ws, 2, col["核算说明"], "注意：示意数据，不是真实单位的填报", font=RED, border=False)
    header_row = 3
    for h, i in col.items():
        _put(ws, header_row, i, h, font=BOLD, fill=HEADER_FILL, align=CENTER)
    notes = _by_indicator(findings)
    row = header_row + 1

    def score_row(r: int, n: IndicatorRow) -> None:
        _put(ws, r, col["分值"], n.weight, number_format=POINTS_FORMAT, align=CENTER)
        _put(
            ws,
            r,
            col["自评得分"],
            n.self_score if n.self_score is not None else "未填",
            number_format=POINTS_FORMAT,
            align=CENTER,
        )
        _put(ws, r, col["核算得分"], _recomputed(n), number_format=POINTS_FORMAT, align=CENTER)
        _put(ws, r, col["审核得分"], n.audited_score, number_format=POINTS_FORMAT, align=CENTER, font=BOLD)
        diff = _difference(n.self_score, n.audited_score)
        _put(ws, r, col["差异（审核−自评）"], diff if diff else None, number_format="+0.##;-0.##;0", align=CENTER)
        if diff:
            for h in ("自评得分", "审核得分", "差异（审核−自评）"):
                ws.cell(row=r, column=col[h]).fill = DIFF_FILL
        _put(
            ws,
            r,
            col["状态"],
            n.status.label if n.status else None,
            align=CENTER,
            fill=STATUS_FILL.get(n.status) if n.status else None,
        )
        _put(ws, r, col["核算说明"], n.note or None, align=WRAP)
        mine = notes.get(n.id, [])
        has_error = any(f.is_error for f in mine)
        _put(
            ws,
            r,
            col["审核意见"],
            "\n".join(_finding_text(f) for f in mine) or None,
            align=WRAP,
            font=RED if has_error else None,
        )

    def emit(n: IndicatorRow) -> None:
        nonlocal row
        start = row
        if n.is_leaf:
            score_row(row, n)
            row += 1
            for item in n.items:
                _put(ws, row, col["分值"], item.points, number_format=POINTS_FORMAT, align=CENTER)
                _put(
                    ws,
                    row,
                    col["自评得分"],
                    item.self_score if item.self_score is not None else "未填",
                    number_format=POINTS_FORMAT,
                    align=CENTER,
                )
                for h in ("核算得分", "审核得分", "差异（审核−自评）"):
                    _put(ws, row, col[h], None)
                _put(ws, row, col["状态"], item.status.label, align=CENTER, fill=STATUS_FILL.get(item.status))
                _put(ws, row, col["核算说明"], f"评分要点 {item.text}", align=WRAP)
                _put(ws, row, col["审核意见"], None)
                row += 1
        else:
            for c in children.get(n.id, []):
                emit(c)
        end = row - 1
        label = f"{n.name}（{fmt_points(n.weight)}分）"
        if not n.is_leaf and n.self_score is not None:
            label += f"\n自评 {fmt_points(n.self_score)} / 审核 {fmt_points(n.audited_score)}"
        last = n.depth if not n.is_leaf else depth
        _put(ws, start, n.depth, label, align=CENTER, font=BOLD if not n.is_leaf else None)
        for r_ in range(start, end + 1):
            for c_ in range(n.depth, last + 1):
                if (r_, c_) != (start, n.depth):
                    _put(ws, r_, c_, None)
        if end > start or last > n.depth:
            ws.merge_cells(start_row=start, start_column=n.depth, end_row=end, end_column=last)

    for top in children.get(None, []):
        emit(top)
    _put(ws, row, 1, "总    分", font=BOLD, align=CENTER, fill=TOTAL_FILL)
    for c in range(2, depth + 1):
        _put(ws, row, c, None, fill=TOTAL_FILL)
    if depth > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=depth)
    total = IndicatorRow(
        "", "总分", 0, None, report.total_weight or Decimal(0), report.self_total, report.recomputed_total,
        None, None, True, None, report.audited_total, None, None, None, (), (), "", False,
    )  # fmt: skip
    score_row(row, total)
    _put(ws, row, col["核算得分"], report.recomputed_total, number_format=POINTS_FORMAT, align=CENTER)
    _put(ws, row, col["状态"], None)
    for c in range(depth + 1, width + 1):
        cell = ws.cell(row=row, column=c)
        if cell.fill != DIFF_FILL:
            cell.fill = TOTAL_FILL
    if report.has_adjustments:  # penalties and caps on the total, as the terminal shows them
        for a in report.adjustments:
            row += 1
            _put(ws, row, 1, f"总分调整·{a.note}", border=False)
        row += 1
        _put(
            ws,
            row,
            1,
            f"调整后自评得分 {fmt_points(report.self_total_adjusted) if report.self_total_adjusted is not None else '—'}，"
            f"调整后审核得分 {fmt_points(report.audited_total_adjusted) if report.audited_total_adjusted is not None else '—'}"
            + (f"（{report.audited_grade}）" if report.audited_grade else ""),
            font=BOLD,
            border=False,
        )
    last_row = row
    if report.stated_total is not None and report.stated_total != report.self_total:
        row += 1
        _put(
            ws,
            row,
            1,
            f"单位填报的自评总分为 {fmt_points(report.stated_total)}，与各指标自评得分之和 "
            f"{fmt_points(report.self_total) if report.self_total is not None else '（有未填项）'} 不一致。",
            font=RED,
            border=False,
        )
    general = [f for f in findings if not f.indicator_id]
    if general:
        row += 2
        _put(ws, row, 1, "其他审核意见（不属于某一指标的，详见“问题清单”）：", font=BOLD, border=False)
        for f in general:
            row += 1
            _put(
                ws,
                row,
                1,
                f"{_finding_text(f)}（{f.location}）",
                border=False,
                font=RED if f.is_error else None,
            )
    _widths(
        ws,
        {
            **{i: 12 for i in range(1, depth + 1)},
            col["分值"]: 7,
            col["自评得分"]: 9,
            col["核算得分"]: 10,
            col["审核得分"]: 9,
            col["差异（审核−自评）"]: 10,
            col["状态"]: 9,
            col["核算说明"]: 44,
            col["审核意见"]: 44,
        },
    )
    ws.freeze_panes = ws.cell(row=header_row + 1, column=depth + 1).coordinate
    ws.print_area = f"A1:{get_column_letter(width)}{last_row}"
    _page_setup(ws, f"{header_row}:{header_row}")


def _findings_sheet(ws: Worksheet, entries: list[FileReport]) -> None:
    several = len(entries) > 1
    headers = ["序号"] + (["文件", "单位"] if several else []) + ["级别", "指标", "位置", "问题"]
    col = {h: i for i, h in enumerate(headers, start=1)}
    _put(ws, 1, 1, "问题清单", font=TITLE, border=False)
    for h, i in col.items():
        _put(ws, 2, i, h, font=BOLD, fill=HEADER_FILL, align=CENTER)
    row, k = 3, 0
    for report in entries:
        for f in report.problems:
            k += 1
            ind = f.indicator_id
            error = f.is_error
            _put(ws, row, col["序号"], k, align=CENTER)
            if several:
                _put(ws, row, col["文件"], report.file, align=WRAP)
                _put(ws, row, col["单位"], report.unit if report.readable else "（无法读取）", align=WRAP)
            _put(
                ws,
                row,
                col["级别"],
                _level(f),
                align=CENTER,
                font=RED_BOLD if error else None,
                fill=DIFF_FILL if error else ATTENTION_FILL,
            )
            _put(ws, row, col["指标"], f"{f.indicator_name or ind}（{ind}）" if ind else None, align=WRAP)
            _put(ws, row, col["位置"], str(f.location), align=WRAP)
            _put(ws, row, col["问题"], f.message, align=WRAP)
            row += 1
    if k == 0:
        _put(ws, row, 1, "未发现问题。", border=False)
    widths = {col["序号"]: 6, col["级别"]: 7, col["指标"]: 24, col["位置"]: 30, col["问题"]: 70}
    if several:
        widths.update({col["文件"]: 24, col["单位"]: 24})
    _widths(ws, widths)
    ws.freeze_panes = "A3"
    _page_setup(ws, "2:2")


SUMMARY_STATUSES = [
    Status.OVER_CLAIMED,
    Status.UNDER_CLAIMED,
    Status.OUT_OF_RANGE,
    Status.UNVERIFIABLE,
    Status.NOT_SCORED,
]


def _summary_sheet(ws: Worksheet, entries: list[FileReport], sheet_titles: list[str | None]) -> None:
    headers = (
        [
            "序号",
            "文件",
            "单位",
            "年度",
            "评分表",
            "分值",
            "自评得分",
            "核算得分",
            "审核得分",
            "差异（审核−自评）",
            "错误",
            "警告",
        ]
        + [f"{s.label}（项）" for s in SUMMARY_STATUSES]
        + ["评分表工作表"]
    )
    col = {h: i for i, h in enumerate(headers, start=1)}
    _put(ws, 1, 1, "汇总", font=TITLE, border=False)
    for h, i in col.items():
        _put(ws, 2, i, h, font=BOLD, fill=HEADER_FILL, align=CENTER)
    for k, (report, title) in enumerate(zip(entries, sheet_titles, strict=True), start=1):
        r = k + 2
        # the totals the terminal shows: after the rubric's penalties and caps, where it has any
        diff = _difference(report.final_self, report.final_audited)
        values: list[Any] = [
            k,
            report.file,
            report.unit if report.readable else "（无法读取）",
            report.year,
            report.rubric_name,
            report.total_weight,
            report.final_self,
            report.recomputed_total_adjusted if report.has_adjustments else report.recomputed_total,
            report.final_audited,
            diff or None,
            report.errors,
            report.warnings,
        ]
        counts = {s: 0 for s in SUMMARY_STATUSES}
        for n in report.leaves():
            if n.status in counts:
                counts[n.status] += 1
        values += [counts[s] if report.readable else None for s in SUMMARY_STATUSES] + [title]
        for i, v in enumerate(values, start=1):
            c = _put(
                ws,
                r,
                i,
                v,
                number_format=POINTS_FORMAT if isinstance(v, Decimal) else None,
                align=WRAP if i in (2, 3, 5) else CENTER,
            )
            if i == col["差异（审核−自评）"]:
                c.number_format = "+0.##;-0.##;0"
        if diff:
            for h in ("自评得分", "审核得分", "差异（审核−自评）"):
                ws.cell(row=r, column=col[h]).fill = DIFF_FILL
        if values[col["错误"] - 1]:
            ws.cell(row=r, column=col["错误"]).font = RED_BOLD
    _widths(
        ws,
        {
            **{i: 10 for i in col.values()},
            col["文件"]: 26,
            col["单位"]: 26,
            col["评分表"]: 30,
            col["评分表工作表"]: 18,
            col["序号"]: 6,
        },
    )
    ws.freeze_panes = "D3"
    _page_setup(ws, "2:2")


def audit_workbook(entries: list[FileReport]) -> Workbook:
    """The audited 评分表 of every readable department, 问题清单 with every problem of every file
    (unreadable ones too), and, for several files, a 汇总 with one row per file given."""
    wb = Workbook()
    for sheet in list(wb.worksheets):  # the blank sheet a new workbook comes with
        wb.remove(sheet)
    several = len(entries) > 1
    summary = wb.create_sheet("汇总") if several else None
    taken = {"汇总", "问题清单"}
    titles: list[str | None] = []
    for i, report in enumerate(entries, start=1):
        if not report.readable:
            titles.append(None)
            continue
        title = _sheet_title(i, report.unit or "", taken) if several else "评分表"
        titles.append(title)
        levels = list(report.levels or DEFAULT_LEVELS)
        _audited_sheet(wb.create_sheet(title), report, levels)
    _findings_sheet(wb.create_sheet("问题清单"), entries)
    if summary is not None:
        _summary_sheet(summary, entries, titles)
    wb.properties.creator = "perfeval"
    return wb


def write_audit_workbook(
    path: Path | str, entries: list[FileReport], *, force: bool, inputs: tuple[Path, ...] = ()
) -> None:
    """Write the audited workbook for ``entries`` (one report per file given, in input order).
    Existing files are not overwritten without ``force``; an input of the run never. Text a cell
    cannot hold (over 32,767 characters) is refused by its cell, never cut; control characters
    are shown (\\x1b)."""
    try:
        wb = audit_workbook(list(entries))
    except CellTextError as exc:
        code = "text-too-long" if exc.reason.startswith("文字有") else "unwritable-text"
        raise InputError(
            [Problem(code, f"审核结果工作簿的单元格 {exc.ref}：{exc.reason}", Location(str(path)))]
        ) from None
    write_atomic(Path(path), lambda tmp: wb.save(tmp), force=force, inputs=inputs)
