"""其他内容: everything a department file holds beyond the form-like sheets survives the workbook.

Issue 12: YAML → xlsx → YAML gives back an equal department for every shipped example and for generated
departments that fill every part of the model (报告所称, 出处, 部门特性指标, 人员编制, 二者择其一, 要素 …);
what a workbook's 其他内容 rows say wrongly is refused by cell, never guessed.
"""

from __future__ import annotations

import string
import types
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.department import Department, DepartmentIndicator, IncomeByFund
from perfeval.core.evidence import Claim, Passage, Source
from perfeval.core.problems import InputError
from perfeval.core.review import Review
from perfeval.core.tables import CostItems, Line, SangongBreakdown, Spending, Staff
from perfeval.fileio.workbook import other_values as ov
from perfeval.fileio.workbook.read import read_department
from perfeval.fileio.workbook.write import department_workbook
from perfeval.pipeline.departments import load, parse_department
from perfeval.pipeline.rubrics import read_rubric

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))
runner = CliRunner()


def through_workbook(dept: Department, rubric, path: Path) -> Department:
    department_workbook(rubric, dept, dept.rubric or "").save(path)
    data, source = read_department(path)
    return parse_department(data, source)


# --- every shipped example, both ways, through the command ---------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_survives_yaml_to_xlsx_to_yaml(name: str, tmp_path: Path) -> None:
    original = ROOT / "examples" / f"{name}.yaml"
    book, back = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.yaml"
    first = runner.invoke(app, ["convert", str(original), str(book)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["convert", str(book), str(back)])
    assert second.exit_code == 0, second.output
    before = load(original)
    after = load(back, rubric_override=original.parent / (before.department.rubric or ""))
    assert after.department.model_copy(update={"rubric": None}) == before.department.model_copy(update={"rubric": None})


@pytest.mark.parametrize("name", ["yiyang-gsl-2019", "hunan-county-2019"])
def test_what_only_the_yaml_had_is_in_the_workbook_by_key_path(name: str, tmp_path: Path) -> None:
    loaded = load(ROOT / "examples" / f"{name}.yaml")
    book = tmp_path / "d.xlsx"
    department_workbook(loaded.rubric, loaded.department, "r.yaml").save(book)
    ws = load_workbook(book, read_only=True)["其他内容"]
    paths = [row[3] for row in ws.iter_rows(min_row=4, values_only=True) if row[3]]
    expected = [ov.format_path(r.path) for r in ov.other_rows(loaded.department)]
    assert paths == expected and paths  # each value one row, in order


def test_the_yiyang_claims_and_staff_are_written_as_they_read(tmp_path: Path) -> None:
    loaded = load(ROOT / "examples" / "yiyang-gsl-2019.yaml")
    rows = {ov.format_path(r.path): r for r in ov.other_rows(loaded.department)}
    assert rows["basic_data.income.carryover_included"].kind == "是否"
    assert rows["staff.authorized[0].category"].value == "administrative"
    claim_values = [r for p, r in rows.items() if p.startswith("claims[") and p.endswith(".value")]
    assert claim_values and all(r.kind == "数值" for r in claim_values)


# --- generated departments that fill every part of the model ---------------------------------------

_TRICKY = ["=SUM(A1:A3)", "yes", "010", "null", " 前后有空格 ", "- 项目", "#注", "a: b", "无", "‘三公’", "是"]
texts = st.one_of(
    st.sampled_from(_TRICKY),
    st.text(
        alphabet=string.ascii_letters + string.digits + "行政运行项目（）“”、，；。·%：:# -", min_size=1, max_size=12
    ),
)
ids = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
numbers = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False, allow_infinity=False)


def _strategy(annotation: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a field of the department model, from its annotation alone (constraints are left to
    the model: what it refuses is filtered out where the whole department is validated)."""
    origin = get_origin(annotation)
    if getattr(annotation, "__metadata__", None) is not None:
        return _strategy(get_args(annotation)[0], depth)
    if origin in (Union, types.UnionType):
        return st.one_of([_strategy(a, depth) for a in get_args(annotation)])
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is list:
        return st.lists(_strategy(get_args(annotation)[0], depth + 1), max_size=2 if depth < 2 else 1)
    if origin is dict:
        return st.dictionaries(ids, _strategy(get_args(annotation)[1], depth + 1), max_size=2)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, depth + 1)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(1, 300)
    if annotation is Decimal:
        return numbers
    if annotation is str:
        return texts
    raise AssertionError(f"no strategy for {annotation!r}")


def _model(cls: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    required = {n: _strategy(f.annotation, depth) for n, f in cls.model_fields.items() if f.is_required()}
    optional = {n: _strategy(f.annotation, depth) for n, f in cls.model_fields.items() if not f.is_required()}
    return st.fixed_dictionaries(required, optional=optional)


def _valid(cls: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    def ok(data: dict[str, Any]) -> bool:
        try:
            cls.model_validate(data)
        except (ValidationError, ValueError):
            return False
        return True

    return _model(cls).filter(ok)


_RUBRIC = read_rubric(ROOT / "rubrics" / "hunan-county-2019.yaml").rubric
_LEAVES = [n.id for n in _RUBRIC.leaves()]


@st.composite
def full_departments(draw: st.DrawFn) -> Department:
    claims = draw(st.lists(_valid(Claim), max_size=2))
    data: dict[str, Any] = {
        "unit": "某单位",
        "year": 2019,
        "rubric": "r.yaml",
        "basic_data": {
            "income": {
                "total": draw(st.none() | numbers),
                "carryover_included": draw(st.none() | st.booleans()),
                "fiscal_appropriation": draw(st.none() | numbers),
                "fiscal_lines": draw(st.none() | st.lists(_valid(Line), max_size=2)),
                "by_fund": draw(_valid(IncomeByFund)),
            },
            "spending": draw(_valid(Spending)),
        },
        "sangong": {"prior_year_actual": draw(_valid(SangongBreakdown))},
        "staff": draw(_valid(Staff)),
        "cost_items": draw(_valid(CostItems)),
        "tolerance": draw(st.none() | numbers),
        "department_indicators": draw(
            st.dictionaries(st.sampled_from(_LEAVES), st.lists(_valid(DepartmentIndicator), max_size=2), max_size=2)
        ),
        "self_assessment": {
            "scores": draw(
                st.dictionaries(
                    st.sampled_from(_LEAVES),
                    st.fixed_dictionaries(
                        {}, optional={"score": numbers, "present": st.lists(ids, max_size=2), "note": texts}
                    ),
                    max_size=3,
                )
            ),
            "chosen": draw(st.dictionaries(ids, st.sampled_from(_LEAVES), max_size=2)),
            "not_applicable": draw(st.lists(st.sampled_from(_LEAVES), max_size=2, unique=True)),
            "reasons": draw(st.dictionaries(st.sampled_from(_LEAVES), texts, max_size=2)),
        },
        "claims": claims,
        "review": draw(st.none() | _valid(Review) | st.just("复核.review.yaml")),
        "sources": draw(
            st.dictionaries(st.sampled_from(["unit", "basic_data.income.total"]), _valid(Source), max_size=2)
        ),
        "narrative": draw(st.lists(_valid(Passage), max_size=2)),
    }
    try:
        return Department.model_validate(data)
    except ValidationError:
        reject()
        raise


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(dept=full_departments())
def test_a_department_filling_every_part_survives_the_workbook(tmp_path_factory, dept: Department) -> None:
    path = tmp_path_factory.mktemp("other") / "d.xlsx"
    assert through_workbook(dept, _RUBRIC, path) == dept


# --- key paths ----------------------------------------------------------------------------------

segments = st.one_of(st.integers(0, 999), ids, st.text(min_size=1, max_size=8))


@given(path=st.lists(segments, min_size=1, max_size=5).filter(lambda p: isinstance(p[0], str)).map(tuple))
def test_a_key_path_reads_back_as_written(path) -> None:
    assert ov.parse_path(ov.format_path(path)) == path


@pytest.mark.parametrize(
    "text", ["", ".claims", "claims..value", "claims[x]", "claims[0", '["a"', "a b", "claims.0", "a" + ".a" * 10]
)
def test_what_is_not_a_key_path_is_none(text: str) -> None:
    assert ov.parse_path(text) is None


# --- a 其他内容 row written wrongly is refused by its cell ---------------------------------------------


def _book_with_rows(tmp_path: Path, rows: list[tuple[Any, Any, Any]]) -> Path:
    loaded = load(ROOT / "examples" / "taojiang-2019.yaml")
    path = tmp_path / "d.xlsx"
    wb = department_workbook(loaded.rubric, loaded.department, "r.yaml")
    ws = wb["其他内容"]
    for i, (value, kind, key) in enumerate(rows, start=4):
        ws.cell(row=i, column=2, value=value)
        ws.cell(row=i, column=3, value=kind)
        ws.cell(row=i, column=4, value=key)
    wb.save(path)
    return path


def test_rows_added_by_hand_are_read_with_their_kinds_or_from_the_cell(tmp_path: Path) -> None:
    path = _book_with_rows(
        tmp_path,
        [
            ("actual_spending", None, "claims[0].fact"),
            (2030.12, None, "claims[0].value"),
            ("十三人", "文字", "staff.in_post"),
        ],
    )
    data, source = read_department(path)
    assert data["claims"] == [{"fact": "actual_spending", "value": Decimal("2030.12")}]
    with pytest.raises(InputError) as caught:  # a count given as text: refused by the model, at its cell
        parse_department(data, source)
    assert [p.location.cell for p in caught.value.problems if p.location] == ["其他内容!B6"]


@pytest.mark.parametrize(
    ("rows", "code", "cell"),
    [
        ([("x", None, "claims[0]..fact")], "other-row-bad-path", "其他内容!D4"),
        ([("x", "字", "unit_short")], "other-row-bad-kind", "其他内容!C4"),
        ([("x", None, "claims[1].fact")], "other-row-conflict", "其他内容!D4"),
        ([("1", "是否", "basic_data.income.carryover_included")], "other-row-bad-value", "其他内容!B4"),
        ([(None, "数值", "tolerance")], "other-row-blank", "其他内容!B4"),
        ([("另一个名称", None, "unit")], "other-row-conflict", "其他内容!D4"),
        ([("0.1", "数值", "tolerance"), ("0.2", "数值", "tolerance")], "other-row-conflict", "其他内容!D5"),
        ([("x", None, None)], "other-row-no-path", "其他内容!D4"),
    ],
)
def test_a_wrong_row_is_refused_by_its_cell(tmp_path: Path, rows, code: str, cell: str) -> None:
    path = _book_with_rows(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        read_department(path)
    assert [(p.code, p.location.cell) for p in caught.value.problems] == [(code, cell)]


def test_a_wrong_row_is_a_message_and_exit_2_from_the_command(tmp_path: Path) -> None:
    path = _book_with_rows(tmp_path, [("x", "字", "unit_short")])
    result = runner.invoke(app, ["score", str(path), "--rubric", str(ROOT / "rubrics" / "taojiang-2019.yaml")])
    assert result.exit_code == 2
    assert "其他内容!C4" in result.output and "值类型" in result.output and "Traceback" not in result.output


def test_free_texts_keep_their_outer_spaces_through_the_workbook(tmp_path: Path) -> None:
    loaded = load(ROOT / "examples" / "taojiang-2019.yaml")
    dept = loaded.department
    sid = next(iter(dept.self_assessment.scores))
    scores = dict(dept.self_assessment.scores)
    scores[sid] = scores[sid].model_copy(update={"note": " 见附件 3 "})
    spaced = dept.model_copy(
        update={
            "unit": " 某单位 ",
            "self_assessment": dept.self_assessment.model_copy(update={"scores": scores}),
        }
    )
    back = through_workbook(spaced, loaded.rubric, tmp_path / "d.xlsx")
    assert back.unit == " 某单位 " and back.self_assessment.scores[sid].note == " 见附件 3 "
    assert back == spaced


# --- 部门特性指标: the platform 自评表's own indicators, one row each ----------------------------------


def test_the_platform_indicators_are_a_table_with_one_row_each(tmp_path: Path) -> None:
    loaded = load(ROOT / "examples" / "national-dept-platform.yaml")
    book = tmp_path / "d.xlsx"
    department_workbook(loaded.rubric, loaded.department, "r.yaml").save(book)
    ws = load_workbook(book)["部门特性指标"]
    header = [c.value for c in ws[3]]
    assert header[:5] == ["评分表指标", "指标名称", "类别", "指标类型", "分值"] and header[-1] == "指标标识"
    assert ws.column_dimensions["O"].hidden  # 指标标识: the rubric node's id
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[1].value]
    given = [row for rows_ in loaded.department.department_indicators.values() for row in rows_]
    assert [r[1] for r in rows] == [g.name for g in given]
    satisfaction = next(r for r in rows if r[1] == "企业和群众满意度")
    assert satisfaction[3] == "正向" and str(satisfaction[5]) == "0.9"  # 90%, shown as a percentage
    assert ws.cell(row=4 + [r[1] for r in rows].index("企业和群众满意度"), column=6).number_format == "0.00%"
    assert next(r for r in rows if r[1] == "应急预案体系建设")[8] == "达成"
    assert not [r for r in ov.other_rows(loaded.department) if r.path[0] == "department_indicators"]


def test_a_fill_in_workbook_gives_each_node_blank_rows_that_read_as_none(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["init", "--rubric", "national-dept-platform", "--output", str(book)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(book)["部门特性指标"]
    assert [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]] == ["年度绩效指标"] * 8
    data, _ = read_department(book)
    assert "department_indicators" not in data


def _platform_book(tmp_path: Path, edit) -> Path:
    loaded = load(ROOT / "examples" / "national-dept-platform.yaml")
    wb = department_workbook(loaded.rubric, loaded.department, "r.yaml")
    edit(wb["部门特性指标"])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    return path


def test_a_row_typed_by_hand_is_read_like_the_yaml(tmp_path: Path) -> None:
    def add(ws) -> None:
        for col, value in enumerate(
            ["年度绩效指标", "投诉件数", "效益指标", "反向", 5, 3, 0, "件", None, 5, None, None, None, "complaints"],
            start=1,
        ):
            ws.cell(row=12, column=col, value=value)

    data, source = read_department(_platform_book(tmp_path, add))
    added = parse_department(data, source).department_indicators["年度绩效指标"]
    assert [(r.id, r.kind, r.target, r.actual) for r in added] == [("complaints", "negative", 3, 0)]


def test_a_row_without_its_node_is_refused_by_its_cell(tmp_path: Path) -> None:
    def orphan(ws) -> None:
        ws.cell(row=4, column=1).value = None  # (ws.cell(..., value=None) would leave the value)
        ws.cell(row=4, column=15).value = None

    with pytest.raises(InputError) as caught:
        read_department(_platform_book(tmp_path, orphan))
    assert [(p.code, p.location.cell) for p in caught.value.problems] == [("rows-no-node", "部门特性指标!A4")]


def test_the_older_better_spelling_goes_to_other_and_comes_back(tmp_path: Path) -> None:
    loaded = load(ROOT / "examples" / "national-dept-platform.yaml")
    rows = loaded.department.department_indicators["annual_indicators"]
    older = [rows[0].model_copy(update={"better": "higher"}), *rows[1:]]
    dept = loaded.department.model_copy(update={"department_indicators": {"annual_indicators": older}})
    assert [ov.format_path(r.path) for r in ov.other_rows(dept)] == [
        "department_indicators.annual_indicators[0].better"
    ]
    assert through_workbook(dept, loaded.rubric, tmp_path / "d.xlsx") == dept
