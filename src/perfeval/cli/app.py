"""The command line: a thin shell around the pure core. Each command picks an exit code.

Heavy or optional modules are imported inside the command that needs them, so that
``perfeval --help`` and ``--version`` start as fast as the tool's own imports allow.

Why this module is long: each command's options, metavars and Chinese help — with its examples and
exit codes — are declared here, one block per command; the work is in ``commands/``.

Without ``from __future__ import annotations``: typer reads every command's parameters from their
annotations when it builds the command line, and would otherwise compile each one from its text (~3 ms).
"""

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from perfeval import __version__
from perfeval.cli.help import Command, Group, cells
from perfeval.core.problems import ExitCode, InputError
from perfeval.reporting.formats import Format

if TYPE_CHECKING:
    from perfeval.cli.settings import Options
    from perfeval.core.sampling import SampleRequest

# the exit codes, as each command's help states them
_EXIT_CHECK = (
    "退出码：0 没有错误级问题 · 1 有错误级问题（加 --strict 时警告也算） · "
    "2 有文件无法读取或无效，或命令用法有误 · 3 perfeval 内部错误"
)
_EXIT_VALIDATE = "退出码：0 全部有效 · 1 发现问题 · 2 有文件无法读取，或命令用法有误 · 3 perfeval 内部错误"
_EXIT_WRITE = (
    "退出码：0 已写出 · 2 输入无法读取或无效、输出文件已存在（可加 --force）或命令用法有误 · 3 perfeval 内部错误"
)
_EXIT_PRINT = "退出码：0 完成 · 2 命令用法有误 · 3 perfeval 内部错误"


def _epilog(examples: list[tuple[str, str]], exit_codes: str) -> str:
    width = max(cells(command) for command, _ in examples)
    lines = ["示例："] + [f"  {command}{' ' * (width - cells(command))}  # {what}" for command, what in examples]
    return "\n".join([*lines, "", exit_codes])


app = typer.Typer(
    name="perfeval",
    cls=Group,
    help="部门整体支出绩效评价：按评分表核算得分（score）、审核自评并写出工作底稿与报告（check、report）、校验文件（validate），"
    "生成与转换填报工作簿（init、convert），从自评报告提取部门文件（extract）。",
    epilog=_epilog(
        [
            ("perfeval score examples/taojiang-2019.yaml", "逐项核算一个部门的得分"),
            ("perfeval check depts/", "审核文件夹中的每个部门文件"),
            ("perfeval init -r hunan-county-2019 -o 填报.xlsx", "按自带评分表生成填报工作簿"),
        ],
        "退出码：0 完成 · 1 发现错误级问题（check、validate） · 2 输入无法读取或无效，或命令用法有误 · "
        "3 perfeval 内部错误\n每个命令的说明与示例：perfeval 命令 -h",
    ),
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"perfeval {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    # a plain flag (bool, default False): typer coerces a value that is not already a bool through a
    # pydantic TypeAdapter, which would import pydantic for `perfeval score --help`
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="显示版本并退出")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示 Python 调用栈（供开发者排查）")] = False,
) -> None:
    """perfeval — 部门整体支出绩效评价的核算与审核工具。"""
    state["debug"] = debug
    if debug or "perfeval.pipeline.reports" in sys.modules:  # keep and show the stack of input errors too
        from perfeval.pipeline import reports
        from perfeval.reporting import diagnostics

        reports.KEEP_TRACES = diagnostics.DEBUG = debug


state: dict[str, bool] = {"debug": False}

RUBRIC_HELP = "评分表：文件路径，或自带评分表的标识（见 perfeval rubrics）"
RubricOption = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        help=RUBRIC_HELP + "；默认用部门文件中 rubric 所指的评分表，文件未写时用配置文件的 rubric",
        metavar="评分表",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖它")]
FORMAT_METAVAR = "text|json|github"

# the configuration file and the choice of codes (docs/config.md), shared by the commands that read departments
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="配置文件（perfeval.toml，或含 [tool.perfeval] 的 pyproject.toml）；默认从当前文件夹向上查找",
        metavar="配置文件",
        show_default=False,
        readable=False,
    ),
]
IsolatedOption = Annotated[bool, typer.Option("--isolated", "--no-config", help="不读取任何配置文件")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="在错误输出中说明用了哪个配置文件")]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        help="只报告这些问题代码（可重复，或用逗号分隔）；替换配置文件的 select 与 ignore",
        metavar="代码",
        show_default=False,
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore",
        help="不报告这些问题代码（可重复，或用逗号分隔），并说明忽略了几个；加在配置文件的 ignore 上",
        metavar="代码",
        show_default=False,
    ),
]


class SampleBy(StrEnum):
    size_zh = "资金规模"
    deviation_zh = "偏差"
    random = "random"
    size = "size"
    deviation = "deviation"


SampleOption = Annotated[
    int | None,
    typer.Option(
        "--sample",
        min=1,
        help="抽取 N 个单位作重点评价，列出抽样结果和每个单位的抽取理由",
        metavar="N",
        show_default=False,
    ),
]
ByOption = Annotated[
    SampleBy | None,
    typer.Option(
        "--by",
        help="抽样依据：资金规模（size，实际支出最大的）、偏差（deviation，自评−审核最大的）、random（随机）；默认资金规模",
        metavar="资金规模|偏差|random",
        show_default=False,
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed", help="随机抽样（--by random）的种子，同一种子抽到同样的单位；不给时随机取一个并显示", metavar="种子"
    ),
]


def _options(
    config: Path | None, isolated: bool, verbose: bool, select: list[str] | None = None, ignore: list[str] | None = None
) -> "Options":
    from perfeval.cli.settings import Options

    return Options(None, config, isolated, verbose, select, ignore)


def _sample(size: int | None, by: SampleBy | None, seed: int | None) -> "SampleRequest | None":
    """``--sample`` as a request; its usage mistakes said in Chinese (exit 2)."""
    from perfeval.cli.settings import sample_request
    from perfeval.reporting.diagnostics import print_problems

    try:
        return sample_request(size, by.value if by is not None else None, seed)
    except InputError as err:
        raise typer.Exit(print_problems(err.problems)) from None


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval score examples/taojiang-2019.yaml", "逐项列出分值、自评得分、核算得分"),
            ("perfeval score 县政府办-2019.xlsx", "工作簿与 YAML 结果相同"),
            ("perfeval score dept.yaml -r hunan-county-2019 -f json", "换用自带评分表，输出 JSON"),
        ],
        "退出码：0 完成 · 2 文件无法读取或无效（含自评得分超出分值），或命令用法有误 · 3 perfeval 内部错误",
    ),
)
def score(
    department: Annotated[
        Path,
        typer.Argument(help="部门文件（YAML 或 .xlsx 工作簿）", show_default=False, metavar="部门文件", readable=False),
    ],
    rubric: RubricOption = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="输出格式：text（表格）、json（perfeval/score@2）、github（GitHub Actions 注释）；默认 text，或配置文件的 format",
            metavar=FORMAT_METAVAR,
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    verbose: VerboseOption = False,
) -> None:
    """核算一个部门的得分：逐项列出分值、自评得分和按规则核算的得分。"""
    from perfeval.cli.commands.score import run

    options = _options(config, isolated, verbose)
    raise typer.Exit(run(department, rubric, format.value if format else None, options))


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval check examples/taojiang-2019.yaml", "审核后的评分表和每条问题"),
            ("perfeval check depts/ --format json > audit.json", "一个文件夹（含子文件夹），JSON 输出"),
            ('perfeval check "depts/*.xlsx" -o 审核结果.xlsx', "通配符；审核结果另存为工作簿"),
        ],
        _EXIT_CHECK,
    ),
)
def check(
    departments: Annotated[
        list[Path],
        typer.Argument(
            help="部门文件（YAML 或 .xlsx）、文件夹或通配符，可给多个；文件夹中不是部门文件的会跳过",
            show_default=False,
            metavar="部门文件",
            readable=False,
        ),
    ],
    rubric: RubricOption = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="输出格式：text（表格）、json（perfeval/check@2）、github（GitHub Actions 注释）；默认 text，或配置文件的 format",
            metavar=FORMAT_METAVAR,
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="警告也算未通过（退出码 1）")] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="并行进程数；0 表示按 CPU 核数", min=0, metavar="进程数")
    ] = 1,
    table: Annotated[
        bool | None,
        typer.Option("--table/--no-table", help="是否列出审核后的评分表；默认只审核一个文件时列出", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="另存审核工作底稿（.xlsx）：汇总、指标明细、问题清单",
            show_default=False,
            metavar="输出文件",
        ),
    ] = None,
    force: ForceOption = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    sample: SampleOption = None,
    by: ByOption = None,
    seed: SeedOption = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    verbose: VerboseOption = False,
) -> None:
    """审核自评：逐项核对自评得分、核对基础数据表，给出审核得分；可一次审核多个部门。"""
    from perfeval.cli.commands.check import run

    raise typer.Exit(
        run(
            departments,
            rubric,
            format.value if format else None,
            strict=strict,
            jobs=jobs,
            table=table,
            output=output,
            force=force,
            options=_options(config, isolated, verbose, select, ignore),
            sample=_sample(sample, by, seed),
        )
    )


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval report depts/ -o 审核报告.html", "一个文件夹的审核报告，可在浏览器中查看和打印"),
            ('perfeval report "depts/*.yaml" -r hunan-county-2019 -o review.html', "通配符，指定评分表"),
        ],
        _EXIT_CHECK,
    ),
)
def report(
    departments: Annotated[
        list[Path],
        typer.Argument(
            help="部门文件（YAML 或 .xlsx）、文件夹或通配符，可给多个",
            show_default=False,
            metavar="部门文件",
            readable=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="审核报告（.html）：等级分布、自评与审核得分、红黑榜、问题分布、各单位评分表",
            show_default=False,
            metavar="输出文件",
        ),
    ],
    rubric: RubricOption = None,
    force: ForceOption = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    sample: SampleOption = None,
    by: ByOption = None,
    seed: SeedOption = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    verbose: VerboseOption = False,
) -> None:
    """写出审核报告：一个自带样式与图表、可直接打印的 HTML 文件。"""
    from perfeval.cli.commands.report import run

    options = _options(config, isolated, verbose, select, ignore)
    raise typer.Exit(run(departments, rubric, output, force, options=options, sample=_sample(sample, by, seed)))


class SchemaName(StrEnum):
    rubric = "rubric"
    department = "department"


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval validate rubrics/*.yaml examples/*.yaml", "file:line:col: 说明"),
            ("perfeval validate 评分表/ 部门/", "文件夹中的评分表和部门文件"),
            ("perfeval validate -f json dept.yaml", "JSON 输出（perfeval/validate@1）"),
        ],
        _EXIT_VALIDATE,
    ),
)
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="评分表或部门文件（按 format: 区分）、文件夹或通配符，可给多个",
            show_default=False,
            metavar="文件",
            readable=False,
        ),
    ],
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="输出格式：text（file:line:col: 说明）、json、github（GitHub Actions 注释）；"
            "默认 text，在 GitHub Actions 中为 github",
            metavar=FORMAT_METAVAR,
            show_default=False,
        ),
    ] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    verbose: VerboseOption = False,
) -> None:
    """校验评分表与部门文件：分值汇总、分档、公式、自评得分是否齐全。"""
    from perfeval.cli.commands.validate import run

    options = _options(config, isolated, verbose, select, ignore)
    raise typer.Exit(run(files, format.value if format else None, options))


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval schema rubric > rubric.schema.json", "输出评分表的 JSON Schema"),
            ("perfeval schema department --where", "只显示随附的 Schema 文件在哪里"),
        ],
        _EXIT_PRINT,
    ),
)
def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(
            help="rubric（评分表）或 department（部门文件）", show_default=False, metavar="rubric|department"
        ),
    ],
    where: Annotated[
        bool, typer.Option("--where", help="不输出 Schema，只显示随附的 Schema 文件的路径（供编辑器的 $schema 使用）")
    ] = False,
    rubric: Annotated[
        str | None,
        typer.Option(
            "--rubric",
            "-r",
            help="部门文件的 Schema 只接受这个评分表的事实和指标（未声明的事实名、不存在的指标都会标红）",
            metavar="评分表",
        ),
    ] = None,
) -> None:
    """输出评分表或部门文件的 JSON Schema（供编辑器校验与补全）。"""
    from perfeval.cli.commands.schema import run

    raise typer.Exit(run(name.value, where=where, rubric=rubric))


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval rubrics", "列出自带的评分表"),
            ("perfeval init -r hunan-county-2019 -o 填报.xlsx", "用其标识生成填报工作簿"),
        ],
        _EXIT_PRINT,
    ),
)
def rubrics(
    paths: Annotated[bool, typer.Option("--paths", help="同时显示每个评分表文件的位置")] = False,
) -> None:
    """列出 perfeval 自带的评分表：标识、名称、年度、来源。标识可用在 --rubric 和部门文件的 rubric: 中。"""
    from perfeval.cli.commands.rubrics import run

    raise typer.Exit(run(paths))


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval init -r hunan-county-2019 -o 县政府办-2019.xlsx", "填报工作簿（附件1、附件2、指标数据）"),
            ("perfeval init -r rubrics/taojiang-2019.yaml -o dept.yaml", "带注释的 YAML 填报文件"),
            ("perfeval init -r taojiang-2019 -o 填报/dept.xlsx --force", "覆盖已有文件；文件夹不存在时自动建立"),
        ],
        _EXIT_WRITE,
    ),
)
def init(
    rubric: Annotated[str, typer.Option("--rubric", "-r", help=RUBRIC_HELP, show_default=False, metavar="评分表")],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="要生成的填报文件：.xlsx 工作簿或 .yaml", show_default=False, metavar="输出文件"
        ),
    ],
    force: ForceOption = False,
) -> None:
    """按评分表生成一个部门的填报文件：.xlsx（附件1 基础数据表、附件2 评分表、指标数据，平台自评表另有部门特性指标）或带注释的 .yaml。"""
    from perfeval.cli.commands.init import run

    raise typer.Exit(run(rubric, output, force))


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval convert examples/taojiang-2019.yaml out/taojiang.xlsx", "YAML → 工作簿（建立 out/）"),
            ("perfeval convert 县政府办-2019.xlsx 县政府办-2019.yaml", "工作簿 → YAML，不丢数据"),
            ("perfeval convert dept.yaml dept.xlsx -r hunan-county-2019 --force", "换用评分表并覆盖"),
        ],
        _EXIT_WRITE,
    ),
)
def convert(
    source: Annotated[
        Path, typer.Argument(help="部门文件（YAML 或 .xlsx）", show_default=False, metavar="部门文件", readable=False)
    ],
    target: Annotated[
        Path, typer.Argument(help="输出文件（.xlsx 或 .yaml）", show_default=False, metavar="输出文件", readable=False)
    ],
    rubric: RubricOption = None,
    force: ForceOption = False,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    verbose: VerboseOption = False,
) -> None:
    """在 YAML 与 .xlsx 工作簿之间转换部门文件，不丢失任何数据。"""
    from perfeval.cli.commands.convert import run

    raise typer.Exit(run(source, target, rubric, force, _options(config, isolated, verbose)))


@app.command(
    cls=Command,
    epilog=_epilog(
        [
            ("perfeval extract 自评报告.pdf -r taojiang-2019 -o dept.yaml", "从 PDF 报告提取部门文件"),
            ("perfeval extract 自评报告.docx -o dept.yaml", "Word 报告；评分表按表中指标名称自动匹配"),
            ("perfeval extract report.txt -r rubrics/x.yaml -o out/dept.yaml --force", "文本报告，覆盖已有文件"),
        ],
        _EXIT_WRITE,
    ),
)
def extract(
    report: Annotated[
        Path,
        typer.Argument(
            help="绩效自评报告：PDF、Word（.docx）或 PDF 提取出的文本（.txt）",
            show_default=False,
            metavar="报告",
            readable=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="要写出的部门文件（.yaml）", show_default=False, metavar="输出文件"),
    ],
    rubric: Annotated[
        str | None,
        typer.Option(
            "--rubric",
            "-r",
            help=RUBRIC_HELP + "；不给时按报告评分表中的指标名称匹配自带的评分表",
            metavar="评分表",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """从绩效自评报告（PDF、Word、文本）提取部门文件：基础数据表、评分表和正文中的数字，每个数注明出处，未能归入的数字逐一列出。"""
    from perfeval.cli.commands.extract import run

    raise typer.Exit(run(report, rubric, output, force))


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
