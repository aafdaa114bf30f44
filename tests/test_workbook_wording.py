"""A workbook user is told where to fill a figure by sheet and column, never by a YAML key (``facts:``,
``self_assessment.scores``); a YAML user keeps the keys."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from perfeval.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
YAML_WORDS = ("facts", "self_assessment", "present", "actual_staff")


def test_check_of_a_workbook_names_sheets_not_keys(tmp_path: Path) -> None:
    book = tmp_path / "县政府办.xlsx"
    assert CliRunner().invoke(app, ["convert", str(EXAMPLE), str(book)]).exit_code == 0
    result = CliRunner().invoke(app, ["check", str(book), "--no-table"])
    unverifiable = [line for line in result.output.splitlines() if "[unverifiable]" in line]
    assert unverifiable
    assert any("请在 指标数据 表的“数值”栏填写 在职人员数" in line for line in unverifiable)
    assert any("在 基础数据表 或 填报信息 中填写" in line for line in unverifiable)
    for line in unverifiable:
        assert "评分表!" in line
        assert not any(word in line for word in YAML_WORDS), line


def test_check_of_yaml_keeps_the_keys() -> None:
    result = CliRunner().invoke(app, ["check", str(EXAMPLE), "--no-table"])
    assert "请在 facts 下填写 actual_staff（在职人员数）" in result.output


def test_validate_of_a_workbook_asks_for_scores_by_column(tmp_path: Path) -> None:
    book = tmp_path / "空白.xlsx"
    assert CliRunner().invoke(app, ["init", "-r", "taojiang-2019", "-o", str(book)]).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(book)
    wb["填报信息"]["B6"] = "测试单位"
    wb["填报信息"]["B8"] = 2019
    wb.save(book)
    result = CliRunner().invoke(app, ["validate", str(book)])
    missing = [line for line in result.output.splitlines() if "[missing-score]" in line]
    assert missing and all("请在 评分表 的“自评得分”栏填写" in line for line in missing)
    assert not any("self_assessment" in line for line in missing)
