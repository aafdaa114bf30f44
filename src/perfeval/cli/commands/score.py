"""`perfeval score DEPT`: one department's breakdown."""

from __future__ import annotations

from pathlib import Path

from perfeval.cli.runner import rubric_option, run_files
from perfeval.core.problems import InputError
from perfeval.reporting.diagnostics import print_problems


def run(department: Path, rubric: str | Path | None, fmt: str) -> int:
    try:
        rubric_path, _ = rubric_option(rubric)
        if rubric_path is not None:  # a bad --rubric is the command line's problem: say so once
            from perfeval.pipeline.rubrics import usable_rubric

            usable_rubric(rubric_path)
    except InputError as err:
        return print_problems(err.problems)
    code, _ = run_files("score", [department], rubric_path, fmt)
    return code
