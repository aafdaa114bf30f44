"""Plain-text lines shared by the text reporter, the GitHub reporter and the diagnostics on stderr."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from perfeval.core.problems import LEVEL_LABELS, Problem
from perfeval.reporting.visible import visible

if TYPE_CHECKING:
    from perfeval.pipeline.reports import SummaryRow

_LEVEL_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def problem_segments(p: Problem) -> list[tuple[str, str]]:
    """A problem as (text, rich style) pieces: ``file:line:col: `` ``警告：`` message `` [code]``."""
    where = f"{visible(str(p.location))}: " if p.location is not None else ""
    return [
        (where, "bold"),
        (f"{LEVEL_LABELS.get(p.level, p.level)}：", _LEVEL_STYLE.get(p.level, "")),
        (visible(p.message), ""),
        (f" [{p.code}]", "dim"),
    ]


def problem_line(p: Problem) -> str:
    """A problem as one line of plain text: ``file:line:col: 警告：… [code]``."""
    return "".join(text for text, _ in problem_segments(p))


def counts(errors: int, warnings: int) -> str:
    return f"{errors} 个错误，{warnings} 个警告"


def totals_line(rows: Iterable[SummaryRow], command: str = "check") -> str:
    """``共 3 个文件：2 个错误，1 个警告；1 个文件无法读取``."""
    rows = list(rows)
    unreadable = sum(1 for r in rows if not r.readable)
    verb = "已校验" if command == "validate" else "共"
    text = f"{verb} {len(rows)} 个文件：" + counts(sum(r.errors for r in rows), sum(r.warnings for r in rows))
    if unreadable:
        text += f"；{unreadable} 个文件无法读取"
    return text
