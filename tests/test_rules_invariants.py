"""Invariants of the rule language, as properties: a score never leaves [0, 分值]; a parent is the sum
of its counted children; penalties and caps only ever lower the total, never below 0."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.core.department import DepartmentIndicator, IndicatorScore
from perfeval.core.engine import AdjustmentResult, NodeResult, apply_adjustments, evaluate_row, evaluate_rule, score
from perfeval.core.rubric import Node
from perfeval.pipeline.departments import load

ROOT = Path(__file__).resolve().parents[1]

points = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
ratios = st.decimals(min_value=-2, max_value=5, places=4, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value="0.01", max_value=1, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    weight=points,
    threshold=ratios,
    per=positive,
    step=points,
    value=ratios,
    partial=st.sampled_from(["proportional", "whole_steps"]),
    direction=st.sampled_from(["above", "below"]),
    floor_share=st.decimals(min_value=0, max_value=1, places=2),
)
def test_deduction_stays_within_floor_and_weight(weight, threshold, per, step, value, partial, direction, floor_share):
    floor = (weight * floor_share).quantize(Decimal("0.01"))
    node = Node.model_validate(
        {
            "id": "x",
            "name": "指标",
            "weight": weight,
            "content": "c",
            "rule": {
                "kind": "deduction",
                "measure": {"name": "m", "formula": "v"},
                "direction": direction,
                "threshold": threshold,
                "per": per,
                "points": step,
                "partial": partial,
                "floor": floor,
            },
        }
    )
    o = evaluate_rule(node, {"v": value})
    assert o.score is not None
    assert floor <= o.score <= weight
    assert 0 <= o.score


@settings(max_examples=200, deadline=None)
@given(
    weight=points,
    target=st.decimals(min_value=0, max_value=10_000, places=2),
    actual=st.decimals(min_value=0, max_value=10_000, places=2),
    better=st.sampled_from(["higher", "lower"]),
)
def test_a_department_row_stays_within_its_weight(weight, target, actual, better):
    row = DepartmentIndicator(id="r", name="行", weight=weight, target=target, actual=actual, better=better)
    o = evaluate_row(row, "completion")
    if o.score is None:
        assert o.error  # a zero denominator is reported, never scored
    else:
        assert 0 <= o.score <= weight


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=1, max_value=6), each=positive, present=st.sets(st.integers(0, 5)))
def test_elements_stay_within_the_weight(n, each, present):
    items = [{"id": f"e{i}", "text": f"要素{i}"} for i in range(n)]
    node = Node.model_validate(
        {
            "id": "x",
            "name": "要素",
            "weight": each * n,
            "content": "c",
            "rule": {"kind": "elements", "points_each": each, "items": items},
        }
    )
    o = evaluate_rule(node, {}, IndicatorScore(present=[f"e{i}" for i in present]))
    assert o.score is not None and 0 <= o.score <= node.weight


@given(total=points, penalties=st.lists(points, max_size=3), caps=st.lists(points, max_size=3))
def test_adjustments_only_lower_the_total(total, penalties, caps):
    adjustments = [
        AdjustmentResult(id=f"p{i}", name="扣分", kind="penalty", text="", applies=True, points=p)
        for i, p in enumerate(penalties)
    ]
    adjustments += [
        AdjustmentResult(id=f"c{i}", name="封顶", kind="cap", text="", applies=True, cap=c) for i, c in enumerate(caps)
    ]
    adjusted = apply_adjustments(total, adjustments)
    assert adjusted is not None
    assert 0 <= adjusted <= total
    assert all(adjusted <= c for c in caps)


def _check_tree(n: NodeResult) -> None:
    if n.is_leaf:
        for value in (n.score, n.audited_score):
            if value is not None and n.applicable:
                assert 0 <= value <= n.weight, n.id
        return
    counted = [c for c in n.children if c.applicable]
    if n.score is not None:
        assert n.score == sum(c.score for c in counted), n.id
    if n.self_score is not None:
        assert n.self_score == sum(c.self_score for c in counted), n.id
    audited = [c.audited_score for c in counted]  # blank is not 0: a partial sum is no sum
    assert n.audited_score == (None if None in audited else sum(audited)), n.id
    for c in n.children:
        _check_tree(c)


def test_shipped_examples_keep_the_invariants():
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        loaded = load(path)
        result = score(loaded.rubric, loaded.department)
        for n in result.nodes:
            _check_tree(n)
        if result.self_total is not None:
            assert result.self_total == sum(n.self_score for n in result.nodes)
            assert result.self_total_adjusted is None or result.self_total_adjusted <= result.self_total


@settings(max_examples=100, deadline=None)
@given(weight=points, band_points=st.lists(points, min_size=4, max_size=4), value=ratios)
def test_bands_stay_within_the_weight_even_when_a_band_is_too_generous(weight, band_points, value):
    ranges = ["(-inf, 0)", "[0, 0.5)", "[0.5, 1]", "(1, inf)"]
    node = Node.model_validate(
        {
            "id": "x",
            "name": "分档",
            "weight": weight,
            "content": "c",
            "rule": {
                "kind": "bands",
                "measure": {"name": "m", "formula": "v"},
                "bands": [{"range": r, "points": p} for r, p in zip(ranges, band_points, strict=True)],
            },
        }
    )
    o = evaluate_rule(node, {"v": value})
    assert o.score is not None and 0 <= o.score <= weight
