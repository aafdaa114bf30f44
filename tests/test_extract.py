"""``perfeval extract``: the Taojiang report (the text a PDF extractor gave, tests/data/taojiang-2019-report.txt)
read into a department file that carries every figure of examples/taojiang-2019.yaml as the report states
it, each with its source; what the report lost stays lost and is named."""

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
REPORT = ROOT / "tests" / "data" / "taojiang-2019-report.txt"
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
runner = CliRunner()


def extract(report: Path, out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["extract", str(report), "-o", str(out), *args])
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("extract") / "taojiang.yaml"
    code, err = extract(REPORT, out, "--rubric", str(RUBRIC))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def dept(extracted: Path) -> Department:
    return load(extracted).department


@pytest.fixture(scope="module")
def example() -> Department:
    return load(EXAMPLE).department


def test_the_reference_copy_is_the_report_the_tests_use() -> None:
    shared = Path("/work/shared/reference/taojiang-2019-report.txt")
    if shared.exists():
        assert shared.read_bytes() == REPORT.read_bytes()


def test_the_tables_give_the_basic_data_and_the_narrative_the_rest(dept: Department, example: Department) -> None:
    assert dept.unit == example.unit and dept.unit_short == example.unit_short
    assert (dept.year, dept.filled_on, dept.amount_unit) == (example.year, example.filled_on, example.amount_unit)
    assert dept.basic_data == example.basic_data  # 附件1, the project's name from the narrative
    assert dept.budget.final == example.budget.final == Decimal("1295.87")
    assert [(a.kind, a.amount) for a in dept.budget.adjustments or []] == [("追加", Decimal("247.37"))]
    assert dept.spending_by_function == example.spending_by_function
    assert dept.sangong == example.sangong
    assert dept.facts["key_tasks_assigned"] == example.facts["key_tasks_assigned"] == 17


def test_the_three_staff_lines_rather_than_their_sum(dept: Department, example: Department) -> None:
    lines = [(s.category, s.count, s.note) for s in dept.staff.authorized or []]
    assert lines == [
        ("administrative", 46, "机关行政编制"),
        ("institutional", 5, "机关后勤服务全额拨款事业编制"),
        ("institutional", 3, "核定全额事业编制"),
    ]
    assert "authorized_staff" not in dept.facts  # the example's 54 is their sum; the report states three counts
    from perfeval.core.engine import score

    loaded = load(EXAMPLE)
    assert score(loaded.rubric, dept).facts["authorized_staff"] == example.facts["authorized_staff"] == 54


def test_fully_completed_is_a_claim_not_a_count(dept: Department) -> None:
    assert "key_tasks_completed" not in dept.facts
    [claim] = [c for c in dept.claims if c.formula == "key_tasks_completed / key_tasks_assigned"]
    assert claim.value == Decimal("1.00")
    assert claim.source is not None and "17项重点民生实事全面完成" in (claim.source.text or "")


def test_the_self_assessment_as_printed_with_the_lost_cell_left_blank(dept: Department, example: Department) -> None:
    sa = dept.self_assessment
    assert sa.total == Decimal("98.2")
    assert set(sa.scores) == set(example.self_assessment.scores)
    for key, entry in example.self_assessment.scores.items():
        if key == "goal_management":
            continue
        assert sa.scores[key] == entry, key
    goal = sa.scores["goal_management"].items
    assert goal == {"safeguards_in_place": 1, "major_changes_reviewed": 2, "regular_inspection": 1}
    assert "annual_plan_completed" not in goal  # blank is not zero, and not the 1 the total implies


def test_the_lost_cell_is_named_in_the_file(extracted: Path) -> None:
    text = extracted.read_text(encoding="utf-8")
    assert "目标管理·1、是否全面完成年初工作计划（附件2第 161 行）：分值和自评得分两格为空（提取时丢失），未填" in text


def _scalar_paths(value: object, prefix: str) -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _scalar_paths(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _scalar_paths(v, f"{prefix}[{i}]")]
    return [prefix]


def test_every_value_carries_its_source(dept: Department) -> None:
    data = dept.model_dump(
        mode="json",
        exclude_none=True,
        exclude_defaults=True,
        include={"basic_data", "budget", "spending_by_function", "sangong", "staff", "facts", "self_assessment"},
    )
    figures = [
        p
        for p in _scalar_paths(data, "")
        if not p.endswith((".kind", ".note", ".name", ".code", ".category"))  # words, not values
    ]
    assert len(figures) > 60
    assert sorted(p for p in figures if p not in dept.sources) == []
    table = dept.sources["basic_data.basic_spending.wages_welfare"]
    assert (table.line, table.table) == (108, "附件1") and "工资福利支出" in (table.cell or "")
    score = dept.sources["self_assessment.scores.goal_management.items.major_changes_reviewed"]
    assert (score.line, score.table) == (163, "附件2")
    for claim in dept.claims:
        assert claim.source is not None and claim.source.line and claim.source.text, claim


def test_the_narrative_figures_the_tables_also_give_are_claims_on_them(dept: Department) -> None:
    figures = {c.figure: c.value for c in dept.claims if c.figure}
    assert figures == {
        "basic_data.basic_spending.total": Decimal("1196.42"),
        "basic_data.basic_spending.wages_welfare": Decimal("519.06"),
        "basic_data.basic_spending.household_subsidies": Decimal("347.97"),
        "basic_data.basic_spending.goods_services": Decimal("329.39"),
    }
    facts = {c.fact: c.value for c in dept.claims if c.fact}
    assert facts == {"actual_spending": Decimal("1295.87"), "project_spending": Decimal("99.45")}
    assert {c.indicator: c.value for c in dept.claims if c.indicator} == {"budget_completion_rate": Decimal("1.00")}


def test_what_could_not_be_placed_is_listed_not_guessed(extracted: Path) -> None:
    text = extracted.read_text(encoding="utf-8")
    listed = text.split("未归入任何栏目的数字", 1)[1]
    for figure in ("176件", "20.85亿元", "2799.25万元", "1729项", "300多篇", "8000万元以上"):
        assert f"- {figure}（" in listed, figure
    assert "设主任1名" in listed  # 职数, not 编制


def test_check_of_the_extracted_file(extracted: Path) -> None:
    report = check_file(extracted)
    assert report.readable
    assert report.stated_total == Decimal("98.2")
    assert report.self_total is None and report.self_known == Decimal("97.2")  # the partial sum of issue 10
    codes = {p.code for p in report.problems}
    gap = [p for p in report.problems if p.code == "income-spending-gap"]
    assert gap and gap[0].amounts["difference"].copy_abs() == Decimal("247.37")
    assert "items-incomplete" in codes and "total-unverifiable" in codes
    assert not report.errors, [p.message for p in report.problems if p.is_error]


def test_changing_one_figure_in_the_sentence_only_is_a_narrative_table_mismatch(tmp_path: Path) -> None:
    report = tmp_path / "changed.txt"
    text = REPORT.read_text(encoding="utf-8")
    assert text.count("工资福利支出 519.06 万元") == 1
    report.write_text(text.replace("工资福利支出 519.06 万元", "工资福利支出 519.60 万元"), encoding="utf-8")
    out = tmp_path / "changed.yaml"
    assert extract(report, out, "-r", str(RUBRIC))[0] == 0
    found = [p for p in check_file(out).problems if p.code == "claim-contradicted"]
    assert len(found) == 1
    message = found[0].message
    assert "工资福利支出 519.60" in message and "519.06" in message and "相差 0.54" in message
    assert "原文：安排基本支出1,196.42万元，其中：工资福利支出519.60万元" in message


def test_a_part_truncated_against_a_table_that_rounds_is_a_rounding_note(tmp_path: Path) -> None:
    report = tmp_path / "truncated.txt"
    text = REPORT.read_text(encoding="utf-8").replace("商品和服务支出 329.39 万元。", "商品和服务支出 329.38 万元。")
    report.write_text(text, encoding="utf-8")
    out = tmp_path / "truncated.yaml"
    assert extract(report, out, "-r", str(RUBRIC))[0] == 0
    found = {p.code: p for p in check_file(out).problems}
    assert "claim-rounding" in found and "claim-contradicted" not in found
    assert "商品和服务支出 329.38" in found["claim-rounding"].message


def test_without_a_rubric_the_shipped_one_the_table_names_is_used(tmp_path: Path) -> None:
    out = tmp_path / "guessed.yaml"
    code, err = extract(REPORT, out)
    assert code == 0, err
    assert "taojiang-2019" in err and "27/27" in err
    assert load(out).department.rubric == "taojiang-2019"


def test_a_rubric_the_score_table_does_not_match_is_said(tmp_path: Path) -> None:
    out = tmp_path / "wrong.yaml"
    code, err = extract(REPORT, out, "-r", "sichuan-dazhou")
    assert code == 0 and "是否选错了评分表" in err
    assert load(out).department.self_assessment.scores == {}  # nothing read into another table's indicators


def test_the_written_file_says_where_it_came_from(extracted: Path) -> None:
    head = extracted.read_text(encoding="utf-8").splitlines()[:4]
    assert any("由 perfeval 从 taojiang-2019-report.txt 提取" in line for line in head)


def test_an_existing_output_is_not_overwritten_without_force(extracted: Path) -> None:
    before = extracted.read_bytes()
    code, err = extract(REPORT, extracted, "-r", str(RUBRIC))
    assert code == 2 and "output-exists" in err
    assert extracted.read_bytes() == before


def test_the_output_must_be_yaml(tmp_path: Path) -> None:
    code, err = extract(REPORT, tmp_path / "dept.xlsx", "-r", str(RUBRIC))
    assert code == 2 and "output-format" in err and "perfeval convert" in err


def test_each_value_s_source_is_also_a_comment_on_its_line(extracted: Path) -> None:
    lines = extracted.read_text(encoding="utf-8").splitlines()

    def line_of(start: str) -> str:
        return next(line for line in lines if line.strip().startswith(start))

    assert "← 出处：附件1第 108 行 第 10 列（实际支出·基本支出情况·工资福利支出）" in line_of("wages_welfare: 519.06")
    assert "← 出处：正文第 19 行" in line_of("final: 1295.87")
    assert "出处：附件2第 184 行 总分·自评得分" in line_of("total: 98.2")
    assert "出处：正文第 9 行" in line_of("count: 46")


def test_a_comment_that_would_change_a_value_is_not_written() -> None:
    from perfeval.core.evidence import Source
    from perfeval.fileio.extract.build import with_sources

    dept = load(EXAMPLE).department.model_copy(update={"sources": {"unit": Source(line=1)}})
    text = 'unit: "办 # 公室"\n'
    assert with_sources(text, dept) == text  # appended to this line, it would have become part of the value
