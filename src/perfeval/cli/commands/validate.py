"""`perfeval validate FILE...`: rubric and department files checked for CI and pre-commit.

The report (one line per problem, JSON, or GitHub annotations) goes to stdout; the problems of a file
that could not be read, and a one-line summary, to stderr. The exit code of a batch is the worst of
its files: 0 valid, 1 problems found, 2 a file could not be read.
"""

from __future__ import annotations

import os
from pathlib import Path

from perfeval.cli.runner import run_files


def default_format() -> str:
    """`github` inside GitHub Actions, `text` elsewhere (as yamllint does)."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def run(files: list[Path], fmt: str | None) -> int:
    code, _ = run_files("validate", files, None, fmt or default_format())
    return code
