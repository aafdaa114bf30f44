"""The command line: a thin shell around the pure core. Each command picks an exit code.

Heavy or optional modules are imported inside the command that needs them, so that
``perfeval --help`` and ``--version`` start as fast as the tool's own imports allow.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from perfeval import __version__
from perfeval.core.problems import ExitCode, InputError
from perfeval.reporting.formats import Format

app = typer.Typer(
    name="perfeval",
    help="部门整体支出绩效评价：按评分表核算得分（score）、审核自评（check）、校验文件（validate）。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"perfeval {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="显示版本并退出")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示 Python 调用栈（供开发者排查）")] = False,
) -> None:
    """perfeval — 部门整体支出绩效评价的核算与审核工具。"""
    state["debug"] = debug
    if debug or "perfeval.pipeline.reports" in sys.modules:  # keep and show the stack of input errors too
        from perfeval.pipeline import reports
        from perfeval.reporting import diagnostics

        reports.KEEP_TRACES = diagnostics.DEBUG = debug


state: dict[str, bool] = {"debug": False}

RubricOption = Annotated[
    Path | None, typer.Option("--rubric", "-r", help="评分表文件；默认用部门文件中 rubric 指向的文件", readable=False)
]


@app.command()
def score(
    department: Annotated[Path, typer.Argument(help="部门文件（YAML 或 .xlsx）", show_default=False, readable=False)],
    rubric: RubricOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="输出格式")] = Format.text,
) -> None:
    """核算一个部门的得分：逐项列出分值、自评得分和按规则核算的得分。"""
    from perfeval.cli.commands.score import run

    raise typer.Exit(run(department, rubric, format.value))


@app.command()
def check(
    departments: Annotated[
        list[Path],
        typer.Argument(help="部门文件（YAML 或 .xlsx），可给多个", show_default=False, metavar="DEPT", readable=False),
    ],
    rubric: RubricOption = None,
    format: Annotated[
        Format,
        typer.Option(
            "--format", "-f", help="输出格式：text（表格）、json（perfeval/check@2）、github（GitHub Actions 注释）"
        ),
    ] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="警告也算未通过（退出码 1）")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="并行进程数；0 表示按 CPU 核数", min=0)] = 1,
    table: Annotated[
        bool | None,
        typer.Option("--table/--no-table", help="是否列出审核后的评分表；默认只审核一个文件时列出", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="另存审核结果工作簿（.xlsx）：审核后的评分表、问题清单、汇总", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖它")] = False,
) -> None:
    """审核自评：逐项核对自评得分、核对基础数据表，给出审核得分；可一次审核多个部门。"""
    from perfeval.cli.commands.check import run

    raise typer.Exit(
        run(departments, rubric, format.value, strict=strict, jobs=jobs, table=table, output=output, force=force)
    )


class SchemaName(StrEnum):
    rubric = "rubric"
    department = "department"


@app.command()
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(help="评分表或部门文件（按 format: 区分），可多个", show_default=False, readable=False),
    ],
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="输出格式：text（file:line:col: 说明）、json、github（GitHub Actions 注释）；"
            "默认 text，在 GitHub Actions 中为 github",
        ),
    ] = None,
) -> None:
    """校验评分表与部门文件：分值汇总、分档、公式、自评得分是否齐全。退出码 0 有效，1 有问题，2 无法读取。"""
    from perfeval.cli.commands.validate import run

    raise typer.Exit(run(files, format.value if format else None))


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="rubric（评分表）或 department（部门文件）", show_default=False)],
) -> None:
    """输出评分表或部门文件的 JSON Schema（供编辑器校验与补全）。"""
    from perfeval.cli.commands.schema import run

    raise typer.Exit(run(name.value))


ForceOption = Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖它")]


@app.command()
def init(
    rubric: Annotated[
        Path, typer.Option("--rubric", "-r", help="评分表文件（YAML）", show_default=False, readable=False)
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="要生成的填报文件：.xlsx 工作簿或 .yaml", show_default=False)
    ],
    force: ForceOption = False,
) -> None:
    """按评分表生成一个部门的填报文件：.xlsx（附件1 基础数据表、附件2 评分表、指标数据）或带注释的 .yaml。"""
    from perfeval.cli.commands.init import run

    raise typer.Exit(run(rubric, output, force))


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="部门文件（YAML 或 .xlsx）", show_default=False, readable=False)],
    target: Annotated[Path, typer.Argument(help="输出文件（.xlsx 或 .yaml）", show_default=False, readable=False)],
    rubric: RubricOption = None,
    force: ForceOption = False,
) -> None:
    """在 YAML 与 .xlsx 工作簿之间转换部门文件，不丢失任何数据。"""
    from perfeval.cli.commands.convert import run

    raise typer.Exit(run(source, target, rubric, force))


def _output_failed(exc: OSError) -> int:
    """stdout could not be written (a full disk, a closed terminal): say so on stderr, exit 2."""
    import errno

    why = {errno.ENOSPC: "磁盘已满", errno.EIO: "输出设备读写出错", errno.EDQUOT: "超出磁盘配额"}.get(
        exc.errno or 0, exc.strerror or type(exc).__name__
    )
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more goes to the broken stream
        print(f"perfeval：无法写出结果（{why}）；请检查输出位置的可用空间后重试", file=sys.stderr)
    except OSError:
        pass
    return ExitCode.INPUT


def main(argv: list[str] | None = None) -> None:
    """The ``perfeval`` entry point: every failure ends in a message and a named exit code.

    Input problems are reported by the commands (exit 2). Anything else is a defect in
    perfeval: one line and exit 3, or the full Python stack with ``--debug``.
    """
    state["debug"] = "--debug" in (sys.argv[1:] if argv is None else argv)
    # The command line uses no pydantic plugins; looking them up scans every installed
    # distribution's entry points (importlib.metadata) on the first model built: ~15 ms a run.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code: int | str | None = 0
    try:
        app(args=argv, prog_name="perfeval")
    except SystemExit as done:
        code = done.code
    except InputError as err:  # a command that let one through
        from perfeval.reporting.diagnostics import print_problems

        code = print_problems(err.problems)
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # `perfeval score … | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = ExitCode.FINDINGS
    except OSError as exc:
        if exc.errno is None or not _is_stdout_error(exc):
            code = _internal_error()
        else:
            code = _output_failed(exc)
    except Exception:
        code = _internal_error()
    try:  # what is buffered must reach its reader before the exit code says it did
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        code = _output_failed(exc)
    sys.exit(code)


def _is_stdout_error(exc: OSError) -> bool:
    import errno

    return exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG)


def _internal_error() -> int:
    if state.get("debug"):
        raise  # noqa: PLE0704 - re-raised from the handler that called us
    import traceback

    print("perfeval 内部错误（这是程序的缺陷，不是您文件的问题）。请带上 --debug 重新运行并报告：", file=sys.stderr)
    print("".join(traceback.format_exception_only(*sys.exc_info()[:2])).strip(), file=sys.stderr)
    return ExitCode.INTERNAL
