"""The command line's frame in Chinese: help pages, usage lines and usage errors (用法、参数、选项、示例、退出码).

typer (with the click it bundles) writes its frame in English — ``Usage:``, ``Options:``, ``No such
option``, ``Invalid value`` — and names arguments by their Python types (``<list[Path]>``).
:class:`Group` and :class:`Command` replace that frame: every help page is written here, from the
parameters' own metavars and help texts, with the command's examples and exit codes at the end; every
usage error is caught at the top (:meth:`Group.main`) and said in Chinese, with the usage line and a
pointer to ``-h``, exit code 2. Column widths count a CJK character as two terminal cells.

Nothing heavy is imported here: ``perfeval --help`` must start fast.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence
from enum import Enum
from typing import Any, NoReturn

from typer import _click
from typer._click.exceptions import (
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import Abort

USAGE_ERROR = 2
_BUILT_IN_HELP = {
    "help": "显示本帮助并退出",
    "install_completion": "为当前 shell（bash、zsh、fish、PowerShell）安装命令补全",
    "show_completion": "显示当前 shell 的补全脚本，可复制后自行安装",
}


# --- text in terminal cells ------------------------------------------------------------------------


def cells(text: str) -> int:
    """The terminal cells ``text`` takes: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_CLOSING = set("。，、；：？！）」』》〉”’）,.;:?!)]")
_OPENING = set("（「『《〈“‘([")


def _tokens(text: str) -> list[str]:
    """Break points of a line: a run of Latin letters stays whole; a CJK character can end a line anywhere,
    but a closing mark never starts a line and an opening mark never ends one."""
    raw: list[str] = []
    word = ""
    for c in text:
        if c == " " or unicodedata.east_asian_width(c) in "WF" or c in _CLOSING or c in _OPENING:
            if word:
                raw.append(word)
                word = ""
            raw.append(c)
        else:
            word += c
    if word:
        raw.append(word)
    out: list[str] = []
    for token in raw:
        if out and (token in _CLOSING or out[-1][-1] in _OPENING):
            out[-1] += token
        else:
            out.append(token)
    return out


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells (a word longer than that stays whole)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            if line and cells(line) + cells(token) > width:
                lines.append(line.rstrip())
                line = "" if token == " " else token
            else:
                line += token
        lines.append(line.rstrip())
    return lines


def _definitions(rows: Sequence[tuple[str, str]], width: int, indent: int = 2) -> list[str]:
    """A two-column list: names on the left, their help wrapped on the right."""
    if not rows:
        return []
    left = min(max(cells(name) for name, _ in rows), 30)
    right = max(width - indent - left - 2, 30)
    out: list[str] = []
    for name, text in rows:
        body = wrap(text, right) if text else [""]
        if cells(name) > left:
            out.append(" " * indent + name)
            out.extend(" " * (indent + left + 2) + line for line in body)
            continue
        out.append(" " * indent + name + " " * (left - cells(name) + 2) + body[0])
        out.extend(" " * (indent + left + 2) + line for line in body[1:])
    return [line.rstrip() for line in out]


# --- one parameter ---------------------------------------------------------------------------------


def _metavar(param: Any) -> str:
    metavar: str = param.metavar or param.name.upper()
    return metavar + ("..." if param.nargs == -1 and not metavar.endswith("...") else "")


def _default(param: Any) -> str | None:
    if not param.show_default or param.default is None or param.default is False or param.required:
        return None
    if isinstance(param.show_default, str):
        return param.show_default
    value = param.default
    if isinstance(value, Enum):
        value = value.value
    return str(value)


def _option_names(param: Any) -> str:
    names = ", ".join(sorted(param.opts, key=len))
    if param.secondary_opts:
        names += " / " + ", ".join(sorted(param.secondary_opts, key=len))
    if not param.is_flag and not getattr(param, "count", False):
        names += " " + _metavar(param)
    return names


def _help_of(param: Any) -> str:
    text = _BUILT_IN_HELP.get(param.name) or param.help or ""
    extra = []
    default = _default(param)
    if default is not None:
        extra.append(f"默认：{default}")
    if param.required:
        extra.append("必填")
    return f"{text}  [{'；'.join(extra)}]" if extra else text


def _hint(param: Any) -> str:
    """A parameter as a message names it: '--format' for an option, '部门文件...' for an argument."""
    if param is None:
        return "参数"
    if getattr(param, "param_type_name", "") == "option":
        return "/".join(sorted(param.opts, key=len, reverse=True))
    return _metavar(param)


def _plain_flags(params: Sequence[Any]) -> None:
    """Let typer coerce the flags (``--help``, ``--install-completion`` …) without pydantic.

    typer coerces a parameter's value through a pydantic ``TypeAdapter`` unless the value is already a
    bool; a flag not given is ``None``, so ``perfeval score --help`` would import pydantic (~0.1 s) only to
    pass ``None`` through. A flag's value is ``None`` or a bool, which typer's pass-through coercion returns
    unchanged, so that is what flags get here; anything else keeps typer's own.
    """
    for param in params:
        descriptor: Any = getattr(param, "type_descriptor", None)
        if (
            getattr(param, "_runtime_param", "absent") is None
            and getattr(param, "is_flag", False)
            and not getattr(param, "envvar", None)
            and getattr(descriptor, "annotation", None) is bool
        ):
            from typer._coercion import PassThroughRuntimeParam

            param._runtime_param = PassThroughRuntimeParam(parameter_info=descriptor.parameter_info, annotation=bool)


# --- help pages ------------------------------------------------------------------------------------


class _ChineseHelp:
    """What :class:`Command` and :class:`Group` share: the usage line and the help page."""

    def collect_usage_pieces(self, ctx: _click.Context) -> list[str]:
        params = self.get_params(ctx)  # type: ignore[attr-defined]
        pieces = [
            f"{max(p.opts, key=len)} {_metavar(p)}" for p in params if p.param_type_name == "option" and p.required
        ] + ["[选项]"]
        for param in params:
            if param.param_type_name == "argument":
                pieces.append(_metavar(param) if param.required else f"[{_metavar(param)}]")
        return pieces

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        _plain_flags(self.get_params(ctx))  # type: ignore[attr-defined]
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc,no-any-return]
        except UsageError as err:  # the parser's own errors know no command: name the one being parsed
            if err.ctx is None:
                err.ctx, err.cmd = ctx, ctx.command
            raise

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        formatter.write(f"用法：{ctx.command_path} {' '.join(self.collect_usage_pieces(ctx))}\n")

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        width = max(min(formatter.width, 100), 60)
        lines: list[str] = []
        description = (self.help or "").strip()  # type: ignore[attr-defined]
        if description:
            lines += [""] + ["  " + line if line else "" for line in wrap(description, width - 2)]
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]  # type: ignore[attr-defined]
        arguments = [(_metavar(p), _help_of(p)) for p in params if p.param_type_name == "argument"]
        options = [(_option_names(p), _help_of(p)) for p in params if p.param_type_name == "option"]
        if arguments:
            lines += ["", "参数："] + _definitions(arguments, width)
        if options:
            lines += ["", "选项："] + _definitions(options, width)
        lines += self.more_sections(ctx, width)
        epilog = (self.epilog or "").strip("\n")  # type: ignore[attr-defined]
        if epilog:
            lines += ["", *epilog.splitlines()]
        self.format_usage(ctx, formatter)
        formatter.write("\n".join(lines) + "\n")

    def more_sections(self, ctx: _click.Context, width: int) -> list[str]:
        return []


class Command(_ChineseHelp, TyperCommand):
    """A perfeval command: Chinese help, with examples and exit codes (its epilog)."""


class Group(_ChineseHelp, TyperGroup):
    """The ``perfeval`` command: Chinese help and Chinese usage errors for itself and every command."""

    def collect_usage_pieces(self, ctx: _click.Context) -> list[str]:
        return ["[选项]", "命令", "[参数]..."]

    def more_sections(self, ctx: _click.Context, width: int) -> list[str]:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, (cmd.short_help or (cmd.help or "").split("\n")[0]).strip()))
        return ["", "命令："] + _definitions(rows, width) if rows else []

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        for param in self.params:  # typer's completion option (added after the group is made), answering in Chinese
            if param.name == "install_completion":
                param.callback = _install_completion
        return super().parse_args(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as err:  # `perfeval` alone: the help, as a usage error
            print(err.ctx.get_help(), file=sys.stderr)
            code = USAGE_ERROR
        except UsageError as err:
            show_usage_error(err)
            code = USAGE_ERROR
        except Abort:
            print("已中止", file=sys.stderr)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


# --- usage errors ----------------------------------------------------------------------------------


def _choices(param: Any) -> list[str] | None:
    desc = getattr(param, "type_descriptor", None)
    if desc is None or not desc.is_choice or not desc.choices:
        return None
    return [str(c.value if isinstance(c, Enum) else c) for c in desc.choices]


def _given(err: BadParameter) -> str | None:
    """The value the user gave, when the parser kept it (pydantic's error carries it)."""
    cause = err.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
        except (IndexError, TypeError):
            return None
        value = first.get("input")
        if isinstance(value, str | int):
            from perfeval.reporting.visible import visible

            return visible(str(value))[:60]
    return None


def _why_invalid(param: Any) -> str:
    choices = _choices(param)
    if choices:
        return "应为 " + "、".join(choices) + " 之一"
    desc = getattr(param, "type_descriptor", None)
    annotation = getattr(desc, "annotation", None)
    if annotation is int:
        low = getattr(param, "min", None)
        return f"应为不小于 {low} 的整数" if low is not None else "应为整数"
    return "格式不对"


def explain(err: UsageError) -> str:
    """A usage error in Chinese: what was wrong on the command line and how to say it."""
    message = err.message
    if isinstance(err, NoSuchOption):
        said = f"没有选项 {err.option_name}"
        if err.possibilities:
            said += f"（是否想写 {'、'.join(sorted(err.possibilities))}？）"
        return said
    if isinstance(err, MissingParameter):
        param: Any = err.param
        text = getattr(param, "help", None)
        if param is not None and param.param_type_name == "argument":
            return f"缺少参数 {_metavar(param)}" + (f"（{text}）" if text else "")
        return f"缺少选项 {_hint(param)}" + (f"：{text}" if text else "")
    if isinstance(err, BadParameter):
        given = _given(err)
        shown = f" 的值 {given!r} 无效" if given is not None else " 的值无效"
        return f"{_hint(err.param)}{shown}：{_why_invalid(err.param)}"
    if isinstance(err, BadOptionUsage):
        if "requires" in message:
            return f"选项 {err.option_name} 后面需要给出一个值"
        if "does not take a value" in message:
            return f"选项 {err.option_name} 不接受值"
        return f"选项 {err.option_name} 用法有误"
    if isinstance(err, BadArgumentUsage):
        return "参数个数不对"
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.rfind(" (") + 2 : message.rfind(")")]
        return f"多余的参数：{extra}；要给多个文件的命令（check、validate）才接受多个文件"
    if message.startswith("No such command"):
        group = err.ctx.command if err.ctx is not None else None
        names = list(getattr(group, "commands", {}))
        wrong = message.split("'")[1] if message.count("'") >= 2 else ""
        from difflib import get_close_matches

        close = get_close_matches(wrong, names)
        return (
            f"没有命令 {wrong}"
            + (f"（是否想写 {'、'.join(close)}？）" if close else "")
            + f"；可用的命令：{'、'.join(names)}"
        )
    if message.startswith("Missing command"):
        return "缺少命令；可用的命令见下"
    return "命令行用法有误"


def show_usage_error(err: UsageError) -> None:
    """The usage line, the error in Chinese and where the help is: on stderr."""
    lines = []
    ctx = err.ctx
    if ctx is not None:
        lines.append(ctx.get_usage())
    lines.append(f"错误：{explain(err)}")
    if ctx is not None:
        lines.append(f"请用 {ctx.command_path} -h 查看帮助和示例。")
    print("\n".join(lines), file=sys.stderr)


# --- shell completion ------------------------------------------------------------------------------

_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _install_completion(ctx: _click.Context, param: _click.Parameter, value: Any) -> None:
    """``--install-completion``: typer's installer, with the answer in Chinese."""
    if not value or ctx.resilient_parsing:
        return
    from typer import _completion_shared

    shell = value if isinstance(value, str) else _completion_shared._get_shell_name()
    shell = getattr(shell, "value", shell)  # typer's Shells enum, with older pydantic
    if shell not in _SHELLS:
        _fail(f"无法为 {shell or '当前 shell'} 安装补全：支持 bash、zsh、fish 和 PowerShell")
    _, path = _completion_shared.install(shell=shell)
    print(f"已为 {shell} 安装 perfeval 的命令补全：{path}；重新打开终端后生效")
    sys.exit(0)


def _fail(message: str) -> NoReturn:
    print(f"错误：{message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)
