"""`perfeval validate FILE...`: rubric and department files checked for CI and pre-commit.

Data to stdout (one line per problem, JSON, or GitHub annotations); a one-line human summary
to stderr. The exit code of a batch is the worst of its files: 0 valid, 1 problems found,
2 an input could not be read.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from perfeval.core.problems import ExitCode, Problem
from perfeval.core.soundness import FileResult, validate_paths

VALIDATE_FORMAT = "perfeval/validate@1"


def _escape_github(text: str, *, property_: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_line(p: Problem) -> str:
    """One GitHub Actions workflow command: ::error file=…,line=…,col=…::message"""
    level = "error" if p.level == "error" else "warning"
    props = [f"file={_escape_github(p.location.file, property_=True)}"]
    if p.location.line is not None:
        props.append(f"line={p.location.line}")
    if p.location.col is not None:
        props.append(f"col={p.location.col}")
    props.append(f"title={_escape_github('perfeval validate', property_=True)}")
    return f"::{level} {','.join(props)}::{_escape_github(p.message)}"


def text_line(p: Problem) -> str:
    """file:line:col: message (warnings say so)."""
    return f"{p.location}: {'警告：' if p.level == 'warning' else ''}{p.message}"


def render_text(results: list[FileResult]) -> str:
    return "".join(text_line(p) + "\n" for r in results for p in r.problems)


def render_github(results: list[FileResult]) -> str:
    return "".join(github_line(p) + "\n" for r in results for p in r.problems)


def validate_dict(results: list[FileResult]) -> dict:
    return {
        "format": VALIDATE_FORMAT,
        "exit_code": int(batch_exit_code(results)),
        "files": [r.to_dict() for r in results],
    }


def render_json(results: list[FileResult]) -> str:
    return json.dumps(validate_dict(results), ensure_ascii=False, indent=2) + "\n"


#: output format → renderer; every format is built from the same list of FileResult
RENDERERS: dict[str, Callable[[list[FileResult]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
}


def batch_exit_code(results: list[FileResult]) -> ExitCode:
    return max((r.exit_code for r in results), default=ExitCode.OK)


def summary(results: list[FileResult]) -> str:
    bad = [r for r in results if not r.valid]
    n = sum(len(r.problems) for r in results)
    if not bad:
        return f"已校验 {len(results)} 个文件，全部有效"
    unreadable = sum(1 for r in results if r.exit_code is ExitCode.INPUT)
    extra = f"（其中 {unreadable} 个无法读取）" if unreadable else ""
    return f"已校验 {len(results)} 个文件：{len(bad)} 个有问题{extra}，共 {n} 处"


def default_format() -> str:
    """`github` inside GitHub Actions, `text` elsewhere (as yamllint does)."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def run(files: list[Path], fmt: str | None) -> int:
    results = validate_paths(files)
    sys.stdout.write(RENDERERS[fmt or default_format()](results))
    print(summary(results), file=sys.stderr)
    return batch_exit_code(results)
