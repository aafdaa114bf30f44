"""The command line speaks one language: every help page and every usage error in Chinese, ``-h`` everywhere,
examples and exit codes in every help, metavars that name what to give (部门文件), shell completion that installs.

Usage errors are the command line's problem: exit code 2, on stderr, with the usage line and where the help is.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.cli.help import cells, wrap

COMMANDS = ["score", "check", "validate", "schema", "rubrics", "init", "convert"]
# what typer and click would have said; none of it may reach a user
ENGLISH = re.compile(
    r"Usage:|Options:|Arguments:|Commands:|Show this message|\[required\]|default:|No such|Invalid value|"
    r"Missing (argument|option|parameter|command)|Try '|Error:|Got unexpected|requires an argument|"
    r"<list|<int|<path|<text|\{DEPT|Install completion|Did you mean|Possible options"
)


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.parametrize("command", [None, *COMMANDS])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_help_page_is_chinese_with_examples_and_exit_codes(command: str | None, flag: str) -> None:
    result = run(*([command] if command else []), flag)
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith(f"用法：perfeval {command + ' ' if command else ''}")
    assert "示例：" in page and "退出码：0" in page
    examples = page.split("示例：", 1)[1].split("退出码", 1)[0]
    assert len(re.findall(r"^  perfeval ", examples, re.MULTILINE)) >= 2
    assert "显示本帮助并退出" in page and "-h, --help" in page
    assert not ENGLISH.search(page), ENGLISH.search(page)


def test_the_top_help_lists_every_command_and_completion() -> None:
    page = run("-h").stdout
    for command in COMMANDS:
        assert re.search(rf"^  {command} ", page, re.MULTILINE), command
    assert "--install-completion" in page and "安装命令补全" in page


def test_metavars_name_what_to_give() -> None:
    assert run("check", "-h").stdout.startswith("用法：perfeval check [选项] 部门文件...\n")
    assert "用法：perfeval init --rubric 评分表 --output 输出文件 [选项]" in run("init", "-h").stdout
    convert = run("convert", "-h").stdout
    assert "用法：perfeval convert [选项] 部门文件 输出文件" in convert
    assert "-r, --rubric 评分表" in convert


def test_help_columns_align_in_terminal_cells() -> None:
    """A CJK character takes two cells: the help texts of one list start in one column."""
    page = run("check", "-h").stdout
    options = page.split("选项：\n", 1)[1].split("\n\n", 1)[0].splitlines()
    starts = {cells(re.match(r"^(  \S.*?\S)  +", line)[0]) for line in options if line.startswith("  -")}
    assert len(starts) == 1, options


def test_wrapped_lines_keep_punctuation_with_its_text() -> None:
    lines = wrap("输出格式：text（表格）、json（perfeval/check@2）、github（GitHub Actions 注释）", 24)
    assert all(cells(line) <= 26 for line in lines)
    assert not any(line[0] in "）。、；" for line in lines)
    assert not any(line.endswith("（") for line in lines)


# (arguments, what the Chinese message says)
USAGE_ERRORS = [
    (["check", "--bogus", "x.yaml"], "没有选项 --bogus"),
    (["check", "--strct", "x.yaml"], "--strict？"),
    (["check", "--format", "xml", "x.yaml"], "--format/-f 的值 'xml' 无效：应为 text、json、github 之一"),
    (["check", "--jobs", "-3", "x.yaml"], "--jobs/-j 的值 '-3' 无效：应为不小于 0 的整数"),
    (["check", "--jobs", "many", "x.yaml"], "--jobs/-j 的值 'many' 无效"),
    (["check"], "缺少参数 部门文件..."),
    (["init", "--output", "x.xlsx"], "缺少选项 --rubric/-r"),
    (["init", "-r"], "选项 -r 后面需要给出一个值"),
    (["score", "a.yaml", "b.yaml"], "多余的参数：b.yaml"),
    (["chek", "x.yaml"], "没有命令 chek（是否想写 check"),
    (["schema", "rubrc"], "的值 'rubrc' 无效：应为 rubric、department 之一"),
    (["--strict"], "没有选项 --strict"),
]


@pytest.mark.parametrize(("args", "says"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors_are_chinese_and_exit_2(args: list[str], says: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    err = result.stderr
    assert says in err, err
    assert err.startswith("用法：perfeval") and "错误：" in err and "-h 查看帮助" in err
    assert not ENGLISH.search(err), ENGLISH.search(err)


def test_perfeval_alone_shows_the_help_as_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("用法：perfeval [选项] 命令 [参数]...")


def perfeval(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """perfeval in its own process: typer reads the completion settings when it builds the command."""
    return subprocess.run(
        [sys.executable, "-m", "perfeval", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_completion_installs_and_completes(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = perfeval("--install-completion", "bash", env=env)
    assert result.returncode == 0, result.stderr
    assert "已为 bash 安装 perfeval 的命令补全" in result.stdout
    script = tmp_path / ".bash_completions" / "perfeval.sh"
    assert script.is_file() and "_PERFEVAL_COMPLETE" in script.read_text(encoding="utf-8")
    assert str(script) in (tmp_path / ".bashrc").read_text(encoding="utf-8")
    shown = perfeval("--show-completion", "zsh", env=env)
    assert shown.returncode == 0 and "compdef perfeval" in shown.stdout
    # what the installed script asks: the commands that start with "ch", the formats that start with "j"
    complete = {"_PERFEVAL_COMPLETE": "complete_bash", "COMP_WORDS": "perfeval ch", "COMP_CWORD": "1"}
    assert perfeval(env=complete).stdout.split() == ["check"]
    complete.update(COMP_WORDS="perfeval check --format j", COMP_CWORD="3")
    assert perfeval(env=complete).stdout.split() == ["json"]


def test_an_unsupported_shell_is_told_in_chinese(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = perfeval("--install-completion", "tcsh", env=env)
    assert result.returncode == 2
    assert "--install-completion 的值 'tcsh' 无效" in result.stderr
    assert not ENGLISH.search(result.stderr)


def test_help_and_version_do_not_load_the_pipeline() -> None:
    """(typer 0.29 itself imports pydantic to parse the options of a command: that is not ours to avoid.)"""
    code = (
        "import sys\nfrom perfeval.cli.app import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('perfeval.pipeline', 'perfeval.core.audit', 'rich', "
        "'perfeval.fileio', 'perfeval.reporting.text'))), file=sys.stderr)"
    )
    for args in (["--help"], ["check", "-h"], ["--version"]):
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env={**os.environ}, check=False
        )
        assert done.stderr.strip().splitlines()[-1] == "[]", (args, done.stderr)
