"""The reader on a report it was not written from: 益阳市工商业联合会's 2019 figures
(tests/data/yiyang-gsl-2019.md; the report's own wording was not available), written out as such a report
phrases them — a city-level unit, no annex tables, 三公 this year against the year before, 其中 parts in the
next sentence, a part of a part in brackets. The department file it gives holds the figures
examples/yiyang-gsl-2019.yaml transcribes by hand, and ``check`` finds the same four inconsistencies."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.department import Department
from perfeval.pipeline.departments import load
from perfeval.pipeline.reports import check_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "yiyang-gsl-2019.yaml"

REPORT = """益阳市工商业联合会2019年度部门整体支出绩效评价报告

一、部门基本情况

益阳市工商业联合会是党领导的以非公有制企业和非公有制经济人士为主体的人民团体和商会组织。本单位核定行政编制10名，工勤人员3名；现有在职在岗人员13人，离退休人员3人，合计16人。

二、部门整体支出情况

（一）收入情况。2019年收入总计487.24万元，其中上年结转12.63万元。财政拨款收入487.24万元，其中：一般公共预算拨款470.69万元（含异地益阳商协会奖励资金180万元），医疗卫生0.50万元，住房保障11.99万元，其他4.06万元。财政预算经费487.24万元，其中年初预算263.19万元，年中追加224.05万元。

（二）支出情况。2019年总支出483.22万元，其中：工资福利支出212.51万元，商品和服务支出260.40万元，对个人和家庭补助7.70万元，其他资本性支出2.61万元。预算完成率99.17%。

（三）“三公”经费支出情况。2019年“三公”经费支出24.86万元，2018年10.10万元，增长146%。其中：因公出国（境）费11.00万元（2018年0万元）；公务用车运行维护费2.85万元（2018年3.70万元），下降22.97%，公务用车1辆；公务接待费10.93万元。
"""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("yiyang")
    (folder / "report.txt").write_text(REPORT, encoding="utf-8")
    out = folder / "yiyang.yaml"
    result = CliRunner().invoke(app, ["extract", str(folder / "report.txt"), "-r", "taojiang-2019", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def dept(extracted: Path) -> Department:
    return load(extracted).department


def test_the_figures_the_example_transcribes(dept: Department) -> None:
    example = load(EXAMPLE).department
    assert dept.unit == example.unit and dept.year == example.year
    ours, theirs = dept.basic_data, example.basic_data
    assert ours.initial_budget == theirs.initial_budget
    assert ours.spending == theirs.spending
    assert ours.income.model_dump(exclude={"fiscal_lines"}) == theirs.income.model_dump(exclude={"fiscal_lines"})
    assert [(x.name, x.amount) for x in ours.income.fiscal_lines or []] == [
        (x.name, x.amount) for x in theirs.income.fiscal_lines or []
    ]
    assert "180" in (ours.income.fiscal_lines or [])[0].note  # （含…奖励资金180万元）, a part of a part
    assert dept.budget.final == example.budget.final
    assert [(a.kind, a.amount) for a in dept.budget.adjustments or []] == [
        (a.kind, a.amount) for a in example.budget.adjustments or []
    ]
    assert dept.sangong == example.sangong
    assert [(s.category, s.count) for s in dept.staff.authorized or []] == [
        (s.category, s.count) for s in example.staff.authorized or []
    ]
    assert (dept.staff.in_post, dept.staff.retired, dept.staff.total) == (13, 3, 16)


def test_the_claims_the_example_transcribes(dept: Department) -> None:
    example = load(EXAMPLE).department
    ours = {(c.indicator, c.formula, c.value) for c in dept.claims}
    theirs = {(c.indicator, c.formula, c.value) for c in example.claims}
    assert ours == theirs
    assert {c.value for c in dept.claims} == {Decimal("0.9917"), Decimal("1.46"), Decimal("-0.2297")}


def test_check_finds_the_example_s_four_inconsistencies(extracted: Path) -> None:
    ours = {p.code for p in check_file(extracted).problems}
    theirs = {p.code for p in check_file(EXAMPLE).problems}
    for code in ("sum-partial", "carryover-placement", "staff-basis-ambiguous", "income-spending-unverifiable"):
        assert code in theirs and code in ours, code
    assert ours - theirs <= {"claim-rounding"}, ours - theirs


def test_only_the_vehicle_count_is_left_over(extracted: Path) -> None:
    listed = extracted.read_text(encoding="utf-8").split("未归入任何栏目的数字", 1)[1]
    assert listed.count("\n#   - ") == 1 and "- 1辆（" in listed
