"""The four shipped frameworks: each example scores cleanly and shows its distinctive rules."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goldens import check_golden
from perfeval.cli.app import app
from perfeval.core.engine import Status, score
from perfeval.pipeline.departments import load
from perfeval.pipeline.reports import score_file
from render import text_of

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
runner = CliRunner()

EXAMPLES = [
    "taojiang-2019",
    "hunan-county-2019",
    "hunan-county-2019-8pt",
    "sichuan-dazhou",
    "project-2020",
    "national-dept-platform",
    "illustrative-county-office",
]


def _score(name: str):
    loaded = load(ROOT / "examples" / f"{name}.yaml")
    return loaded, score(loaded.rubric, loaded.department)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_scores_cleanly(name: str) -> None:
    out = runner.invoke(app, ["score", str(ROOT / "examples" / f"{name}.yaml"), "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    _, result = _score(name)
    if result.partial:  # a table that lists only part of its tree: no stated total to compare, no grade
        assert doc["stated_total"] is None and doc["self_grade"] is None
    else:
        assert doc["stated_total"] == doc.get("adjusted", {}).get("self_score", doc["self_score"])
    assert doc["illustrative"] is (name != "taojiang-2019")
    if name in ("national-dept-platform", "hunan-county-2019-8pt", "project-2020"):  # the rule packs of issue 13
        assert {leaf.status for leaf in result.leaves()} <= {Status.CONSISTENT, Status.JUDGED}, name


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
    assert doc["self_grade"] == "良"
    deviation, cap = doc["adjustments"]
    assert deviation["id"] == "indicator_deviation" and deviation["applies"] is True
    assert deviation["points"] == "2" and deviation["rows"] == ["households_served"]
    assert cap["id"] == "execution_rate_cap" and cap["cap"] == "89"
    assert cap["measure"] == {"name": "预算资金执行率", "value": "0.75"}
    first = doc["indicators"][0]["id"]
    rows = [n for n in doc["indicators"] if n["parent"] == first]
    assert rows[1]["target"] == "1000" and rows[1]["actual"] == "1400"


def test_taojiang_json_has_no_adjustment_keys() -> None:
    out = runner.invoke(app, ["score", str(ROOT / "examples/taojiang-2019.yaml"), "--format", "json"])
    doc = json.loads(out.stdout)
    assert "adjustments" not in doc and "adjusted" not in doc
    assert doc["self_grade"] == "优"


def test_illustrative_county_office_computes_every_formula() -> None:
    _, result = _score("illustrative-county-office")
    for leaf in result.leaves():
        assert leaf.missing_facts == (), leaf.id
        if leaf.measure_name is not None:
            assert leaf.measure is not None, leaf.id
        assert leaf.status is not Status.UNVERIFIABLE, leaf.id
    assert result.self_total == result.stated_total == Decimal("97.08")


def test_project_2020_text_output(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    check_golden(
        GOLDEN / "score-project-2020.txt", text_of(score_file("examples/project-2020.yaml"), "score", width=140)
    )


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
    assert f"{bad}:32:108:" in out.stderr
    assert "road_km（提质改造农村公路里程）：自评 16 分，超出分值范围 [0, 15]" in out.stderr


def test_national_dept_platform_rows_by_kind_and_header() -> None:
    loaded, result = _score("national-dept-platform")
    nodes = {n.id: n for n in result.walk()}
    rate = nodes["budget_execution_rate"]
    assert rate.score == Decimal("9.32") and rate.rule_kind == "execution_rate"  # 10 × 1,198.35 / 1,286.40
    assert [(fund, column) for fund, column, _, _ in rate.header][:3] == [
        ("年度资金总额", "年初预算数"),
        ("年度资金总额", "全年预算数"),
        ("年度资金总额", "全年执行数"),
    ]
    assert {fund for fund, *_ in rate.header} == {"年度资金总额", "财政拨款", "其他资金"}
    assert all(value is not None for *_, value in rate.header)
    rows = {c.id: c for c in nodes["annual_indicators"].children}
    assert rows["archive_pass_rate"].score == Decimal("9.9")  # 正向 97% ÷ 98%
    assert rows["turnaround_days"].score == 8 and rows["turnaround_days"].row_kind == "negative"  # linear
    assert rows["fatal_accidents"].score == 10 and rows["fatal_accidents"].row_kind == "equal"  # 0 = 0
    assert (rows["rules_built"].low, rows["rules_built"].high) == (12, 15)  # 定性 达成
    deviation, cap = result.adjustments
    assert deviation.kind == "deviation" and deviation.rows == ("investment_drawn",) and deviation.points == 2
    assert cap.applies is False
    assert result.self_total == Decimal("96.22") and result.self_total_adjusted == Decimal("94.22")
    assert loaded.rubric.grade_of(result.self_total_adjusted) == "优"


def test_national_dept_platform_text_output(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = text_of(score_file("examples/national-dept-platform.yaml"), "score", width=140)
    check_golden(GOLDEN / "score-national-dept-platform.txt", text)


def test_hunan_8pt_is_a_partial_table() -> None:
    loaded, result = _score("hunan-county-2019-8pt")
    nodes = {n.id: n for n in result.walk()}
    assert nodes["staff_control_rate"].score == Decimal("6.4")  # 102%: 0.8 per point
    assert nodes["sangong_change_rate"].score == 8  # −1.96% ≦ 0
    assert nodes["budget_completion_rate"].score == 8  # 99.27%: not a whole 5% step
    assert nodes["budget_control_rate"].score == 6  # 8% in (0, 10%]
    assert nodes["process"].weight == 58 and nodes["process"].listed_weight == 16 and nodes["process"].incomplete
    assert result.partial and result.listed_weight == 32 and result.total_weight == 100
    assert result.self_total == Decimal("28.4")
    assert loaded.rubric.grade_of(result.self_total) is None


def test_project_2020_rows_keep_their_reading() -> None:
    """Extending project-2020 kept its ids and its scores: 反向 rows stay t ÷ a (reciprocal)."""
    loaded, result = _score("project-2020")
    assert loaded.rubric.id == "project_2020"
    assert {n.id for n, _ in loaded.rubric.walk()} == {
        "output_indicators",
        "benefit_indicators",
        "satisfaction_indicators",
        "budget_execution_rate",
    }
    assert [a.id for a in loaded.rubric.adjustments] == ["indicator_deviation", "execution_rate_cap"]
    assert all(n.department_rows.negative == "reciprocal" for n in loaded.rubric.row_nodes())
    rows = {n.id: n for n in result.walk()}
    assert rows["road_safety"].status is Status.CONSISTENT and (rows["road_safety"].low, rows["road_safety"].high) == (
        12,
        15,
    )
