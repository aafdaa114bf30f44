"""Properties (hypothesis): whatever a file holds, perfeval answers with a result or a located
input error — never a traceback; and the engine's scores keep the rubric's arithmetic."""

from __future__ import annotations

import contextlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfeval.cli import app as cli
from perfeval.core.department import Department
from perfeval.core.engine import Status, score
from perfeval.core.facts import CATALOGUE
from perfeval.core.problems import ExitCode
from perfeval.core.rules import Checklist
from perfeval.pipeline.rubrics import read_rubric

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
ALLOWED_EXITS = {ExitCode.OK, ExitCode.INPUT}

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("random-inputs")


def run_score(path: Path, *more: str) -> tuple[int, str]:
    """``perfeval score PATH`` through the real entry point, in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(["score", str(path), *more])
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return code, err.getvalue()


def assert_answered(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    code, err = run_score(path)
    assert code in ALLOWED_EXITS, err
    assert "Traceback" not in err and "内部错误" not in err, err
    if code == ExitCode.INPUT:
        assert err.startswith(str(path)), err  # every message names the file
    assert path.read_bytes() == data  # the input is never modified


# --- anything at all -------------------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=2048))
def test_random_bytes_never_produce_a_traceback(workdir, data):
    assert_answered(workdir / "bytes.yaml", data)


# --- YAML-ish text: the pieces hand-typed department files are made of ----------------------

FIELD_NAMES = sorted(
    {
        *Department.model_fields,
        "basic_data",
        "income",
        "county_finance",
        "total",
        "projects",
        "adjustments",
        "kind",
        "amount",
        "scores",
        "items",
        "score",
        "reviewed",
        "note",
        "authorized_staff",
        "actual_staff",
        "staff_control_rate",
        "budget_completion_rate",
        "system_management",
        "financial_rules",
        "final",
        "budget",
        "subtotals",
        "code",
        "name",
    }
)
TRICKY_SCALARS = [
    "yes",
    "no",
    "on",
    "off",
    "~",
    "null",
    "true",
    "010",
    "0x1F",
    "1_000",
    ".nan",
    "-.inf",
    "1e400",
    "1,295.87",
    "１２９５.８７",
    "1e999999999",
    "1e-999999999",
    "95.10%",
    "2019-12-31",
    "1:30",
    "-1",
    "0",
    "4.5",
    "'quoted'",
    '"\\q"',
    "&a",
    "*a",
    "!!binary",
    "!tag x",
    "<<",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "|",
    ">",
    "-",
    "? ",
    "%YAML",
    "追加",
    "追减",
    "桃江县",
    "\t",
    '"',
    "'",
    ": ",
    "@",
    "`",
]

scalar = st.one_of(
    st.sampled_from(TRICKY_SCALARS), st.text(max_size=12), st.decimals(allow_nan=True).map(str), st.integers().map(str)
)
line = st.builds(
    lambda indent, key, sep, value: f"{' ' * indent}{key}{sep}{value}",
    st.integers(0, 8),
    st.one_of(st.sampled_from(FIELD_NAMES), st.just("-"), st.text(max_size=6)),
    st.sampled_from([": ", ":", " ", ": - ", ": [", ": {"]),
    scalar,
)
HEADER = f"format: perfeval/department@1\nunit: 测试单位\nyear: 2019\nrubric: {RUBRIC}\n"


@SETTINGS
@given(lines=st.lists(line, max_size=25), with_header=st.booleans())
def test_random_yaml_ish_text_never_produces_a_traceback(workdir, lines, with_header):
    text = (HEADER if with_header else "") + "\n".join(lines) + "\n"
    assert_answered(workdir / "text.yaml", text.encode("utf-8"))


# well-formed YAML with department-like structure, so that validation and scoring run deep
leaf_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.sampled_from(TRICKY_SCALARS),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3).map(str),
    st.text(max_size=8),
)
tree = st.recursive(
    leaf_value,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(FIELD_NAMES), children, max_size=5)
    ),
    max_leaves=30,
)


@SETTINGS
@given(body=st.dictionaries(st.sampled_from(FIELD_NAMES), tree, max_size=8), keep_rubric=st.booleans())
def test_random_department_documents_never_produce_a_traceback(workdir, body, keep_rubric):
    doc = {"format": "perfeval/department@1", "unit": "测试单位", "year": 2019, **body}
    if keep_rubric:
        doc["rubric"] = str(RUBRIC)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    assert_answered(workdir / "doc.yaml", text.encode("utf-8"))


EXAMPLE = yaml.safe_load((ROOT / "examples" / "taojiang-2019.yaml").read_text(encoding="utf-8"))
EXAMPLE["rubric"] = str(RUBRIC)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


EXAMPLE_PATHS = [p for p in _paths(EXAMPLE) if p and p != ("rubric",)]


def _replaced(doc, path, value):
    if len(path) == 1:
        doc = doc.copy() if isinstance(doc, dict) else list(doc)
        doc[path[0]] = value
        return doc
    head = doc.copy() if isinstance(doc, dict) else list(doc)
    head[path[0]] = _replaced(doc[path[0]], path[1:], value)
    return head


@SETTINGS
@given(changes=st.lists(st.tuples(st.sampled_from(EXAMPLE_PATHS), tree), min_size=1, max_size=3))
def test_the_example_with_any_value_replaced_never_produces_a_traceback(workdir, changes):
    """Close to a real file, so that every field's parsing and the scoring are reached."""
    doc = EXAMPLE
    for path, value in changes:
        try:
            doc = _replaced(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    assert_answered(workdir / "example.yaml", text.encode("utf-8"))


RUBRIC_DATA = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
RUBRIC_PATHS = [p for p in _paths(RUBRIC_DATA) if p]
_rubric_files = iter(range(10**9))  # a new name per example: rubrics are cached by path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(RUBRIC_PATHS), tree), min_size=1, max_size=3))
def test_the_rubric_with_any_value_replaced_never_produces_a_traceback(workdir, changes):
    doc = RUBRIC_DATA
    for path, value in changes:
        try:
            doc = _replaced(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    rubric = workdir / f"rubric-{next(_rubric_files)}.yaml"
    data = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")
    rubric.write_bytes(data)
    code, err = run_score(ROOT / "examples" / "taojiang-2019.yaml", "--rubric", str(rubric))
    assert code in ALLOWED_EXITS, err
    assert "Traceback" not in err and "内部错误" not in err, err
    assert rubric.read_bytes() == data


# --- the engine's arithmetic ---------------------------------------------------------------

TAOJIANG = read_rubric(RUBRIC).rubric
LEAVES = TAOJIANG.leaves()
REPORTED_FACTS = sorted(name for name, info in CATALOGUE.items() if info.reported)

amount = st.decimals(min_value=0, max_value=10**5, places=2)
fact_value = st.one_of(
    st.just(Decimal(0)),
    st.decimals(min_value=0, max_value=10**4, places=2),
    st.decimals(min_value=0, max_value=2, places=4),
)


def points_within(weight: Decimal) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=weight, places=1)


@st.composite
def self_assessments(draw) -> dict:
    scores: dict = {}
    for node in LEAVES:
        if draw(st.integers(0, 4)) == 0:
            continue  # not self-scored
        if isinstance(node.rule, Checklist):
            items = {i.id: str(draw(points_within(i.points))) for i in node.rule.items if draw(st.booleans())}
            scores[node.id] = {"items": items}
        else:
            entry: dict = {"score": str(draw(points_within(node.weight)))}
            if draw(st.integers(0, 5)) == 0:
                entry["reviewed"] = str(draw(points_within(node.weight)))
            scores[node.id] = entry
    return {"scores": scores}


@st.composite
def departments(draw) -> Department:
    maybe = lambda s: draw(st.one_of(st.none(), s))  # noqa: E731 - absent facts stay absent
    data = {
        "unit": "测试单位",
        "year": 2019,
        "rubric": str(RUBRIC),
        "basic_data": {
            "initial_budget": {"total": maybe(amount), "basic": maybe(amount), "project": maybe(amount)},
            "basic_spending": {"total": maybe(amount)},
            "projects": maybe(st.lists(st.fixed_dictionaries({"total": amount}), max_size=3)),
            "balance": {"total": maybe(amount)},
        },
        "budget": {
            "final": maybe(amount),
            "adjustments": maybe(
                st.lists(
                    st.fixed_dictionaries({"kind": st.sampled_from(["追加", "追减", "结构调整"]), "amount": amount}),
                    max_size=3,
                )
            ),
        },
        "sangong": {
            "budget": {"total": maybe(amount)},
            "prior_year_budget": {"total": maybe(amount)},
            "actual": {"total": maybe(amount)},
        },
        "facts": draw(st.dictionaries(st.sampled_from(REPORTED_FACTS), fact_value)),
        "self_assessment": draw(self_assessments()),
    }
    return Department.model_validate(data)


@settings(max_examples=150, deadline=None)
@given(dept=departments())
def test_every_score_stays_within_its_weight_and_parents_are_the_sum_of_children(dept):
    result = score(TAOJIANG, dept)
    for node in result.walk():
        for value in (node.score, node.low, node.high, node.audited_score, node.self_score):
            if value is not None:
                assert Decimal(0) <= value <= node.weight, (node.id, value)
        if node.is_leaf:
            assert node.status is not Status.OUT_OF_RANGE  # every self-score was drawn within [0, 分值]
            continue
        assert node.weight == sum(c.weight for c in node.children)
        selfs = [c.self_score for c in node.children]
        assert node.self_score == (None if None in selfs else sum(selfs))
        scores = [c.score for c in node.children]
        assert node.score == (None if None in scores else sum(scores))
        audited = [c.audited_score for c in node.children]  # blank is not 0: a partial sum is no sum
        assert node.audited_score == (None if None in audited else sum(audited))
    tops = result.nodes
    audited = [n.audited_score for n in tops]
    assert result.audited_total == (None if None in audited else sum(audited))
    selfs = [n.self_score for n in tops]
    assert result.self_total == (None if None in selfs else sum(selfs))


@settings(max_examples=60, deadline=None)
@given(
    dept=departments(),
    which=st.sampled_from([n for n in LEAVES if not isinstance(n.rule, Checklist)]),
    excess=st.decimals(min_value=Decimal("0.1"), max_value=100, places=1),
    below=st.booleans(),
)
def test_a_self_score_outside_its_weight_is_flagged_and_never_audited_outside_it(dept, which, excess, below):
    claimed = -excess if below else which.weight + excess
    scores = {**dept.self_assessment.scores}
    scores[which.id] = {"score": str(claimed)}
    dept = Department.model_validate(
        {
            **dept.model_dump(mode="python"),
            "self_assessment": {
                "scores": {k: (v if isinstance(v, dict) else v.model_dump()) for k, v in scores.items()}
            },
        }
    )
    node = next(n for n in score(TAOJIANG, dept).leaves() if n.id == which.id)
    assert node.status is Status.OUT_OF_RANGE
    if node.reviewed is None:
        assert Decimal(0) <= node.audited_score <= node.weight
