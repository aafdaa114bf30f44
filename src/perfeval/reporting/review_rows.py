"""What a reviewer's workpaper and report show of one file, computed once from a :class:`FileReport`:
the totals the terminal prints, the deviations (偏差、偏离度), the severity of each problem, and the
national platform's warnings on a rubric with a 预算执行率 block. Pure: no I/O, no workbook, no HTML.

Both :mod:`perfeval.reporting.workpaper` and :mod:`perfeval.reporting.html_report` read these, so the
workbook, the HTML and the terminal agree to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfeval.core.codes import CODES
from perfeval.core.decimals import ZERO, fmt_percent, sum_or_blank
from perfeval.core.engine import Status
from perfeval.core.problems import ERROR, INFO, WARNING, ExitCode, Problem
from perfeval.pipeline.reports import FileReport, IndicatorRow

# --- severity ---------------------------------------------------------------------------------------

# Problems carry a level (error | warning | info: the one severity, which the configuration's [severity]
# may change per code); the review grades its findings P0/P1/P2, so a level is shown as its severity. An
# accepted finding (已接受) keeps its severity, is marked so, and is not counted.
SEVERITIES = ("P0", "P1", "P2")
SEVERITY_OF_LEVEL = {ERROR: "P0", WARNING: "P1", INFO: "P2"}
SEVERITY_LABELS = {"P0": "P0 错误", "P1": "P1 警告", "P2": "P2 提示"}


def severity(p: Problem) -> str:
    """``P0`` | ``P1`` | ``P2`` of a problem."""
    return SEVERITY_OF_LEVEL.get(p.level, "P2")


def severity_label(p: Problem) -> str:
    """``P0 错误`` | ``P1 警告`` | ``P2 提示``; ``P0 错误（已接受）`` for an accepted finding."""
    label = SEVERITY_LABELS[severity(p)]
    return label + "（已接受）" if p.accepted is not None else label


def accepted_note(p: Problem) -> str:
    """``；接受理由：…`` after an accepted finding's message, else nothing."""
    return f"；接受理由：{p.accepted}" if p.accepted is not None else ""


def code_title(code: str) -> str:
    info = CODES.get(code)
    return info.title if info is not None else code


def severity_counts(problems: Iterable[Problem]) -> dict[str, int]:
    """Problems by severity, as they count: accepted findings (已接受) are not counted."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for p in problems:
        if p.accepted is None:
            counts[severity(p)] += 1
    return counts


# --- deviations ---------------------------------------------------------------------------------------


def deviation(self_score: Decimal | None, audited: Decimal | None) -> Decimal | None:
    """偏差 = 自评 − 审核 (positive: the unit claimed more than the audit gives); None if either is blank."""
    if self_score is None or audited is None:
        return None
    return self_score - audited


def deviation_rate(self_score: Decimal | None, audited: Decimal | None) -> Decimal | None:
    """偏离度 = (自评 − 审核) / 自评, exact; None when 自评 is blank or 0, or 审核 is blank.

    (The rubric will define its own 偏离度 later; this is the reading used until then.)"""
    if self_score is None or audited is None or self_score == ZERO:
        return None
    return (self_score - audited) / self_score


def completion_value(r: IndicatorRow) -> tuple[Decimal | None, str | None]:
    """自评完成值 of a leaf and how to show it: the measure the rule computed from the unit's facts, or a
    department row's 实际完成值; ``(None, None)`` when neither is known."""
    if r.measure is not None:
        return r.measure, r.measure_format or "number"
    if r.actual is not None:
        return r.actual, "number"
    return None, None


def findings_by_indicator(problems: Iterable[Problem]) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """The problems of each indicator (by id), and those about no indicator (the file as a whole)."""
    by: dict[str, list[Problem]] = {}
    general: list[Problem] = []
    for p in problems:
        if p.indicator_id:
            by.setdefault(p.indicator_id, []).append(p)
        else:
            general.append(p)
    return by, general


def tier_paths(rows: Iterable[IndicatorRow]) -> Iterator[tuple[IndicatorRow, tuple[str, ...]]]:
    """Each row with the names from its 一级 indicator down to itself."""
    names: list[str] = []
    for r in rows:
        del names[r.depth - 1 :]
        names.append(r.name)
        yield r, tuple(names)


# --- the platform's warnings (预算执行率) ------------------------------------------------------------------

# The rule kind another part of the rubric language adds for 预算执行率 (执行数 ÷ 预算数, × 分值). A leaf of
# this kind is the rubric's 执行率 block; its ``measure`` is the execution rate. No rubric shipped today
# has one, so no warning is raised on them: this is the hook the rule lights up.
EXECUTION_RATE_RULE = "execution_rate"
RED_MARGIN = Decimal("0.05")  # indicator score rate above the 执行率 score rate by more than 5% of it
YELLOW_UNSPENT = Decimal("0.20")  # more than 20% of the budget unspent


def execution_rate_rows(report: FileReport) -> list[IndicatorRow]:
    """The leaves of ``report`` that score the budget execution rate (the hook; see above)."""
    return [r for r in report.indicators if r.is_leaf and r.rule_kind == EXECUTION_RATE_RULE]


@dataclass(frozen=True, slots=True)
class PlatformWarning:
    color: str  # "red" | "yellow"
    message: str

    @property
    def label(self) -> str:
        return ("红灯：" if self.color == "red" else "黄灯：") + self.message


def platform_warnings(report: FileReport) -> list[PlatformWarning]:
    """The national platform's warnings on the self-assessment (自评) of a rubric with a 执行率 block:

    * red — the score rate of the other indicators exceeds the 执行率 indicator's score rate by more
      than 5% of the former ((指标得分/90 − 执行率得分/10) / (指标得分/90) > 5%, frameworks.md §7: the outputs
      claimed are not matched by the money spent);
    * yellow — the 全年预算数 is 0, or more than 20% of the budget is unspent (execution rate below 80%).

    Nothing when the rubric has no 执行率 block, or the figures needed are blank (blank is not zero).
    """
    blocks = execution_rate_rows(report)
    if not blocks or not report.readable:
        return []
    out: list[PlatformWarning] = []
    ids = {r.id for r in blocks}
    exec_weight = sum((r.weight for r in blocks), ZERO)
    exec_self = sum_or_blank(r.self_score for r in blocks)
    others = [r for r in report.leaves() if r.id not in ids and r.applicable]
    other_weight = sum((r.weight for r in others), ZERO)
    other_self = sum_or_blank(r.self_score for r in others)
    if exec_self is not None and other_self is not None and exec_weight > 0 and other_weight > 0:
        exec_rate, other_rate = exec_self / exec_weight, other_self / other_weight
        # (指标得分 / 90 − 执行率得分 / 10) / (指标得分 / 90) > 5%: relative to the indicators' rate
        if other_rate > 0 and (other_rate - exec_rate) / other_rate > RED_MARGIN:
            out.append(
                PlatformWarning(
                    "red",
                    f"指标得分率 {fmt_percent(other_rate)} 高于预算执行率得分率 {fmt_percent(exec_rate)}，"
                    f"相差 {fmt_percent((other_rate - exec_rate) / other_rate)}（超过 5%）",
                )
            )
    for r in blocks:  # a budget of 0 (the header's first line, 年度资金总额): nothing can be executed against it
        total = r.header[0][0] if r.header else None
        if any(v == ZERO for fund, column, _, v in r.header if fund == total and column == "全年预算数"):
            out.append(PlatformWarning("yellow", f"{r.name}：{total}的全年预算数为 0"))
    rates = [r.measure for r in blocks if r.measure is not None]
    if len(rates) == len(blocks):
        for r in blocks:
            assert r.measure is not None
            unspent = Decimal(1) - r.measure
            if unspent > YELLOW_UNSPENT:
                out.append(
                    PlatformWarning(
                        "yellow",
                        f"{r.name} {fmt_percent(r.measure)}，预算资金未支出 {fmt_percent(unspent)}（超过 20%）",
                    )
                )
    return out


# --- one unit's summary ---------------------------------------------------------------------------------

VERDICTS = {ExitCode.OK: "通过", ExitCode.FINDINGS: "未通过", ExitCode.INPUT: "无法读取", ExitCode.INTERNAL: "内部错误"}
OVER = (Status.OVER_CLAIMED, Status.OUT_OF_RANGE)


@dataclass(frozen=True, slots=True)
class UnitSummary:
    """One row of the 汇总: what a batch keeps of each unit (small, no indicator rows, no problems)."""

    index: int  # 1-based, in input order
    file: str
    unit: str | None
    readable: bool
    year: int | None
    rubric_name: str | None
    weight: Decimal | None
    stated_total: Decimal | None  # 自评总分 as the unit filled it in
    self_score: Decimal | None  # 自评得分: the indicators' sum, after penalties and caps where the rubric has any
    recomputed: Decimal | None  # 核算得分 (total), None unless every indicator is recomputable
    reviewed: Decimal | None  # 复核得分 (total): the audited total when the reviewer scored every indicator
    audited: Decimal | None  # 审核得分 (total), after penalties and caps: what the terminal prints
    self_grade: str | None
    audited_grade: str | None
    severities: dict[str, int]
    exit_code: int
    over_claimed: int  # leaves 高报 or 超出分值
    warnings: tuple[PlatformWarning, ...]

    @property
    def deviation(self) -> Decimal | None:
        return deviation(self.self_score, self.audited)

    @property
    def deviation_rate(self) -> Decimal | None:
        return deviation_rate(self.self_score, self.audited)

    @property
    def verdict(self) -> str:
        return VERDICTS.get(ExitCode(self.exit_code), "")

    @property
    def name(self) -> str:
        return self.unit if self.readable and self.unit else "（无法读取）"


def reviewer_total(report: FileReport) -> Decimal | None:
    """The reviewer's (复核) total: the audited total when every applicable leaf has the reviewer's score."""
    leaves = [r for r in report.leaves() if r.applicable]
    if not leaves or any(r.reviewed is None for r in leaves):
        return None
    return report.final_audited


def unit_summary(report: FileReport, index: int, strict: bool = False) -> UnitSummary:
    adjusted = report.has_adjustments
    return UnitSummary(
        index=index,
        file=report.file,
        unit=report.unit,
        readable=report.readable,
        year=report.year,
        rubric_name=report.rubric_name,
        weight=report.total_weight,
        stated_total=report.stated_total,
        self_score=report.final_self,
        recomputed=report.recomputed_total_adjusted if adjusted else report.recomputed_total,
        reviewed=reviewer_total(report) if report.readable else None,
        audited=report.final_audited if report.readable else None,
        self_grade=report.self_grade,
        audited_grade=report.audited_grade,
        severities=severity_counts(report.problems),
        exit_code=int(report.exit_code(strict)),
        over_claimed=sum(1 for r in report.leaves() if r.status in OVER),
        warnings=tuple(platform_warnings(report)),
    )
