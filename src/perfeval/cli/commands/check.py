"""`perfeval check`: the audit of one department or a whole county, file by file.

The work for one file is :func:`check_file` — a top-level function returning a small,
picklable :class:`FileReport` (plain dataclasses, ``Decimal`` and strings; no models, no
rich objects), so that a batch can be spread over processes (``--jobs N``) and still be
rendered in the order the files were given. The caller renders each report as it
arrives and keeps only its :class:`SummaryRow`; memory does not grow with the batch
beyond those rows.

Output formats are a small registry (:data:`REPORTERS`) of reporters built from the same
records: ``text`` (rich, for people), ``json`` (the contract ``perfeval/check@1``, see
docs/check.md) and ``github`` (GitHub Actions annotations).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from perfeval.core.audit import ERROR, WARNING, Finding
from perfeval.core.decimals import fmt_points, plain
from perfeval.core.engine import Status
from perfeval.core.problems import ExitCode, InputError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

from perfeval.reporting.score_text import PIPE_WIDTH as TEXT_WIDTH  # text output to a file or a pipe

CHECK_FORMAT = "perfeval/check@1"


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


# --- the per-file result: small and picklable ------------------------------------------------


@dataclass(slots=True)
class IndicatorRow:
    """One indicator of the audited table (a leaf or a tier), in rubric order."""

    id: str
    name: str
    depth: int
    parent: str | None
    weight: Decimal
    self_score: Decimal | None
    score: Decimal | None  # 核算得分, exact
    low: Decimal | None
    high: Decimal | None
    high_closed: bool
    status: Status | None
    audited_score: Decimal | None
    audited_basis: str | None
    reviewed: Decimal | None
    rule_kind: str | None
    missing_facts: tuple[str, ...]  # fact names, e.g. 'actual_staff'
    missing_labels: tuple[str, ...]  # their Chinese labels, e.g. '在职人员数'
    note: str
    is_leaf: bool


@dataclass(slots=True)
class SummaryRow:
    """What a batch keeps of each file: one row of the summary table."""

    index: int  # position in the input, for a stable sort
    file: str
    unit: str | None
    stated_total: Decimal | None
    self_total: Decimal | None
    audited_total: Decimal | None
    errors: int
    warnings: int
    exit_code: int
    readable: bool


@dataclass(slots=True)
class FileReport:
    """Everything ``check`` found in one file."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True  # False: the file (or its rubric) could not be read, parsed or validated
    unit: str | None = None
    year: int | None = None
    illustrative: bool = False
    rubric_id: str | None = None
    rubric_name: str | None = None
    rubric_file: str | None = None
    total_weight: Decimal | None = None
    stated_total: Decimal | None = None
    self_total: Decimal | None = None
    recomputed_total: Decimal | None = None
    audited_total: Decimal | None = None
    audited_grade: str | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    # penalties and caps on the total (扣分、封顶), when the rubric declares any
    adjustment_notes: tuple[str, ...] = ()
    self_total_adjusted: Decimal | None = None
    audited_total_adjusted: Decimal | None = None

    @property
    def final_audited(self) -> Decimal | None:
        """The audited total after penalties and caps: what the department ends up with."""
        return self.audited_total_adjusted if self.adjustment_notes else self.audited_total

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.level == WARNING)

    def exit_code(self, strict: bool = False) -> int:
        if not self.readable:
            return ExitCode.INPUT
        if self.errors or (strict and self.warnings):
            return ExitCode.FINDINGS
        return ExitCode.OK

    def summary(self, index: int, strict: bool = False) -> SummaryRow:
        return SummaryRow(
            index,
            self.file,
            self.unit,
            self.stated_total,
            self.self_total,
            self.final_audited,
            self.errors,
            self.warnings,
            int(self.exit_code(strict)),
            self.readable,
        )

    def leaves(self) -> list[IndicatorRow]:
        return [r for r in self.indicators if r.is_leaf]


def _position(f: Finding) -> tuple[int, int]:
    loc = f.location
    return (loc.line or 0, loc.col or 0) if loc is not None else (0, 0)


def check_file(path: Path | str, rubric_override: Path | str | None = None) -> FileReport:
    """Audit one department file. Never raises for a bad input: the report says what is wrong."""
    from perfeval.cli.gc_tuning import paused_gc

    with paused_gc():
        return _check_file(path, rubric_override)


def _check_file(path: Path | str, rubric_override: Path | str | None) -> FileReport:
    from perfeval.core.audit import audit
    from perfeval.core.engine import score
    from perfeval.core.reconcile import reconcile
    from perfeval.pipeline import load

    file = str(path)
    try:
        loaded = load(Path(path), rubric_override)
    except InputError as err:
        return FileReport(file, [Finding.from_problem(p) for p in err.problems], readable=False)
    rubric, dept = loaded.rubric, loaded.department
    result = score(rubric, dept)
    raw = reconcile(dept) + audit(result, subtotals=dept.self_assessment.subtotals, levels=rubric.levels)
    findings = sorted((f.located(loaded.source.locate(f.path)) for f in raw), key=_position)

    rows: list[IndicatorRow] = []
    catalogue = result.catalogue

    def add(n, parent: str | None) -> None:
        missing = tuple(n.missing_facts)
        labels = tuple(catalogue[m].label if m in catalogue else m for m in missing) if missing else ()
        rows.append(
            IndicatorRow(
                n.id,
                n.name,
                n.depth,
                parent,
                n.weight,
                n.self_score,
                n.score,
                n.low,
                n.high,
                n.high_closed,
                n.status,
                n.audited_score,
                n.audited_basis,
                n.reviewed,
                n.rule_kind,
                missing,
                labels,
                n.note,
                not n.children,
            )
        )  # (is_leaf)
        for c in n.children:
            add(c, n.id)

    for top in result.nodes:
        add(top, None)
    return FileReport(
        file,
        findings,
        True,
        dept.unit,
        dept.year,
        dept.illustrative,
        rubric.id,
        rubric.name,
        os.path.normpath(loaded.rubric_path),
        result.total_weight,
        result.stated_total,
        result.self_total,
        result.recomputed_total,
        result.audited_total,
        rubric.grade_of(result.audited_total_adjusted if result.has_adjustments else result.audited_total),
        rows,
        tuple(a.note for a in result.adjustments) if result.has_adjustments else (),
        result.self_total_adjusted,
        result.audited_total_adjusted,
    )


def check_files(paths: list[Path], rubric: Path | None, jobs: int = 1) -> Iterator[FileReport]:
    """Reports in input order; with ``jobs`` > 1 the files are checked in worker processes.

    The workers are started here, before the caller starts anything of its own (such as the
    progress bar's refresh thread), so that no thread is running when they are forked.
    """
    if jobs <= 1 or len(paths) <= 1:
        return (check_file(p, rubric) for p in paths)
    from concurrent.futures import ProcessPoolExecutor
    from itertools import repeat

    chunk = max(1, min(16, len(paths) // (jobs * 8)))
    pool = ProcessPoolExecutor(max_workers=jobs)
    results = pool.map(check_file, paths, repeat(rubric), chunksize=chunk)

    def in_order() -> Iterator[FileReport]:
        with pool:
            yield from results

    return in_order()


_WORKER_REPORTERS: dict[tuple, Reporter] = {}


def check_and_render(path: Path, rubric: Path | None, fmt: str, strict: bool, table: bool) -> tuple[SummaryRow, str]:
    """Audit one file and render it, in a worker process: only a summary row and a string
    travel back, which costs a fraction of sending the whole report."""
    key = (fmt, strict, table)
    reporter = _WORKER_REPORTERS.get(key)
    if reporter is None:
        import io

        reporter = REPORTERS[CheckFormat(fmt)](ReporterOptions(io.StringIO(), strict, True, table, None))
        _WORKER_REPORTERS[key] = reporter
    report = check_file(path, rubric)
    return report.summary(0, strict), reporter.body(report)  # type: ignore[return-value]


def render_files(
    paths: list[Path], rubric: Path | None, jobs: int, fmt: str, strict: bool, table: bool
) -> Iterator[tuple[SummaryRow, str]]:
    """(summary row, rendered text) per file, in input order, checked and rendered by ``jobs`` workers."""
    from concurrent.futures import ProcessPoolExecutor
    from itertools import repeat

    chunk = max(1, min(16, len(paths) // (jobs * 8)))
    pool = ProcessPoolExecutor(max_workers=jobs)
    results = pool.map(
        check_and_render, paths, repeat(rubric), repeat(fmt), repeat(strict), repeat(table), chunksize=chunk
    )

    def in_order() -> Iterator[tuple[SummaryRow, str]]:
        with pool:
            yield from results

    return in_order()


# --- shared bits of the reporters --------------------------------------------------------------

LEVEL_LABELS = {ERROR: "错误", WARNING: "警告"}


def worst_first(rows: Iterable[SummaryRow]) -> list[SummaryRow]:
    """Unreadable files first, then by errors, then warnings; ties keep the input order."""
    return sorted(rows, key=lambda r: (-r.exit_code, -r.errors, -r.warnings, r.index))


def batch_exit_code(rows: Iterable[SummaryRow]) -> int:
    return max((r.exit_code for r in rows), default=int(ExitCode.OK))


def _pts(value: Decimal | None) -> str:
    return fmt_points(value) if value is not None else "—"


# --- JSON: the contract perfeval/check@1 ----------------------------------------------------


# (value, Chinese label) of each status, looked up once per leaf instead of through the enum
_STATUS_JSON: dict[Status | None, tuple[str | None, str | None]] = {s: (s.value, s.label) for s in Status}
_STATUS_JSON[None] = (None, None)


def indicator_dict(r: IndicatorRow) -> dict:
    d: dict = {
        "id": r.id,
        "name": r.name,
        "level": r.depth,
        "parent": r.parent,
        "weight": plain(r.weight),
        "self_score": plain(r.self_score),
        "score": plain(r.score),
        "audited_score": plain(r.audited_score),
    }
    if r.is_leaf:  # the rule's side, in the contract's key order
        d["rule"] = r.rule_kind
        d["score_range"] = (
            None
            if r.low is None or r.score is not None
            else {"low": plain(r.low), "high": plain(r.high), "high_inclusive": r.high_closed}
        )
        d["status"], d["status_label"] = _STATUS_JSON[r.status]
        d["audited_basis"] = r.audited_basis
        d["reviewed"] = plain(r.reviewed)
        d["missing_facts"] = (
            [{"name": m, "label": label} for m, label in zip(r.missing_facts, r.missing_labels, strict=True)]
            if r.missing_facts or r.missing_labels
            else []
        )
        d["note"] = r.note
    return d


def file_dict(report: FileReport, strict: bool = False) -> dict:
    """One file's result as the JSON contract writes it."""
    return {
        "file": report.file,
        "readable": report.readable,
        "exit_code": int(report.exit_code(strict)),
        "unit": report.unit,
        "year": report.year,
        "illustrative": report.illustrative,
        "rubric": (
            None
            if report.rubric_id is None
            else {"id": report.rubric_id, "name": report.rubric_name, "file": report.rubric_file}
        ),
        "weight": plain(report.total_weight),
        "stated_total": plain(report.stated_total),
        "self_score": plain(report.self_total),
        "score": plain(report.recomputed_total),
        "audited_score": plain(report.audited_total),
        "audited_grade": report.audited_grade,
        **(
            {
                "adjusted": {
                    "notes": list(report.adjustment_notes),
                    "self_score": plain(report.self_total_adjusted),
                    "audited_score": plain(report.audited_total_adjusted),
                }
            }
            if report.adjustment_notes
            else {}
        ),
        "counts": {"error": report.errors, "warning": report.warnings},
        "findings": [f.to_dict() for f in report.findings],
        "indicators": [indicator_dict(r) for r in report.indicators],
    }


def summary_dict(rows: list[SummaryRow]) -> dict:
    return {
        "files": len(rows),
        "unreadable": sum(1 for r in rows if not r.readable),
        "errors": sum(r.errors for r in rows),
        "warnings": sum(r.warnings for r in rows),
        "exit_code": batch_exit_code(rows),
        "rows": [
            {
                "file": r.file,
                "unit": r.unit,
                "stated_total": plain(r.stated_total),
                "self_score": plain(r.self_total),
                "audited_score": plain(r.audited_total),
                "errors": r.errors,
                "warnings": r.warnings,
                "exit_code": r.exit_code,
            }
            for r in worst_first(rows)
        ],
    }


def _indent(text: str, by: str) -> str:
    return "\n".join(by + line for line in text.splitlines())


# json.dumps(..., ensure_ascii=False), made once; file_dict builds fresh trees without cycles,
# so the encoder's check for circular references (a set of every container) can be skipped
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


class JsonReporter:
    """Streams one JSON document: each file is written as it arrives (one line each), the summary last."""

    def __init__(self, out: TextIO, strict: bool) -> None:
        self.out, self.strict, self.count = out, strict, 0

    def start(self) -> None:
        from perfeval import __version__

        head = {"format": CHECK_FORMAT, "tool": {"name": "perfeval", "version": __version__}, "strict": self.strict}
        self.out.write("{\n")
        for key, value in head.items():
            self.out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        self.out.write('  "files": [')

    def body(self, report: FileReport) -> str:
        # one line per file: the C encoder (no indent) is several times faster, and a batch of
        # thousands stays greppable; `jq .` pretty-prints it
        return _LINE_ENCODER.encode(file_dict(report, self.strict))

    def emit(self, body: str) -> None:
        self.out.write(("," if self.count else "") + "\n    " + body)
        self.count += 1

    def file(self, report: FileReport) -> None:
        self.emit(self.body(report))

    def finish(self, rows: list[SummaryRow]) -> None:
        summary = json.dumps(summary_dict(rows), ensure_ascii=False, indent=2)
        self.out.write(("\n  " if self.count else "") + "],\n")
        self.out.write('  "summary": ' + _indent(summary, "  ").lstrip() + "\n}\n")


# --- GitHub Actions annotations ---------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding, file: str) -> str:
    """``::error file=…,line=…,col=…,title=…::message`` (workflow-command escaping applied)."""
    loc = f.location
    props = [f"file={_escape_property(loc.file if loc else file)}"]
    if loc is not None and loc.line is not None:
        props.append(f"line={loc.line}")
        if loc.col is not None:
            props.append(f"col={loc.col}")
    title = f"perfeval {f.code}" + (f" · {f.indicator_name}" if f.indicator_name else "")
    props.append(f"title={_escape_property(title)}")
    return f"::{f.level} {','.join(props)}::{_escape_data(f.message)}"


class GithubReporter:
    def __init__(self, out: TextIO, strict: bool) -> None:
        self.out, self.strict = out, strict

    def start(self) -> None:
        pass

    def body(self, report: FileReport) -> str:
        return "".join(github_line(f, report.file) + "\n" for f in report.findings)

    def emit(self, body: str) -> None:
        self.out.write(body)

    def file(self, report: FileReport) -> None:
        self.emit(self.body(report))

    def finish(self, rows: list[SummaryRow]) -> None:
        # the human one-liner goes to stderr: stdout carries annotations only
        print(_totals_line(rows), file=sys.stderr)


# --- text, for people ------------------------------------------------------------------------

AUDITED_BASIS_SHORT = {
    "reviewer": "评审",
    "recomputed": "核算",
    "capped": "封顶",
    "self": "自评",
    "unverified": "未核验",
    "none": "",
}


def finding_line(f: Finding) -> str:
    """A finding as one line of plain text: ``file:line:col: 警告：… [code]``."""
    where = str(f.location) if f.location is not None else ""
    return f"{where}: {LEVEL_LABELS.get(f.level, f.level)}：{f.message} [{f.code}]"


def finding_text(f: Finding):
    from rich.text import Text

    style = "red" if f.level == ERROR else "yellow"
    where = str(f.location) if f.location is not None else ""
    return (
        Text(f"{where}: ", style="bold")
        + Text(f"{LEVEL_LABELS.get(f.level, f.level)}：", style=style)
        + Text(f.message)
        + Text(f" [{f.code}]", style="dim")
    )


def audit_table(report: FileReport):
    """The 评分表 with 审核得分 filled in: the column the Taojiang table left empty."""
    from rich.table import Table
    from rich.text import Text

    from perfeval.reporting.score_text import STATUS_STYLE, recomputed_cell

    table = Table(header_style="bold", show_footer=True, pad_edge=False)
    table.add_column("指标", footer="合计", no_wrap=True)
    table.add_column("分值", justify="right", footer=_pts(report.total_weight))
    table.add_column("自评得分", justify="right", footer=_pts(report.self_total))
    table.add_column(
        "核算得分", justify="right", footer=_pts(report.recomputed_total) if report.recomputed_total is not None else ""
    )
    table.add_column("审核得分", justify="right", footer=_pts(report.audited_total))
    table.add_column("依据", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    first = True
    for r in report.indicators:
        if r.depth == 1 and not first:
            table.add_section()
        first = False
        style = "bold" if not r.is_leaf else ""
        table.add_row(
            Text("  " * (r.depth - 1) + r.name, style=style),
            _pts(r.weight),
            _pts(r.self_score) if r.self_score is not None else ("未填" if r.is_leaf else "—"),
            recomputed_cell(r),  # type: ignore[arg-type]  # duck-typed like NodeResult
            _pts(r.audited_score),
            AUDITED_BASIS_SHORT.get(r.audited_basis or "", "") if r.is_leaf else "",
            Text(r.status.label, style=STATUS_STYLE[r.status]) if r.status else "",
        )
    return table


def totals_lines(report: FileReport) -> list[str]:
    leaves = report.leaves()
    stated = _pts(report.stated_total) if report.stated_total is not None else "未填"
    grade = f"（{report.audited_grade}）" if report.audited_grade else ""
    if report.adjustment_notes:
        lines = [
            f"自评总分 {stated}，各指标自评得分之和 {_pts(report.self_total)}，审核得分之和 {_pts(report.audited_total)}"
        ]
        lines += [f"总分调整·{note}" for note in report.adjustment_notes]
        lines.append(
            f"调整后自评得分 {_pts(report.self_total_adjusted)}，"
            f"调整后审核得分 {_pts(report.audited_total_adjusted)}{grade}"
        )
    else:
        lines = [
            f"自评总分 {stated}，各指标自评得分之和 {_pts(report.self_total)}，"
            f"审核得分 {_pts(report.audited_total)}{grade}"
        ]
    reviewed = [r.name for r in leaves if r.audited_basis == "reviewer"]
    if reviewed:
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
    return lines


def _counts(errors: int, warnings: int) -> str:
    return f"{errors} 个错误，{warnings} 个警告"


def _totals_line(rows: list[SummaryRow]) -> str:
    unreadable = sum(1 for r in rows if not r.readable)
    text = f"共 {len(rows)} 个文件：" + _counts(sum(r.errors for r in rows), sum(r.warnings for r in rows))
    if unreadable:
        text += f"；{unreadable} 个文件无法读取"
    return text


def summary_table(rows: list[SummaryRow]):
    from rich.table import Table

    table = Table(title="汇总（问题最多的在前）", header_style="bold", pad_edge=False)
    table.add_column("文件", overflow="fold")
    table.add_column("单位", overflow="fold")
    table.add_column("自评总分", justify="right")
    table.add_column("得分之和", justify="right")
    table.add_column("审核得分", justify="right")
    table.add_column("错误", justify="right")
    table.add_column("警告", justify="right")
    for r in worst_first(rows):
        table.add_row(*summary_cells(r), style="red" if r.exit_code == ExitCode.INPUT else None)
    return table


VERDICTS = {ExitCode.OK: ("通过", "green"), ExitCode.FINDINGS: ("未通过", "red"), ExitCode.INPUT: ("无法读取", "red")}

SUMMARY_HEADER = ("文件", "单位", "自评总分", "得分之和", "审核得分", "错误", "警告")


def summary_cells(r: SummaryRow) -> tuple[str, ...]:
    return (
        r.file,
        r.unit or ("无法读取" if not r.readable else "—"),
        _pts(r.stated_total),
        _pts(r.self_total),
        _pts(r.audited_total),
        str(r.errors),
        str(r.warnings),
    )


def plain_summary(rows: list[SummaryRow]) -> str:
    """The summary as aligned plain text (for a file or a pipe), measured in display cells."""
    from rich.cells import cell_len

    table = [SUMMARY_HEADER] + [summary_cells(r) for r in worst_first(rows)]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(SUMMARY_HEADER))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c + " " * (w - cell_len(c)) if i < 2 else " " * (w - cell_len(c)) + c
            for i, (c, w) in enumerate(zip(row, widths, strict=False))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "汇总（问题最多的在前）\n" + "\n".join([line(table[0]), rule] + [line(r) for r in table[1:]]) + "\n"


class TextReporter:
    def __init__(self, console: Console, strict: bool, table: bool, batch: bool) -> None:
        self.console, self.strict, self.table, self.batch = console, strict, table, batch
        self.count = 0
        # to a file or a pipe nothing is styled or wrapped: write the text itself, skipping rich's
        # rendering (the bulk of the cost of a large batch); tables still go through rich
        self.plain = not console.is_terminal and not console.record

    def _print(self, text) -> None:
        if self.plain:
            self.console.file.write(text.plain + "\n")
        else:
            self.console.print(text, soft_wrap=True)

    def start(self) -> None:
        pass

    def body(self, report: FileReport) -> str | None:
        """The same text as :meth:`file` prints, as a string built without rich objects;
        ``None`` on a terminal, where rich styles and wraps it."""
        if not self.plain:
            return None
        lines = []
        if not report.readable:
            lines.append(f"{report.file}：无法读取，未审核")
        else:
            lines.append(f"{report.unit} {report.year} 年度 · {report.rubric_name}")
            lines.append(f"文件：{report.file}    评分表：{report.rubric_file}")
            if report.illustrative:
                lines.append("注意：本文件为示意数据，不是真实单位的填报。")
        text = "\n".join(lines) + "\n"
        if self.table and report.readable:
            with self.console.capture() as captured:
                self.console.print(audit_table(report))
            text += captured.get()
        lines = [finding_line(f) for f in report.findings] + (totals_lines(report) if report.readable else [])
        lines.append(
            f"结论：{VERDICTS[ExitCode(report.exit_code(self.strict))][0]}（{_counts(report.errors, report.warnings)}）"
        )
        return text + "\n".join(lines) + "\n"

    def emit(self, body: str) -> None:
        self.console.file.write(("\n" if self.count else "") + body)
        self.count += 1

    def file(self, report: FileReport) -> None:
        if self.plain:
            return self.emit(self.body(report))  # type: ignore[arg-type]
        from rich.text import Text

        c = self.console
        # one Text per block, printed at once: a county's batch is thousands of lines
        head = Text("\n" if self.count else "")
        self.count += 1
        if not report.readable:
            head.append(f"{report.file}：无法读取，未审核", style="bold red")
        else:
            head.append(f"{report.unit} {report.year} 年度 · {report.rubric_name}", style="bold")
            head.append(f"\n文件：{report.file}    评分表：{report.rubric_file}")
            if report.illustrative:
                head.append("\n注意：本文件为示意数据，不是真实单位的填报。", style="yellow")
        self._print(head)
        if self.table and report.readable:
            c.print(audit_table(report))
        body = Text("\n").join(
            [finding_text(f) for f in report.findings]
            + ([Text(line) for line in totals_lines(report)] if report.readable else [])
        )
        verdict = VERDICTS[ExitCode(report.exit_code(self.strict))]
        if body:
            body.append("\n")
        body.append(f"结论：{verdict[0]}（{_counts(report.errors, report.warnings)}）", style=verdict[1])
        self._print(body)

    def finish(self, rows: list[SummaryRow]) -> None:
        if not self.batch:
            return
        if self.plain:  # a county's summary is hundreds of rows: aligned text, not a rich table
            self.console.file.write("\n" + plain_summary(rows) + _totals_line(rows) + "\n")
            return
        from rich.text import Text

        self.console.print()
        self.console.print(summary_table(rows))
        self.console.print(Text(_totals_line(rows)))


# --- the registry of formats ------------------------------------------------------------------


@dataclass(slots=True)
class ReporterOptions:
    out: TextIO
    strict: bool
    batch: bool  # more than one file: a summary follows
    table: bool  # list the audited 评分表 (text)
    progress: object | None  # a running rich Progress on stderr, if any


def _text_reporter(o: ReporterOptions) -> TextReporter:
    from rich.console import Console

    if o.progress is not None and o.out is sys.stdout and sys.stdout.isatty():
        console = o.progress.console  # type: ignore[attr-defined]  # same terminal: print above the bar
    else:
        console = Console(file=o.out, highlight=False)
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console.width = TEXT_WIDTH  # a file or a pipe: wide enough for the tables
    return TextReporter(console, o.strict, o.table, o.batch)


Reporter = TextReporter | JsonReporter | GithubReporter

REPORTERS: dict[CheckFormat, Callable[[ReporterOptions], Reporter]] = {
    CheckFormat.text: _text_reporter,
    CheckFormat.json: lambda o: JsonReporter(o.out, o.strict),
    CheckFormat.github: lambda o: GithubReporter(o.out, o.strict),
}


# --- the command -------------------------------------------------------------------------------


def _progress(total: int):
    """A progress bar on stderr when stderr is a terminal and there is more than one file."""
    if total <= 1 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("审核中"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )


def write_workbook(
    output: Path, departments: list[Path], reports: list[FileReport], rubric: Path | None, force: bool
) -> None:
    """The audited workbook (``--output audit.xlsx``): each readable department scored again here,
    in this process, so that the batch itself never holds more than its summary rows."""
    from perfeval.core.engine import score
    from perfeval.fileio.workbook.write import write_audit_workbook
    from perfeval.pipeline import load

    entries = []
    levels = None
    for path, report in zip(departments, reports, strict=False):
        if not report.readable:
            continue
        loaded = load(path, rubric)
        levels = levels or loaded.rubric.levels
        entries.append((report.file, score(loaded.rubric, loaded.department), report.findings))
    write_audit_workbook(output, entries, force=force, levels=levels, inputs=tuple(departments))


def run(
    departments: list[Path],
    rubric: Path | None,
    fmt: str,
    *,
    strict: bool = False,
    jobs: int = 1,
    table: bool | None = None,
    out: TextIO | None = None,
    output: Path | None = None,
    force: bool = False,
) -> int:
    from perfeval.cli.app import report_input_error

    out = out if out is not None else sys.stdout
    if output is not None:  # refuse a bad output path before any work is done
        from perfeval.fileio.safe_write import check_output_path

        try:
            check_output_path(output, force=force, inputs=tuple(departments))
        except InputError as err:
            return report_input_error(err)
    if rubric is not None:  # one bad rubric would fail every file: say so once
        from perfeval.pipeline import load_rubric

        try:
            load_rubric(rubric)
        except InputError as err:
            return report_input_error(err)
    if jobs < 1:
        jobs = os.cpu_count() or 1
    batch = len(departments) > 1
    progress = _progress(len(departments))
    options = ReporterOptions(out, strict, batch, table if table is not None else not batch, progress)
    reporter = REPORTERS[CheckFormat(fmt)](options)

    from perfeval import pipeline  # noqa: F401 - imported before the collector is tuned
    from perfeval.cli.gc_tuning import settle_gc

    settle_gc()
    rows: list[SummaryRow] = []
    kept: list[FileReport] = []  # only with --output, which needs every department's findings
    # in parallel, each worker renders its own files when the format is plain text (json, github,
    # text to a file or pipe): the main process then only writes strings, in input order
    in_workers = jobs > 1 and batch and output is None and getattr(reporter, "plain", True)
    if in_workers:
        rendered = render_files(departments, rubric, jobs, fmt, strict, options.table)
    else:
        reports = check_files(departments, rubric, jobs)
    reporter.start()
    advance: Callable[[], None] = lambda: None  # noqa: E731
    if progress is not None:
        progress.start()
        task = progress.add_task("check", total=len(departments))
        advance = lambda: progress.update(task, advance=1)  # noqa: E731
    try:
        if in_workers:
            for index, (row, body) in enumerate(rendered):
                reporter.emit(body)
                row.index = index
                rows.append(row)
                advance()
        else:
            for index, report in enumerate(reports):
                reporter.file(report)
                rows.append(report.summary(index, strict))
                if output is not None:
                    kept.append(report)
                advance()
    finally:
        if progress is not None:
            progress.stop()
    reporter.finish(rows)
    code = batch_exit_code(rows)
    if output is not None:
        try:
            write_workbook(output, departments, kept, rubric, force)
        except InputError as err:
            return max(code, report_input_error(err))
    return code
