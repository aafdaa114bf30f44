"""Invariants of the audit and the reconciliation, for any figures (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from perfeval.core.audit import audit
from perfeval.core.department import BasicData, Department, SelfAssessment, Spending
from perfeval.core.engine import score
from perfeval.core.reconcile import reconcile
from perfeval.pipeline.departments import load
from test_check_findings import EXAMPLE

LOADED = load(EXAMPLE)
LEAVES = LOADED.rubric.leaves()
cents = st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2))
SPENDING_PARTS = ("wages_welfare", "goods_services", "household_subsidies", "capital", "other")


def _department(**changes) -> Department:
    return LOADED.department.model_copy(update=changes)


@settings(max_examples=60, deadline=None)
@given(
    parts=st.fixed_dictionaries({k: st.none() | cents for k in SPENDING_PARTS}),
    delta=st.integers(min_value=-(10**6), max_value=10**6).map(lambda c: Decimal(c).scaleb(-2)),
)
def test_a_subtotal_mismatch_is_found_exactly_when_the_parts_do_not_add_up(parts, delta):
    filled = {k: v for k, v in parts.items() if v is not None}
    summed = sum(filled.values(), Decimal(0))
    assume(summed + delta >= 0)  # amounts in the table are never negative
    spending = Spending(total=summed + delta, **filled)
    dept = _department(basic_data=BasicData(basic_spending=spending))
    found = [f for f in reconcile(dept) if f.path == ("basic_data", "basic_spending", "total")]
    blank = len(filled) < len(parts)
    if not filled or delta == 0:
        assert found == []
    elif blank and delta > 0:  # a blank part may hold the rest: partial, never an error
        assert [(f.code, f.level, f.amounts["difference"]) for f in found] == [("sum-partial", "warning", delta)]
    elif abs(delta) <= Decimal("0.01"):
        assert [(f.code, f.level, f.amounts["difference"]) for f in found] == [("rounding-difference", "info", delta)]
    else:
        assert [(f.code, f.level, f.amounts["difference"]) for f in found] == [("sum-mismatch", "error", delta)]


points = st.integers(min_value=-100, max_value=800).map(lambda c: Decimal(c).scaleb(-2))


@settings(max_examples=60, deadline=None)
@given(scores=st.lists(points, min_size=len(LEAVES), max_size=len(LEAVES)), stated=st.none() | points)
def test_every_out_of_range_score_is_an_error_and_the_audited_score_stays_within_the_weight(scores, stated):
    entries = {n.id: {"score": s} for n, s in zip(LEAVES, scores, strict=True)}
    dept = _department(self_assessment=SelfAssessment(total=stated, scores=entries))
    result = score(LOADED.rubric, dept)
    findings = audit(result, levels=LOADED.rubric.levels)
    out_of_range = {f.indicator_id for f in findings if f.code == "score-out-of-range"}
    assert out_of_range == {n.id for n, s in zip(LEAVES, scores, strict=True) if s < 0 or s > n.weight}
    for leaf in result.leaves():
        assert Decimal(0) <= leaf.audited_score <= leaf.weight
    assert all(f.level in ("error", "warning") for f in findings)
    assert any(f.code == "total-mismatch" for f in findings) == (stated is not None and stated != sum(scores))
