"""check on a rubric with penalties and caps on the total (财预〔2020〕10号 project framework)."""

import json
from pathlib import Path

from typer.testing import CliRunner

from perfeval.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "project-2020.yaml"
runner = CliRunner()


def _check(path: Path):
    res = runner.invoke(app, ["check", str(path), "--format", "json"])
    return res.exit_code, json.loads(res.stdout)["files"][0]


def test_stated_total_is_compared_after_penalties_and_caps():
    code, doc = _check(EXAMPLE)
    assert code == 0
    assert doc["stated_total"] == "89" and doc["self_score"] == "94.5"
    assert doc["adjusted"]["self_score"] == "89" and doc["adjusted"]["audited_score"] == "89"
    assert doc["audited_grade"] == "良"
    assert not [f for f in doc["problems"] if f["code"] == "total-mismatch"]


def test_a_total_that_ignores_the_cap_is_an_error(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("rubric: ../rubrics/", f"rubric: {ROOT}/rubrics/")
    assert "  total: 89\n" in text
    bad = tmp_path / "project.yaml"
    bad.write_text(text.replace("  total: 89\n", "  total: 94.5\n"), encoding="utf-8")
    code, doc = _check(bad)
    assert code == 1
    [finding] = [f for f in doc["problems"] if f["code"] == "total-mismatch"]
    assert "94.5" in finding["message"] and "89" in finding["message"]


def test_check_output_writes_the_audited_workbook_with_each_indicators_findings(tmp_path):
    import openpyxl

    out = tmp_path / "audit.xlsx"
    taojiang = ROOT / "examples" / "taojiang-2019.yaml"
    res = runner.invoke(app, ["check", str(taojiang), str(EXAMPLE), "--no-table", "--output", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "指标明细", "问题清单"]
    sheet = wb["指标明细"]
    text = "\n".join(
        str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None and "桃江" in str(row[1].value)
    )
    assert "在职人员控制率" in text and "缺少在职人员数" in text  # the finding sits beside its indicator
    findings = "\n".join(str(c.value) for row in wb["问题清单"].iter_rows() for c in row if c.value is not None)
    assert "247.37" in findings
    # an existing output is not overwritten without --force
    again = runner.invoke(app, ["check", str(taojiang), "--no-table", "--output", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(app, ["check", str(taojiang), "--no-table", "-o", str(out), "--force"]).exit_code == 0
