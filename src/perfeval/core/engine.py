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
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from perfeval.core import formula as fx
from perfeval.core.decimals import CENT, ONE, ZERO, fmt_amount, fmt_number, fmt_percent, fmt_points, round_points
from perfeval.core.department import Department, DepartmentIndicator, IndicatorScore
from perfeval.core.facts import FactInfo, catalogue_for, fact_values
from perfeval.core.rubric import (
    Bands,
    Cap,
    Checklist,
    Deduction,
    Elements,
    FullMarksIf,
    Judged,
    Measure,
    Node,
    Penalty,
    Proportional,
    Rubric,
)


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
    source_path: tuple | None = None  # where the self-score sits in the department file, when not under scores
    target: Decimal | None = None  # 年度指标值 (department rows)
    actual: Decimal | None = None  # 实际完成值 (department rows)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self):
        """This node and every node below it, depth first in rubric order."""
        return _walk([self])


def _walk(nodes: list[NodeResult]):
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
    kind: str  # "penalty" | "cap"
    text: str
    applies: bool | None  # None: cannot tell (facts missing)
    points: Decimal = ZERO  # penalty: points taken off the total
    cap: Decimal | None = None  # cap: the total may not exceed this
    measure: Decimal | None = None
    measure_name: str | None = None
    rows: tuple[str, ...] = ()  # department rows that triggered a penalty
    missing: tuple[str, ...] = ()
    note: str = ""


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

    def walk(self):
        return _walk(self.nodes)

    def leaves(self) -> list[NodeResult]:
        return [n for n in self.walk() if n.is_leaf]


# --- rules -------------------------------------------------------------------------------


def _fmt_measure(measure: Measure, value: Decimal) -> str:
    if measure.format == "percent":
        return fmt_percent(value)
    if measure.format == "amount":
        return fmt_amount(value)
    return fmt_number(value)


def _measure(measure: Measure | None, facts: Mapping[str, Decimal | None]) -> Outcome | Decimal | None:
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
    return value


# rules with a ``measure`` field (getattr on a pydantic model without the field raises inside
# pydantic's __getattr__, which costs as much as evaluating a rule)
_MEASURED = (Proportional, Bands, FullMarksIf, Judged, Deduction)


def evaluate_rule(node: Node, facts: Mapping[str, Decimal | None], entry: IndicatorScore | None = None) -> Outcome:
    rule = node.rule
    weight = node.weight
    if isinstance(rule, Checklist):
        return Outcome(low=ZERO, high=weight, judged=True, note="按评分要点逐项评分")
    if isinstance(rule, Elements):
        return _elements(rule, weight, entry)
    measured = _measure(rule.measure, facts)  # every rule left has a measure field
    if isinstance(measured, Outcome):
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
    value = measured
    shown = f"{rule.measure.name} {_fmt_measure(rule.measure, value)}" if value is not None else ""

    if isinstance(rule, Judged):
        note = f"{shown}；" if shown else ""
        return Outcome(low=ZERO, high=weight, judged=True, measure=value, note=f"{note}由评价人酌情评分")

    if isinstance(rule, Proportional):
        ratio = value / rule.target
        raw = weight * ratio
        score = round_points(min(weight, max(ZERO, raw)))
        target = "" if rule.target == 1 else f" ÷ 目标 {_fmt_measure(rule.measure, rule.target)}"
        capped = "（满分为止）" if raw > weight else ""
        return Outcome(
            score=score,
            low=score,
            high=score,
            measure=value,
            note=f"{shown}{target}；按比例 {fmt_points(weight)} × {fmt_percent(ratio)} = {fmt_points(score)}{capped}",
        )

    if isinstance(rule, Bands):
        for band in rule.bands:
            if value in band.interval:
                points = min(band.points, weight)  # a leaf never leaves [0, 分值] (validate reports such a band)
                return Outcome(
                    score=points,
                    low=points,
                    high=points,
                    measure=value,
                    note=f"{shown}，落在 {band.range} 档，得 {fmt_points(points)} 分",
                )
        return Outcome(measure=value, error=f"{shown} 不在任何分档内；评分表的分档没有覆盖这个值")

    if isinstance(rule, FullMarksIf):
        env = facts if value is None else {**facts, "value": value}
        cond = rule.parsed_condition
        try:
            holds = cond.evaluate(env)
        except fx.MissingFacts as exc:
            return Outcome(measure=value, missing=exc.names)
        except fx.EvaluationError as exc:
            return Outcome(measure=value, error=f"满分条件无法计算：{exc.message}")
        if not isinstance(holds, bool):
            return Outcome(measure=value, error="满分条件给出的是数值而不是条件")
        prefix = f"{shown}，" if shown else ""
        if holds:
            return Outcome(score=weight, low=weight, high=weight, measure=value, note=f"{prefix}满足满分条件，计满分")
        return Outcome(
            low=ZERO,
            high=weight,
            high_closed=False,
            measure=value,
            note=f"{prefix}不满足满分条件，{rule.otherwise}，不得满分",
        )

    if isinstance(rule, Deduction):
        deviation = value - rule.threshold if rule.direction == "above" else rule.threshold - value
        if deviation <= 0:
            return Outcome(
                score=weight,
                low=weight,
                high=weight,
                measure=value,
                note=f"{shown}，未{'超过' if rule.direction == 'above' else '低于'} "
                f"{_fmt_measure(rule.measure, rule.threshold)}，计满分",
            )
        steps = deviation / rule.per
        if rule.partial == "whole_steps":
            steps = steps.to_integral_value(rounding=ROUND_FLOOR)
            if steps == 0:
                return Outcome(
                    score=weight,
                    low=weight,
                    high=weight,
                    measure=value,
                    note=f"{shown}，{'超过' if rule.direction == 'above' else '低于'} "
                    f"{_fmt_measure(rule.measure, rule.threshold)} 不足一档"
                    f"（每档 {_fmt_measure(rule.measure, rule.per)}，只按整档扣分），计满分",
                )
        deducted = steps * rule.points
        score = round_points(min(weight, max(rule.floor, weight - deducted)))
        return Outcome(
            score=score,
            low=score,
            high=score,
            measure=value,
            note=(
                f"{shown}，{'超过' if rule.direction == 'above' else '低于'} "
                f"{_fmt_measure(rule.measure, rule.threshold)} 共 {fmt_number(round_points(steps))} 档"
                f"（每档 {_fmt_measure(rule.measure, rule.per)}），扣 {fmt_points(round_points(deducted))} 分"
            ),
        )
    raise TypeError(f"unknown rule {rule!r}")  # pragma: no cover


def _elements(rule: Elements, weight: Decimal, entry: IndicatorScore | None) -> Outcome:
    """①②③ 各1分，每少一项扣1分: weight less points_each per missing element, never below 0."""
    if entry is None or entry.present is None:
        return Outcome(error="未填写具备的要素（present），无法核算")
    present = [i for i in rule.items if i.id in entry.present]
    missing = [i for i in rule.items if i.id not in entry.present]
    score = round_points(max(ZERO, weight - rule.points_each * len(missing)))
    lacking = (
        f"，缺少 {'、'.join(i.text for i in missing)}，每少一项扣 {fmt_points(rule.points_each)} 分" if missing else ""
    )
    return Outcome(
        score=score,
        low=score,
        high=score,
        measure=Decimal(len(present)),
        note=f"具备 {len(present)}/{len(rule.items)} 项要素{lacking}，得 {fmt_points(score)} 分",
    )


def evaluate_row(row: DepartmentIndicator, scoring: str) -> Outcome:
    """One 部门特性指标 row: 实际完成值 against 年度指标值, full marks once the target is met."""
    weight = row.weight
    if scoring == "judged" or row.kind == "qualitative":
        what = "定性指标" if row.kind == "qualitative" else "部门特性指标"
        return Outcome(low=ZERO, high=weight, judged=True, note=f"{what}，由评价人酌情评分")
    missing = tuple(n for n, v in (("target", row.target), ("actual", row.actual)) if v is None)
    if missing:
        return Outcome(missing=missing)
    assert row.target is not None and row.actual is not None
    numerator, denominator = (row.actual, row.target) if row.better == "higher" else (row.target, row.actual)
    if denominator == 0:
        return Outcome(error=f"{'年度指标值' if row.better == 'higher' else '实际完成值'}为 0，无法计算完成率")
    ratio = numerator / denominator
    score = round_points(weight * min(ONE, max(ZERO, ratio)))

    def fmt(v: Decimal) -> str:  # a row in % is written "98%" and read as 0.98
        return fmt_percent(v) if row.unit == "%" else f"{fmt_number(v)}{row.unit or ''}"

    shown = f"实际完成值 {fmt(row.actual)}，年度指标值 {fmt(row.target)}"
    if ratio >= 1:
        return Outcome(score=score, low=score, high=score, measure=ratio, note=f"{shown}，完成指标值，计满分")
    return Outcome(
        score=score,
        low=score,
        high=score,
        measure=ratio,
        note=f"{shown}，完成 {fmt_percent(ratio)}，按比例 {fmt_points(weight)} × {fmt_percent(ratio)} = {fmt_points(score)}",
    )


# --- statuses and audited scores ---------------------------------------------------------


def _status(self_score: Decimal | None, weight: Decimal, o: Outcome) -> Status:
    if self_score is None:
        return Status.NOT_SCORED
    if self_score < 0 or self_score > weight:
        return Status.OUT_OF_RANGE
    if o.score is not None:
        if self_score == o.score:
            return Status.CONSISTENT
        return Status.OVER_CLAIMED if self_score > o.score else Status.UNDER_CLAIMED
    if o.low is None:
        return Status.UNVERIFIABLE
    if o.judged:
        return Status.JUDGED
    if self_score < o.low:
        return Status.UNDER_CLAIMED
    if self_score > o.high or (self_score == o.high and not o.high_closed):
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
    capped = min(max(r.self_score, low), top)
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
        summed = sum((i.self_score for i in items), ZERO)  # type: ignore[misc]
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
    facts: Mapping[str, Decimal | None],
    catalogue: Mapping[str, FactInfo],
    outcome: Outcome | None = None,
) -> NodeResult:
    o = outcome if outcome is not None else evaluate_rule(node, facts, entry)
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
        rule_kind=node.rule.kind,
        missing_facts=o.missing,
        items=items,
        reviewed=entry.reviewed if entry else None,
        self_note=entry.note if entry else None,
        stated_items_total=stated if items and entry and entry.items is not None else None,
    )
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
    r.status = _status(self_score, node.weight, o)
    if any(i.status is Status.OUT_OF_RANGE for i in items) and r.status is not Status.NOT_SCORED:
        r.status = Status.OUT_OF_RANGE
    r.audited_score, r.audited_basis = _audited(r, o)
    return r


def _sum(values) -> Decimal | None:
    total = ZERO
    for v in values:
        if v is None:
            return None
        total += v
    return total


_ROW_FACT_LABELS = {"target": "年度指标值", "actual": "实际完成值"}


@dataclass(slots=True)
class _Context:
    dept: Department
    scores: Mapping[str, IndicatorScore]
    facts: Mapping[str, Decimal | None]
    catalogue: Mapping[str, FactInfo]


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
    scoring = node.department_rows.scoring
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
        o = evaluate_row(row, scoring)
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


def _subtree(node: Node):
    yield node
    for c in node.children:
        yield from _subtree(c)


def _parent(node: Node, depth: int, children: list[NodeResult], note: str = "") -> NodeResult:
    counted = [c for c in children if c.applicable]
    return NodeResult(
        id=node.id,
        name=node.name,
        depth=depth,
        weight=node.weight,
        self_score=_sum(c.self_score for c in counted) if counted else None,
        score=_sum(c.score for c in counted) if counted else None,
        audited_score=sum((c.audited_score or ZERO for c in counted), ZERO),
        children=children,
        note=note,
    )


def _node(node: Node, depth: int, ctx: _Context) -> NodeResult:
    if node.department_rows is not None:
        return _rows_node(node, depth, ctx)
    if node.is_leaf:
        outcome = None
        if node.optional is not None and node.id in ctx.dept.self_assessment.not_applicable:
            outcome = _not_applicable_outcome(node)
        return _leaf(node, depth, ctx.scores.get(node.id), ctx.facts, ctx.catalogue, outcome)
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
    measured = _measure(adj.measure, ctx.facts)
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
    base.measure = measured
    shown = f"{adj.name}：{adj.measure.name} {_fmt_measure(adj.measure, measured)}"
    band = next((b for b in adj.caps if measured in b.interval), None)
    if band is None:
        base.applies, base.note = None, f"{shown} 不在任何封顶区间内"
        return base
    if band.max is None:
        base.note = f"{shown}，不设上限"
        return base
    base.applies, base.cap = True, band.max
    base.note = f"{shown}，总分不超过 {fmt_points(band.max)} 分"
    return base


def evaluate_adjustments(rubric: Rubric, ctx: _Context) -> list[AdjustmentResult]:
    return [_penalty(a, ctx) if isinstance(a, Penalty) else _cap(a, ctx) for a in rubric.adjustments]


def score(rubric: Rubric, dept: Department) -> ScoreResult:
    """Score a department against a rubric. Pure: same inputs, same result."""
    catalogue = catalogue_for(rubric.facts)
    facts = fact_values(dept, catalogue)
    ctx = _Context(dept, dept.self_assessment.scores, facts, catalogue)
    nodes = [_node(n, 1, ctx) for n in rubric.indicators]
    self_total = _sum(n.self_score for n in nodes)
    recomputed_total = _sum(n.score for n in nodes)
    audited_total = sum((n.audited_score or ZERO for n in nodes), ZERO)
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
    )
