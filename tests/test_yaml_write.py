"""YAML → YAML: whatever text a department file holds, the converted file loads back equal.

Text reaches the written file as values and inside comments (the unit in the header, a project
name beside its amount); neither a line break, U+2028, U+0085 nor a control character in it may
change what the file says.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfeval.core.department import Department
from perfeval.fileio.yaml_read import load_text
from perfeval.fileio.yaml_write import comment_text, department_yaml, double_quoted, scalar
from perfeval.pipeline.departments import load, parse_department

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = load(ROOT / "examples/taojiang-2019.yaml")
PROJECT = load(ROOT / "examples/project-2020.yaml")  # has 部门特性指标 rows

HOSTILE = [
    "\n",
    "\r\n",
    "\r",
    "\u2028",
    "\u2029",
    "\x85",
    "\x1b]0;标题\x07",
    "\x1b[8m",
    "\x00",
    "\x7f",
    "\x9b",
    "\ufeff",
    "\u202e",
    "\u200b",
    "\t",
    "\u3000",
    "\ue000",
    '"',
    "'",
    "\\",
    "#",
    ": ",
    " #",
    "- ",
    "---",
    "...",
    "{",
    "}",
    "[",
    ",",
    "&a",
    "*a",
    "!x",
    "%",
    "@",
    "`",
    "|",
    ">",
    "?",
    "~",
    "null",
    "yes",
    "010",
    "1e3",
    ".inf",
    "=SUM(A1)",
    " ",
]
texts = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), min_size=1, max_size=6).map("".join)
nonempty = texts.filter(lambda t: t != "")


def _roundtrip(dept: Department, rubric) -> Department:
    text = department_yaml(dept, rubric, origin="dept\n.yaml\u2028")
    data, source = load_text(text, "back.yaml")
    return parse_department(data, source)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=nonempty,
    unit_short=texts,
    source=texts,
    project=texts,
    project_note=texts,
    adjustment_note=texts,
    function=texts,
    score_note=texts,
)
def test_any_text_in_a_department_survives_yaml_to_yaml(
    unit, unit_short, source, project, project_note, adjustment_note, function, score_note
):
    d = TAOJIANG.department
    bd = d.basic_data
    projects = [bd.projects[0].model_copy(update={"name": project, "note": project_note}), *bd.projects[1:]]
    adjustments = [d.budget.adjustments[0].model_copy(update={"note": adjustment_note})]
    functions = [d.spending_by_function[0].model_copy(update={"name": function}), *d.spending_by_function[1:]]
    sid = "staff_control_rate"
    scores = {**d.self_assessment.scores, sid: d.self_assessment.scores[sid].model_copy(update={"note": score_note})}
    dept = d.model_copy(
        update={
            "unit": unit,
            "unit_short": unit_short,
            "source": source,
            "basic_data": bd.model_copy(update={"projects": projects}),
            "budget": d.budget.model_copy(update={"adjustments": adjustments}),
            "spending_by_function": functions,
            "self_assessment": d.self_assessment.model_copy(update={"scores": scores}),
        }
    )
    assert _roundtrip(dept, TAOJIANG.rubric) == dept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=nonempty, category=texts, unit=texts, note=texts)
def test_any_text_in_a_department_row_survives_yaml_to_yaml(name, category, unit, note):
    d = PROJECT.department
    nid, rows = next(iter(d.department_indicators.items()))
    row = rows[0].model_copy(update={"name": name, "category": category, "unit": unit, "note": note})
    dept = d.model_copy(update={"department_indicators": {**d.department_indicators, nid: [row, *rows[1:]]}})
    assert _roundtrip(dept, PROJECT.rubric) == dept


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.yaml")))
def test_every_shipped_example_survives_yaml_to_yaml(example):
    loaded = load(ROOT / "examples" / example)
    assert _roundtrip(loaded.department, loaded.rubric) == loaded.department


@pytest.mark.parametrize("char", ["\n", "\u2028", "\u2029", "\x85", "\x1b", "\x00", "\u202e"])
def test_comments_stay_one_line_and_show_the_invisible(char):
    shown = comment_text(f"测试{char}单位")
    assert shown.isprintable() and "\n" not in shown
    assert shown.startswith("测试") and shown.endswith("单位") and "\\" in shown


@pytest.mark.parametrize("text", ["a\u2028b", "a\x85b", "x\x1b[8my", "\x00", "行1\n行2", "\U0001f600\u202e"])
def test_text_with_invisible_characters_is_written_as_escapes_any_yaml_loader_reads_back(text):
    import yaml

    written = scalar(text)
    assert written == double_quoted(text) and written.isprintable()
    assert yaml.safe_load(f"k: {written}\n") == {"k": text}  # PyYAML's own reading agrees
    data, _ = load_text(f"k: {written}\n", "f.yaml")
    assert data == {"k": text}
    quoted = double_quoted('q"\\' + text)
    assert yaml.safe_load(f"k: {quoted}\n") == {"k": 'q"\\' + text}
