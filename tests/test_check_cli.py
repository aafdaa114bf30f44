"""`perfeval check` through the command line: exit codes, batches, the formats and their contracts."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from goldens import check_golden
from perfeval.cli import runner
from perfeval.cli.app import app
from perfeval.core.problems import Location, Problem
from perfeval.pipeline.reports import check_file
from perfeval.reporting.base import ReporterOptions, worst_first
from perfeval.reporting.github_reporter import github_line
from perfeval.reporting.json_reporter import file_dict
from perfeval.reporting.text_reporter import TextReporter
from test_check_findings import EXAMPLE, ROOT, mutated

GOLDEN = Path(__file__).parent / "golden" / "taojiang-check.txt"
WAGES = [["wages_welfare: 519.06", "wages_welfare: 529.06"]]
TOTAL = [["  total: 98.2", "  total: 97.2"]]


def invoke(*args: str):
    return CliRunner().invoke(app, ["check", *args])


@pytest.fixture
def county(tmp_path):
    """A small county: a good file, a broken one, a missing one, two with errors."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("unit: [县政府办\n", encoding="utf-8")
    return [
        mutated(tmp_path, [], "good.yaml"),
        broken,
        tmp_path / "missing.yaml",
        mutated(tmp_path, WAGES, "wages.yaml"),
        mutated(tmp_path, WAGES + TOTAL, "wages-and-total.yaml"),
    ]


# --- the example and its changed copies ---------------------------------------------------------


def test_taojiang_passes_and_shows_the_gap_the_audited_total_and_what_it_could_not_verify():
    result = invoke(str(EXAMPLE))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "警告：收入来源小计 1,048.50 万元与实际支出 1,295.87 万元" in out
    assert "相差 247.37 万元" in out and "追加 247.37 万元" in out
    assert "审核得分 98.2（优）" in out
    assert "无法核验 8 项" in out and "在职人员控制率（缺少在职人员数）" in out
    assert "结论：通过（0 个错误，9 个警告）" in out


@pytest.mark.parametrize(
    ("edits", "cell", "words"),
    [
        pytest.param(TOTAL, ":70:10:", ["自评总分 97.2", "各指标自评得分之和 98.2", "相差 1 分"], id="stated-total"),
        pytest.param(
            WAGES, ":25:12:", ["小计 1,196.42 万元", "工资福利支出 529.06", "相差 10.00 万元"], id="wages-cell"
        ),
    ],
)
def test_a_changed_copy_exits_1_naming_the_cells_and_the_difference(tmp_path, edits, cell, words):
    path = mutated(tmp_path, edits)
    result = invoke(str(path))
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith(str(path) + cell))
    assert "错误：" in line
    for w in words:
        assert w in line


def test_strict_counts_warnings():
    assert invoke("--strict", str(EXAMPLE)).exit_code == 1


def test_rubric_option_overrides_the_files_rubric(tmp_path):
    copy = tmp_path / "dept.yaml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")  # its rubric: no longer resolves
    assert invoke(str(copy)).exit_code == 2
    assert invoke("--rubric", str(ROOT / "rubrics" / "taojiang-2019.yaml"), str(copy)).exit_code == 0


def test_a_bad_rubric_option_is_reported_once(tmp_path):
    bad = tmp_path / "rubric.yaml"
    bad.write_text("format: perfeval/rubric@1\nid: [\n", encoding="utf-8")
    result = invoke("--rubric", str(bad), str(EXAMPLE), str(EXAMPLE))
    assert result.exit_code == 2
    assert result.output.count("YAML 语法错误") == 1


# --- batches ------------------------------------------------------------------------------------


def test_a_batch_reports_the_bad_files_and_checks_the_rest(county):
    result = invoke(*map(str, county))
    assert result.exit_code == 2  # the worst of its files
    out = result.output
    assert f"{county[1]}：无法读取，未审核" in result.stdout and "YAML 语法错误" in result.stderr
    assert f"{county[2]}: 错误：文件不存在" in result.stderr  # what could not be read: a diagnostic
    assert f"{county[3]}:25:12: 错误：实际支出·基本支出情况" in out  # checked after the broken ones
    assert out.index(str(county[0])) < out.index(str(county[1])) < out.index(str(county[3]))  # input order
    assert "共 5 个文件：5 个错误，27 个警告；2 个文件无法读取" in result.stderr  # the summary


def test_the_summary_table_puts_the_worst_first(county):
    result = invoke("--format", "json", *map(str, county))
    rows = json.loads(result.stdout)["summary"]["rows"]
    names = [Path(r["file"]).name for r in rows]
    assert names == ["broken.yaml", "missing.yaml", "wages-and-total.yaml", "wages.yaml", "good.yaml"]
    assert [r["exit_code"] for r in rows] == [2, 2, 1, 1, 0]
    text = invoke(*map(str, county)).output
    table = text[text.index("汇总（问题最多的在前）") :]
    assert [table.index(n) for n in names] == sorted(table.index(n) for n in names)


@pytest.mark.parametrize(
    ("files", "code"),
    [
        pytest.param(["good"], 0, id="good"),
        pytest.param(["good", "wages"], 1, id="good+errors"),
        pytest.param(["wages", "good", "missing"], 2, id="errors+unreadable"),
    ],
)
def test_the_exit_code_of_a_batch_is_the_worst_of_its_files(county, files, code):
    by_name = {p.stem: p for p in county}
    assert invoke(*(str(by_name[f]) for f in files)).exit_code == code


def test_jobs_keep_the_input_order_and_the_result(county):
    one = invoke("--format", "json", *map(str, county))
    two = invoke("--format", "json", "--jobs", "2", *map(str, county * 2))
    files_one = json.loads(one.stdout)["files"]
    files_two = json.loads(two.stdout)["files"]
    assert files_two == files_one + files_one
    assert two.exit_code == one.exit_code == 2


def test_no_progress_bar_when_stderr_is_not_a_terminal(county, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert runner._progress(5) is None
    monkeypatch.setattr(sys, "stderr", Tty())
    assert runner._progress(5) is not None
    assert runner._progress(1) is None  # one file: nothing to show
    result = CliRunner().invoke(app, ["check", "--format", "json", *map(str, county)])
    json.loads(result.stdout)  # stdout is the document and nothing else


# --- the JSON contract perfeval/check@2 ----------------------------------------------------------


def _no_floats(value, where="$"):
    if isinstance(value, float):
        raise AssertionError(f"{where} is a float: {value!r}")
    if isinstance(value, dict):
        for k, v in value.items():
            _no_floats(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_floats(v, f"{where}[{i}]")


def test_json_contract(county):
    result = invoke("--format", "json", *map(str, county))
    doc = json.loads(result.stdout)
    _no_floats(doc)
    assert doc["format"] == "perfeval/check@2"
    assert set(doc) == {"format", "tool", "strict", "files", "summary"}
    assert [f["file"] for f in doc["files"]] == list(map(str, county))
    good, broken = doc["files"][0], doc["files"][1]
    assert set(good) == {
        "file",
        "kind",
        "readable",
        "exit_code",
        "unit",
        "year",
        "illustrative",
        "rubric",
        "weight",
        "stated_total",
        "self_score",
        "score",
        "audited_score",
        "self_grade",
        "audited_grade",
        "status_counts",
        "partial",
        "listed_weight",
        "rounding",
        "counts",
        "problems",
        "indicators",
    }
    assert (good["stated_total"], good["self_score"], good["audited_score"]) == ("98.2", "98.2", "98.2")
    assert good["counts"] == {"error": 0, "warning": 9, "info": 0, "accepted": 0, "ignored": 0}
    assert good["exit_code"] == 0
    gap = good["problems"][0]
    assert set(gap) == {"code", "level", "message", "location", "path", "indicator", "amounts", "accepted"}
    assert gap["accepted"] is None
    assert gap["code"] == "income-spending-gap" and gap["level"] == "warning"
    assert gap["amounts"] == {"stated": "1048.5", "expected": "1295.87", "difference": "-247.37"}
    assert gap["location"] == {"file": str(county[0]), "line": 22, "col": 12}
    assert gap["path"] == ["basic_data", "income", "total"]
    staff = next(f for f in good["problems"] if f["indicator"] and f["indicator"]["id"] == "staff_control_rate")
    assert staff["indicator"] == {"id": "staff_control_rate", "name": "在职人员控制率"}
    leaf = next(i for i in good["indicators"] if i["id"] == "staff_control_rate")
    assert leaf["missing_facts"] == [{"name": "actual_staff", "label": "在职人员数"}]
    assert (leaf["status"], leaf["status_label"], leaf["audited_basis"]) == ("unverifiable", "无法核验", "unverified")
    assert len([i for i in good["indicators"] if "status" in i]) == 27
    assert broken["readable"] is False and broken["exit_code"] == 2 and "indicators" not in broken
    assert broken["problems"][0]["code"] == "yaml-syntax"
    assert doc["summary"]["exit_code"] == 2 and doc["summary"]["files"] == 5


def test_cli_json_equals_the_library_result(tmp_path):
    path = mutated(tmp_path, WAGES)
    doc = json.loads(invoke("--format", "json", str(path)).stdout)
    assert doc["files"] == [file_dict(check_file(path))]


# --- GitHub Actions annotations ------------------------------------------------------------------

ANNOTATION = re.compile(r"^::(error|warning) file=[^,:]+,line=\d+,col=\d+,title=[^:]+::\S.*$")


def test_github_annotations(tmp_path):
    path = mutated(tmp_path, WAGES)
    result = invoke("--format", "github", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(ANNOTATION.match(x) for x in lines), lines
    assert (
        f"::error file={path},line=25,col=12,title=perfeval sum-mismatch::实际支出·基本支出情况：小计 1,196.42 万元"
        in result.stdout
    )
    assert sum(x.startswith("::warning ") for x in lines) == 9


def test_github_escaping():
    f = Problem("over-claimed", "比率 23.59%\n第二行", Location("a,b:c.yaml", 3, 4))
    assert github_line(f, "x") == (  # a newline from an input file is shown as \n, as in the text output
        "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=perfeval over-claimed::比率 23.59%25\\n第二行"
    )
    unplaced = Problem("not-found", "文件不存在", Location("m.yaml"))
    assert github_line(unplaced, "m.yaml") == "::error file=m.yaml,title=perfeval not-found::文件不存在"


# --- the text output, as a golden file ----------------------------------------------------------


def text_reporter(command: str = "check", **options) -> TextReporter:
    return TextReporter(ReporterOptions(command, io.StringIO(), io.StringIO(), **options))


def test_golden_text_output(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("COLUMNS", raising=False)
    text, diagnostics = text_reporter(table=True).body(check_file("examples/taojiang-2019.yaml"))
    assert diagnostics == ""
    check_golden(GOLDEN, text)


def test_worst_first_keeps_input_order_among_equals():
    report = check_file(EXAMPLE)
    rows = [report.summary(i) for i in range(3)]
    assert [r.index for r in worst_first(rows)] == [0, 1, 2]


def test_reports_are_small_and_picklable():
    import pickle

    report = check_file(EXAMPLE)
    again = pickle.loads(pickle.dumps(report))
    assert file_dict(again) == file_dict(report)
    assert again.audited_total == Decimal("98.2")


def test_help_does_not_import_the_audit():
    code = "import sys; import perfeval.cli.app; print(sorted(m for m in sys.modules if m.startswith('perfeval.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "perfeval.core.audit" not in out and "perfeval.cli.commands.check" not in out


def test_every_format_has_a_reporter_and_every_command_offers_exactly_those():
    import typing

    from perfeval.cli import app as cli_app
    from perfeval.reporting.formats import Format
    from perfeval.reporting.registry import REPORTERS

    assert set(REPORTERS) == set(Format)
    for name in ("score", "check", "validate"):
        hint = typing.get_type_hints(getattr(cli_app, name), include_extras=True)["format"]
        assert Format in typing.get_args(typing.get_args(hint)[0]) or typing.get_args(hint)[0] is Format, name


def test_every_finding_code_is_documented():
    codes = set()
    for module in ("audit.py", "reconcile.py"):
        source = (ROOT / "src" / "perfeval" / "core" / module).read_text(encoding="utf-8")
        codes |= set(re.findall(r'(?:finding\(|add\()\s*"([a-z]+(?:-[a-z]+)+)"', source))
    assert len(codes) >= 15
    docs = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    assert [c for c in sorted(codes) if f"`{c}`" not in docs] == []


def test_plain_text_to_a_pipe_is_what_rich_would_print(county):
    reports = [check_file(p) for p in county]
    fast, rich_path = text_reporter(table=False, batch=True), text_reporter(table=False, batch=True)
    recorded = Console(file=io.StringIO(), record=True, width=120, color_system=None, force_terminal=False)
    rich_path.console, rich_path.plain = recorded, False
    assert fast.plain
    for r in reports:
        fast.file(r)
        rich_path.file(r)
    assert fast.o.out.getvalue() == recorded.export_text()


def test_plain_summary_is_aligned_in_display_cells_and_worst_first(county):
    from rich.cells import cell_len

    from perfeval.reporting.tables import plain_summary

    rows = [check_file(p).summary(i) for i, p in enumerate(county)]
    lines = plain_summary(rows).splitlines()
    assert lines[0] == "汇总（问题最多的在前）"
    table = lines[1:]
    assert len(table) == len(rows) + 2  # header, rule, one line per file
    # every right-aligned column ends at the same display cell on every line
    widths = {cell_len(line) for line in table}
    assert len(widths) == 1, table
    assert [line.split()[0] for line in table[2:]] == [r.file for r in worst_first(rows)]


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_jobs_render_in_workers_exactly_what_one_process_prints(county, fmt):
    one = invoke("--format", fmt, *map(str, county))
    two = invoke("--format", fmt, "--jobs", "2", *map(str, county * 3))
    if fmt == "json":
        assert json.loads(two.stdout)["files"] == json.loads(one.stdout)["files"] * 3
    elif fmt == "github":
        assert two.stdout == one.stdout * 3
    else:  # per-file blocks in order, then the summary of all of them
        blocks = one.stdout.split("\n汇总")[0]
        assert two.stdout.startswith("\n".join([blocks] * 3))
    assert two.exit_code == one.exit_code


def test_no_audit_workbook_when_no_department_could_be_read(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("unit: [县政府办\n", encoding="utf-8")
    out = tmp_path / "audit.xlsx"
    result = invoke("--output", str(out), str(broken))
    assert result.exit_code == 2
    assert "[no-readable-input]" in result.stderr and "未写出审核工作底稿" in result.stderr
    assert not out.exists()
