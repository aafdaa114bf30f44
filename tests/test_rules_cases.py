"""Every rule kind, case by case, as written in tests/cases/rules/*.yaml."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfeval.core.engine import score
from rulecases import build, dec, load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_rule_case(case: dict) -> None:
    rubric, dept, expect = build(case)
    result = score(rubric, dept)
    nodes = {n.id: n for n in result.walk()}
    for node_id, want in (expect.get("nodes") or {}).items():
        got = nodes[node_id]
        where = f"{node_id}（{got.name}）"
        if "score" in want:
            assert got.score == dec(want["score"]), f"{where} 核算得分"
        if "self_score" in want:
            assert got.self_score == dec(want["self_score"]), f"{where} 自评得分"
        if "low" in want:
            assert got.low == dec(want["low"]) and got.high == dec(want["high"]), f"{where} 允许范围"
        if "high_inclusive" in want:
            assert got.high_closed is want["high_inclusive"], f"{where} 允许范围是否含满分"
        if "measure" in want:
            assert got.measure == dec(want["measure"]), f"{where} 指标值"
        if "audited" in want:
            assert got.audited_score == dec(want["audited"]), f"{where} 审核得分"
        if "status" in want:
            assert got.status is not None and got.status.value == want["status"], f"{where} 状态：{got.note}"
        if "missing" in want:
            assert list(got.missing_facts) == want["missing"], where
        if "note_contains" in want:
            assert want["note_contains"] in got.note, f"{where} 说明：{got.note}"
    for got in nodes.values():  # what holds for every case: scores inside [0, 分值], rounded to 0.01
        for value in (got.score, got.audited_score):
            if value is not None and got.is_leaf and got.applicable:
                assert 0 <= value <= got.weight and value == value.quantize(Decimal("0.01")), got.id
    adjustments = {a.id: a for a in result.adjustments}
    for adj_id, want in (expect.get("adjustments") or {}).items():
        got = adjustments[adj_id]
        assert got.applies is want["applies"], f"{adj_id}: {got.note}"
        if "points" in want:
            assert got.points == dec(want["points"]), adj_id
        if "cap" in want:
            assert got.cap == dec(want["cap"]), adj_id
        if "rows" in want:
            assert list(got.rows) == want["rows"], adj_id
    totals = expect.get("totals") or {}
    fields = {
        "self": "self_total",
        "score": "recomputed_total",
        "self_adjusted": "self_total_adjusted",
        "score_adjusted": "recomputed_total_adjusted",
    }
    for key, attr in fields.items():
        if key in totals:
            assert getattr(result, attr) == dec(totals[key]), key


def test_every_rule_kind_has_cases() -> None:
    """The case files cover every rule kind and every shape the rubric language has."""
    kinds = set()
    for _, case in CASES:
        nodes = [case["node"]] if "node" in case else case["rubric"]["indicators"]
        stack = list(nodes)
        while stack:
            n = stack.pop()
            stack.extend(n.get("children", []))
            if "rule" in n:
                kinds.add(n["rule"]["kind"])
            for shape in ("optional", "choose_one", "department_rows"):
                if shape in n:
                    kinds.add(shape)
        for adj in (case.get("rubric") or {}).get("adjustments", []):
            kinds.add(adj["kind"])
    assert kinds >= {
        "checklist",
        "proportional",
        "bands",
        "full_marks_if",
        "judged",
        "deduction",
        "elements",
        "optional",
        "choose_one",
        "department_rows",
        "penalty",
        "cap",
    }
