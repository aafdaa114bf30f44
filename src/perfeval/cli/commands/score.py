"""`perfeval score DEPT`: one department's breakdown."""

from __future__ import annotations

from pathlib import Path

from perfeval.cli.runner import run_files
from perfeval.core.problems import InputError
from perfeval.reporting.diagnostics import print_problems


def run(department: Path, rubric: Path | None, fmt: str) -> int:
    if rubric is not None:  # a bad --rubric is the command line's problem: say so once
        from perfeval.pipeline.rubrics import usable_rubric

        try:
            usable_rubric(rubric)
        except InputError as err:
            return print_problems(err.problems)
    code, _ = run_files("score", [department], rubric, fmt)
    return code
