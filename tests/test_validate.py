"""`perfeval validate`: shipped files are valid; broken copies fail with the problem at its place."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.cli.runner import run_files
from perfeval.core.intervals import interval_problems, parse_interval
from perfeval.core.problems import ExitCode, Location, Problem
from perfeval.pipeline.settings import DEFAULT_SETTINGS
from perfeval.pipeline.validation import validate_file as validate_path
from perfeval.reporting.github_reporter import github_line

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "rubrics").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))
CASES_DIR = ROOT / "tests" / "cases" / "validate"
runner = CliRunner()


def _cases(name: str) -> list:
    cases = yaml.safe_load((CASES_DIR / name).read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["id"]) for c in cases]


def _mutate(case: dict, tmp_path: Path) -> Path:
    """A copy of the case's base file with its replacements applied, next to nothing else.

    With ``rubric_replace`` the department's rubric is copied beside it with those replacements."""
    text = (ROOT / case["base"]).read_text(encoding="utf-8")
    for old, new in case["replace"]:
        assert text.count(old) == 1, f"{case['id']}: {old!r} should occur exactly once in {case['base']}"
        text = text.replace(old, new)
    if "rubric_replace" in case:
        name = re.search(r"^rubric: \.\./rubrics/(\S+)$", text, re.M)
        assert name, f"{case['id']}: rubric_replace needs a base with rubric: ../rubrics/…"
        (tmp_path / "rubrics").mkdir(exist_ok=True)
        edits = {"id": case["id"], "base": f"rubrics/{name[1]}", "replace": case["rubric_replace"]}
        _mutate(edits, tmp_path / "rubrics")
        text = text.replace(f"rubric: ../rubrics/{name[1]}", f"rubric: rubrics/{name[1]}")
    # a department's rubric path is relative to the file; point it at the shipped rubric
    text = text.replace("rubric: ../rubrics/", f"rubric: {ROOT}/rubrics/")
    path = tmp_path / Path(case["base"]).name
    path.write_text(text, encoding="utf-8")
    return path


def _assert_problems(result, case: dict, path: Path) -> None:
    got = [(p.code, p.location.line, p.location.col, p.message) for p in result.problems]
    want = case["expect"]
    shown = "\n".join(f"  {c} {line}:{col} {m}" for c, line, col, m in got)
    assert len(got) == len(want), f"expected {len(want)} problems, got:\n{shown}"
    for (code, line, col, message), w in zip(got, want, strict=True):
        assert code == w["code"], shown
        assert line == w["line"], shown
        if "col" in w:
            assert col == w["col"], shown
        assert w["contains"] in message, shown
    for p in result.problems:
        if p.location.file != str(path):  # problems in the department's rubric are located there
            continue
        assert str(p).startswith(f"{path}:{p.location.line}:{p.location.col}: ")


def _exit_code(case: dict) -> ExitCode:
    """``exit`` if the case gives one (2: the file cannot be used at all), else 1 with problems, 0 without."""
    errors = [w for w in case["expect"] if w.get("level", "error") == "error"]  # warnings alone: 0
    return ExitCode(case.get("exit", case.get("exit_code", 1 if errors else 0)))


@pytest.mark.parametrize("path", SHIPPED, ids=[f"{p.parent.name}/{p.name}" for p in SHIPPED])
def test_every_shipped_file_validates(path: Path) -> None:
    result = validate_path(path)
    assert [p for p in result.problems if p.level != "info"] == []
    assert result.exit_code() == ExitCode.OK
    assert result.kind == ("rubric" if path.parent.name == "rubrics" else "department")
    if path.name not in ("hunan-county-2019-8pt.yaml", "yiyang-gsl-2019.yaml"):  # a partial table; a data file
        assert result.problems == []


def test_a_partial_table_is_reported_for_information() -> None:
    """A table that prints only part of its tree keeps its printed weights; validate says so and passes."""
    result = validate_path(ROOT / "rubrics" / "hunan-county-2019-8pt.yaml")
    got = [(p.code, p.level, p.location.line, p.message) for p in result.problems]
    assert got == [
        (
            "children-incomplete",
            "info",
            29,
            "评分表的总分为 100，本表只列出一级指标 74 分（投入 16、过程 58）；按表列总分保留，合计为部分得分",
        ),
        (
            "children-incomplete",
            "info",
            70,
            "process（过程）的分值为 58，本表只列出下级指标 16 分（预算完成率 8、预算控制率 8）；"
            "按表列分值保留，合计为部分得分",
        ),
    ]
    assert result.exit_code() == ExitCode.OK


@pytest.mark.parametrize("case", _cases("rubric.yaml"))
def test_broken_rubric(case: dict, tmp_path: Path) -> None:
    path = _mutate(case, tmp_path)
    result = validate_path(path)
    _assert_problems(result, case, path)
    assert result.exit_code() == _exit_code(case)


@pytest.mark.parametrize("case", _cases("department.yaml"))
def test_broken_department(case: dict, tmp_path: Path) -> None:
    path = _mutate(case, tmp_path)
    result = validate_path(path)
    _assert_problems(result, case, path)
    assert result.exit_code() == _exit_code(case)


# --- the command line ----------------------------------------------------------------------


def test_leaf_weight_changed_fails_with_the_node_location(tmp_path: Path) -> None:
    text = (ROOT / "rubrics/taojiang-2019.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "rubric.yaml"
    bad.write_text(
        text.replace("name: 预算完成率\n            weight: 2", "name: 预算完成率\n            weight: 3"),
        encoding="utf-8",
    )
    out = runner.invoke(app, ["validate", str(bad)])
    assert out.exit_code == 1
    assert out.stdout.startswith(
        f"{bad}:103:17: 错误：budget_execution（预算执行）的分值为 15，而下级指标分值之和为 16"
    )


def test_yaml_syntax_error_exits_2_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "rubric.yaml"
    bad.write_text("format: perfeval/rubric@1\nid: x\nlevels: [一级指标, 二级指标\nname: 表\n", encoding="utf-8")
    out = runner.invoke(app, ["validate", str(bad)])
    assert out.exit_code == 2
    assert out.stdout == ""  # a file that cannot be read: its problem is a diagnostic, on stderr
    line = out.stderr.splitlines()[0]
    assert line.startswith(f"{bad}:4:")
    assert "YAML 语法错误" in line


def test_missing_file_exits_2(tmp_path: Path) -> None:
    out = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert out.exit_code == 2
    assert "文件不存在" in out.stderr


def test_not_a_perfeval_file_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "ci.yaml"
    other.write_text("on: push\njobs: {}\n", encoding="utf-8")
    out = runner.invoke(app, ["validate", str(other)])
    assert out.exit_code == 2
    assert "看不出是评分表还是部门文件" in out.stderr


def test_unsupported_format_version_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "r.yaml"
    other.write_text("format: perfeval/rubric@9\nid: x\n", encoding="utf-8")
    out = runner.invoke(app, ["validate", str(other)])
    assert out.exit_code == 2
    assert f"{other}:1:9: 错误：format: 'perfeval/rubric@9' 不是 perfeval 的文件格式" in out.stderr


def test_a_batch_exits_with_its_worst_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n", encoding="utf-8")
    wrong = _mutate(
        {"id": "w", "base": "rubrics/hunan-county-2019.yaml", "replace": [["total: 100\n", "total: 99\n"]]}, tmp_path
    )
    good = ROOT / "rubrics/taojiang-2019.yaml"
    assert runner.invoke(app, ["validate", str(good)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(good), str(wrong)]).exit_code == 1
    out = runner.invoke(app, ["validate", str(wrong), str(broken), str(good)])
    assert out.exit_code == 2
    assert "已校验 3 个文件：2 个有问题（其中 1 个无法读取），共 2 处" in out.stderr


def test_department_whose_rubric_is_broken(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("format: perfeval/rubric@1\nid: x\nname: [\n", encoding="utf-8")
    dept = tmp_path / "dept.yaml"
    dept.write_text("format: perfeval/department@1\nunit: 单位\nyear: 2020\nrubric: rubric.yaml\n", encoding="utf-8")
    result = validate_path(dept)
    assert result.exit_code() == ExitCode.INPUT
    assert result.problems[0].code == "rubric-invalid"
    assert result.problems[0].location == Location(str(dept), 4, 9)
    assert result.problems[1].location.file == str(rubric)


# --- output formats --------------------------------------------------------------------------


def _broken_results(tmp_path: Path):
    wrong = _mutate(
        {"id": "w", "base": "rubrics/hunan-county-2019.yaml", "replace": [["total: 100\n", "total: 99\n"]]}, tmp_path
    )
    return wrong, [validate_path(wrong), validate_path(ROOT / "rubrics/hunan-county-2019.yaml")]


def _render(fmt: str, *paths: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code, _ = run_files("validate", list(paths), DEFAULT_SETTINGS, fmt, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_text_format_is_file_line_col_message(tmp_path: Path) -> None:
    wrong, _ = _broken_results(tmp_path)
    code, out, err = _render("text", wrong, ROOT / "rubrics/hunan-county-2019.yaml")
    assert code == 1
    assert out == (
        f"{wrong}:21:8: 错误：评分表总分为 99，而一级指标分值之和为 100（投入 19、过程 61、产出 10、效果 10）"
        " [total-weight-mismatch]\n"
    )
    assert err == "已校验 2 个文件：1 个有问题，共 1 处\n"


def test_json_format_equals_the_library_result(tmp_path: Path) -> None:
    wrong, results = _broken_results(tmp_path)
    out = runner.invoke(app, ["validate", "--format", "json", str(wrong), str(ROOT / "rubrics/hunan-county-2019.yaml")])
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    assert doc == json.loads(_render("json", *(r.file for r in results))[1])
    assert doc["format"] == "perfeval/validate@2" and doc["tool"]["name"] == "perfeval"
    assert [f["exit_code"] for f in doc["files"]] == [1, 0]
    assert doc["files"][0]["problems"][0] == {
        "code": "total-weight-mismatch",
        "level": "error",
        "message": "评分表总分为 99，而一级指标分值之和为 100（投入 19、过程 61、产出 10、效果 10）",
        "location": {"file": str(wrong), "line": 21, "col": 8},
        "path": ["total"],
        "indicator": None,
        "amounts": {},
        "accepted": None,
    }


def test_github_format(tmp_path: Path) -> None:
    wrong, _ = _broken_results(tmp_path)
    out = runner.invoke(app, ["validate", "-f", "github", str(wrong)])
    assert out.stdout == (
        f"::error file={wrong},line=21,col=8,title=perfeval total-weight-mismatch::评分表总分为 99，"
        "而一级指标分值之和为 100（投入 19、过程 61、产出 10、效果 10）\n"
    )


def test_github_format_is_the_default_in_github_actions(tmp_path: Path, monkeypatch) -> None:
    wrong, _ = _broken_results(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert runner.invoke(app, ["validate", str(wrong)]).stdout.startswith("::error file=")
    assert runner.invoke(app, ["validate", "-f", "text", str(wrong)]).stdout.startswith(f"{wrong}:21:8: ")


def test_github_escapes_what_would_break_an_annotation() -> None:
    p = Problem("not-found", "100% 不对\n第二行", Location("a,b:c.yaml", 3, 4), "warning")
    assert github_line(p, "a,b:c.yaml") == (
        "::warning file=a%2Cb%3Ac.yaml,line=3,col=4,title=perfeval not-found::100%25 不对\\n第二行"
    )


# --- intervals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bands", "domain", "problems"),
    [
        pytest.param(["[0, 0]", "(0, 0.1]", "(0.1, inf)"], "[0, inf)", [], id="zero-band-then-open-edges"),
        pytest.param(["[0.8, inf)", "[0.6, 0.8)", "[0, 0.6)"], "[0, inf)", [], id="listed-high-to-low"),
        pytest.param(["(-inf, 0]", "(0, inf)"], "[-1, inf)", [], id="wider-than-the-domain"),
        pytest.param(["[0, 0.5)", "(0.5, inf)"], "[0, inf)", ["空档 [50%, 50%]"], id="a-single-missing-point"),
        pytest.param(["[0, 0.5]", "[0.5, inf)"], "[0, inf)", ["重叠"], id="a-shared-closed-edge"),
        pytest.param(["(0, inf)"], "[0, inf)", ["下端"], id="open-at-the-domain-low-edge"),
        pytest.param(["[0, 1]"], "[0, inf)", ["上端"], id="bounded-above"),
        pytest.param(
            ["[0, 0.5)", "[0.5, 1)", "[1, inf)", "[0.2, 0.3)"],
            "[0, inf)",
            ["顺序", "[0, 0.5) 与 [0.2, 0.3) 重叠"],
            id="out-of-order-and-overlapping",
        ),
    ],
)
def test_interval_problems(bands: list[str], domain: str, problems: list[str]) -> None:
    found = interval_problems([parse_interval(b) for b in bands], parse_interval(domain))
    messages = [m for _, m in found]
    assert len(messages) == len(problems), messages
    for m, want in zip(messages, problems, strict=True):
        assert want in m
