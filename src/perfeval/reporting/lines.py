"""Plain-text lines shared by the text reporter, the GitHub reporter and the diagnostics on stderr."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from perfeval.core.problems import LEVEL_LABELS, Problem
from perfeval.reporting.visible import visible

if TYPE_CHECKING:
    from perfeval.pipeline.reports import SummaryRow

_LEVEL_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def problem_segments(p: Problem) -> list[tuple[str, str]]:
    """A problem as (text, rich style) pieces: ``file:line:col: `` ``警告：`` message `` [code]``; an accepted
    finding is marked ``警告（已接受）：`` and ends with its reason."""
    where = f"{visible(str(p.location))}: " if p.location is not None else ""
    label = LEVEL_LABELS.get(p.level, p.level)
    if p.accepted is not None:
        return [
            (where, "bold"),
            (f"{label}（已接受）：", "green"),
            (visible(p.message), ""),
            (f" [{p.code}]", "dim"),
            (f" 接受理由：{visible(p.accepted)}", "green"),
        ]
    return [
        (where, "bold"),
        (f"{label}：", _LEVEL_STYLE.get(p.level, "")),
        (visible(p.message), ""),
        (f" [{p.code}]", "dim"),
    ]


def problem_line(p: Problem) -> str:
    """A problem as one line of plain text: ``file:line:col: 警告：… [code]``."""
    return "".join(text for text, _ in problem_segments(p))


def counts(errors: int, warnings: int) -> str:
    return f"{errors} 个错误，{warnings} 个警告"


def handled(accepted: int, ignored: int | Mapping[str, int]) -> str:
    """``；已接受 1 个，已忽略 3 个（rounding-difference 3 个）`` — what was not counted, never silently."""
    parts = []
    if accepted:
        parts.append(f"已接受 {accepted} 个（不计入结论）")
    by_code = ignored if isinstance(ignored, Mapping) else {}
    total = sum(by_code.values()) if isinstance(ignored, Mapping) else ignored
    if total:
        detail = "、".join(f"{code} {n} 个" for code, n in by_code.items())
        parts.append(f"已忽略 {total} 个" + (f"（{detail}）" if detail else "（--ignore、--select 或配置文件）"))
    return "；" + "，".join(parts) if parts else ""


def totals_line(rows: Iterable[SummaryRow], command: str = "check") -> str:
    """``共 3 个文件：2 个错误，1 个警告；1 个文件无法读取``."""
    rows = list(rows)
    unreadable = sum(1 for r in rows if not r.readable)
    verb = "已校验" if command == "validate" else "共"
    text = f"{verb} {len(rows)} 个文件：" + counts(sum(r.errors for r in rows), sum(r.warnings for r in rows))
    text += handled(sum(r.accepted for r in rows), sum(r.ignored for r in rows))
    if unreadable:
        text += f"；{unreadable} 个文件无法读取"
    return text
