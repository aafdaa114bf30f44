"""The audited workbook `perfeval check … --output audit.xlsx` hands back."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval.core.department import IndicatorScore
from perfeval.core.engine import score
from perfeval.core.problems import InputError, Location, Problem
from perfeval.pipeline.departments import load
from perfeval.pipeline.reports import scored_report
from perfeval.reporting.audit_workbook import write_audit_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"


@pytest.fixture(scope="module")
def results():
    loaded = load(EXAMPLE)
    plain = score(loaded.rubric, loaded.department)
    scores = dict(loaded.department.self_assessment.scores)
    scores["budget_adjustment_rate"] = IndicatorScore(score=Decimal("1.5"), reviewed=Decimal("1"))
    reviewed_dept = loaded.department.model_copy(
        update={"self_assessment": loaded.department.self_assessment.model_copy(update={"scores": scores})}
    )
    reviewed_dept = reviewed_dept.model_copy(update={"unit": "某县财政局"})
    return loaded, plain, replace(loaded, department=reviewed_dept), score(loaded.rubric, reviewed_dept)


def report(results, which: str, file: str, problems: list[Problem] | None = None):
    loaded, plain, reviewed_loaded, reviewed = results
    if which == "plain":
        return scored_report(file, loaded, plain, list(problems or []))
    return scored_report(file, reviewed_loaded, reviewed, list(problems or []))


def rows_by_name(ws, name: str) -> list:
    return [
        row
        for row in ws.iter_rows()
        if any(isinstance(c.value, str) and c.value.startswith(name + "（") for c in row[:3])
    ]


def column(ws, label: str) -> int:
    return next(c.column for c in ws[3] if c.value == label)


FINDINGS = [
    Problem(
        "over-claimed",
        "预算调整率：审核得分 1 分，自评 1.5 分；有 247.37 万元追加预算",
        Location("b.yaml", 40, 5),
        "error",
        indicator_id="budget_adjustment_rate",
        indicator_name="预算调整率",
    ),
    Problem("unverifiable", "在职人员控制率无法核验：缺少在职人员数", Location("b.yaml", 70, 3), "warning"),
]


def test_one_department_gives_the_audited_table_and_the_findings(tmp_path: Path, results) -> None:
    reviewed = report(results, "reviewed", "b.yaml", FINDINGS)
    path = tmp_path / "audit.xlsx"
    write_audit_workbook(path, [reviewed], force=False)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["评分表", "问题清单"]
    ws = book["评分表"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["一级指标", "二级指标", "三级指标"]
    assert header.index("自评得分") + 2 == header.index("审核得分")  # 自评 | 核算 | 审核 side by side

    (row,) = rows_by_name(ws, "预算调整率")
    self_cell, audited_cell = row[column(ws, "自评得分") - 1], row[column(ws, "审核得分") - 1]
    assert (self_cell.value, audited_cell.value) == (1.5, 1)
    assert row[column(ws, "差异（审核−自评）") - 1].value == -0.5
    assert self_cell.fill.fgColor.rgb.endswith("F8CBAD") and audited_cell.fill.fgColor.rgb.endswith("F8CBAD")
    assert row[column(ws, "审核意见") - 1].value == "错误：" + FINDINGS[0].message

    (same,) = rows_by_name(ws, "预算完成率")  # no difference, no highlight
    assert same[column(ws, "差异（审核−自评）") - 1].value is None
    assert not same[column(ws, "自评得分") - 1].fill.fgColor.rgb.endswith("F8CBAD")

    total = next(r for r in ws.iter_rows() if r[0].value == "总    分")
    assert total[column(ws, "自评得分") - 1].value == 98.2
    assert total[column(ws, "审核得分") - 1].value == float(reviewed.audited_total)

    findings = book["问题清单"]
    assert [c.value for c in findings[2]] == ["序号", "级别", "指标", "位置", "问题"]
    assert [c.value for c in findings[3]] == [
        1,
        "错误",
        "预算调整率（budget_adjustment_rate）",
        "b.yaml:40:5",
        FINDINGS[0].message,
    ]
    assert [c.value for c in findings[4]][1:4] == ["警告", None, "b.yaml:70:3"]
    # a finding without an indicator is listed under the table too
    assert any(r[0].value and "在职人员控制率无法核验" in str(r[0].value) for r in ws.iter_rows())


def test_several_departments_get_a_summary_row_each(tmp_path: Path, results) -> None:
    plain, reviewed = report(results, "plain", "a.xlsx"), report(results, "reviewed", "b.yaml", FINDINGS)
    path = tmp_path / "audit.xlsx"
    entries = [plain, reviewed]
    write_audit_workbook(path, entries, force=False)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "1.桃江县人民政府办公室", "2.某县财政局", "问题清单"]
    ws = book["汇总"]
    header = [c.value for c in ws[2]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3) if r[0].value is not None]
    assert len(rows) == 2
    by = [dict(zip(header, r, strict=False)) for r in rows]
    assert [(r["文件"], r["单位"], r["自评得分"]) for r in by] == [
        ("a.xlsx", "桃江县人民政府办公室", 98.2),
        ("b.yaml", "某县财政局", 98.2),
    ]
    assert by[0]["差异（审核−自评）"] is None and by[1]["差异（审核−自评）"] == pytest.approx(
        float(reviewed.audited_total - reviewed.self_total)
    )
    assert (by[1]["错误"], by[1]["警告"]) == (1, 1)
    assert by[1]["评分表工作表"] == "2.某县财政局"
    findings = book["问题清单"]
    assert [c.value for c in findings[2]][:3] == ["序号", "文件", "单位"]
    assert findings.cell(row=3, column=2).value == "b.yaml"


def test_no_findings_says_so(tmp_path: Path, results) -> None:
    plain = report(results, "plain", "a.yaml")
    path = tmp_path / "audit.xlsx"
    write_audit_workbook(path, [plain], force=False)
    assert openpyxl.load_workbook(path)["问题清单"]["A3"].value == "未发现问题。"


def test_an_existing_audit_is_not_overwritten_without_force(tmp_path: Path, results) -> None:
    plain = report(results, "plain", "a.yaml")
    path = tmp_path / "audit.xlsx"
    path.write_bytes(b"earlier audit")
    with pytest.raises(InputError) as err:
        write_audit_workbook(path, [plain], force=False)
    assert "--force" in str(err.value)
    assert path.read_bytes() == b"earlier audit"
    write_audit_workbook(path, [plain], force=True)
    assert openpyxl.load_workbook(path).sheetnames == ["评分表", "问题清单"]
