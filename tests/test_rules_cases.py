"""Every rule kind, case by case, as written in tests/cases/rules/*.yaml."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfeval.core.deviations import deviation_findings
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
            assert got.low == dec(want["low"]), f"{where} 允许范围下限"
        if "high" in want:
            assert got.high == dec(want["high"]), f"{where} 允许范围上限"
        if "high_inclusive" in want:
            assert got.high_closed is want["high_inclusive"], f"{where} 允许范围是否含满分"
        if "low_inclusive" in want:
            assert got.low_closed is want["low_inclusive"], f"{where} 允许范围是否含下限"
        if "listed_weight" in want:
            assert got.listed_weight == dec(want["listed_weight"]), f"{where} 已列分值"
        if "reason_required" in want:
            assert got.reason_required is want["reason_required"], f"{where} 须说明原因：{got.note}"
        if "header" in want:
            header = [[fund, column, None if value is None else str(value)] for fund, column, _, value in got.header]
            assert header == [[f, c, None if v is None else str(dec(v))] for f, c, v in want["header"]], where
        if "measure" in want:
            assert got.measure == dec(want["measure"]), f"{where} 指标值"
        if "audited" in want:
            assert got.audited_score == dec(want["audited"]), f"{where} 审核得分"
        if "status" in want:
            assert got.status is not None and got.status.value == want["status"], f"{where} 状态：{got.note}"
        if "missing" in want:
            assert list(got.missing_facts) == want["missing"], where
        for text in _texts(want, "note_contains"):
            assert text in got.note, f"{where} 说明：{got.note}"
        for text in _texts(want, "note_excludes"):
            assert text not in got.note, f"{where} 说明：{got.note}"
    for got in nodes.values():  # what holds for every case: scores inside [0, 分值], rounded to 0.01
        for value in (got.score, got.audited_score):
            if value is not None and got.is_leaf and got.applicable:
                assert 0 <= value and value == value.quantize(Decimal("0.01")), got.id
                assert value <= got.weight or got.uncapped, got.id  # 预算执行率 cap: false may exceed it
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
        if "unexplained" in want:
            assert list(got.unexplained) == want["unexplained"], adj_id
        for text in _texts(want, "note_contains"):
            assert text in got.note, f"{adj_id} 说明：{got.note}"
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
    if "grade" in totals:  # as `perfeval score` grades: the self-assessed total after adjustments
        assert rubric.grade_of(result.self_total_adjusted) == totals["grade"], result.self_total_adjusted
    if "partial" in totals:
        assert result.partial is totals["partial"]
    if "listed_weight" in totals:
        assert result.listed_weight == dec(totals["listed_weight"])
    if "findings" in expect:
        found = [(f.code, f.indicator_id, list(f.path)) for f in deviation_findings(result, dept)]
        assert found == [(f["code"], f["indicator"], f["path"]) for f in expect["findings"]], found


def _texts(want: dict, key: str) -> list[str]:
    value = want.get(key)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


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
            for shape in ("optional", "choose_one", "department_rows", "children_incomplete"):
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
        "children_incomplete",
        "execution_rate",
        "penalty",
        "cap",
        "deviation",
    }


def _pairs(value: object, out: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every (key, scalar value) in a case, anywhere in it."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(v, dict | list):
                out.add((str(k), str(v)))
            _pairs(v, out)
    elif isinstance(value, list):
        for v in value:
            _pairs(v, out)
    return out


def test_every_reading_of_a_rule_has_cases() -> None:
    """The conventions real scorers use, each stated by a rubric, each with cases (issue 13)."""
    seen: set[tuple[str, str]] = set()
    for _, case in CASES:
        _pairs(case, seen)
    kinds = {v for k, v in seen if k == "kind"}
    want = {
        ("partial", "proportional"),  # 每超过一个百分点扣0.5分: 100.5% → 0.25 off
        ("partial", "whole_steps"),  # → 0 off
        ("partial", "started_steps"),  # → 0.5 off
        ("rounding", "truncate"),  # 截尾
        ("measure_precision", "4"),  # 按表列精度计分
        ("precision", "6"),  # per-measure override
        ("negative", "linear"),  # 反向: (1 − (a − t) ÷ t) × w
        ("negative", "reciprocal"),  # 反向: t ÷ a × w
        ("otherwise", "zero"),  # 等于, outside the tolerance
        ("tolerance", "5%"),
        ("children_incomplete", "True"),
        ("indicators_incomplete", "True"),
        ("cap", "False"),  # 预算执行率 不封顶
        ("reason_below", "90%"),
        ("reason_required", "True"),  # 偏离: 偏差说明
        ("inclusive", "False"),  # 偏离: 超过30%（不含）
        ("range", "[90, 100]"),  # 优 ≥ 90
        ("range", "(90, 100]"),  # 优 > 90
    }
    assert want <= seen, sorted(want - seen)
    assert {"execution_rate", "deviation", "正向", "反向", "等于", "定性", "positive", "negative", "equal"} <= kinds
    assert {("achievement", "达成"), ("achievement", "部分达成"), ("achievement", "未达成")} <= seen
    deviations = [
        adj
        for _, case in CASES
        for adj in (case.get("rubric") or {}).get("adjustments", [])
        if adj["kind"] == "deviation"
    ]
    assert any(adj.get("points") for adj in deviations)  # −2
    assert any(not adj.get("points") and adj.get("reason_required") for adj in deviations)  # 偏差说明 only
    assert any(not adj.get("points") and not adj.get("reason_required") for adj in deviations)  # nothing
