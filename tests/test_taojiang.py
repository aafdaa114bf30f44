"""The Taojiang county office, 2019: the case the project started from."""

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
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
GOLDEN = Path(__file__).parent / "golden" / "taojiang-score.txt"


@pytest.fixture(scope="module")
def result():
    loaded = load(EXAMPLE)
    return loaded, score(loaded.rubric, loaded.department)


def test_all_27_indicators_with_weights_summing_to_100(result):
    loaded, r = result
    leaves = r.leaves()
    assert len(leaves) == 27
    assert sum(n.weight for n in leaves) == Decimal(100)
    assert [n.weight for n in r.nodes] == [20, 40, 20, 20]
    for node in r.walk():
        if node.children:
            assert node.weight == sum(c.weight for c in node.children), node.name


def test_self_assessment_totals_98_2_exactly(result):
    _, r = result
    assert r.self_total == Decimal("98.2")
    assert str(r.self_total) == "98.2"
    assert r.stated_total == Decimal("98.2")
    assert [n.self_score for n in r.nodes] == [Decimal(20), Decimal("38.8"), Decimal("19.6"), Decimal("19.8")]


def test_budget_completion_rate_recomputed_from_the_facts(result):
    _, r = result
    node = next(n for n in r.leaves() if n.name == "预算完成率")
    assert node.measure == Decimal(1)  # 1,295.87 of 1,295.87
    assert node.score == Decimal(2)
    assert node.status is Status.CONSISTENT


def test_budget_adjustment_was_adjusted_so_full_marks_not_allowed(result):
    _, r = result
    node = next(n for n in r.leaves() if n.name == "预算调整率")
    assert node.measure.quantize(Decimal("0.0001")) == Decimal("0.2359")  # 247.37 / 1,048.50
    assert (node.low, node.high, node.high_closed) == (0, 2, False)
    assert node.self_score == Decimal("1.5") and node.status is Status.CONSISTENT


def test_unreported_facts_stay_absent_and_are_named(result):
    _, r = result
    staff = next(n for n in r.leaves() if n.name == "在职人员控制率")
    assert staff.status is Status.UNVERIFIABLE
    assert staff.missing_facts == ("actual_staff",)
    assert r.facts["actual_staff"] is None
    assert r.facts["authorized_staff"] == 54


def test_golden_breakdown(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = text_of(score_file("examples/taojiang-2019.yaml"), "score", width=160)
    assert "合计" in text and "98.2" in text
    check_golden(GOLDEN, text)


runner = CliRunner()


def test_cli_score_text():
    res = runner.invoke(app, ["score", str(EXAMPLE)], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "98.2" in res.output
    for name in ("预算完成率", "重点工作办结率", "服务对象满意度", "目标管理"):
        assert name in res.output


def test_cli_score_json_contract():
    res = runner.invoke(app, ["score", str(EXAMPLE), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["format"] == "perfeval/score@2"
    assert doc["self_score"] == "98.2" and doc["stated_total"] == "98.2" and doc["weight"] == "100"
    assert doc["self_grade"] == "优" and doc["problems"] == []

    every = doc["indicators"]  # flat, in rubric order, each naming its parent
    for n in every:
        assert {"id", "name", "level", "parent", "weight", "self_score", "score", "audited_score"} <= n.keys()
    assert {n["parent"] for n in every} - {None} <= {n["id"] for n in every}
    leaves = [n for n in every if "status" in n]
    assert len(leaves) == 27
    completion = next(n for n in leaves if n["id"] == "budget_completion_rate")
    assert completion["score"] == "2" and completion["status"] == "consistent"
    assert completion["measure"] == {"name": "预算完成率", "value": "1", "format": "percent"}
    adjustment = next(n for n in leaves if n["id"] == "budget_adjustment_rate")
    assert adjustment["score_range"] == {"low": "0", "high": "2", "low_inclusive": True, "high_inclusive": False}


def test_cli_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.startswith("perfeval ")


def test_cli_missing_file_exits_2_without_traceback(tmp_path):
    res = runner.invoke(app, ["score", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "文件不存在" in res.output


def test_cli_score_above_weight_exits_2_naming_the_indicator(tmp_path):
    text = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("budget_completion_rate: 2 ", "budget_completion_rate: 3 ")
        .replace("rubric: ../rubrics/", f"rubric: {ROOT}/rubrics/")
    )
    bad = tmp_path / "dept.yaml"
    bad.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["score", str(bad)])
    assert res.exit_code == 2
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if "budget_completion_rate: 3" in text_line)
    assert f"dept.yaml:{line}:" in res.output
    assert "预算完成率" in res.output and "[0, 2]" in res.output
