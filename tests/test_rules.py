"""Every rule kind, from YAML cases: rubric fragment, facts, self-score → expected result."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from perfeval.department import Department
from perfeval.engine import score
from perfeval.rubric import Rubric

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "rules.yaml").read_text(encoding="utf-8"))


def _rubric(node: dict, facts: dict) -> Rubric:
    leaf = {"id": "indicator", "name": "测试指标", **node}
    return Rubric.model_validate({
        "id": "case", "name": "测试评分表", "total": node["weight"],
        "facts": {name: {"label": name} for name in facts},
        "indicators": [leaf],
    })


def _department(facts: dict, self_score) -> Department:
    scores = {} if self_score is None else {"indicator": self_score}
    return Department.model_validate({
        "unit": "测试单位", "year": 2019, "rubric": "case.yaml",
        "facts": {k: str(v) for k, v in facts.items()},
        "self_assessment": {"scores": scores},
    })


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_rule_case(case):
    facts = case.get("facts") or {}
    self_score = case.get("self")
    if isinstance(self_score, (int, float)):
        self_score = str(self_score)
    elif isinstance(self_score, dict) and "items" in self_score:
        self_score = {"items": {k: str(v) for k, v in self_score["items"].items()}}
    result = score(_rubric(case["node"], facts), _department(facts, self_score))
    leaf = result.nodes[0]
    expect = case["expect"]
    assert leaf.status.value == expect["status"], leaf.note
    if "score" in expect:
        assert leaf.score == Decimal(str(expect["score"])), leaf.note
    else:
        assert leaf.score is None
    if "range" in expect:
        low, high = expect["range"]
        assert (leaf.low, leaf.high) == (Decimal(low), Decimal(high))
        assert leaf.high_closed == expect.get("high_inclusive", True)
    if "missing" in expect:
        assert list(leaf.missing_facts) == expect["missing"]
    if "note_contains" in expect:
        assert expect["note_contains"] in leaf.note
    if "measure" in expect:
        assert leaf.measure == Decimal(expect["measure"])
    if "audited" in expect:
        assert leaf.audited_score == Decimal(str(expect["audited"]))
    if "self" in expect:
        assert leaf.self_score == Decimal(str(expect["self"]))
    # invariants that hold for every case
    if leaf.score is not None:
        assert Decimal(0) <= leaf.score <= leaf.weight
        assert leaf.score == leaf.score.quantize(Decimal("0.01"))
    if leaf.audited_score is not None:
        assert Decimal(0) <= leaf.audited_score <= leaf.weight
