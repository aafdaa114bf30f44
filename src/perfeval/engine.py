"""The engine: a pure function of (rubric, department) → result tree. No I/O, no printing.

For every indicator: its weight (分值), the department's self-score (自评得分), the score the
rubric's rule gives where the facts allow (核算得分: a number, a range for judged
deductions, or "cannot compute" naming the missing facts), the measured value, a status,
and the audited score (审核得分).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from enum import Enum
from typing import Mapping

from perfeval import formula as fx
from perfeval.decimals import CENT, ZERO, fmt_amount, fmt_number, fmt_percent, fmt_points, round_points
from perfeval.department import Department, IndicatorScore
from perfeval.facts import FactInfo, catalogue_for, fact_values
from perfeval.rubric import Bands, Checklist, Deduction, FullMarksIf, Judged, Measure, Node, Proportional, Rubric


class Status(str, Enum):
    CONSISTENT = "consistent"
    OVER_CLAIMED = "over_claimed"
    UNDER_CLAIMED = "under_claimed"
    OUT_OF_RANGE = "out_of_range"
    UNVERIFIABLE = "unverifiable"
    JUDGED = "judged"
    NOT_SCORED = "not_scored"

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

    @property
    def computable(self) -> bool:
        return self.score is not None or (self.low is not None and not self.judged)


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
    children: list["NodeResult"] = field(default_factory=list)
    stated_items_total: Decimal | None = None  # a checklist's stated score when items are given too

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


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

    def walk(self):
        for n in self.nodes:
            yield from n.walk()

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


def evaluate_rule(node: Node, facts: Mapping[str, Decimal | None]) -> Outcome:
    rule = node.rule
    weight = node.weight
    if isinstance(rule, Checklist):
        return Outcome(low=ZERO, high=weight, judged=True, note="按评分要点逐项评分")
    measured = _measure(getattr(rule, "measure", None), facts)
    if isinstance(measured, Outcome):
        if isinstance(rule, Judged):  # a judged rule does not need its measure to be scored
            why = f"（{measured.error}）" if measured.error else ""
            return Outcome(low=ZERO, high=weight, judged=True, missing=measured.missing,
                           note=f"{rule.measure.name}无法计算{why}；由评价人酌情评分")
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
            score=score, low=score, high=score, measure=value,
            note=f"{shown}{target}；按比例 {fmt_points(weight)} × {fmt_percent(ratio)} = {fmt_points(score)}{capped}",
        )

    if isinstance(rule, Bands):
        for band in rule.bands:
            if value in band.interval:
                return Outcome(score=band.points, low=band.points, high=band.points, measure=value,
                               note=f"{shown}，落在 {band.range} 档，得 {fmt_points(band.points)} 分")
        return Outcome(measure=value, error=f"{shown} 不在任何分档内；评分表的分档没有覆盖这个值")

    if isinstance(rule, FullMarksIf):
        env = facts if value is None else {**facts, "value": value}
        cond = fx.parse(rule.condition)
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
            return Outcome(score=weight, low=weight, high=weight, measure=value,
                           note=f"{prefix}满足满分条件，计满分")
        return Outcome(low=ZERO, high=weight, high_closed=False, measure=value,
                       note=f"{prefix}不满足满分条件，{rule.otherwise}，不得满分")

    if isinstance(rule, Deduction):
        deviation = value - rule.threshold if rule.direction == "above" else rule.threshold - value
        if deviation <= 0:
            return Outcome(score=weight, low=weight, high=weight, measure=value,
                           note=f"{shown}，未{'超过' if rule.direction == 'above' else '低于'}"
                                f"{_fmt_measure(rule.measure, rule.threshold)}，计满分")
        steps = deviation / rule.per
        if rule.partial == "whole_steps":
            steps = steps.to_integral_value(rounding=ROUND_FLOOR)
        deducted = steps * rule.points
        score = round_points(max(rule.floor, weight - deducted))
        return Outcome(
            score=score, low=score, high=score, measure=value,
            note=(f"{shown}，{'超过' if rule.direction == 'above' else '低于'} "
                  f"{_fmt_measure(rule.measure, rule.threshold)} 共 {fmt_number(round_points(steps))} 档"
                  f"（每档 {_fmt_measure(rule.measure, rule.per)}），扣 {fmt_points(round_points(deducted))} 分"),
        )
    raise TypeError(f"unknown rule {rule!r}")  # pragma: no cover


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


def _leaf(node: Node, depth: int, entry: IndicatorScore | None, facts: Mapping[str, Decimal | None],
          catalogue: Mapping[str, FactInfo]) -> NodeResult:
    o = evaluate_rule(node, facts)
    self_score, items, stated = _self_score(node, entry)
    measure = getattr(node.rule, "measure", None)
    r = NodeResult(
        id=node.id, name=node.name, depth=depth, weight=node.weight, self_score=self_score,
        score=o.score, low=o.low, high=o.high, high_closed=o.high_closed, measure=o.measure,
        measure_name=measure.name if measure else None, measure_format=measure.format if measure else None,
        rule_kind=node.rule.kind, missing_facts=o.missing, items=items,
        reviewed=entry.reviewed if entry else None, self_note=entry.note if entry else None,
        stated_items_total=stated if items and entry and entry.items is not None else None,
    )
    if o.missing and o.judged:
        r.note = o.note + "（缺少：" + "、".join(_fact_label(m, catalogue) for m in o.missing) + "）"
    elif o.missing:
        r.note = "缺少：" + "、".join(_fact_label(m, catalogue) for m in o.missing)
    elif o.error:
        r.note = _labelled(o.error, catalogue)
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


def _node(node: Node, depth: int, scores: Mapping[str, IndicatorScore], facts, catalogue) -> NodeResult:
    if node.is_leaf:
        return _leaf(node, depth, scores.get(node.id), facts, catalogue)
    children = [_node(c, depth + 1, scores, facts, catalogue) for c in node.children]
    return NodeResult(
        id=node.id, name=node.name, depth=depth, weight=node.weight,
        self_score=_sum(c.self_score for c in children),
        score=_sum(c.score for c in children),
        audited_score=sum((c.audited_score or ZERO for c in children), ZERO),
        children=children,
    )


def score(rubric: Rubric, dept: Department) -> ScoreResult:
    """Score a department against a rubric. Pure: same inputs, same result."""
    catalogue = catalogue_for(rubric.facts)
    facts = fact_values(dept, catalogue)
    scores = dept.self_assessment.scores
    nodes = [_node(n, 1, scores, facts, catalogue) for n in rubric.indicators]
    return ScoreResult(
        rubric_id=rubric.id, rubric_name=rubric.name, unit=dept.unit, year=dept.year,
        illustrative=dept.illustrative, total_weight=rubric.total,
        stated_total=dept.self_assessment.total,
        self_total=_sum(n.self_score for n in nodes),
        recomputed_total=_sum(n.score for n in nodes),
        audited_total=sum((n.audited_score or ZERO for n in nodes), ZERO),
        nodes=nodes, facts=facts, catalogue=catalogue,
    )
