"""Department fields that look right but are not: a calendar date that does not exist, non-ASCII digits."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (
    (ROOT / "examples" / "taojiang-2019.yaml")
    .read_text(encoding="utf-8")
    .replace("rubric: ../rubrics/", f"rubric: {ROOT}/rubrics/")
)


@pytest.mark.parametrize(
    "old, new, words",
    [
        ('filled_on: "2020-11-10"', 'filled_on: "2020-13-01"', ["2020-13-01", "不是有效日期"]),
        ('code: "2010301"', 'code: "20103０1"', ["功能科目编码"]),
    ],
    ids=["month-13", "full-width-digit-in-code"],
)
def test_refused_with_its_place(tmp_path, old, new, words):
    assert old in EXAMPLE
    text = EXAMPLE.replace(old, new, 1)
    path = tmp_path / "dept.yaml"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["score", str(path)])
    assert res.exit_code == 2, res.output
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if new in text_line)
    assert f"dept.yaml:{line}:" in res.output
    for w in words:
        assert w in res.output
    assert path.read_text(encoding="utf-8") == text


# --- negative where negative has no meaning ------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, words",
    [
        (
            "authorized_staff: 54",
            "authorized_staff: -54",
            ["facts.authorized_staff（编制数）", "-54 不能为负", "以“人”计"],
        ),
        ("key_tasks_completed: 17", "key_tasks_completed: -1", ["重点工作实际完成数", "以“项”计"]),
    ],
    ids=["head-count", "task-count"],
)
def test_a_negative_count_is_refused_where_it_is(tmp_path, old, new, words):
    test_refused_with_its_place(tmp_path, old, new, words)


def test_a_negative_head_count_no_longer_earns_full_marks():
    """−100 在职人员 over 54 编制 is −185%: 不超编, full marks — before it was refused."""
    from perfeval.core.consistency import cross_check
    from perfeval.core.department import Department
    from perfeval.fileio.yaml_read import load_text
    from perfeval.pipeline.rubrics import read_rubric

    rubric = read_rubric(ROOT / "rubrics" / "taojiang-2019.yaml").rubric
    text = "unit: 测试单位\nyear: 2019\nrubric: x.yaml\nfacts:\n  actual_staff: -100\n  authorized_staff: 54\n  satisfaction: -5%\n"
    data, source = load_text(text, "d.yaml")
    problems = cross_check(rubric, Department.model_validate(data), source)
    # a percentage fact may be negative (a 变动率 may): only the head count is refused, at its value
    assert [(p.code, p.location.line, p.location.col) for p in problems] == [("out-of-bounds", 5, 17)]


def test_a_department_row_counted_in_households_cannot_be_negative():
    from pydantic import ValidationError

    from perfeval.core.department import Department

    row = {"id": "households", "name": "受益农户数", "weight": 10, "target": 1000, "actual": -1400, "unit": "户"}
    base = {"unit": "测试单位", "year": 2019, "rubric": "x.yaml"}
    with pytest.raises(ValidationError) as err:
        Department.model_validate({**base, "department_indicators": {"output": [row]}})
    assert [e["loc"] for e in err.value.errors()] == [("department_indicators", "output", 0, "actual")]
    change = {**row, "id": "change", "unit": "%", "target": "5%", "actual": "-3%"}  # 变动率 may be negative
    Department.model_validate({**base, "department_indicators": {"output": [change]}})


def test_a_rubric_s_own_count_fact_is_checked_against_the_rubric():
    from perfeval.core.department import Department
    from perfeval.core.facts import FactInfo, negative_facts

    dept = Department.model_validate({"unit": "测试", "year": 2019, "rubric": "x.yaml", "facts": {"trainings": -3}})
    catalogue = {"trainings": FactInfo("trainings", "培训场次", "场"), "growth": FactInfo("growth", "增长率", "%")}
    assert [f.name for f in negative_facts(dept, catalogue)] == ["trainings"]
