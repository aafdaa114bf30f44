"""Problems that stop a command or a file before its report — a bad ``--rubric``, an output path that
cannot be written, a file that cannot be read: located lines on stderr, at most a screenful."""

from __future__ import annotations

import sys
from typing import TextIO

from perfeval.core.problems import ExitCode, Problem
from perfeval.reporting.lines import problem_line, problem_segments

MAX_SHOWN = 20  # problems printed for one file: a message fits on one screen
DEBUG = False  # --debug: a developer wants the Python stack of an input error too


def _more(problems: list[Problem]) -> str:
    if len(problems) <= MAX_SHOWN:
        return ""
    return f"……另有 {len(problems) - MAX_SHOWN} 个问题未显示；改正以上问题后重新运行即可看到。\n"


def problems_text(problems: list[Problem], trace: str | None = None) -> str:
    """The problems as plain lines (at most ``MAX_SHOWN``, then a count), and the stack with ``--debug``."""
    text = "".join(problem_line(p) + "\n" for p in problems[:MAX_SHOWN]) + _more(problems)
    return text + (trace or "" if DEBUG else "")


def write_problems(problems: list[Problem], err: TextIO, trace: str | None = None) -> None:
    """Styled on a terminal, plain otherwise; the same words either way."""
    if not err.isatty():
        err.write(problems_text(problems, trace))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=err, highlight=False, soft_wrap=True)
    for p in problems[:MAX_SHOWN]:
        console.print(Text.assemble(*problem_segments(p)))
    err.write(_more(problems) + (trace or "" if DEBUG else ""))


def print_problems(problems: list[Problem], err: TextIO | None = None) -> int:
    """Print ``problems`` to stderr and return exit code 2. Called while an :class:`InputError` is handled,
    it adds that error's stack under ``--debug``."""
    trace = None
    if DEBUG and sys.exc_info()[1] is not None:
        import traceback

        trace = "".join(traceback.format_exception(sys.exc_info()[1]))
    write_problems(problems, err if err is not None else sys.stderr, trace)
    return ExitCode.INPUT
