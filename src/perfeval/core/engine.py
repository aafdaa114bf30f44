"""The engine: a pure function of (rubric, department) → result tree. No I/O, no printing.

For every indicator: its weight (分值), the department's self-score (自评得分), the score the
rubric's rule gives where the facts allow (核算得分: a number, a range for judged
deductions, or "cannot compute" naming the missing facts), the measured value, a status,
and the audited score (审核得分).

Why this module is long: every rule kind, the tree walk and the adjustments on the total share
the one :class:`Outcome` record and the one status rule; read top to bottom they are the scoring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any

from perfeval.core import formula as fx
from perfeval.core.decimals import (
    CENT,
    ONE,
    ROUNDING_LABELS,
    ZERO,
    fmt_at,
    fmt_exact,
    fmt_number,
    fmt_points,
    round_measure,
    round_points,
    sum_or_blank,
)
from perfeval.core.department import ROW_KIND_LABELS, Department, DepartmentIndicator, IndicatorScore
from perfeval.core.facts import FactInfo, catalogue_for, fact_values
from perfeval.core.rubric import ACHIEVEMENT_LABELS, Cap, CapBand, DepartmentRows, Deviation, Node, Penalty, Rubric
from perfeval.core.rules import (
    Band,
    Bands,
    Checklist,
    Deduction,
    Elements,
    ExecutionRate,
    FullMarksIf,
    Judged,
    Measure,
    Proportional,
)
from perfeval.core.staffing import staff_readings


class Status(StrEnum):
    CONSISTENT = "consistent"
    OVER_CLAIMED = "over_claimed"
    UNDER_CLAIMED = "under_claimed"
    OUT_OF_RANGE = "out_of_range"
    UNVERIFIABLE = "unverifiable"
    JUDGED = "judged"
    NOT_SCORED = "not_scored"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.CONSISTENT: "一致",
    Status.OVER_CLAIMED: "高报",
    Status.UNDER_CLAIMED: "低报",
    Status.OUT_OF_RANGE: "超出分值",
    Status.UNVERIFIABLE: "无法核验",
    Status.JUDGED: "主观评分",
    Status.NOT_SCORED: "未自评",
    Status.NOT_APPLICABLE: "不适用",
}


@dataclass(slots=True)
class Outcome:
    """What a rule gives: an exact score, or an allowed range, or nothing (missing facts)."""

    score: Decimal | None = None  # exact recomputed score
    low: Decimal | None = None  # allowed range when not exact
    high: Decimal | None = None
    high_closed: bool = True
    measure: Decimal | None = None
    missing: tuple[str, ...] = ()
    error: str | None = None
    judged: bool = False  # a person decides within [low, high]
    note: str = ""
    low_closed: bool = True  # False: the range excludes ``low`` (定性 (60%, 80%])
    uncapped: bool = False  # the score may exceed the weight (预算执行率, cap: false)
    reason_required: bool = False  # a reason must be stated (执行率低于阈值)
    header: tuple[tuple[str, str, str, Decimal | None], ...] = ()  # (fund, column, fact, value): 表头


@dataclass(slots=True)
class ItemResult:
    id: str
    text: str
    points: Decimal
    self_score: Decimal | None
    status: Status


@dataclass(slots=True)
class NodeResult:
    id: str
    name: str
    depth: int
    weight: Decimal
    self_score: Decimal | None = None
    score: Decimal | None = None  # exact recomputed score (核算得分)
    low: Decimal | None = None
    high: Decimal | None = None
    high_closed: bool = True
    measure: Decimal | None = None
    measure_name: str | None = None
    measure_format: str | None = None
    rule_kind: str | None = None
    status: Status | None = None
    note: str = ""
    missing_facts: tuple[str, ...] = ()
    audited_score: Decimal | None = None
    audited_basis: str | None = None  # reviewer | recomputed | capped | self | unverified | none
    reviewed: Decimal | None = None
    self_note: str | None = None
    items: list[ItemResult] = field(default_factory=list)
    children: list[NodeResult] = field(default_factory=list)
    stated_items_total: Decimal | None = None  # a checklist's stated score when items are given too
    applicable: bool = True  # False: an alternative not chosen (二者择其一); not counted in its parent
    source_path: tuple[str | int, ...] | None = None  # where the self-score sits in the file, when not under scores
    target: Decimal | None = None  # 年度指标值 (department rows)
    actual: Decimal | None = None  # 实际完成值 (department rows)
    low_closed: bool = True  # False: the allowed range excludes ``low``
    uncapped: bool = False  # the rule lets the score exceed the weight (预算执行率 不封顶)
    reason_required: bool = False  # the rule asks for a stated reason (执行率低于阈值须说明原因)
    reason: str | None = None  # the reason the department stated (偏差原因分析)
    header: tuple[tuple[str, str, str, Decimal | None], ...] = ()  # 表头: (资金来源, 栏目, fact, value)
    row_kind: str | None = None  # department rows: positive | negative | equal | qualitative (正向/反向/等于/定性)
    achievement: str | None = None  # 定性 rows: achieved | partly_achieved | not_achieved (达成/部分达成/未达成)
    incomplete: bool = False  # a parent whose table lists only part of its children (children_incomplete)
    listed_weight: Decimal | None = None  # incomplete parents: the weight of the children listed

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[NodeResult]:
        """This node and every node below it, depth first in rubric order."""
        return _walk([self])


def _walk(nodes: list[NodeResult]) -> Iterator[NodeResult]:
    # with a stack rather than nested generators, whose every yield passes up through each level
    stack = nodes[::-1]
    while stack:
        n = stack.pop()
        yield n
        if n.children:
            stack.extend(reversed(n.children))


@dataclass(slots=True)
class AdjustmentResult:
    """A penalty or cap on the total (扣分、封顶), reported beside the indicators, never inside them."""

    id: str
    name: str
    kind: str  # "penalty" | "cap" | "deviation"
    text: str
    applies: bool | None  # None: cannot tell (facts missing)
    points: Decimal = ZERO  # penalty: points taken off the total
    cap: Decimal | None = None  # cap: the total may not exceed this
    measure: Decimal | None = None
    measure_name: str | None = None
    rows: tuple[str, ...] = ()  # department rows that triggered a penalty or deviate (指标偏离)
    missing: tuple[str, ...] = ()
    note: str = ""
    unexplained: tuple[str, ...] = ()  # deviating rows without the 偏差原因 the rubric requires


def apply_adjustments(total: Decimal | None, adjustments: list[AdjustmentResult]) -> Decimal | None:
    """The total after penalties (never below 0) and caps; ``None`` when any adjustment is undecided."""
    if total is None or any(a.applies is None for a in adjustments):
        return None
    adjusted = max(ZERO, total - sum((a.points for a in adjustments if a.applies), ZERO))
    for a in adjustments:
        if a.applies and a.cap is not None:
            adjusted = min(adjusted, a.cap)
    return adjusted


@dataclass(slots=True)
class ScoreResult:
    rubric_id: str
    rubric_name: str
    unit: str
    year: int
    illustrative: bool
    total_weight: Decimal
    stated_total: Decimal | None
    self_total: Decimal | None
    recomputed_total: Decimal | None
    audited_total: Decimal | None
    nodes: list[NodeResult]
    facts: dict[str, Decimal | None]
    catalogue: dict[str, FactInfo]
    adjustments: list[AdjustmentResult] = field(default_factory=list)
    has_adjustments: bool = False  # the rubric declares penalties or caps
    self_total_adjusted: Decimal | None = None  # after penalties and caps (= self_total when none)
    recomputed_total_adjusted: Decimal | None = None
    audited_total_adjusted: Decimal | None = None
    partial: bool = False  # the rubric lists only part of its tree: totals cover the listed indicators only
    listed_weight: Decimal | None = None  # the weight of the indicators listed (= total_weight when complete)
    rounding: str = "half_up"  # how points were rounded (四舍五入 / 截尾), as the rubric says
    fact_notes: dict[str, str] = field(default_factory=dict)  # why a fact is absent, where the file says why
    self_known: Decimal = ZERO  # the self-scores filled in, 评分要点 included: a partial sum when a total is None
    audited_known: Decimal = ZERO  # the audited scores there are: a partial sum when audited_total is None

    def walk(self) -> Iterator[NodeResult]:
        return _walk(self.nodes)

    def leaves(self) -> list[NodeResult]:
        return [n for n in self.walk() if n.is_leaf]


# --- the scoring policy --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    """How a rubric reads its numbers (stated by the rubric, never guessed by the code): how points
    are rounded to two places (``rounding``: 四舍五入 or 截尾) and whether a measure is scored on
    its printed value (``precision``: decimals the measure is rounded to before it is banded or
    multiplied; ``None`` keeps it exact)."""

    rounding: str = "half_up"
    precision: int | None = None

    @classmethod
    def of(cls, rubric: Rubric) -> Policy:
        return cls(rubric.rounding, rubric.measure_precision)

    def points(self, value: Decimal) -> Decimal:
        return round_points(value, self.rounding)

    def measure(self, value: Decimal, override: int | None = None) -> Decimal:
        return round_measure(value, override if override is not None else self.precision)


DEFAULT_POLICY = Policy()

#: extra decimals a note may print beyond the table's usual precision before it prints every digit
MAX_EXTRA_PLACES = 8


def shown(value: Decimal, fmt: str, same: Callable[[Decimal], bool] | None = None) -> tuple[str, Decimal]:
    """A value as a note prints it, and the value that text stands for.

    At the table's usual precision (23.59%, 1,295.87) unless that would show a value the rule
    treats differently — ``same(v)`` says whether the rule gives the same result for ``v``: then with
    as many more decimals as it takes (79.996% is not printed '80.00%' when 80% is a band edge, nor
    99.745% as '99.75%' beside 2 × 99.745% = 1.99). A note's numbers therefore always reproduce the
    score beside them."""
    if same is None:
        return fmt_at(value, fmt, 0)
    for extra in range(MAX_EXTRA_PLACES + 1):
        text, stands_for = fmt_at(value, fmt, extra)
        if stands_for == value or same(stands_for):
            return text, stands_for
    return fmt_exact(value, fmt), value


def _exact_text(value: Decimal, fmt: str) -> str:
    """The exact value behind a printed one: every digit when it has few ('79.996%'), else about
    it ('约 133.3333%')."""
    for extra in range(3):
        text, stands_for = fmt_at(value, fmt, extra)
        if stands_for == value:
            return text
    return "约 " + fmt_at(value, fmt, 2)[0]


class _Value:
    """A measured value: the one the rule uses (rounded to the table's precision when the rubric
    says so) and the exact one. (A plain class: one is made for every measured indicator.)"""

    __slots__ = ("used", "exact", "places")

    def __init__(self, used: Decimal, exact: Decimal, places: int | None) -> None:
        self.used, self.exact, self.places = used, exact, places


def _measure(
    measure: Measure | None, facts: Mapping[str, Decimal | None], policy: Policy = DEFAULT_POLICY
) -> Outcome | _Value | None:
    """The measured value, or an Outcome explaining why it cannot be had."""
    if measure is None:
        return None
    try:
        value = measure.parsed.evaluate(facts)
    except fx.MissingFacts as exc:
        return Outcome(missing=exc.names)
    except fx.EvaluationError as exc:
        return Outcome(error=f"{measure.name}无法计算：{exc.message}")
    if isinstance(value, bool):
        return Outcome(error=f"{measure.name}的公式给出的是条件而不是数值")
    places = measure.precision if measure.precision is not None else policy.precision
    return _Value(value if places is None else round_measure(value, places), value, places)


def _measure_text(name: str, fmt: str, v: _Value, same: Callable[[Decimal], bool] | None) -> tuple[str, Decimal]:
    """'预算执行率 80.00%' — and, when the rubric scores on the printed rate and that changed the
    value, what it was: '（按表列精度计分；精确值 79.996%）'."""
    if v.places is not None:
        text, stands_for = fmt_exact(v.used, fmt), v.used
        if v.used != v.exact:
            exact = _exact_text(v.exact, fmt)
            return f"{name} {text}（按表列精度计分；精确值 {exact}）", stands_for
        return f"{name} {text}", stands_for
    text, stands_for = shown(v.used, fmt, same)
    return f"{name} {text}", stands_for


def _result(raw: Decimal, score: Decimal, policy: Policy, *, cap: Decimal | None = None, floor: Decimal = ZERO) -> str:
    """' = 7.5' — or how the raw result became the score: '= 1.995，四舍五入为 2'，'= 2.05，满分为止，计 2'."""
    if cap is not None and raw > cap:
        return f" = {fmt_exact(raw)}，满分为止，计 {fmt_exact(score)}"
    if raw < floor:
        return f" = {fmt_exact(raw)}，" + ("扣完为止，计 0" if floor == 0 else f"最低计 {fmt_exact(floor)}")
    if raw == score:
        return f" = {fmt_exact(score)}"
    return f" = {fmt_exact(raw)}，{ROUNDING_LABELS[policy.rounding]}为 {fmt_exact(score)}"


# rules with a ``measure`` field (getattr on a pydantic model without the field raises inside
# pydantic's __getattr__, which costs as much as evaluating a rule)
_MEASURED = (Proportional, Bands, FullMarksIf, Judged, Deduction, ExecutionRate)


def evaluate_rule(
    node: Node,
    facts: Mapping[str, Decimal | None],
    entry: IndicatorScore | None = None,
    policy: Policy = DEFAULT_POLICY,
    catalogue: Mapping[str, FactInfo] | None = None,
) -> Outcome:
    rule = node.rule
    assert rule is not None, node.id  # a leaf has a rule (the model says so)
    weight = node.weight
    if isinstance(rule, Checklist):
        return Outcome(low=ZERO, high=weight, judged=True, note="按评分要点逐项评分")
    if isinstance(rule, Elements):
        return _elements(rule, weight, entry, policy)
    measured = _measure(rule.measure, facts, policy)  # every rule left has a measure field
    if isinstance(measured, Outcome):
        assert rule.measure is not None  # only a measure gives an Outcome here
        if isinstance(rule, Judged):  # a judged rule does not need its measure to be scored
            why = f"（{measured.error}）" if measured.error else ""
            return Outcome(
                low=ZERO,
                high=weight,
                judged=True,
                missing=measured.missing,
                note=f"{rule.measure.name}无法计算{why}；由评价人酌情评分",
            )
        return measured

    if isinstance(rule, Judged):
        if measured is None:
            return Outcome(low=ZERO, high=weight, judged=True, note="由评价人酌情评分")
        assert rule.measure is not None
        text, _ = _measure_text(rule.measure.name, rule.measure.format, measured, None)
        return Outcome(low=ZERO, high=weight, judged=True, measure=measured.used, note=f"{text}；由评价人酌情评分")
    if isinstance(rule, FullMarksIf):  # its measure is optional
        return _full_marks_if(rule, weight, measured, facts)
    assert measured is not None
    if isinstance(rule, Proportional):
        return _proportional(rule, weight, measured, policy)
    if isinstance(rule, ExecutionRate):
        return _execution_rate(rule, weight, measured, facts, policy, catalogue or {})
    if isinstance(rule, Bands):
        return _bands(rule, weight, measured)
    if isinstance(rule, Deduction):
        return _deduction(rule, weight, measured, policy)
    raise TypeError(f"unknown rule {rule!r}")  # pragma: no cover


def _fixed(score: Decimal, **kw: Any) -> Outcome:
    return Outcome(score=score, low=score, high=score, **kw)


def _proportional(rule: Proportional, weight: Decimal, v: _Value, policy: Policy) -> Outcome:
    """按比例计分，满分为止: weight × measure ÷ target, within [0, weight]."""

    def score_of(ratio: Decimal) -> Decimal:
        return policy.points(min(weight, max(ZERO, weight * ratio)))

    score = score_of(v.used / rule.target)
    text, m = _measure_text(rule.measure.name, rule.measure.format, v, lambda x: score_of(x / rule.target) == score)
    if rule.target == 1:
        r_text, ratio = (fmt_exact(m, "percent"), m) if rule.measure.format == "percent" else shown(m, "percent")
        if score_of(ratio) != score:  # a measure printed as a number, whose percent needs more digits
            r_text, ratio = shown(v.used, "percent", lambda x: score_of(x) == score)
        target = ""
    else:
        r_text, ratio = shown(v.used / rule.target, "percent", lambda x: score_of(x) == score)
        target = f" ÷ 目标 {fmt_exact(rule.target, rule.measure.format)} = {r_text}"
    raw = weight * ratio
    return _fixed(
        score,
        measure=v.used,
        note=f"{text}{target}；按比例 {fmt_exact(weight)} × {r_text}{_result(raw, score, policy, cap=weight)}",
    )


def _execution_rate(
    rule: ExecutionRate,
    weight: Decimal,
    v: _Value,
    facts: Mapping[str, Decimal | None],
    policy: Policy,
    catalogue: Mapping[str, FactInfo],
) -> Outcome:
    """预算执行率 = 全年执行数 ÷ 全年预算数 (or 年初预算数); 得分 = 执行率 × 分值 (capped unless cap: false)."""

    def score_of(rate: Decimal) -> Decimal:
        raw = max(ZERO, weight * rate)
        return policy.points(min(weight, raw) if rule.cap else raw)

    def below(rate: Decimal) -> bool:
        return rule.reason_below is not None and rate < rule.reason_below

    score = score_of(v.used)
    needs_reason = below(v.used)

    def label(name: str) -> str:
        info = catalogue.get(name)
        return info.label.split("·")[0] if info else name

    executed, budget = facts.get(rule.executed), facts.get(rule.budget)
    assert executed is not None and budget is not None  # the measure was computed from them
    if v.places is not None:
        rate_text, rate = fmt_exact(v.used, "percent"), v.used
        if v.used != v.exact:
            rate_text += f"（按表列精度计分；精确值 {_exact_text(v.exact, 'percent')}）"
    else:
        rate_text, rate = shown(v.used, "percent", lambda x: score_of(x) == score and below(x) == needs_reason)
    note = (
        f"{rule.name} = {label(rule.executed)} {fmt_exact(executed, 'amount')} ÷ {label(rule.budget)} "
        f"{fmt_exact(budget, 'amount')} = {rate_text}；{fmt_exact(weight)} × {rate_text.split('（')[0]}"
        + _result(weight * rate, score, policy, cap=weight if rule.cap else None)
    )
    if not rule.cap and weight * rate > weight:
        note += "（不封顶，超过分值）"
    if needs_reason:
        note += f"；执行率低于 {fmt_exact(rule.reason_below, 'percent')}，须说明原因"
    header = tuple((row.fund, column, name, facts.get(name)) for row in rule.header for column, name in row.facts())
    return _fixed(score, measure=v.used, note=note, uncapped=not rule.cap, reason_required=needs_reason, header=header)


def _bands(rule: Bands, weight: Decimal, v: _Value) -> Outcome:
    def band_of(x: Decimal) -> Band | None:
        return next((b for b in rule.bands if x in b.interval), None)

    band = band_of(v.used)
    text, _ = _measure_text(rule.measure.name, rule.measure.format, v, lambda x: band_of(x) is band)
    if band is None:
        return Outcome(measure=v.used, error=f"{text} 不在任何分档内；评分表的分档没有覆盖这个值")
    points = min(band.points, weight)  # a leaf never leaves [0, 分值] (validate reports such a band)
    return _fixed(points, measure=v.used, note=f"{text}，落在 {band.range} 档，得 {fmt_exact(points)} 分")


def _full_marks_if(
    rule: FullMarksIf, weight: Decimal, v: _Value | None, facts: Mapping[str, Decimal | None]
) -> Outcome:
    value = v.used if v is not None else None
    cond = rule.parsed_condition

    def holds_for(x: Decimal | None) -> bool | Outcome:
        env = facts if x is None else {**facts, "value": x}
        try:
            holds = cond.evaluate(env)
        except fx.MissingFacts as exc:
            return Outcome(measure=value, missing=exc.names)
        except fx.EvaluationError as exc:
            return Outcome(measure=value, error=f"满分条件无法计算：{exc.message}")
        if not isinstance(holds, bool):
            return Outcome(measure=value, error="满分条件给出的是数值而不是条件")
        return holds

    holds = holds_for(value)
    if isinstance(holds, Outcome):
        return holds
    prefix = ""
    if v is not None and rule.measure is not None:
        text, _ = _measure_text(rule.measure.name, rule.measure.format, v, lambda x: holds_for(x) is holds)
        prefix = f"{text}，"
    if holds:
        return _fixed(weight, measure=value, note=f"{prefix}满足满分条件，计满分")
    return Outcome(
        low=ZERO,
        high=weight,
        high_closed=False,
        measure=value,
        note=f"{prefix}不满足满分条件，{rule.otherwise}，不得满分",
    )


_PARTIAL_TEXT = {
    "proportional": "不足一档按比例扣",
    "whole_steps": "只按整档扣分",
    "started_steps": "不足一档按一档扣",
}


def _steps(rule: Deduction, deviation: Decimal) -> Decimal:
    steps = deviation / rule.per
    if rule.partial == "whole_steps":
        return steps.to_integral_value(rounding=ROUND_FLOOR)
    if rule.partial == "started_steps":
        return steps.to_integral_value(rounding=ROUND_CEILING)
    return steps


def _deduction(rule: Deduction, weight: Decimal, v: _Value, policy: Policy) -> Outcome:
    """每超过一个百分点扣0.5分 / 每低于5%扣2分: full marks less ``points`` per step, never below ``floor``."""

    def deviation_of(x: Decimal) -> Decimal:
        return x - rule.threshold if rule.direction == "above" else rule.threshold - x

    def score_of(x: Decimal) -> Decimal:
        deviation = deviation_of(x)
        if deviation <= 0:
            return weight
        return policy.points(min(weight, max(rule.floor, weight - _steps(rule, deviation) * rule.points)))

    score = score_of(v.used)
    text, m = _measure_text(rule.measure.name, rule.measure.format, v, lambda x: score_of(x) == score)
    way = "超过" if rule.direction == "above" else "低于"
    threshold = fmt_exact(rule.threshold, rule.measure.format)
    per = fmt_exact(rule.per, rule.measure.format)
    deviation = deviation_of(m)
    if deviation <= 0:
        return _fixed(weight, measure=v.used, note=f"{text}，未{way} {threshold}，计满分")
    steps = _steps(rule, deviation)
    if steps == 0:
        return _fixed(
            weight,
            measure=v.used,
            note=f"{text}，{way} {threshold} 不足一档（每档 {per}，{_PARTIAL_TEXT[rule.partial]}），计满分",
        )
    if rule.partial == "proportional":  # a fractional number of steps: printed so that it reproduces the score
        s_text, steps = shown(
            steps, "number", lambda s: policy.points(min(weight, max(rule.floor, weight - s * rule.points))) == score
        )
    else:
        s_text = fmt_exact(steps)
    deducted = steps * rule.points
    return _fixed(
        score,
        measure=v.used,
        note=(
            f"{text}，{way} {threshold} 共 {s_text} 档（每档 {per}，{_PARTIAL_TEXT[rule.partial]}），"
            f"扣 {s_text} × {fmt_exact(rule.points)} = {fmt_exact(deducted)} 分，"
            f"得 {fmt_exact(weight)} − {fmt_exact(deducted)}"
            + _result(weight - deducted, score, policy, floor=rule.floor)
        ),
    )


def _elements(rule: Elements, weight: Decimal, entry: IndicatorScore | None, policy: Policy) -> Outcome:
    """①②③ 各1分，每少一项扣1分: weight less points_each per missing element, never below 0."""
    if entry is None or entry.present is None:
        return Outcome(error="未填写具备的要素（present），无法核算")
    present = [i for i in rule.items if i.id in entry.present]
    missing = [i for i in rule.items if i.id not in entry.present]
    score = policy.points(max(ZERO, weight - rule.points_each * len(missing)))
    lacking = (
        f"，缺少 {'、'.join(i.text for i in missing)}，每少一项扣 {fmt_points(rule.points_each)} 分" if missing else ""
    )
    return _fixed(
        score,
        measure=Decimal(len(present)),
        note=f"具备 {len(present)}/{len(rule.items)} 项要素{lacking}，得 {fmt_points(score)} 分",
    )


# --- department rows (部门特性指标): 正向 / 反向 / 等于 / 定性 ------------------------------------


def evaluate_row(
    row: DepartmentIndicator, rows: DepartmentRows | str = "completion", policy: Policy = DEFAULT_POLICY
) -> Outcome:
    """One 部门特性指标 row, scored by its kind (a = 实际完成值, t = 年度指标值, w = 分值;
    a negative a is taken as 0):

    * 正向 (≥): a ≥ t → w; otherwise a ÷ t × w;
    * 反向 (≤): a ≤ t → w; otherwise t ÷ a × w (``reciprocal``) or (1 − (a − t) ÷ t) × w, 0 from a = 2t
      on (``linear``), as the rubric says;
    * 等于 (=): |a − t| within the rubric's tolerance → w; otherwise as 正向 (t = 0: a ≤ 0 → w, else 0)
      or 0;
    * 定性: 达成 / 部分达成 / 未达成 → the range of the weight the rubric gives it; without ranges, or
      without the department's 完成情况, judged within [0, w].
    """
    if isinstance(rows, str):
        rows = DepartmentRows(text="部门特性指标", scoring=rows)  # type: ignore[arg-type]
    weight = row.weight
    if rows.scoring == "judged":
        return Outcome(low=ZERO, high=weight, judged=True, note="部门特性指标，由评价人酌情评分")
    if row.kind == "qualitative":
        return _qualitative_row(row, rows, policy)
    missing = tuple(n for n, v in (("target", row.target), ("actual", row.actual)) if v is None)
    if missing:
        return Outcome(missing=missing)
    assert row.target is not None and row.actual is not None
    t, a = row.target, max(ZERO, row.actual)

    def fmt(x: Decimal) -> str:  # a row in % is written "98%" and read as 0.98
        return fmt_exact(x, "percent") if row.unit == "%" else f"{fmt_exact(x)}{row.unit or ''}"

    given = f"实际完成值 {fmt(row.actual)}" + ("（按 0 计）" if row.actual < 0 else "") + f"，年度指标值 {fmt(t)}"
    kind = ROW_KIND_LABELS[row.kind]
    prefix = "" if row.kind == "positive" else f"{kind}指标；"
    if row.kind == "equal":
        return _equal_row(row, rows, policy, t, a, f"{prefix}{given}")
    if row.kind == "negative":
        return _negative_row(row, rows, policy, t, a, f"{prefix}{given}")
    return _positive_row(weight, policy, t, a, given)


def _positive_row(weight: Decimal, policy: Policy, t: Decimal, a: Decimal, given: str) -> Outcome:
    if t == 0:
        return Outcome(error="年度指标值为 0，无法计算完成率（越小越好的指标请写 kind: 反向，须为 0 的写 kind: 等于）")
    if a >= t:
        return _fixed(weight, measure=a / t if t > 0 else None, note=f"{given}，完成指标值，计满分")
    ratio = policy.measure(a / t)

    def score_of(r: Decimal) -> Decimal:
        return policy.points(weight * min(ONE, max(ZERO, r)))

    score = score_of(ratio)
    r_text, r = _ratio_text(ratio, a / t, policy, lambda x: score_of(x) == score)
    return _fixed(
        score,
        measure=ratio,
        note=f"{given}，完成 {r_text}，按比例 {fmt_exact(weight)} × {r_text.split('（')[0]}"
        + _result(weight * r, score, policy),
    )


def _ratio_text(used: Decimal, exact: Decimal, policy: Policy, same: Callable[[Decimal], bool]) -> tuple[str, Decimal]:
    """A row's 完成率 as printed, scored on the printed rate when the rubric says so."""
    if policy.precision is not None:
        text = fmt_exact(used, "percent")
        if used != exact:
            text += f"（按表列精度计分；精确值 {_exact_text(exact, 'percent')}）"
        return text, used
    return shown(used, "percent", same)


def _negative_row(
    row: DepartmentIndicator, rows: DepartmentRows, policy: Policy, t: Decimal, a: Decimal, given: str
) -> Outcome:
    weight = row.weight
    if a <= t:
        return _fixed(weight, measure=None if a == 0 else t / a, note=f"{given}，完成指标值，计满分")
    if t <= 0:  # any a above a target of 0 (0 投诉): t ÷ a = 0, and a ≥ 2t
        return _fixed(ZERO, measure=ZERO, note=f"{given}，超过指标值，不得分")
    if rows.negative == "reciprocal":
        ratio = policy.measure(t / a)

        def score_of(r: Decimal) -> Decimal:
            return policy.points(weight * min(ONE, max(ZERO, r)))

        score = score_of(ratio)
        r_text, r = _ratio_text(ratio, t / a, policy, lambda x: score_of(x) == score)
        return _fixed(
            score,
            measure=ratio,
            note=f"{given}，超过指标值，按 指标值 ÷ 完成值 = {r_text}，{fmt_exact(weight)} × {r_text.split('（')[0]}"
            + _result(weight * r, score, policy),
        )
    ratio = policy.measure(a / t)  # linear: the excess over the target, as a share of it

    def linear_of(r: Decimal) -> Decimal:
        return policy.points(weight * max(ZERO, 2 - r)) if r < 2 else ZERO

    score = linear_of(ratio)
    if ratio >= 2:
        r_text, _ = _ratio_text(ratio, a / t, policy, lambda x: linear_of(x) == score)
        return _fixed(ZERO, measure=ratio, note=f"{given}，为指标值的 {r_text}，达到两倍及以上，不得分")
    r_text, r = _ratio_text(ratio, a / t, policy, lambda x: linear_of(x) == score)
    excess = r - 1
    e_text = fmt_exact(excess, "percent")
    return _fixed(
        score,
        measure=ratio,
        note=f"{given}，为指标值的 {r_text}，超出 {e_text}，按 {fmt_exact(weight)} × (1 − {e_text})"
        + _result(weight * (1 - excess), score, policy),
    )


def _equal_row(
    row: DepartmentIndicator, rows: DepartmentRows, policy: Policy, t: Decimal, a: Decimal, given: str
) -> Outcome:
    weight, rule = row.weight, rows.equal
    allowed = rule.tolerance * abs(t)
    gap = abs(a - t)
    tol = f"允许偏差 ±{fmt_exact(rule.tolerance, 'percent')}" if rule.tolerance else "须等于指标值"
    if gap <= allowed:
        within = "等于指标值" if gap == 0 else f"相差 {fmt_exact(gap)}，在{tol}之内"
        return _fixed(weight, measure=a / t if t else None, note=f"{given}，{within}，计满分")
    if rule.otherwise == "zero":
        return _fixed(ZERO, measure=a / t if t else None, note=f"{given}，相差 {fmt_exact(gap)}，超出{tol}，不得分")
    if t == 0:  # 平台：指标值为 0 时，完成值 ≤ 0 计满分，否则 0 分
        return _fixed(ZERO, measure=None, note=f"{given}，指标值为 0 而完成值大于 0，不得分")
    return _positive_row(weight, policy, t, a, f"{given}，超出{tol}，按正向指标计")


def _qualitative_row(row: DepartmentIndicator, rows: DepartmentRows, policy: Policy) -> Outcome:
    weight = row.weight
    if rows.qualitative is None:
        return Outcome(low=ZERO, high=weight, judged=True, note="定性指标，由评价人酌情评分")
    if row.achievement is None:
        return Outcome(
            low=ZERO,
            high=weight,
            judged=True,
            note="定性指标，未填写完成情况（achievement：达成、部分达成、未达成），由评价人酌情评分",
        )
    iv = rows.qualitative.intervals[row.achievement]
    low = round_points(weight * (iv.low or ZERO), "ceiling")
    high = round_points(weight * (iv.high if iv.high is not None else ONE), "floor")
    share = f"{fmt_exact(iv.low or ZERO, 'percent')}–{fmt_exact(iv.high if iv.high is not None else ONE, 'percent')}"
    points = f"{'[' if iv.low_closed else '('}{fmt_exact(low)}, {fmt_exact(high)}{']' if iv.high_closed else ')'}"
    return Outcome(
        low=low,
        high=high,
        low_closed=iv.low_closed,
        high_closed=iv.high_closed,
        note=f"定性指标，{ACHIEVEMENT_LABELS[row.achievement]}：分值的 {share}（{iv.text}），得分区间 {points}",
    )


# --- statuses and audited scores ---------------------------------------------------------


def _status(self_score: Decimal | None, weight: Decimal, o: Outcome) -> Status:
    if self_score is None:
        return Status.NOT_SCORED
    if self_score < 0 or (self_score > weight and not o.uncapped):
        return Status.OUT_OF_RANGE
    if o.score is not None:
        if self_score == o.score:
            return Status.CONSISTENT
        return Status.OVER_CLAIMED if self_score > o.score else Status.UNDER_CLAIMED
    if o.low is None:
        return Status.UNVERIFIABLE
    if o.judged:
        return Status.JUDGED
    if self_score < o.low or (self_score == o.low and not o.low_closed):
        return Status.UNDER_CLAIMED
    high = o.high if o.high is not None else weight
    if self_score > high or (self_score == high and not o.high_closed):
        return Status.OVER_CLAIMED
    return Status.CONSISTENT


def _audited(r: NodeResult, o: Outcome) -> tuple[Decimal | None, str]:
    if r.reviewed is not None:
        return r.reviewed, "reviewer"
    if o.score is not None:
        return o.score, "recomputed"
    if r.self_score is None:
        return None, "none"
    low = o.low if o.low is not None else ZERO
    high = o.high if o.high is not None else r.weight
    top = high if o.high_closed else high - CENT
    bottom = low if o.low_closed else low + CENT
    capped = min(max(r.self_score, bottom), top)
    if o.low is None:
        return capped, "unverified"
    return capped, ("self" if capped == r.self_score else "capped")


# --- the tree ----------------------------------------------------------------------------


def _self_score(node: Node, entry: IndicatorScore | None) -> tuple[Decimal | None, list[ItemResult], Decimal | None]:
    items: list[ItemResult] = []
    if not isinstance(node.rule, Checklist):
        return (entry.score if entry else None), items, None
    given = entry.items if entry and entry.items is not None else None
    for item in node.rule.items:
        s = given.get(item.id) if given is not None else None
        if s is None:
            st = Status.NOT_SCORED
        elif s < 0 or s > item.points:
            st = Status.OUT_OF_RANGE
        else:
            st = Status.JUDGED
        items.append(ItemResult(item.id, item.text, item.points, s, st))
    stated = entry.score if entry else None
    if given is not None and all(i.self_score is not None for i in items):
        summed = sum((i.self_score for i in items if i.self_score is not None), ZERO)
        return (stated if stated is not None else summed), items, stated
    return stated, items, stated


def _labelled(text: str, catalogue: Mapping[str, FactInfo]) -> str:
    """A formula message with fact names in Chinese: 除数为零：编制数 = 0."""
    return re.sub(r"\b[a-z][a-z0-9_]*\b", lambda m: _fact_label(m.group(), catalogue), text)


def _fact_label(name: str, catalogue: Mapping[str, FactInfo]) -> str:
    info = catalogue.get(name)
    return info.label if info else name


def _leaf(
    node: Node,
    depth: int,
    entry: IndicatorScore | None,
    ctx: _Context,
    outcome: Outcome | None = None,
) -> NodeResult:
    catalogue = ctx.catalogue
    o = outcome if outcome is not None else evaluate_rule(node, ctx.facts, entry, ctx.policy, catalogue)
    self_score, items, stated = _self_score(node, entry)
    measure = node.rule.measure if isinstance(node.rule, _MEASURED) else None
    r = NodeResult(
        id=node.id,
        name=node.name,
        depth=depth,
        weight=node.weight,
        self_score=self_score,
        score=o.score,
        low=o.low,
        high=o.high,
        high_closed=o.high_closed,
        measure=o.measure,
        measure_name=measure.name if measure else None,
        measure_format=measure.format if measure else None,
        rule_kind=node.rule.kind if node.rule is not None else None,
        missing_facts=o.missing,
        items=items,
        reviewed=entry.reviewed if entry else None,
        self_note=entry.note if entry else None,
        stated_items_total=stated if items and entry and entry.items is not None else None,
    )
    if not o.low_closed or o.uncapped or o.header:  # rare: set only when they are not the defaults
        r.low_closed, r.uncapped, r.header = o.low_closed, o.uncapped, o.header
    if o.reason_required:
        r.reason_required, r.reason = True, ctx.reasons.get(node.id)
    if o.missing and o.judged:
        r.note = o.note + "（缺少：" + "、".join(_fact_label(m, catalogue) for m in o.missing) + "）"
    elif o.missing:
        r.note = "缺少：" + "、".join(_fact_label(m, catalogue) for m in o.missing)
    elif o.error:
        r.note = _labelled(o.error, catalogue)
    elif items:
        parts = " + ".join(fmt_points(i.self_score) if i.self_score is not None else "未填" for i in items)
        r.note = f"评分要点 {parts}" + (f" = {fmt_points(self_score)}" if self_score is not None else "")
    else:
        r.note = o.note
        if o.reason_required:
            r.note += "：已说明" if r.reason else "，未说明（self_assessment.reasons）"
    r.status = _status(self_score, node.weight, o)
    if any(i.status is Status.OUT_OF_RANGE for i in items) and r.status is not Status.NOT_SCORED:
        r.status = Status.OUT_OF_RANGE
    r.audited_score, r.audited_basis = _audited(r, o)
    return r


_ROW_FACT_LABELS = {"target": "年度指标值", "actual": "实际完成值"}


@dataclass(slots=True)
class _Context:
    dept: Department
    scores: Mapping[str, IndicatorScore]
    facts: Mapping[str, Decimal | None]
    catalogue: Mapping[str, FactInfo]
    policy: Policy = DEFAULT_POLICY
    reasons: Mapping[str, str] = field(default_factory=dict)  # 偏差原因 by indicator id


def _not_applicable_outcome(node: Node) -> Outcome:
    assert node.optional is not None
    points = node.weight if node.optional.when_not_applicable == "full_marks" else ZERO
    return Outcome(
        score=points,
        low=points,
        high=points,
        note=f"可选项，部门申报不适用：{node.optional.text}，计 {fmt_points(points)} 分",
    )


def _rows_node(node: Node, depth: int, ctx: _Context) -> NodeResult:
    """部门特性指标: the department's own rows under a fixed weight."""
    assert node.department_rows is not None
    rows = ctx.dept.department_indicators.get(node.id) or []
    if not rows:
        return NodeResult(
            id=node.id,
            name=node.name,
            depth=depth,
            weight=node.weight,
            rule_kind="department_rows",
            status=Status.NOT_SCORED,
            audited_basis="none",
            note=f"部门特性指标：部门文件未填写本项的指标行（department_indicators.{node.id}）",
            source_path=("department_indicators",),
        )
    children = []
    for i, row in enumerate(rows):
        o = evaluate_row(row, node.department_rows, ctx.policy)
        r = NodeResult(
            id=row.id,
            name=row.name,
            depth=depth + 1,
            weight=row.weight,
            self_score=row.score,
            score=o.score,
            low=o.low,
            high=o.high,
            high_closed=o.high_closed,
            measure=o.measure,
            measure_name="完成率" if o.measure is not None else None,
            measure_format="percent" if o.measure is not None else None,
            rule_kind="department_row",
            missing_facts=o.missing,
            reviewed=row.reviewed,
            self_note=row.note,
            source_path=("department_indicators", node.id, i, "score"),
            target=row.target,
            actual=row.actual,
            low_closed=o.low_closed,
            row_kind=row.kind,
            achievement=row.achievement,
            reason=row.deviation_reason,
        )
        if o.missing:
            r.note = "缺少：" + "、".join(_ROW_FACT_LABELS[m] for m in o.missing)
        else:
            r.note = o.error or o.note
        if row.category:
            r.note = f"{row.category}；{r.note}"
        r.status = _status(row.score, row.weight, o)
        r.audited_score, r.audited_basis = _audited(r, o)
        children.append(r)
    return _parent(node, depth, children, note=node.department_rows.text)


def _mark_not_chosen(r: NodeResult, note: str) -> None:
    for n in r.walk():
        n.applicable = False
        n.status = Status.NOT_APPLICABLE if n.is_leaf else None
        n.score = n.low = n.high = None
        n.audited_score = None
        n.audited_basis = "none" if n.is_leaf else None
        n.note = note


def _has_entries(node: Node, ctx: _Context) -> bool:
    for n in _subtree(node):
        if n.id in ctx.scores or n.id in ctx.dept.department_indicators:
            return True
    return False


def _subtree(node: Node) -> Iterator[Node]:
    yield node
    for c in node.children:
        yield from _subtree(c)


def _listed(r: NodeResult) -> Decimal:
    """The weight of what a result lists: its weight, or for a partial parent its listed children's."""
    return r.listed_weight if r.listed_weight is not None else r.weight


def _parent(node: Node, depth: int, children: list[NodeResult], note: str = "") -> NodeResult:
    counted = [c for c in children if c.applicable]
    listed = None  # set where the subtree lists less than its weight (a partial table)
    if node.children_incomplete or any(c.listed_weight is not None for c in counted):
        listed = sum((_listed(c) for c in counted), ZERO)
    if node.children_incomplete:
        partial = (
            f"所据表格只列出部分下级指标（已列 {fmt_exact(listed or ZERO)} 分，表列分值 {fmt_exact(node.weight)} 分），"
            "小计为已列指标之和"
        )
        note = f"{note}；{partial}" if note else partial
    return NodeResult(
        id=node.id,
        name=node.name,
        depth=depth,
        weight=node.weight,
        self_score=sum_or_blank(c.self_score for c in counted) if counted else None,
        score=sum_or_blank(c.score for c in counted) if counted else None,
        audited_score=sum_or_blank(c.audited_score for c in counted) if counted else None,  # blank is not 0
        children=children,
        note=note,
        incomplete=node.children_incomplete,
        listed_weight=listed,
    )


def _node(node: Node, depth: int, ctx: _Context) -> NodeResult:
    if node.department_rows is not None:
        return _rows_node(node, depth, ctx)
    if node.is_leaf:
        outcome = None
        if node.optional is not None and node.id in ctx.dept.self_assessment.not_applicable:
            outcome = _not_applicable_outcome(node)
        return _leaf(node, depth, ctx.scores.get(node.id), ctx, outcome)
    children = [_node(c, depth + 1, ctx) for c in node.children]
    if node.choose_one is None:
        return _parent(node, depth, children)
    chosen = ctx.dept.self_assessment.chosen.get(node.id)
    basis = "部门选用"
    if chosen is None:
        reported = [c.id for c in node.children if _has_entries(c, ctx)]
        if len(reported) == 1:
            chosen, basis = reported[0], "按部门所填报的一项"
    names = {c.id: c.name for c in node.children}
    if chosen not in names:
        for r in children:
            _mark_not_chosen(r, f"{node.choose_one.text}：部门未说明选用哪一项")
        return _parent(
            node,
            depth,
            children,
            note=f"{node.choose_one.text}；未说明选用哪一项（self_assessment.chosen.{node.id}），无法计分",
        )
    for r in children:
        if r.id != chosen:
            _mark_not_chosen(r, f"{node.choose_one.text}：未选用（{basis}按 {names[chosen]} 计分）")
    return _parent(node, depth, children, note=f"{node.choose_one.text}；{basis}：{names[chosen]}")


# --- adjustments on the total -------------------------------------------------------------


def _penalty(adj: Penalty, ctx: _Context) -> AdjustmentResult:
    cond = adj.parsed_condition
    base = AdjustmentResult(id=adj.id, name=adj.name, kind="penalty", text=adj.text, applies=False)
    envs: list[tuple[str | None, Mapping[str, Decimal | None], str]] = []
    if not adj.rows_of:
        envs.append((None, ctx.facts, ""))
    for node_id in adj.rows_of:
        for row in ctx.dept.department_indicators.get(node_id) or []:
            if row.kind == "qualitative":
                continue
            envs.append((row.id, {**ctx.facts, "target": row.target, "actual": row.actual}, row.name))
    hits: list[str] = []
    names: list[str] = []
    missing: list[str] = []
    missing_labels: list[str] = []
    for row_id, env, row_name in envs:
        try:
            holds = cond.evaluate(env)
        except fx.MissingFacts as exc:
            for m in exc.names:
                is_row_value = row_id is not None and m in _ROW_FACT_LABELS
                missing.append(f"{row_id}.{m}" if is_row_value else m)
                missing_labels.append(
                    f"{row_name}的{_ROW_FACT_LABELS[m]}" if is_row_value else _fact_label(m, ctx.catalogue)
                )
            continue
        except fx.EvaluationError as exc:
            base.applies, base.note = None, f"{adj.name}：条件无法计算：{exc.message}"
            return base
        if not isinstance(holds, bool):
            base.applies, base.note = None, f"{adj.name}：条件给出的是数值而不是条件"
            return base
        if holds:
            hits.append(row_id or adj.id)
            names.append(row_name)
    if missing:
        base.applies, base.missing = None, tuple(dict.fromkeys(missing))
        base.note = f"{adj.name}：缺少数据，无法判断（缺少：{'、'.join(dict.fromkeys(missing_labels))}）"
        return base
    if not hits:
        base.note = f"{adj.name}：无"
        return base
    base.applies = True
    base.points = round_points(adj.points * len(hits))
    base.rows = tuple(h for h in hits if adj.rows_of)
    which = f"（{'、'.join(names)}）" if adj.rows_of else ""
    base.note = (
        f"{adj.name}{which}：{len(hits)} 项，减 {fmt_points(base.points)} 分"
        if adj.rows_of
        else f"{adj.name}：减 {fmt_points(base.points)} 分"
    )
    return base


def _cap(adj: Cap, ctx: _Context) -> AdjustmentResult:
    base = AdjustmentResult(
        id=adj.id, name=adj.name, kind="cap", text=adj.text, applies=False, measure_name=adj.measure.name
    )
    measured = _measure(adj.measure, ctx.facts, ctx.policy)
    if isinstance(measured, Outcome):
        base.applies, base.missing = None, measured.missing
        base.note = f"{adj.name}：" + (
            measured.error
            or (
                "缺少数据，无法判断（缺少：" + "、".join(_fact_label(m, ctx.catalogue) for m in measured.missing) + "）"
            )
        )
        return base
    assert measured is not None
    base.measure = measured.used

    def band_of(x: Decimal) -> CapBand | None:
        return next((b for b in adj.caps if x in b.interval), None)

    band = band_of(measured.used)
    text, _ = _measure_text(adj.measure.name, adj.measure.format, measured, lambda x: band_of(x) is band)
    said = f"{adj.name}：{text}"
    if band is None:
        base.applies, base.note = None, f"{said} 不在任何封顶区间内"
        return base
    if band.max is None:
        base.note = f"{said}，不设上限"
        return base
    base.applies, base.cap = True, band.max
    base.note = f"{said}，总分不超过 {fmt_points(band.max)} 分"
    return base


def deviates(adj: Deviation, target: Decimal, actual: Decimal) -> bool:
    """完成值超过指标值30%及以上: actual above target by ``over`` of it or more (``inclusive``)."""
    limit = target + abs(target) * adj.over
    return actual > target and (actual >= limit if adj.inclusive else actual > limit)


def _deviation(adj: Deviation, ctx: _Context) -> AdjustmentResult:
    """指标偏离: every quantitative row under ``rows_of`` whose 完成值 exceeds its 指标值 by ``over``."""
    base = AdjustmentResult(id=adj.id, name=adj.name, kind="deviation", text=adj.text, applies=False)
    hits: list[tuple[DepartmentIndicator, str]] = []
    missing: list[str] = []
    labels: list[str] = []
    bound = fmt_exact(1 + adj.over, "percent")
    for node_id in adj.rows_of:
        for row in ctx.dept.department_indicators.get(node_id) or []:
            if row.kind == "qualitative":
                continue
            if row.target is None or row.actual is None:
                for m, v in (("target", row.target), ("actual", row.actual)):
                    if v is None:
                        missing.append(f"{row.id}.{m}")
                        labels.append(f"{row.name}的{_ROW_FACT_LABELS[m]}")
                continue
            t, a = row.target, row.actual
            if not deviates(adj, t, a):
                continue
            if t > 0:
                sign = "≥" if adj.inclusive else ">"
                ratio, _ = shown(a / t, "percent", lambda r: r >= 1 + adj.over if adj.inclusive else r > 1 + adj.over)
                hits.append((row, f"{row.name} 完成值为指标值的 {ratio}（{sign} {bound}）"))
            else:
                hits.append((row, f"{row.name} 完成值 {fmt_exact(a)} 超过指标值 {fmt_exact(t)}"))
    if missing:
        base.applies, base.missing = None, tuple(missing)
        base.note = f"{adj.name}：缺少数据，无法判断（缺少：{'、'.join(labels)}）"
        return base
    if not hits:
        base.note = f"{adj.name}：无"
        return base
    base.applies = True
    base.rows = tuple(r.id for r, _ in hits)
    base.points = ctx.policy.points(adj.points * len(hits))
    if adj.reason_required:
        base.unexplained = tuple(r.id for r, _ in hits if not (r.deviation_reason or "").strip())
    which = "；".join(text for _, text in hits)
    if adj.points:
        consequence = f"减 {fmt_points(base.points)} 分"
    elif adj.reason_required:
        consequence = "须说明偏差原因，不扣分"
    else:
        consequence = "不扣分"
    note = f"{adj.name}（{which}）：{len(hits)} 项，{consequence}"
    if base.unexplained:
        names = {r.id: r.name for r, _ in hits}
        note += "；未说明偏差原因：" + "、".join(names[i] for i in base.unexplained)
    base.note = note
    return base


def evaluate_adjustments(rubric: Rubric, ctx: _Context) -> list[AdjustmentResult]:
    out = []
    for a in rubric.adjustments:
        if isinstance(a, Penalty):
            out.append(_penalty(a, ctx))
        elif isinstance(a, Deviation):
            out.append(_deviation(a, ctx))
        else:
            out.append(_cap(a, ctx))
    return out


def score(rubric: Rubric, dept: Department) -> ScoreResult:
    """Score a department against a rubric. Pure: same inputs, same result."""
    catalogue = catalogue_for(rubric.facts)
    basis = tuple(rubric.staff_basis) if rubric.staff_basis is not None else None
    facts = fact_values(dept, catalogue, basis)
    fact_notes: dict[str, str] = {}
    if facts.get("authorized_staff") is None and (readings := staff_readings(dept)):
        fact_notes["authorized_staff"] = "编制按类别列出，评分表未规定编制数计哪些类别：" + "，或".join(
            f"{which} {fmt_number(count)} 人" for which, count in readings
        )
    sa = dept.self_assessment
    ctx = _Context(dept, sa.scores, facts, catalogue, Policy.of(rubric), sa.reasons)
    nodes = [_node(n, 1, ctx) for n in rubric.indicators]
    self_total = sum_or_blank(n.self_score for n in nodes)
    recomputed_total = sum_or_blank(n.score for n in nodes)
    audited_total = sum_or_blank(n.audited_score for n in nodes)  # None while an indicator has no score at all
    leaves = [n for n in _walk(nodes) if not n.children and n.applicable]
    adjustments = evaluate_adjustments(rubric, ctx)
    return ScoreResult(
        rubric_id=rubric.id,
        rubric_name=rubric.name,
        unit=dept.unit,
        year=dept.year,
        illustrative=dept.illustrative,
        total_weight=rubric.total,
        stated_total=dept.self_assessment.total,
        self_total=self_total,
        recomputed_total=recomputed_total,
        audited_total=audited_total,
        nodes=nodes,
        facts=facts,
        catalogue=catalogue,
        adjustments=adjustments,
        has_adjustments=bool(rubric.adjustments),
        self_total_adjusted=apply_adjustments(self_total, adjustments),
        recomputed_total_adjusted=apply_adjustments(recomputed_total, adjustments),
        audited_total_adjusted=apply_adjustments(audited_total, adjustments),
        partial=rubric.is_partial,
        listed_weight=sum((_listed(n) for n in nodes), ZERO),
        rounding=rubric.rounding,
        fact_notes=fact_notes,
        self_known=sum((_filled(n) for n in leaves), ZERO),
        audited_known=sum((n.audited_score if n.audited_score is not None else _filled(n) for n in leaves), ZERO),
    )


def _filled(n: NodeResult) -> Decimal:
    """What a leaf's self-assessment has filled in: its score, else the 评分要点 that are filled."""
    if n.self_score is not None:
        return n.self_score
    return sum((i.self_score for i in n.items if i.self_score is not None), ZERO)
