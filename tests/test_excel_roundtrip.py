"""YAML → xlsx → YAML loses nothing, and a workbook scores exactly as its YAML does."""

from __future__ import annotations

import json
import string
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.department import Department
from perfeval.fileio.workbook.read import read_department
from perfeval.fileio.workbook.write import department_workbook
from perfeval.fileio.yaml_read import load_text
from perfeval.fileio.yaml_write import department_yaml
from perfeval.pipeline.departments import load, parse_department
from perfeval.pipeline.rubrics import read_rubric

EXAMPLE = "examples/taojiang-2019.yaml"
RUBRIC = "rubrics/taojiang-2019.yaml"

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def without_rubric(dept: Department) -> Department:
    return dept.model_copy(update={"rubric": ""})


@pytest.fixture
def taojiang(root: Path):
    return load(root / EXAMPLE)


def test_taojiang_survives_yaml_to_xlsx_to_yaml(root: Path, tmp_path: Path, taojiang) -> None:
    book, back = tmp_path / "book" / "taojiang.xlsx", tmp_path / "out" / "deep" / "taojiang.yaml"
    book.parent.mkdir()
    back.parent.mkdir(parents=True)
    assert invoke("convert", root / EXAMPLE, book).exit_code == 0
    assert invoke("convert", book, back).exit_code == 0

    from_book = load(book)
    from_back = load(back)
    assert without_rubric(from_book.department) == without_rubric(taojiang.department)
    assert from_back.department == from_book.department.model_copy(update={"rubric": from_back.department.rubric})
    assert without_rubric(from_back.department) == without_rubric(taojiang.department)
    # the rubric path follows the file to its new folder
    assert (book.parent / from_book.department.rubric).resolve() == (root / RUBRIC).resolve()
    assert from_back.rubric_path.resolve() == (root / RUBRIC).resolve()
    assert (back.parent / from_back.department.rubric).resolve() == (root / RUBRIC).resolve()
    # and so does the editor's schema line
    first = back.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema_ref = first.split("=", 1)[1]
    assert (back.parent / schema_ref).resolve() == (root / "schema" / "department.schema.json").resolve()


def test_yaml_to_yaml_through_the_emitter_is_exact(taojiang) -> None:
    text = department_yaml(taojiang.department, taojiang.rubric)
    data, source = load_text(text, "back.yaml")
    assert parse_department(data, source) == taojiang.department


def test_workbook_scores_98_2_with_the_same_output_as_yaml(root: Path, tmp_path: Path) -> None:
    book = tmp_path / "taojiang.xlsx"
    assert invoke("convert", root / EXAMPLE, book, "--rubric", root / RUBRIC).exit_code == 0

    from_yaml = invoke("score", root / EXAMPLE, "--format", "json")
    from_book = invoke("score", book, "--format", "json")
    assert from_yaml.exit_code == from_book.exit_code == 0
    a, b = json.loads(from_yaml.stdout), json.loads(from_book.stdout)
    assert b["self_score"] == "98.2"
    a.pop("file"), b.pop("file")
    a["rubric"].pop("file"), b["rubric"].pop("file")
    assert a == b

    def table(out: str) -> str:  # from the table on: the file name line differs, and may wrap
        return out[out.index("┏") :]

    text_yaml, text_book = invoke("score", root / EXAMPLE).stdout, invoke("score", book).stdout
    assert text_book.splitlines()[0] == text_yaml.splitlines()[0]
    assert table(text_book) == table(text_yaml)
    assert "自评得分合计 98.2" in text_book


# --- any department survives both ways (hypothesis) ------------------------------------------------

_TAOJIANG_RUBRIC = read_rubric(Path(__file__).resolve().parents[1] / RUBRIC).rubric
_LEAVES = _TAOJIANG_RUBRIC.leaves()
_PARENTS = [n for n, _ in _TAOJIANG_RUBRIC.walk() if not n.is_leaf]

# text a finance officer might type, including what spreadsheets and YAML like to misread
_TRICKY = ["=SUM(A1:A3)", "yes", "010", "2020-11-10", "1,295.87", "null", "- 项目", "#注", "a: b", "无 调整", "‘三公’"]
texts = st.one_of(
    st.sampled_from(_TRICKY),
    st.text(
        alphabet=string.ascii_letters + string.digits + "行政运行项目支出（）“”、，；。·%：:# -",
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool),
)
amounts = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False)
maybe = lambda s: st.none() | s  # noqa: E731


def points_up_to(weight: Decimal):
    return st.decimals(min_value=0, max_value=weight, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def departments(draw) -> Department:
    group = lambda fields: {f: draw(maybe(amounts)) for f in fields}  # noqa: E731
    spending_fields = ["total", "wages_welfare", "goods_services", "household_subsidies", "capital", "other", "sangong"]
    projects = draw(
        maybe(
            st.lists(
                st.fixed_dictionaries(
                    {"name": maybe(texts), "note": maybe(texts), **{f: maybe(amounts) for f in spending_fields}}
                ),
                max_size=3,
            )
        )
    )
    if projects:  # a row with nothing in it is no project
        projects = [p for p in projects if any(v is not None for v in p.values())] or None
    scores = {}
    for leaf in draw(st.lists(st.sampled_from(_LEAVES), unique_by=lambda n: n.id, max_size=8)):
        entry: dict = {}
        if leaf.rule.kind == "checklist":
            chosen = draw(st.lists(st.sampled_from(leaf.rule.items), unique_by=lambda i: i.id, max_size=3))
            if chosen:
                entry["items"] = {i.id: draw(points_up_to(i.points)) for i in chosen}
        entry["score"] = draw(maybe(points_up_to(leaf.weight)))
        entry["reviewed"] = draw(maybe(points_up_to(leaf.weight)))
        entry["note"] = draw(maybe(texts))
        entry = {k: v for k, v in entry.items() if v is not None}
        if entry:
            scores[leaf.id] = entry
    data = {
        "unit": draw(texts),
        "unit_short": draw(maybe(texts)),
        "year": draw(st.integers(2000, 2100)),
        "rubric": "x.yaml",
        "filled_on": draw(maybe(st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"))),
        "amount_unit": draw(st.sampled_from(["万元", "元"])),
        "illustrative": draw(st.booleans()),
        "source": draw(maybe(texts)),
        "basic_data": {
            "initial_budget": group(["total", "basic", "project"]),
            "income": group(["total", "prior_year_balance", "superior_finance", "county_finance", "other"]),
            "basic_spending": group(spending_fields),
            "projects": projects,
            "balance": group(["total", "basic", "project"]),
        },
        "budget": {
            "final": draw(maybe(amounts)),
            "adjustments": draw(
                maybe(
                    st.lists(
                        st.fixed_dictionaries(
                            {
                                "kind": st.sampled_from(["追加", "追减", "结构调整"]),
                                "amount": amounts,
                                "note": maybe(texts),
                            }
                        ),
                        max_size=3,
                    )
                )
            ),
        },
        "spending_by_function": draw(
            maybe(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "code": st.from_regex(r"2[0-9]{2}([0-9]{2}){0,2}", fullmatch=True),
                            "name": texts,
                            "amount": amounts,
                        }
                    ),
                    max_size=3,
                )
            )
        ),
        "sangong": {
            k: group(["total", "overseas_travel", "vehicle_purchase", "vehicle_operation", "reception"])
            for k in ("budget", "prior_year_budget", "actual")
        },
        "facts": draw(
            st.dictionaries(
                st.sampled_from(
                    [
                        "authorized_staff",
                        "actual_staff",
                        "satisfaction",
                        "payment_progress_actual",
                        "key_spending_budget",
                        "tasks_planned",
                    ]
                ),
                st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False),
            )
        ),
        "self_assessment": {
            "total": draw(maybe(points_up_to(Decimal(100)))),
            "subtotals": draw(st.dictionaries(st.sampled_from([n.id for n in _PARENTS]), points_up_to(Decimal(20)))),
            "scores": scores,
        },
    }
    return Department.model_validate(data)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dept=departments())
def test_any_department_survives_the_workbook(tmp_path_factory, dept: Department) -> None:
    path = tmp_path_factory.mktemp("rt") / "dept.xlsx"
    department_workbook(_TAOJIANG_RUBRIC, dept, dept.rubric).save(path)
    data, source = read_department(path)
    assert parse_department(data, source) == dept


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dept=departments())
def test_any_department_survives_the_yaml_writer(dept: Department) -> None:
    data, source = load_text(department_yaml(dept, _TAOJIANG_RUBRIC), "back.yaml")
    assert parse_department(data, source) == dept


def test_convert_refuses_an_invalid_department_and_writes_nothing(root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (root / EXAMPLE)
        .read_text(encoding="utf-8")
        .replace("rubric: ../rubrics/taojiang-2019.yaml", f"rubric: {(root / RUBRIC).as_posix()}")
        .replace("authorized_staff: 54", "authorised_staff: 54"),
        encoding="utf-8",
    )
    result = invoke("convert", bad, tmp_path / "bad.xlsx")
    assert result.exit_code == 2
    assert "bad.yaml:" in result.stderr and "是否想写 'authorized_staff'" in result.stderr
    assert not (tmp_path / "bad.xlsx").exists()


def test_convert_never_overwrites_without_force_nor_its_input(root: Path, tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    assert invoke("convert", root / EXAMPLE, book).exit_code == 0
    before = book.read_bytes()
    again = invoke("convert", root / EXAMPLE, book)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert book.read_bytes() == before
    same = invoke("convert", book, book, "--force")
    assert same.exit_code == 2 and "输入文件相同" in same.stderr
    assert invoke("convert", root / EXAMPLE, book, "--force").exit_code == 0


def test_text_excel_cannot_hold_is_refused_with_a_message(tmp_path: Path, taojiang) -> None:
    from perfeval.core.problems import InputError
    from perfeval.fileio.workbook.write import write_department_workbook

    dept = taojiang.department.model_copy(update={"source": "报告\x07原文"})
    with pytest.raises(InputError) as err:
        write_department_workbook(tmp_path / "t.xlsx", taojiang.rubric, dept, "r.yaml", force=False)
    assert "source（数据来源说明）：文字含有 Excel 不能保存的控制字符 U+0007" in str(err.value)
    assert [(p.code, p.location.file) for p in err.value.problems] == [("unwritable-text", str(tmp_path / "t.xlsx"))]
    assert not (tmp_path / "t.xlsx").exists()


def test_text_over_32767_characters_is_refused_by_its_field_not_cut(tmp_path: Path, taojiang) -> None:
    """openpyxl cuts such text at 32,767 characters without a word; perfeval refuses it, naming the field."""
    from perfeval.core.problems import InputError
    from perfeval.fileio.workbook.write import write_department_workbook

    projects = [taojiang.department.basic_data.projects[0].model_copy(update={"note": "说" * 40_000})]
    dept = taojiang.department.model_copy(
        update={"basic_data": taojiang.department.basic_data.model_copy(update={"projects": projects})}
    )
    with pytest.raises(InputError) as err:
        write_department_workbook(
            tmp_path / "t.xlsx", taojiang.rubric, dept, "r.yaml", force=False, source=taojiang.source
        )
    (p,) = err.value.problems
    assert p.code == "text-too-long"
    assert "basic_data.projects[0].note" in p.message and "40,000 个字符" in p.message
    assert p.location.line is not None  # in the input file, where the note is
    assert not (tmp_path / "t.xlsx").exists()
