"""`perfeval check` on mutated copies of the Taojiang example: each mutation, the exact finding."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.pipeline.reports import check_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
CASES = yaml.safe_load((Path(__file__).parent / "cases" / "check-mutations.yaml").read_text(encoding="utf-8"))


def mutated(tmp_path: Path, replace: list[list[str]], name: str = "dept.yaml") -> Path:
    """A copy of the example with text edits applied; its `rubric:` line still resolves."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("rubric: ../rubrics/taojiang-2019.yaml", f"rubric: {RUBRIC.as_posix()}")
    for old, new in replace:
        assert text.count(old) == 1, f"edit {old!r} must match exactly once"
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_itself_has_no_errors():
    report = check_file(EXAMPLE)
    assert report.readable and report.errors == 0
    assert [f.code for f in report.problems if f.level == "warning"] == ["income-spending-gap"] + ["unverifiable"] * 8


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_mutation_gives_the_expected_finding(tmp_path, case):
    path = mutated(tmp_path, case["replace"])
    report = check_file(path)
    assert report.readable, [f.message for f in report.problems]
    assert [f.code for f in report.problems if f.level == "error"] == case["errors"]

    for expect in case["expect"] if isinstance(case["expect"], list) else [case["expect"]]:
        matching = [f for f in report.problems if f.code == expect["code"] and list(f.path) == expect["path"]]
        assert len(matching) == 1, [(f.code, f.path) for f in report.problems]
        finding = matching[0]
        assert finding.level == expect["level"]
        assert finding.location is not None and finding.location.file == str(path)
        assert finding.location.line == expect["line"]
        assert finding.amounts == {k: Decimal(v) for k, v in expect["amounts"].items()}
        for words in expect["message"]:
            assert words in finding.message, finding.message


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_mutation_exit_code(tmp_path, case):
    path = mutated(tmp_path, case["replace"])
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == case["exit"], result.output
    strict = CliRunner().invoke(app, ["check", "--strict", str(path)])
    assert strict.exit_code == 1  # every copy of the example carries warnings at least


def test_unverifiable_names_every_missing_fact_in_chinese():
    report = check_file(EXAMPLE)
    staff = next(f for f in report.problems if f.indicator_id == "key_spending_change_rate")
    assert staff.level == "warning" and staff.code == "unverifiable"
    assert "缺少实际重点支出资金总额、预算安排的重点项目（重点支出）资金总额" in staff.message
    assert staff.indicator_name == "重点支出变动率"


def test_the_247_37_gap_is_a_warning_explained_by_the_mid_year_addition():
    report = check_file(EXAMPLE)
    gap = next(f for f in report.problems if f.code == "income-spending-gap")
    assert gap.level == "warning"
    assert gap.amounts == {
        "stated": Decimal("1048.50"),
        "expected": Decimal("1295.87"),
        "difference": Decimal("-247.37"),
    }
    for words in (
        "收入来源小计 1,048.50 万元",
        "实际支出 1,295.87 万元",
        "结余（空白）",
        "相差 247.37 万元",
        "追加 247.37 万元",
    ):
        assert words in gap.message
    assert (gap.location.line, gap.location.col) == (22, 12)


def test_a_reviewer_score_takes_precedence_in_the_audited_total(tmp_path):
    path = mutated(
        tmp_path, [["budget_adjustment_rate: 1.5   # 预算调整率", "budget_adjustment_rate: {score: 1.5, reviewed: 1}"]]
    )
    report = check_file(path)
    row = next(r for r in report.indicators if r.id == "budget_adjustment_rate")
    assert (row.audited_score, row.audited_basis) == (Decimal(1), "reviewer")
    assert report.audited_total == Decimal("97.7")
    assert report.self_total == Decimal("98.2")


def test_an_over_claim_is_capped_in_the_audited_score(tmp_path):
    path = mutated(
        tmp_path, [["budget_adjustment_rate: 1.5", "budget_adjustment_rate: 2"], ["  total: 98.2", "  total: 98.7"]]
    )
    report = check_file(path)
    row = next(r for r in report.indicators if r.id == "budget_adjustment_rate")
    assert row.audited_score == Decimal("1.99") and row.audited_basis == "capped"  # 不得满分: below 2
