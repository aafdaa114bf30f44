"""One result per file, for every command: :class:`FileReport`, built by :func:`score_file`,
:func:`check_file` and :func:`perfeval.pipeline.validation.validate_file`, and rendered by every reporter.

A report is small and picklable (plain dataclasses, ``Decimal`` and strings; no pydantic models, no
rich objects), so that a batch can run in worker processes and a large batch keeps only its
:class:`SummaryRow`\\ s. The indicator tree is flattened into :class:`IndicatorRow`\\ s in rubric order,
each knowing its parent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfeval.core.acceptance import accept
from perfeval.core.audit import WORKBOOK_WORDING, YAML_WORDING, audit, unfilled
from perfeval.core.config import threshold_for
from perfeval.core.consistency import score_range_problems
from perfeval.core.engine import AdjustmentResult, ItemResult, NodeResult, ScoreResult, Status, score
from perfeval.core.problems import ERROR, INFO, WARNING, ExitCode, InputError, Location, Problem
from perfeval.pipeline.departments import WORKBOOK_SUFFIXES, Loaded, indicator_names, load
from perfeval.pipeline.gc_tuning import paused_gc
from perfeval.pipeline.reviews import ReviewSummary, review_findings
from perfeval.pipeline.settings import DEFAULT_SETTINGS, Settings, tolerance_for

DEPARTMENT, RUBRIC, UNKNOWN = "department", "rubric", "unknown"


@dataclass(slots=True)
class IndicatorRow:
    """One indicator of the table (a leaf or a tier), in rubric order: a flattened ``NodeResult``."""

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
    measure: Decimal | None = None
    measure_name: str | None = None
    measure_format: str | None = None
    self_note: str | None = None
    items: tuple[ItemResult, ...] = ()
    applicable: bool = True
    target: Decimal | None = None
    actual: Decimal | None = None
    low_closed: bool = True
    uncapped: bool = False  # 预算执行率 不封顶: the score may exceed the weight
    reason_required: bool = False
    reason: str | None = None
    header: tuple[tuple[str, str, str, Decimal | None], ...] = ()  # 表头: (资金来源, 栏目, fact, value)
    row_kind: str | None = None  # department rows: positive | negative | equal | qualitative
    achievement: str | None = None  # 定性 rows
    incomplete: bool = False  # a parent whose table lists only part of its children
    listed_weight: Decimal | None = None
    # the reviewer's 复核 (pipeline/reviews.py): 复核完成值, the reason shown, 偏离度 as the rubric defines it
    review_value: str | None = None
    review_reason: str | None = None
    deviation: Decimal | None = None


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
    grade: str | None = None
    review_file: str | None = None  # the review file this department used, so a batch can name unused ones
    accepted: int = 0  # findings the file accepts (已接受): shown, not counted
    ignored: int = 0  # findings not reported (--ignore, --select, the configuration)
    spending: Decimal | None = None  # 实际支出 in 万元, for --sample --by 资金规模
    final_self: Decimal | None = None  # 自评得分 total after penalties and caps, for --sample --by 偏差
    narrative: bool = False  # the file carries its report's text: compared with the batch's others


@dataclass(slots=True)
class FileReport:
    """Everything a command found in one file."""

    file: str
    kind: str = DEPARTMENT  # department | rubric | unknown
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True  # False: the file (or its rubric) could not be read, parsed or validated
    unit: str | None = None
    year: int | None = None
    illustrative: bool = False
    rubric_id: str | None = None
    rubric_name: str | None = None
    rubric_file: str | None = None
    levels: tuple[str, ...] = ()
    total_weight: Decimal | None = None
    stated_total: Decimal | None = None
    self_total: Decimal | None = None
    recomputed_total: Decimal | None = None
    audited_total: Decimal | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    # penalties and caps on the total (扣分、封顶), when the rubric declares any
    has_adjustments: bool = False
    adjustments: tuple[AdjustmentResult, ...] = ()
    self_total_adjusted: Decimal | None = None
    recomputed_total_adjusted: Decimal | None = None
    audited_total_adjusted: Decimal | None = None
    self_grade: str | None = None  # grade of the self-assessed total (after penalties and caps)
    audited_grade: str | None = None  # grade of the audited total (after penalties and caps)
    scored: bool = False  # the indicator table was computed
    self_known: Decimal | None = None  # the self-scores filled in: a partial sum while self_total is None
    audited_known: Decimal | None = None  # the audited scores there are: a partial sum while audited_total is None
    unfilled: tuple[str, ...] = ()  # what the self-assessment leaves blank, by name
    partial: bool = False  # the rubric lists only part of its tree: totals cover the listed indicators only
    listed_weight: Decimal | None = None
    rounding: str = "half_up"
    trace: str | None = None  # the Python stack of an input error, kept only under --debug
    internal: bool = False  # perfeval itself failed on this file (a defect): exit code 3
    review: ReviewSummary | None = None  # the reviewer's 复核, when the department has one
    ignored: dict[str, int] = field(default_factory=dict)  # code → findings not reported (--ignore, --select)
    spending: Decimal | None = None  # 实际支出 in 万元 (None: not given), for --sample --by 资金规模
    narrative: bool = False  # the department carries its report's text (narrative:)

    @property
    def final_audited(self) -> Decimal | None:
        """The audited total after penalties and caps: what the department ends up with."""
        return self.audited_total_adjusted if self.has_adjustments else self.audited_total

    @property
    def final_self(self) -> Decimal | None:
        return self.self_total_adjusted if self.has_adjustments else self.self_total

    def count(self, level: str) -> int:
        """Problems of ``level`` that count: an accepted finding (已接受) is shown but not counted."""
        return sum(1 for p in self.problems if p.level == level and p.accepted is None)

    @property
    def accepted(self) -> int:
        return sum(1 for p in self.problems if p.accepted is not None)

    @property
    def ignored_total(self) -> int:
        return sum(self.ignored.values())

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    @property
    def infos(self) -> int:
        return self.count(INFO)

    def exit_code(self, strict: bool = False) -> int:
        if self.internal:
            return ExitCode.INTERNAL
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
            self.audited_grade,
            self.review.file if self.review is not None else None,
            self.accepted,
            self.ignored_total,
            self.spending,
            self.final_self,
            self.narrative,
        )

    def leaves(self) -> list[IndicatorRow]:
        return [r for r in self.indicators if r.is_leaf]

    def children_of(self) -> dict[str | None, list[IndicatorRow]]:
        """Rows by parent id (``None``: the 一级 indicators), in rubric order."""
        out: dict[str | None, list[IndicatorRow]] = {}
        for r in self.indicators:
            out.setdefault(r.parent, []).append(r)
        return out


# --- building a report -------------------------------------------------------------------------


def position(p: Problem) -> tuple[int, int]:
    loc = p.location
    return (loc.line or 0, loc.col or 0) if loc is not None else (0, 0)


def _rows(result: ScoreResult) -> list[IndicatorRow]:
    catalogue = result.catalogue
    rows: list[IndicatorRow] = []
    stack: list[tuple[NodeResult, str | None]] = [(n, None) for n in reversed(result.nodes)]
    while stack:
        n, parent = stack.pop()
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
                n.measure,
                n.measure_name,
                n.measure_format,
                n.self_note,
                tuple(n.items),
                n.applicable,
                n.target,
                n.actual,
                n.low_closed,
                n.uncapped,
                n.reason_required,
                n.reason,
                tuple(n.header),
                n.row_kind,
                n.achievement,
                n.incomplete,
                n.listed_weight,
            )
        )
        stack.extend((c, n.id) for c in reversed(n.children))
    return rows


def scored_report(file: str, loaded: Loaded, result: ScoreResult, problems: list[Problem]) -> FileReport:
    rubric, dept = loaded.rubric, loaded.department
    adjusted = result.has_adjustments
    return FileReport(
        file=file,
        kind=DEPARTMENT,
        problems=problems,
        readable=True,
        unit=dept.unit,
        year=dept.year,
        illustrative=dept.illustrative,
        rubric_id=rubric.id,
        rubric_name=rubric.name,
        rubric_file=os.path.normpath(loaded.rubric_path),
        levels=tuple(rubric.levels),
        total_weight=result.total_weight,
        stated_total=result.stated_total,
        self_total=result.self_total,
        recomputed_total=result.recomputed_total,
        audited_total=result.audited_total,
        indicators=_rows(result),
        has_adjustments=adjusted,
        adjustments=tuple(result.adjustments),
        self_total_adjusted=result.self_total_adjusted,
        recomputed_total_adjusted=result.recomputed_total_adjusted,
        audited_total_adjusted=result.audited_total_adjusted,
        self_grade=rubric.grade_of(result.self_total_adjusted if adjusted else result.self_total),
        audited_grade=rubric.grade_of(result.audited_total_adjusted if adjusted else result.audited_total),
        scored=True,
        self_known=result.self_known,
        audited_known=result.audited_known,
        unfilled=tuple(unfilled(result)),
        partial=result.partial,
        listed_weight=result.listed_weight,
        rounding=result.rounding,
    )


def located(problems: list[Problem], source: Any) -> list[Problem]:
    """Each problem at its place in the file. A problem about something the file does not have (a score
    left out) points at the key of the table it belongs in (``scores:``), not at that table's first entry."""

    def where(p: Problem) -> Location:
        return source.locate(p.path, key=not source.has(p.path))  # type: ignore[no-any-return]

    return sorted((p if p.location is not None else p.located(where(p)) for p in problems), key=position)


KEEP_TRACES = False  # --debug: keep the Python stack of every input error, for developers


def unreadable(file: str, err: InputError, kind: str = DEPARTMENT) -> FileReport:
    trace = None
    if KEEP_TRACES:
        import traceback

        trace = "".join(traceback.format_exception(err))
    return FileReport(file, kind, list(err.problems), readable=False, trace=trace)


def import_check_modules() -> None:
    """What only ``check`` runs, imported on check_file's first file (``score`` starts without it: narrative's
    patterns alone take ~20 ms to compile), and by ``--jobs`` before the workers are forked."""
    from perfeval.core import claims, narrative, reconcile, sampling  # noqa: F401


def check_file(
    path: Path | str, rubric_override: Path | str | None = None, settings: Settings = DEFAULT_SETTINGS
) -> FileReport:
    """``perfeval check`` of one department file. Never raises for a bad input: the report says what is wrong.
    ``settings`` give the configuration's default rubric and 对账容差 (its codes are chosen by the batch)."""
    from perfeval.core import claims, narrative, reconcile, sampling  # only check runs them (import_check_modules)

    with paused_gc():
        file = str(path)
        try:
            loaded = load(Path(path), rubric_override, settings.default_rubric, settings.default_rubric_at)
        except InputError as err:
            return unreadable(file, err)
        result = score(loaded.rubric, loaded.department)
        wording = WORKBOOK_WORDING if loaded.path.suffix.lower() in WORKBOOK_SUFFIXES else YAML_WORDING
        dept, rubric = loaded.department, loaded.rubric
        tolerance = tolerance_for(dept, rubric, settings.tolerance)
        found = (
            reconcile.reconcile(dept, tolerance)
            + audit(result, dept, subtotals=dept.self_assessment.subtotals, levels=rubric.levels, wording=wording)
            + claims.claim_findings(result, dept, rubric, tolerance)
            + narrative.narrative_findings(dept, result, tolerance)
        )
        report = scored_report(file, loaded, result, located(found, loaded.source))
        if loaded.review is not None:  # the reviewer's 复核 beside the 自评 and perfeval's 核算
            threshold = threshold_for(settings.deviation_threshold, rubric.review.deviation)
            summary, deviations, review_problems = review_findings(result, rubric, loaded.review, threshold)
            report.review = summary
            for row in report.indicators:
                reviewed = loaded.review.rows.get(row.id)
                if reviewed is not None:
                    row.review_value, row.review_reason = reviewed.value, reviewed.reason
                row.deviation = deviations.get(row.id)
            report.problems = sorted(report.problems + loaded.review_warnings + review_problems, key=position)
        # 已接受: the findings the file accepts marked, and the acceptances that match nothing (located here)
        report.problems = located(accept(report.problems, dept.accepted, indicator_names(rubric)), loaded.source)
        report.spending = sampling.spending_of(dept)
        report.narrative = bool(dept.narrative)
        return report


def score_file(
    path: Path | str, rubric_override: Path | str | None = None, settings: Settings = DEFAULT_SETTINGS
) -> FileReport:
    """``perfeval score`` of one department file: a self-score outside [0, 分值] makes it unusable."""
    with paused_gc():
        file = str(path)
        try:
            loaded = load(Path(path), rubric_override, settings.default_rubric, settings.default_rubric_at)
        except InputError as err:
            return unreadable(file, err)
        result = score(loaded.rubric, loaded.department)
        out_of_range = score_range_problems(result)
        if out_of_range:
            return unreadable(file, InputError(located(out_of_range, loaded.source)))
        return scored_report(file, loaded, result, [])
