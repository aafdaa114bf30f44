"""The indicator tables for people (rich): ``score``'s breakdown and ``check``'s audited 评分表, and the
batch summary. Free prose, not a contract: scripts read JSON."""

from __future__ import annotations

from io import StringIO
from typing import TextIO

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from perfeval.core.decimals import fmt_points
from perfeval.core.engine import Status
from perfeval.core.problems import ExitCode
from perfeval.core.review import fmt_deviation
from perfeval.pipeline.reports import FileReport, IndicatorRow, SummaryRow
from perfeval.reporting.base import worst_first
from perfeval.reporting.visible import visible

STATUS_STYLE = {
    Status.CONSISTENT: "green",
    Status.OVER_CLAIMED: "bold red",
    Status.UNDER_CLAIMED: "yellow",
    Status.OUT_OF_RANGE: "bold red",
    Status.UNVERIFIABLE: "magenta",
    Status.JUDGED: "cyan",
    Status.NOT_SCORED: "bold yellow",
    Status.NOT_APPLICABLE: "dim",
}

AUDITED_BASIS_SHORT = {
    "reviewer": "评审",
    "recomputed": "核算",
    "capped": "封顶",
    "self": "自评",
    "unverified": "未核验",
    "none": "",
}


def pts(value: object) -> str:
    from decimal import Decimal

    return fmt_points(value) if isinstance(value, Decimal) else "—"


def recomputed_cell(r: IndicatorRow) -> str:
    """核算得分: an exact score, an allowed range, 酌定 (a person decides) or 缺数据."""
    if r.score is not None:
        return fmt_points(r.score)
    if not r.is_leaf:
        return ""
    if r.status is Status.NOT_APPLICABLE:
        return "—"
    if r.low is None:
        return "缺数据"
    if r.status is Status.JUDGED or r.rule_kind in ("judged", "checklist"):
        return "酌定"
    low, high = fmt_points(r.low), fmt_points(r.high)
    excluded = [x for x, closed in ((low, r.low_closed), (high, r.high_closed)) if not closed]
    return f"{low}–{high}" + (f"（不含{'、'.join(excluded)}）" if excluded else "")


def _status_text(status: Status | None) -> Text:
    if status is None:
        return Text("")
    return Text(status.label, style=STATUS_STYLE[status])


def _self_cell(r: IndicatorRow) -> str:
    if r.self_score is not None:
        return fmt_points(r.self_score)
    return "未填" if r.is_leaf and r.applicable else "—"


def score_table(report: FileReport) -> Table:
    """``perfeval score``: 分值, 自评得分, 核算得分, 状态 and the note, per indicator."""
    table = Table(show_lines=False, header_style="bold", show_footer=True, expand=False, pad_edge=False)
    table.add_column("指标", footer="合计", no_wrap=True)
    table.add_column("分值", justify="right", footer=pts(report.total_weight))
    table.add_column("自评得分", justify="right", footer=pts(report.self_total))
    table.add_column(
        "核算得分", justify="right", footer=pts(report.recomputed_total) if report.recomputed_total is not None else ""
    )
    table.add_column("状态", no_wrap=True)
    table.add_column("说明", overflow="fold", ratio=1)
    first = True
    for r in report.indicators:
        if r.depth == 1 and not first:
            table.add_section()
        first = False
        table.add_row(  # Text, not str: rich would parse every str cell as markup and emoji codes
            Text("  " * (r.depth - 1) + visible(r.name), style="" if r.is_leaf else "bold"),
            Text(fmt_points(r.weight)),
            Text(_self_cell(r)),
            Text(recomputed_cell(r)),
            _status_text(r.status),
            Text(visible(r.note)),
        )
    return table


def audit_table(report: FileReport) -> Table:
    """``perfeval check``: the 评分表 with 审核得分 filled in, the column the Taojiang table left empty."""
    table = Table(header_style="bold", show_footer=True, pad_edge=False)
    table.add_column("指标", footer="合计", no_wrap=True)
    table.add_column("分值", justify="right", footer=pts(report.total_weight))
    table.add_column("自评得分", justify="right", footer=pts(report.self_total))
    table.add_column(
        "核算得分", justify="right", footer=pts(report.recomputed_total) if report.recomputed_total is not None else ""
    )
    review = report.review
    if review is not None:  # the reviewer's 复核 beside the 自评 and perfeval's 核算
        table.add_column("复核得分", justify="right", footer=pts(review.total) if review.total is not None else "")
        table.add_column("偏离度", justify="right", footer=fmt_deviation(review.measure, review.deviation))
    table.add_column("审核得分", justify="right", footer=pts(report.audited_total))
    table.add_column("依据", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    first = True
    for r in report.indicators:
        if r.depth == 1 and not first:
            table.add_section()
        first = False
        cells: list[str | Text] = [
            Text("  " * (r.depth - 1) + visible(r.name), style="" if r.is_leaf else "bold"),
            pts(r.weight),
            _self_cell(r) if r.is_leaf or r.self_score is not None else "—",
            recomputed_cell(r),
        ]
        if review is not None:
            cells += [pts(r.reviewed) if r.is_leaf else "", fmt_deviation(review.measure, r.deviation)]
        cells += [
            pts(r.audited_score),
            AUDITED_BASIS_SHORT.get(r.audited_basis or "", "") if r.is_leaf else "",
            _status_text(r.status),
        ]
        table.add_row(*cells)
    return table


SUMMARY_HEADER = ("文件", "单位", "自评总分", "得分之和", "审核得分", "错误", "警告")


def summary_cells(r: SummaryRow) -> tuple[str, ...]:
    return (
        visible(r.file),
        visible(r.unit) if r.unit else ("无法读取" if not r.readable else "—"),
        pts(r.stated_total),
        pts(r.self_total),
        pts(r.audited_total),
        str(r.errors),
        str(r.warnings),
    )


def summary_table(rows: list[SummaryRow]) -> Table:
    table = Table(title="汇总（问题最多的在前）", header_style="bold", pad_edge=False)
    for i, head in enumerate(SUMMARY_HEADER):
        table.add_column(head, overflow="fold") if i < 2 else table.add_column(head, justify="right")
    for r in worst_first(rows):
        table.add_row(*summary_cells(r), style="red" if r.exit_code == ExitCode.INPUT else None)
    return table


def plain_summary(rows: list[SummaryRow]) -> str:
    """The summary as aligned plain text (for a file or a pipe), measured in display cells."""
    out = StringIO()
    write_plain_summary(rows, out)
    return out.getvalue()


def write_plain_summary(rows: list[SummaryRow], out: TextIO) -> None:
    """:func:`plain_summary`, written line by line: a batch of 10,000 files does not hold its summary's text
    (nor copies of it) in memory at once, only each row's cells."""
    table = [SUMMARY_HEADER] + [summary_cells(r) for r in worst_first(rows)]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(SUMMARY_HEADER))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c + " " * (w - cell_len(c)) if i < 2 else " " * (w - cell_len(c)) + c
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    out.write("汇总（问题最多的在前）\n" + line(table[0]) + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in table[1:]:
        out.write(line(row) + "\n")
