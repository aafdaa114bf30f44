"""One stream policy for every command (docs/output.md): the requested report on stdout; the problems of a
file that could not be read, progress and summaries on stderr. ``json`` and ``github`` carry every file's
problems in the report itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
GOOD = str(ROOT / "examples" / "taojiang-2019.yaml")
RUBRIC = str(ROOT / "rubrics" / "taojiang-2019.yaml")


@pytest.fixture
def broken(tmp_path: Path) -> str:
    path = tmp_path / "broken.yaml"
    path.write_text("unit: [县政府办\n", encoding="utf-8")
    return str(path)


def run(*args: str):
    return CliRunner().invoke(app, list(args))


# (command and arguments, with {good} / {broken}) → what goes where
CASES = [
    # score: one file; its table on stdout, or its problems on stderr
    ("score {good}", 0, ["合计", "98.2"], []),
    ("score {broken}", 2, [], ["YAML 语法错误", "[yaml-syntax]"]),
    # check: each file's audit on stdout (an unreadable one mentioned), its problems and the summary on stderr
    (
        "check {good} {broken}",
        2,
        ["结论：通过", "无法读取，未审核"],
        ["YAML 语法错误", "汇总（问题最多的在前）", "共 2 个文件"],
    ),
    # validate: problems of readable files on stdout, unreadable ones and the summary on stderr
    ("validate {rubric} {broken}", 2, [], ["YAML 语法错误", "已校验 2 个文件"]),
]


@pytest.mark.parametrize(("args", "code", "stdout", "stderr"), CASES, ids=[c[0].split()[0] + "-text" for c in CASES])
def test_text(args, code, stdout, stderr, broken) -> None:
    result = run(*args.format(good=GOOD, broken=broken, rubric=RUBRIC).split())
    assert result.exit_code == code
    for words in stdout:
        assert words in result.stdout, result.stdout
    for words in stderr:
        assert words in result.stderr, result.stderr
        assert words not in result.stdout
    assert "YAML 语法错误" not in result.stdout  # a diagnostic, never in the report


@pytest.mark.parametrize("command", ["score", "check", "validate"])
def test_json_is_the_whole_report_on_stdout(command: str, broken: str) -> None:
    result = run(command, "--format", "json", broken)
    assert result.exit_code == 2
    doc = json.loads(result.stdout)  # stdout is one document and nothing else
    files = [doc] if command == "score" else doc["files"]
    assert files[0]["readable"] is False and files[0]["problems"][0]["code"] == "yaml-syntax"
    assert "YAML 语法错误" not in result.stderr
    if command != "score":
        assert result.stderr.startswith(("共 1 个文件", "已校验 1 个文件"))  # the human one-liner


@pytest.mark.parametrize("command", ["score", "check", "validate"])
def test_github_annotations_on_stdout_and_a_total_on_stderr(command: str, broken: str) -> None:
    result = run(command, "--format", "github", broken)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"::error file={broken},line=")
    assert all(line.startswith("::") for line in result.stdout.splitlines())
    assert "个文件" in result.stderr


def test_init_and_convert_say_what_they_wrote_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "dept.yaml"
    result = run("init", "--rubric", RUBRIC, "--output", str(out))
    assert result.exit_code == 0 and result.stdout == "" and str(out) in result.stderr
    converted = tmp_path / "copy.yaml"
    result = run("convert", GOOD, str(converted))
    assert result.exit_code == 0 and result.stdout == "" and str(converted) in result.stderr


def test_schema_is_the_report(tmp_path: Path) -> None:
    result = run("schema", "rubric")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout)["title"]
