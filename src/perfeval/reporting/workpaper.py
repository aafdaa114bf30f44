"""The reviewer's workpaper (审核工作底稿) that ``perfeval check … --output review.xlsx`` writes, streamed.

Three sheets, however many units the batch has:

* **汇总** — one row per file given (unreadable ones too, with their problem counts): 自评总分,
  自评/核算/复核/审核得分, 偏差 and 偏离度, the grades, the findings by severity (P0/P1/P2) and the
  national platform's warnings where the rubric has a 执行率 block; then the batch's totals.
* **指标明细** — one long sheet keyed by unit (序号, 单位): per indicator 一级/二级/三级, 分值,
  自评完成值, 自评得分, 核算得分 (or the range a rule allows), 复核得分, 审核得分, 偏离度, 状态,
  核算说明 and 备注 (the findings of that indicator); a 合计 row closes each unit, and a page break
  starts the next one when printed.
* **问题清单** — every problem of every file, with its severity, code and title.

The workbook is written as a stream with xlsxwriter's ``constant_memory`` mode: :meth:`Workpaper.add`
writes one unit's rows as its report arrives and keeps nothing of it but a few counts, so a county of
5,000 files costs no more memory than one. Rows are written in order, one at a time; column widths are
fixed up front and row heights come from :mod:`perfeval.reporting.text_width`. Printing: A4 landscape,
the header rows repeated on every page, scaled so that the printed columns fit the page width.

Every total is the one the terminal prints (:mod:`perfeval.reporting.review_rows`): scores are exact
decimals with two places at most, written as spreadsheet numbers.

Why this module is long: three sheets laid out column by column, sharing their formats.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from perfeval.core.decimals import fmt_points
from perfeval.core.engine import Status
from perfeval.core.problems import Problem
from perfeval.fileio.safe_write import write_atomic
from perfeval.pipeline.reports import FileReport, IndicatorRow
from perfeval.pipeline.reviews import ReviewSummary
from perfeval.reporting.lines import handled
from perfeval.reporting.review_rows import (
    SEVERITIES,
    SEVERITY_LABELS,
    UnitSummary,
    accepted_note,
    code_title,
    completion_value,
    deviation_rate,
    findings_by_indicator,
    severity,
    severity_label,
    tier_paths,
    unit_summary,
)
from perfeval.reporting.tables import recomputed_cell
from perfeval.reporting.text_width import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    ROW_PADDING,
    column_points,
    row_height,
    wrapped_lines,
)
from perfeval.reporting.visible import visible

FONT = "宋体"
FONT_SIZE = 10
HEADER_FILL = "#DDEBF7"
DIFF_FILL = "#F8CBAD"
ATTENTION_FILL = "#FFE699"
TOTAL_FILL = "#EDEDED"
RED = "#C00000"
MAX_CELL_TEXT = 32_767  # what a spreadsheet cell holds
MAX_PAGE_BREAKS = 1023  # what a spreadsheet keeps of manual page breaks
A4_LANDSCAPE_POINTS = 842 - 2 * 0.5 * 72  # the page width less 0.5-inch margins
PRINT_WIDTH_MARGIN = 1.12  # printed columns are assumed this much wider than the spreadsheet's own measure
TIER_COLUMNS = 3  # 一级/二级/三级; a deeper indicator's lower levels are joined in the last one

STATUS_FILL = {
    Status.OVER_CLAIMED: DIFF_FILL,
    Status.OUT_OF_RANGE: DIFF_FILL,
    Status.UNDER_CLAIMED: ATTENTION_FILL,
    Status.UNVERIFIABLE: ATTENTION_FILL,
    Status.NOT_SCORED: ATTENTION_FILL,
}

# kind of a column → its number format and alignment
KINDS: dict[str, dict[str, Any]] = {
    "text": {"text_wrap": True, "valign": "top"},
    "key": {"shrink": True, "valign": "top"},  # repeated on every row: shrunk to fit, never a taller row
    "center": {"align": "center", "valign": "top", "text_wrap": True},
    "points": {"align": "center", "valign": "top", "num_format": "General"},
    "percent": {"align": "center", "valign": "top", "num_format": "0.00%"},
    "amount": {"align": "right", "valign": "top", "num_format": "#,##0.00"},
    "number": {"align": "center", "valign": "top", "num_format": "General"},
    "diff": {"align": "center", "valign": "top", "num_format": "+0.00;-0.00;0"},
    "count": {"align": "center", "valign": "top", "num_format": "0"},
}
MEASURE_KIND = {"percent": "percent", "amount": "amount", "number": "number"}


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float
    kind: str
    printed: bool = True


DETAIL_COLUMNS = [
    Column("序号", 5, "center"),
    Column("单位", 16, "key"),
    Column("一级指标", 10, "text"),
    Column("二级指标", 12, "text"),
    Column("三级指标", 14, "text"),
    Column("分值", 6, "points"),
    Column("自评完成值", 10, "number"),
    Column("自评得分", 7, "points"),
    Column("核算得分", 9, "points"),
    Column("复核完成值", 10, "center"),
    Column("复核得分", 7, "points"),
    Column("审核得分", 7, "points"),
    Column("偏离度", 8, "percent"),
    Column("状态", 7, "center"),
    Column("核算说明", 32, "text"),
    Column("备注", 40, "text"),
]
SUMMARY_COLUMNS = [
    Column("序号", 5, "center"),
    Column("单位", 18, "text"),
    Column("评分表", 18, "text"),
    Column("分值", 6, "points"),
    Column("自评总分", 7, "points"),
    Column("自评得分", 7, "points"),
    Column("核算得分", 7, "points"),
    Column("复核得分", 7, "points"),
    Column("审核得分", 7, "points"),
    Column("偏差（自评−审核）", 9, "diff"),
    Column("偏离度", 8, "percent"),
    Column("自评等级", 6, "center"),
    Column("审核等级", 6, "center"),
    Column("高报（项）", 6, "count"),
    *(Column(SEVERITY_LABELS[s], 6, "count") for s in SEVERITIES),
    Column("平台预警", 24, "text"),
    Column("结论", 7, "center"),
    Column("文件", 28, "text", printed=False),
]
FINDING_COLUMNS = [
    Column("序号", 6, "center"),
    Column("单位序号", 5, "center"),
    Column("单位", 16, "key"),
    Column("级别", 8, "center"),
    Column("问题类别", 16, "text"),
    Column("指标", 18, "text"),
    Column("位置", 22, "text"),
    Column("问题", 70, "text"),
]


def _index(columns: list[Column]) -> dict[str, int]:
    return {c.header: i for i, c in enumerate(columns)}


D, S = _index(DETAIL_COLUMNS), _index(SUMMARY_COLUMNS)
HEADER_ROW = 1  # row 0: the sheet's title; row 1: the column headers, repeated on every printed page


@lru_cache(maxsize=4096)  # names and notes repeat from unit to unit
def cell_text(text: str) -> str:
    """Input text as a cell shows it: control characters made visible, cut to what a cell holds."""
    shown = visible(text)
    if len(shown) > MAX_CELL_TEXT:
        shown = shown[: MAX_CELL_TEXT - 20] + "……（过长，余下从略）"
    return shown


STYLES: dict[str, dict[str, Any]] = {
    "": {},
    "tier": {"bold": True},
    "total": {"bold": True, "bg_color": TOTAL_FILL, "pattern": 1},
    "red": {"font_color": RED},
    "over": {"bg_color": DIFF_FILL, "pattern": 1},
    "under": {"bg_color": ATTENTION_FILL, "pattern": 1},
}
FILLED = {name for name, props in STYLES.items() if "bg_color" in props}  # styles whose empty cells are written
STATUS_STYLE = {s: "over" if fill == DIFF_FILL else "under" for s, fill in STATUS_FILL.items()}
BORDER = {"border": 1, "border_color": "#808080"}


class _Formats:
    """The workbook's formats, made once each: (kind of column, style of row) → format."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.made: dict[tuple[str, str], Format] = {}

    def __call__(self, kind: str, style: str = "") -> Format:
        f = self.made.get((kind, style))
        if f is None:
            props: dict[str, Any] = {"font_name": FONT, "font_size": FONT_SIZE}
            if kind == "title":
                props.update(bold=True, font_size=14)
            elif kind == "header":
                props.update(KINDS["center"], bold=True, bg_color=HEADER_FILL, pattern=1, valign="vcenter", **BORDER)
            elif kind == "plain":
                pass
            else:
                props.update(KINDS[kind], **STYLES[style])
            f = self.made[(kind, style)] = self.wb.add_format(props)
        return f


# A row of the workpaper, as plain values (floats, ints, strings, None) that a second process can be sent:
# (sheet, values, style, kinds of format that differ from the column's, cell styles, row height or None).
# A row of sheet BREAK says that a page break comes before the next row of 指标明细.
Row = tuple[int, list[Any], str, dict[int, str] | None, dict[int, str] | None, float | None]
SUMMARY, DETAIL, FINDINGS, BREAK = 0, 1, 2, 3
SHEETS = [  # (name, title, columns) of each sheet, in order
    ("汇总", "审核工作底稿·汇总", SUMMARY_COLUMNS),
    ("指标明细", "审核工作底稿·指标明细（按单位）", DETAIL_COLUMNS),
    ("问题清单", "审核工作底稿·问题清单", FINDING_COLUMNS),
]
_WRAPPING = [[(i, c.width) for i, c in enumerate(cols) if c.kind in ("text", "center")] for _, _, cols in SHEETS]


def _height(sheet: int, values: list[Any]) -> float | None:
    """The row height the text-width model gives the row's wrapped cells; None when one line does."""
    lines = 1
    for i, width in _WRAPPING[sheet]:
        v = values[i]
        if v.__class__ is str:
            lines = max(lines, wrapped_lines(v, width))
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING) if lines > 1 else None


_REMARKS_WIDTH = next(c.width for c in DETAIL_COLUMNS if c.header == "备注")
# lines of 备注 a row holds, with a quarter to spare: LibreOffice and WPS wrap CJK text with wider columns'
# worth of glyphs than the model counts (tests/test_print_layout.py checks against a stricter model)
_MAX_LINES = int((MAX_ROW_HEIGHT - ROW_PADDING) // LINE_HEIGHT * 3 // 4)


def _fit_remarks(remarks: list[str]) -> list[str]:
    """The 备注 of an indicator as a row can show them: a row is at most 409 pt, so past what fits, the rest
    is counted and sent to 问题清单, which lists every finding in full — printed, never cut off mid-text."""
    lines, kept = 0, []
    for i, text in enumerate(remarks):
        need = wrapped_lines(text, _REMARKS_WIDTH)
        last = i == len(remarks) - 1  # the last needs no line left for the count of the rest
        if lines + need > _MAX_LINES - (0 if last else 1):
            kept.append(f"……另有 {len(remarks) - i} 条问题，见“问题清单”")
            return kept
        kept.append(text)
        lines += need
    return kept


def _plain(values: list[Any]) -> list[Any]:
    return [float(v) if v.__class__ is Decimal else v for v in values]


class WorkpaperRows:
    """Each report as the workpaper's rows, and the batch's totals: everything but the file itself.

    Keeps no report: only the counts the totals need (units, grades, verdicts, severities)."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.units = 0  # files given so far
        self.readable = 0  # of which could be audited
        self.problems = 0
        self.rubric_files: set[str] = set()  # the rubrics the units named: never to be written over
        self.grades: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()
        self.verdicts: Counter[str] = Counter()
        self.accepted = 0  # findings accepted by the files (已接受): listed, not counted
        self.ignored = 0  # findings not reported (--ignore, --select, the configuration)

    def rows(self, report: FileReport) -> list[Row]:
        """``report``'s 汇总 row, its 指标明细 rows (after a page break) and its 问题清单 rows."""
        self.units += 1
        u = unit_summary(report, self.units, self.strict)
        out: list[Row] = [self._summary_row(u)]
        if report.readable:
            self.readable += 1
            if report.rubric_file:
                self.rubric_files.add(report.rubric_file)
            out.append((BREAK, [], "", None, None, None))
            self._detail_rows(report, u, out)
        self._finding_rows(report, u, out)
        self.grades[u.audited_grade or ("（无法读取）" if not u.readable else "（无等级）")] += 1
        self.severities.update(u.severities)
        self.verdicts[u.verdict] += 1
        self.accepted += report.accepted
        self.ignored += report.ignored_total
        return out

    def totals(self) -> list[str]:
        """The lines under the 汇总: files, verdicts, grades, problems by severity."""
        unreadable = self.units - self.readable
        return [
            f"共 {self.units} 个部门文件，可审核 {self.readable} 个"
            + (f"，无法读取 {unreadable} 个" if unreadable else ""),
            "结论：" + "，".join(f"{k} {v} 个" for k, v in sorted(self.verdicts.items())),
            "审核等级：" + "，".join(f"{k} {v} 个" for k, v in sorted(self.grades.items())),
            "问题："
            + "，".join(f"{SEVERITY_LABELS[k]} {self.severities.get(k, 0)} 个" for k in SEVERITIES)
            + handled(self.accepted, self.ignored),
        ]

    @staticmethod
    def _row(
        sheet: int,
        values: list[Any],
        style: str = "",
        kinds: dict[int, str] | None = None,
        cells: dict[int, str] | None = None,
    ) -> Row:
        values = _plain(values)
        return (sheet, values, style, kinds, cells, _height(sheet, values))

    def _summary_row(self, u: UnitSummary) -> Row:
        dev = u.deviation
        values: list[Any] = [
            u.index,
            cell_text(u.name),
            cell_text(u.rubric_name) if u.rubric_name else None,
            u.weight,
            u.stated_total,
            u.self_score,
            u.recomputed,
            u.reviewed,
            u.audited,
            dev,
            u.deviation_rate,
            u.self_grade,
            u.audited_grade,
            u.over_claimed if u.readable else None,
            *(u.severities[s] for s in SEVERITIES),
            "\n".join(w.label for w in u.warnings) or None,
            u.verdict,
            cell_text(u.file),
        ]
        cells: dict[int, str] = {}
        if dev:
            mark = "over" if dev > 0 else "under"
            cells = {S["自评得分"]: mark, S["审核得分"]: mark, S["偏差（自评−审核）"]: mark}
        if u.warnings:
            cells[S["平台预警"]] = "over" if any(w.color == "red" for w in u.warnings) else "under"
        return self._row(SUMMARY, values, "red" if not u.readable else "", None, cells or None)

    def _detail_rows(self, report: FileReport, u: UnitSummary, out: list[Row]) -> None:
        mine, general = findings_by_indicator(report.problems)
        unit = cell_text(u.name)
        for r, names in tier_paths(report.indicators):
            values, kinds, cells = _indicator_cells(u.index, unit, names, r, mine.get(r.id, ()), report.review)
            out.append(self._row(DETAIL, values, "" if r.is_leaf else "tier", kinds, cells))
        self._total_rows(report, u, unit, general, out)

    def _total_rows(
        self, report: FileReport, u: UnitSummary, unit: str, general: list[Problem], out: list[Row]
    ) -> None:
        width = len(DETAIL_COLUMNS)
        notes = []
        if report.stated_total is not None and report.stated_total != report.self_total:
            notes.append(f"单位填报的自评总分为 {fmt_points(report.stated_total)}，与各指标自评得分之和不一致")
        notes += [f"{severity_label(p)}：{cell_text(p.message + accepted_note(p))}" for p in general]
        notes = _fit_remarks(notes)

        def line(label: str, **cells: Any) -> list[Any]:
            values: list[Any] = [None] * width
            values[D["序号"]], values[D["单位"]], values[D["一级指标"]] = u.index, unit, label
            for header, value in cells.items():
                values[D[header]] = value
            return values

        review = report.review
        if review is not None and review.reason:
            notes.insert(0, f"复核结论：{cell_text(review.reason)}")
        total = line(
            "合计",
            分值=report.total_weight,
            自评得分=report.self_total,
            核算得分=report.recomputed_total,
            复核得分=review.total if review is not None else None,
            审核得分=report.audited_total,
            偏离度=deviation_rate(report.self_total, report.audited_total) if review is None else review.deviation,
            状态=None if report.has_adjustments else report.audited_grade,
            备注="\n".join(notes) or None,
        )
        points = {D["偏离度"]: "points"} if review is not None and review.measure == "points" else None
        out.append(self._row(DETAIL, total, "total", points))
        if not report.has_adjustments:
            return
        for a in report.adjustments:
            adjustment = line("总分调整", 二级指标=cell_text(a.name), 核算说明=cell_text(a.note) if a.note else None)
            out.append(self._row(DETAIL, adjustment))
        after = line(
            "调整后合计",
            分值=report.total_weight,
            自评得分=report.self_total_adjusted,
            核算得分=report.recomputed_total_adjusted,
            审核得分=report.audited_total_adjusted,
            偏离度=deviation_rate(report.self_total_adjusted, report.audited_total_adjusted),
            状态=report.audited_grade,
        )
        out.append(self._row(DETAIL, after, "total"))

    def _finding_rows(self, report: FileReport, u: UnitSummary, out: list[Row]) -> None:
        unit = cell_text(u.name)
        for p in report.problems:
            self.problems += 1
            indicator = None
            if p.indicator_id:
                indicator = f"{cell_text(p.indicator_name or p.indicator_id)}（{cell_text(p.indicator_id)}）"
            values = [
                self.problems,
                u.index,
                unit,
                severity_label(p),
                code_title(p.code),
                indicator,
                cell_text(str(p.location) if p.location is not None else report.file),
                cell_text(p.message + accepted_note(p)),
            ]
            out.append(self._row(FINDINGS, values, "red" if severity(p) == "P0" and p.accepted is None else ""))


class _Sheet:
    """One worksheet written top to bottom, one row at a time: its columns, formats, and the next row."""

    def __init__(self, wb: xlsxwriter.Workbook, fmt: _Formats, name: str, title: str, columns: list[Column]) -> None:
        self.ws: Worksheet = wb.add_worksheet(name)
        self.fmt, self.columns = fmt, columns
        self.kinds = [c.kind for c in columns]
        self.row_formats: dict[str, list[Format]] = {}
        for i, c in enumerate(columns):
            self.ws.set_column(i, i, c.width)
        self.ws.set_row(0, 24)
        self.ws.write_string(0, 0, title, fmt("title"))
        height = row_height([(c.header, c.width) for c in columns])
        if height is not None:
            self.ws.set_row(HEADER_ROW, height)
        head = fmt("header")
        for i, c in enumerate(columns):
            self.ws.write_string(HEADER_ROW, i, c.header, head)
        self.row = HEADER_ROW + 1
        self._print_setup()

    def _print_setup(self) -> None:
        ws = self.ws
        ws.hide_gridlines(0)  # shown on screen and printed: the table's grid, without a border on every cell
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.repeat_rows(0, HEADER_ROW)
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.set_header("&L&A&R审核工作底稿")
        ws.set_footer("&C第 &P 页，共 &N 页")
        # scaled to fit the printed columns on the page's width (not "fit to page": that would drop
        # the page break before each unit), with room to spare: LibreOffice draws columns ~5% wider
        total = sum(column_points(c.width) for c in self.columns if c.printed) * PRINT_WIDTH_MARGIN
        ws.set_print_scale(max(10, min(100, int(100 * A4_LANDSCAPE_POINTS / total))))

    def put(
        self,
        values: list[Any],
        style: str,
        kinds: dict[int, str] | None,
        cell_styles: dict[int, str] | None,
        height: float | None,
    ) -> None:
        """Write the next row: ``values[i]`` (a float, int, str or None) in column ``i``, in the column's
        kind of format unless ``kinds`` says otherwise, in ``style`` unless ``cell_styles`` says otherwise."""
        ws, r = self.ws, self.row
        if height is not None:
            ws.set_row(r, height)
        formats = self.row_formats.get(style)
        if formats is None:
            formats = self.row_formats[style] = [self.fmt(k, style) for k in self.kinds]
        if kinds or cell_styles:
            formats = list(formats)
            for i in set(kinds or ()) | set(cell_styles or ()):
                kind = (kinds or {}).get(i, self.kinds[i])
                formats[i] = self.fmt(kind, (cell_styles or {}).get(i, style))
        # an empty cell is written only where it is filled: the grid is printed with the sheet's gridlines
        text, number, blank = ws.write_string, ws.write_number, ws.write_blank
        filled = style in FILLED
        i = 0
        for v, f in zip(values, formats, strict=True):
            if v is None:
                if filled or (cell_styles and i in cell_styles):
                    blank(r, i, None, f)
            elif v.__class__ is str:
                text(r, i, v, f)
            else:
                number(r, i, v, f)
            i += 1
        self.row = r + 1

    def forget_written_rows(self) -> None:
        """Drop what xlsxwriter keeps of each row once the row is in its temporary file: its height, kept
        for placing images (the workpaper has none). Without this, memory grows by ~10 kB a unit."""
        written = getattr(self.ws, "previous_row", None)
        if not isinstance(written, int):
            return
        for name in ("row_info", "set_rows", "row_sizes"):  # row_info from xlsxwriter 3.2, set_rows before
            kept = getattr(self.ws, name, None)
            if isinstance(kept, dict) and kept:
                for row in [row for row in kept if row < written]:
                    del kept[row]

    def note(self, text: str) -> None:
        """A line of text under the table, outside its borders."""
        self.ws.write_string(self.row, 0, text, self.fmt("plain"))
        self.row += 1

    def finish(self, table_end: int) -> None:
        """The print area (everything written, the printed columns) and the filter (the table's rows)."""
        printed = sum(1 for c in self.columns if c.printed)
        self.ws.print_area(0, 0, max(self.row - 1, HEADER_ROW), printed - 1)
        self.ws.autofilter(HEADER_ROW, 0, max(table_end - 1, HEADER_ROW), len(self.columns) - 1)


class WorkpaperFile:
    """The workpaper's file: rows written as they come (xlsxwriter, ``constant_memory``), then closed."""

    def __init__(self, path: Path | str) -> None:
        # xlsxwriter keeps each sheet's rows in a temporary file until the end: in a folder of ours, removed
        # whether the workpaper is written or discarded
        self.scratch = tempfile.TemporaryDirectory(prefix="perfeval-workpaper-")
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": self.scratch.name,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.wb.set_properties({"title": "审核工作底稿", "author": "perfeval", "comments": "perfeval check --output"})
        fmt = _Formats(self.wb)
        self.sheets = [_Sheet(self.wb, fmt, name, title, columns) for name, title, columns in SHEETS]
        self.breaks: list[int] = []  # the 指标明细 row where each unit after the first starts
        self.closed = False

    def write(self, rows: Iterable[Row]) -> None:
        sheets = self.sheets
        for sheet, values, style, kinds, cells, height in rows:
            if sheet == BREAK:
                detail = sheets[DETAIL].row
                if detail > HEADER_ROW + 1 and len(self.breaks) < MAX_PAGE_BREAKS:
                    self.breaks.append(detail)
                continue
            sheets[sheet].put(values, style, kinds, cells, height)
        for s in sheets:
            s.forget_written_rows()

    def close(self, totals: list[str]) -> None:
        """The ``totals`` under the 汇总, the print areas and page breaks; the file closed."""
        if self.closed:
            return
        self.closed = True
        summary, detail, findings = self.sheets
        table_end = summary.row
        summary.row += 1
        for line in totals:
            summary.note(line)
        summary.finish(table_end)
        detail.finish(detail.row)
        detail.ws.set_h_pagebreaks(self.breaks)
        if findings.row == HEADER_ROW + 1:
            findings.note("未发现问题。")
            findings.finish(HEADER_ROW + 1)
        else:
            findings.finish(findings.row)
        try:
            self.wb.close()
        except FileCreateError as exc:  # xlsxwriter's wrapper of the OSError (a full disk): the OSError itself
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise
        finally:
            self.scratch.cleanup()

    def discard(self) -> None:
        """Stop without writing the file (the caller removes it): release xlsxwriter's temporary files."""
        self.closed = True
        for ws in self.wb.worksheets():
            fh = getattr(ws, "row_data_fh", None)
            if fh is not None:
                fh.close()
        self.scratch.cleanup()


class Workpaper:
    """The workpaper being written to ``path`` in this process: :meth:`add` each report as it comes, then
    :meth:`close`. Nothing of a report is kept once :meth:`add` returns but a few counts for the totals."""

    def __init__(self, path: Path | str, *, strict: bool = False) -> None:
        self.rows = WorkpaperRows(strict=strict)
        self.file = WorkpaperFile(path)

    @property
    def units(self) -> int:
        return self.rows.units

    @property
    def readable(self) -> int:
        return self.rows.readable

    @property
    def rubric_files(self) -> set[str]:
        return self.rows.rubric_files

    @property
    def scratch(self) -> tempfile.TemporaryDirectory[str]:
        return self.file.scratch

    def add(self, report: FileReport) -> None:
        """Write ``report``'s 汇总 row, its indicator rows and its problems; keep nothing of it."""
        self.file.write(self.rows.rows(report))

    def close(self, extra: list[str] | None = None) -> None:
        """Write the 汇总's totals (and ``extra`` lines under them: the sample) and the file."""
        self.file.close(self.rows.totals() + list(extra or ()))

    def discard(self) -> None:
        self.file.discard()

    def __enter__(self) -> Workpaper:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        elif not self.file.closed:
            self.file.discard()


def _indicator_cells(
    index: int,
    unit: str,
    names: tuple[str, ...],
    r: IndicatorRow,
    found: Iterable[Problem],
    review: ReviewSummary | None = None,
) -> tuple[list[Any], dict[int, str] | None, dict[int, str] | None]:
    """One indicator's row of 指标明细: values, the kinds of format that differ from the column's, cell styles."""
    tiers: list[str | None] = [cell_text(n) for n in names[: TIER_COLUMNS - 1]]
    if len(names) >= TIER_COLUMNS:
        tiers.append(cell_text(" / ".join(names[TIER_COLUMNS - 1 :])))
    tiers += [None] * (TIER_COLUMNS - len(tiers))
    kinds: dict[int, str] | None = None
    value, shown = completion_value(r) if r.is_leaf else (None, None)
    if shown is not None and shown != "number":
        kinds = {D["自评完成值"]: MEASURE_KIND.get(shown, "number")}
    recomputed: Any = r.score
    if recomputed is None:
        recomputed = recomputed_cell(r) or None
        if recomputed is not None:
            kinds = {**(kinds or {}), D["核算得分"]: "center"}
    self_score: Any = r.self_score
    if self_score is None and r.is_leaf and r.applicable:
        self_score = "未填"
        kinds = {**(kinds or {}), D["自评得分"]: "center"}
    cells: dict[int, str] | None = None
    style = STATUS_STYLE.get(r.status) if r.status is not None else None
    if style is not None:
        cells = {D["状态"]: style}
        if r.self_score != r.audited_score:
            cells.update({D["自评得分"]: style, D["审核得分"]: style, D["偏离度"]: style})
    if review is None:
        dev: Decimal | None = deviation_rate(r.self_score, r.audited_score)
    else:  # 偏离度 as the rubric defines it, of the 自评 from the 复核
        dev = r.deviation
        if review.measure == "points":
            kinds = {**(kinds or {}), D["偏离度"]: "points"}
    remarks = [f"{severity_label(p)}：{cell_text(p.message + accepted_note(p))}" for p in found]
    if r.review_reason:
        remarks.insert(0, f"复核：{cell_text(r.review_reason)}")
    remarks = _fit_remarks(remarks)
    values = [
        index,
        unit,
        *tiers,
        r.weight,
        value,
        self_score,
        recomputed,
        cell_text(r.review_value) if r.review_value else None,
        r.reviewed,
        r.audited_score,
        dev,
        r.status.label if r.status is not None else None,
        cell_text(r.note) if r.note else None,
        "\n".join(remarks) or None,
    ]
    return values, kinds, cells


def write_workpaper(
    path: Path | str, reports: Iterable[FileReport], *, force: bool, inputs: tuple[Path, ...] = (), strict: bool = False
) -> int:
    """Write the workpaper of ``reports`` (one per file given, in input order) atomically; the number of units."""
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        with Workpaper(tmp, strict=strict) as wp:
            for report in reports:
                wp.add(report)
            count = wp.units

    write_atomic(Path(path), write, force=force, inputs=inputs)
    return count
