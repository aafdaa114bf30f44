"""The four shipped frameworks: each example scores cleanly and shows its distinctive rules."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.engine import Status, score
from perfeval.pipeline import load
from perfeval.reporting.score_text import print_score

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
runner = CliRunner()

EXAMPLES = ["taojiang-2019", "hunan-county-2019", "sichuan-dazhou", "project-2020", "illustrative-county-office"]


def _score(name: str):
    loaded = load(ROOT / "examples" / f"{name}.yaml")
    return loaded, score(loaded.rubric, loaded.department)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_scores_cleanly(name: str) -> None:
    out = runner.invoke(app, ["score", str(ROOT / "examples" / f"{name}.yaml"), "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["stated_total"] == doc.get("adjusted", {}).get("self_score", doc["self_score"])
    assert doc["illustrative"] is (name != "taojiang-2019")


def test_hunan_distinctive_rules() -> None:
    _, result = _score("hunan-county-2019")
    nodes = {n.id: n for n in result.walk()}
    assert nodes["budget_completion_rate"].measure.quantize(Decimal("0.0001")) == Decimal("0.9927")
    assert nodes["budget_completion_rate"].score == 5  # 每低于5%扣2分, whole steps only
    assert nodes["staff_control_rate"].score == 4  # 102%: 0.5 per point
    assert nodes["budget_control_rate"].score == 4  # 8% in (0, 10%]
    assert nodes["investment_control_rate"].score == 3  # 106%: one 5% step
    assert nodes["new_building_area_control_rate"].score == 5  # 可选项, 无此类项目的计满分
    assert nodes["sangong_management"].score == 2  # ①② of ①②③
    assert nodes["carryover_change_rate"].status is Status.NOT_APPLICABLE
    assert nodes["carryover"].self_score == nodes["carryover_rate"].self_score == 3


def test_sichuan_rows_share_the_fixed_weight() -> None:
    loaded, result = _score("sichuan-dazhou")
    duty = next(n for n in result.walk() if n.id == "duty_results")
    assert [c.id for c in duty.children] == ["approvals_handled", "on_time_rate", "complaints"]
    assert sum(c.weight for c in duty.children) == duty.weight == 20
    assert [c.score for c in duty.children] == [Decimal(8), Decimal("5.91"), Decimal(6)]
    assert [n.weight for n in result.nodes] == [25, 30, 45]


def test_project_2020_penalty_cap_and_grade() -> None:
    out = runner.invoke(app, ["score", str(ROOT / "examples/project-2020.yaml"), "--format", "json"])
    doc = json.loads(out.stdout)
    assert doc["self_score"] == "94.5"
    assert doc["adjusted"] == {"self_score": "89", "score": None, "audited_score": "89"}
    assert doc["grade"] == "良"
    deviation, cap = doc["adjustments"]
    assert deviation["id"] == "indicator_deviation" and deviation["applies"] is True
    assert deviation["points"] == "2" and deviation["rows"] == ["households_served"]
    assert cap["id"] == "execution_rate_cap" and cap["cap"] == "89"
    assert cap["measure"] == {"name": "预算资金执行率", "value": "0.75"}
    rows = doc["children"][0]["children"]
    assert rows[1]["target"] == "1000" and rows[1]["actual"] == "1400"


def test_taojiang_json_has_no_adjustment_keys() -> None:
    out = runner.invoke(app, ["score", str(ROOT / "examples/taojiang-2019.yaml"), "--format", "json"])
    doc = json.loads(out.stdout)
    assert "adjustments" not in doc and "adjusted" not in doc
    assert doc["grade"] == "优"


def test_illustrative_county_office_computes_every_formula() -> None:
    _, result = _score("illustrative-county-office")
    for leaf in result.leaves():
        assert leaf.missing_facts == (), leaf.id
        if leaf.measure_name is not None:
            assert leaf.measure is not None, leaf.id
        assert leaf.status is not Status.UNVERIFIABLE, leaf.id
    assert result.self_total == result.stated_total == Decimal("97.08")


def test_project_2020_text_output(tmp_path: Path) -> None:
    loaded, result = _score("project-2020")
    console = Console(record=True, width=140, color_system=None, force_terminal=False)
    grade = loaded.rubric.grade_of(result.self_total_adjusted)
    print_score(console, result, file="examples/project-2020.yaml", levels=loaded.rubric.levels, grade=grade)
    check_golden("score-project-2020.txt", console.export_text())


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; ``PERFEVAL_UPDATE_GOLDEN=1`` rewrites it (inspect the diff, then commit)."""
    golden = GOLDEN / name
    if os.environ.get("PERFEVAL_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with PERFEVAL_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8"), "golden differs; inspect and regenerate deliberately"


def test_score_refuses_a_row_above_its_weight(tmp_path: Path) -> None:
    text = (ROOT / "examples/project-2020.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "project.yaml"
    bad.write_text(
        text.replace("unit: 公里, score: 15}", "unit: 公里, score: 16}").replace(
            "rubric: ../rubrics/", f"rubric: {ROOT}/rubrics/"
        ),
        encoding="utf-8",
    )
    out = runner.invoke(app, ["score", str(bad)])
    assert out.exit_code == 2
    assert f"{bad}:23:108:" in out.stderr
    assert "road_km（提质改造农村公路里程）的自评得分 16 超出分值范围 [0, 15]" in out.stderr
