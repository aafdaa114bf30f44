"""Rule cases written as YAML (tests/cases/rules/*.yaml): a rubric fragment, facts, the expected score.

A case is either the short form (one ``node`` with ``facts``, ``self_score`` or ``entry``, rubric-wide
``options`` such as ``rounding`` or ``measure_precision``, and an ``expect`` for that node) or the full
form (``rubric`` with ``indicators``/``adjustments`` and any rubric field, ``department`` fragment, and
``expect`` with ``nodes``, ``adjustments``, ``totals`` and ``findings``).
Facts a case names that are not reported facts of the catalogue are declared in the rubric, so
a fragment can say ``completion_rate: 0.9927`` directly.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from perfeval.core.department import Department
from perfeval.core.facts import CATALOGUE
from perfeval.core.rubric import Rubric

CASES = Path(__file__).parent / "cases" / "rules"


class _ExactLoader(yaml.SafeLoader):
    """Test data loader: numbers as exact Decimal (anchors and merge keys allowed in test data)."""


_ExactLoader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node)))


def load_cases() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.load(path.read_text(encoding="utf-8"), Loader=_ExactLoader):  # noqa: S506 - SafeLoader subclass
            out.append((f"{path.stem}/{case['id']}", case))
    return out


def build(case: dict) -> tuple[Rubric, Department, dict]:
    """The rubric, department and expectations a case describes."""
    if "node" in case:
        node = case["node"]
        rubric_part: dict[str, Any] = {"indicators": [node], **case.get("options", {})}
        entry = case.get("entry", case.get("self_score"))
        dept_part: dict[str, Any] = {"facts": case.get("facts", {})}
        if entry is not None:
            dept_part["self_assessment"] = {"scores": {node["id"]: entry}}
        expect = {"nodes": {node["id"]: case["expect"]}}
    else:
        rubric_part = dict(case["rubric"])
        dept_part = dict(case.get("department") or {})
        expect = case["expect"]
    facts = dept_part.get("facts", {})
    declared = {name: {"label": name} for name in facts if name not in CATALOGUE or not CATALOGUE[name].reported}
    rubric = Rubric.model_validate(
        {
            "id": "rule_case",
            "name": case["id"],
            "total": sum(Decimal(str(n["weight"])) for n in rubric_part["indicators"]),
            "facts": declared,
            **rubric_part,
        }
    )
    dept = Department.model_validate({"unit": "测试单位", "year": 2020, "rubric": "case.yaml", **dept_part})
    return rubric, dept, expect


def dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
