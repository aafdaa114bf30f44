"""Text, for people: the score breakdown, the audit, or the validation problems — styled on a
terminal, plain text to a file or a pipe, the same words either way.

Per file, the report goes to stdout; a file that could not be read gets its problems on stderr (a
one-line mention stays in ``check``'s report, so that every file given is accounted for); the batch
summary goes to stderr. Input text is shown through :func:`~perfeval.reporting.visible.visible`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from perfeval.core.decimals import fmt_amount, fmt_points
from perfeval.core.engine import Status
from perfeval.core.problems import ExitCode, Problem
from perfeval.core.review import fmt_deviation
from perfeval.pipeline.reports import FileReport, SummaryRow
from perfeval.pipeline.reviews import ReviewSummary
from perfeval.reporting.base import Body, ReporterOptions
from perfeval.reporting.lines import counts, handled, problem_segments, totals_line
from perfeval.reporting.visible import visible

if TYPE_CHECKING:
    from perfeval.core.sampling import Sample

PIPE_WIDTH = 120  # text output to a file or pipe, where there is no terminal to ask for its width

Segments = list[tuple[str, str]]  # (text, rich style) pieces of one line

VERDICTS = {ExitCode.OK: ("通过", "green"), ExitCode.FINDINGS: ("未通过", "red"), ExitCode.INPUT: ("无法读取", "red")}


def _pts(value: Any) -> str:
    return fmt_points(value) if value is not None else "—"


def _header(report: FileReport, with_rubric: bool) -> list[Segments]:
    lines: list[Segments] = [
        [(f"{visible(report.unit or '')} {report.year} 年度 · {visible(report.rubric_name or '')}", "bold")]
    ]
    where = f"文件：{visible(report.file)}"
    if with_rubric:
        where += f"    评分表：{visible(report.rubric_file or '')}"
    lines.append([(where, "")])
    if report.illustrative:
        lines.append([("注意：本文件为示意数据，不是真实单位的填报。", "yellow")])
    return lines


def leaf_label(report: FileReport) -> str:
    """What the table calls its leaves: the level name when every leaf sits at one depth."""
    depths = {r.depth for r in report.leaves()}
    if len(depths) == 1 and (d := depths.pop()) <= len(report.levels):
        return report.levels[d - 1]
    return "末级指标"


def header_lines(report: FileReport) -> list[str]:
    """预算执行率's header block as the form prints it: 年初预算数 / 全年预算数 / 全年执行数 by fund."""
    out = []
    for r in report.indicators:
        if not r.header:
            continue
        funds: dict[str, list[str]] = {}
        for fund, column, _, value in r.header:
            funds.setdefault(fund, []).append(f"{column} {fmt_amount(value) if value is not None else '未填'}")
        out.append(f"{r.name}·表头：" + "；".join(f"{fund}：{'，'.join(cells)}" for fund, cells in funds.items()))
    return out


def score_summary_lines(report: FileReport) -> list[str]:
    tally: dict[Status, int] = {}
    for r in report.leaves():
        if r.status is not None:
            tally[r.status] = tally.get(r.status, 0) + 1
    parts = [f"{s.label} {tally[s]} 项" for s in Status if tally.get(s)]
    lines = [f"{leaf_label(report)} {len(report.leaves())} 项：" + "，".join(parts)]
    stated = _pts(report.stated_total) if report.stated_total is not None else "未填"
    lines += header_lines(report)
    if report.partial:
        lines.append(
            f"本表只列出部分指标（已列 {_pts(report.listed_weight)} 分，满分 {_pts(report.total_weight)} 分）："
            "合计为部分得分，不评等级"
        )
    self_sum = _pts(report.self_total) if report.self_total is not None else _partial(report, report.self_known)
    total = f"自评得分合计 {self_sum}（单位填报总分 {stated}）"
    if report.has_adjustments:
        lines.append(total)
        for a in report.adjustments:
            lines.append(f"总分调整·{a.note}")
        total = f"调整后自评得分 {_pts(report.self_total_adjusted)}"
        if report.recomputed_total is not None:
            total += f"，调整后核算得分 {_pts(report.recomputed_total_adjusted)}"
    if report.self_grade:
        total += f"，等级：{report.self_grade}"
    lines.append(total)
    return [visible(line) for line in lines]


def _partial(report: FileReport, known: Any) -> str:
    """A total that is not one: the sum of what there is, said to be partial, with what is missing."""
    blanks = "、".join(report.unfilled[:6]) + (f" 等 {len(report.unfilled)} 项" if len(report.unfilled) > 6 else "")
    return f"—（部分之和 {_pts(known)}；未填：{blanks}）" if blanks else "—"


def review_line(review: ReviewSummary) -> str:
    """复核：who and when, how much was reviewed, the 复核总分 and its 偏离度, and the reviewer's conclusion."""
    who = "、".join(x for x in (review.reviewer, review.date) if x) or "评审人员"
    where = f"（复核文件 {review.file}）" if review.file else ""
    if review.total is not None:
        total = f"复核总分 {_pts(review.total)}，偏离度 {fmt_deviation(review.measure, review.deviation) or '无定义（自评为 0）'}"
    else:
        total = f"复核总分待定（尚有 {review.of - review.reviewed} 项未复核，其审核得分按核算或自评计）"
    measure = "（自评−复核）/自评" if review.measure == "relative" else "自评−复核（分）"
    limit = f"，超过 {fmt_deviation(review.measure, review.threshold)} 提示" if review.threshold is not None else ""
    line = f"复核：{who}{where}复核 {review.reviewed}/{review.of} 项；{total}；偏离度 = {measure}{limit}"
    if review.reason:
        line += f"；复核结论：{review.reason.strip()}"
    return line


def audit_totals_lines(report: FileReport) -> list[str]:
    leaves = report.leaves()
    stated = _pts(report.stated_total) if report.stated_total is not None else "未填"
    grade = f"（{report.audited_grade}）" if report.audited_grade else ""
    self_sum = _pts(report.self_total) if report.self_total is not None else _partial(report, report.self_known)
    audited = _pts(report.audited_total) if report.audited_total is not None else _partial(report, report.audited_known)
    if report.has_adjustments:
        lines = [f"自评总分 {stated}，各指标自评得分之和 {self_sum}，审核得分之和 {audited}"]
        lines += [f"总分调整·{a.note}" for a in report.adjustments]
        lines.append(
            f"调整后自评得分 {_pts(report.self_total_adjusted)}，调整后审核得分 {_pts(report.audited_total_adjusted)}{grade}"
        )
    else:
        lines = [f"自评总分 {stated}，各指标自评得分之和 {self_sum}，审核得分 {audited}{grade}"]
    reviewed = [r.name for r in leaves if r.audited_basis == "reviewer"]
    review = report.review
    if review is not None:
        lines.append(review_line(review))
    elif reviewed:
        lines.append(f"其中 {len(reviewed)} 项采用评审人员填写的审核得分：" + "、".join(reviewed))
    unverified = [r for r in leaves if r.status is Status.UNVERIFIABLE]
    if unverified:
        lines.append(
            f"无法核验 {len(unverified)} 项，审核得分暂按自评计："
            + "、".join(
                r.name + (f"（缺少{'、'.join(r.missing_labels)}）" if r.missing_labels else "") for r in unverified
            )
        )
    judged = [r.name for r in leaves if r.status is Status.JUDGED]
    if judged:
        lines.append(f"主观评分 {len(judged)} 项，由评价人酌情评分，只核对不超出分值：" + "、".join(judged))
    return [visible(line) for line in lines]


class TextReporter:
    def __init__(self, options: ReporterOptions) -> None:
        from rich.console import Console

        self.o = options
        self.count = 0
        if options.progress is not None and options.out.isatty():
            self.console = options.progress.console  # same terminal: print above the bar
        else:
            self.console = Console(file=options.out, highlight=False)
            if not self.console.is_terminal and "COLUMNS" not in os.environ:
                self.console.width = PIPE_WIDTH  # a file or a pipe: wide enough for the tables
        # to a file or a pipe nothing is styled: the text itself is written, skipping rich's rendering
        # (the bulk of the cost of a large batch); tables still go through rich
        self.plain = not self.console.is_terminal and not self.console.record
        self.err_console = Console(file=options.err, highlight=False, soft_wrap=True)

    # --- building ----------------------------------------------------------------------------------

    def _table(self, report: FileReport) -> Any:
        from perfeval.reporting.tables import audit_table, score_table

        if self.o.command == "score":
            return score_table(report)
        if self.o.command == "check" and self.o.table:
            return audit_table(report)
        return None

    def _lines(self, report: FileReport) -> tuple[list[Segments], Any, list[Segments]]:
        """(lines before the table, the table or None, lines after it) on stdout."""
        cmd = self.o.command
        if not report.readable:
            if cmd == "check":
                n = len(report.problems)
                return [[(f"{visible(report.file)}：无法读取，未审核（{n} 个问题，见错误输出）", "bold red")]], None, []
            return [], None, []
        if cmd == "validate":
            return [problem_segments(p) for p in report.problems], None, []
        head = _header(report, with_rubric=cmd == "check")
        if cmd == "score":
            return head, self._table(report), [[(line, "")] for line in score_summary_lines(report)]
        after = [problem_segments(p) for p in report.problems] + [[(line, "")] for line in audit_totals_lines(report)]
        verdict = VERDICTS[ExitCode(report.exit_code(self.o.strict))]
        tally = counts(report.errors, report.warnings) + handled(report.accepted, report.ignored)
        after.append([(f"结论：{verdict[0]}（{tally}）", verdict[1])])
        return head, self._table(report), after

    def _diagnostics(self, report: FileReport) -> str:
        if report.readable:
            return ""
        from perfeval.reporting.diagnostics import problems_text

        return problems_text(report.problems, report.trace)

    # --- writing -----------------------------------------------------------------------------------

    def start(self) -> None:
        pass

    def body(self, report: FileReport) -> Body:
        """The same text as :meth:`file` writes, as plain strings (stdout, stderr): for a worker process."""
        before, table, after = self._lines(report)
        text = "".join("".join(t for t, _ in line) + "\n" for line in before)
        if table is not None:
            with self.console.capture() as captured:
                self.console.print(table)
            text += captured.get()
        text += "".join("".join(t for t, _ in line) + "\n" for line in after)
        return text, self._diagnostics(report)

    def emit(self, body: Body) -> None:
        out, err = body
        if err:
            self.o.err.write(err)
        if out:
            separate = self.count and self.o.command != "validate"
            self.console.file.write(("\n" if separate else "") + out)
            self.count += 1

    def file(self, report: FileReport) -> None:
        if self.plain:
            return self.emit(self.body(report))
        from rich.text import Text

        if not report.readable:
            from perfeval.reporting.diagnostics import write_problems

            write_problems(report.problems, self.o.err, report.trace)
        before, table, after = self._lines(report)
        if not (before or table or after):
            return
        if self.count and self.o.command != "validate":
            self.console.print()
        self.count += 1
        for line in before:
            self.console.print(Text.assemble(*line), soft_wrap=True)
        if table is not None:
            self.console.print(table)
        for line in after:
            self.console.print(Text.assemble(*line), soft_wrap=True)

    def finish(self, rows: list[SummaryRow], sample: Sample | None = None, across: Sequence[Problem] = ()) -> None:
        cmd = self.o.command
        if across:  # part of the report: findings between the units' reports, after the units
            from rich.text import Text

            self.console.print(f"\n跨单位核对（各单位报告正文之间）：{len(across)} 处")
            for p in across:
                self.console.print(Text.assemble(*problem_segments(p)), soft_wrap=True)
        if sample is not None:  # part of the report: on stdout, after the units
            from perfeval.reporting.sample_view import sample_lines  # only with --sample

            self.console.file.write(("\n" if self.count else "") + "\n".join(sample_lines(sample)) + "\n")
        if cmd == "validate":
            self.o.err.write(validate_summary(rows) + "\n")
            return
        if cmd != "check" or not self.o.batch:
            return
        if not self.o.err.isatty():  # a county's summary is hundreds of rows: aligned text, not a rich table
            from perfeval.reporting.tables import write_plain_summary

            self.o.err.write("\n")
            write_plain_summary(rows, self.o.err)
            self.o.err.write(totals_line(rows) + "\n")
            return
        from perfeval.reporting.tables import summary_table

        self.err_console.print()
        self.err_console.print(summary_table(rows))
        self.err_console.print(totals_line(rows))


def validate_summary(rows: list[SummaryRow]) -> str:
    bad = [r for r in rows if r.exit_code != ExitCode.OK]
    n = sum(r.errors + r.warnings for r in rows)
    extra = handled(sum(r.accepted for r in rows), sum(r.ignored for r in rows)).lstrip("；")
    if not bad:
        said = "，".join(part for part in (f"{n} 个警告" if n else "", extra) if part)
        return f"已校验 {len(rows)} 个文件，全部有效" + (f"（{said}）" if said else "")
    unreadable = sum(1 for r in rows if not r.readable)
    unreadable_said = f"（其中 {unreadable} 个无法读取）" if unreadable else ""
    return f"已校验 {len(rows)} 个文件：{len(bad)} 个有问题{unreadable_said}，共 {n} 处" + (
        f"；{extra}" if extra else ""
    )
