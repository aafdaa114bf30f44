"""`perfeval score DEPT`: one department's breakdown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from perfeval.cli.runner import run_files
from perfeval.cli.settings import Options, make_settings, output_format
from perfeval.core.problems import InputError
from perfeval.reporting.diagnostics import print_problems


def run(department: Path, rubric: str | Path | None, fmt: str | None, options: Options | None = None) -> int:
    try:
        settings, config = make_settings(replace(options or Options(), rubric=rubric))
        if settings.rubric is not None:  # a bad --rubric is the command line's problem: say so once
            from perfeval.pipeline.rubrics import usable_rubric

            usable_rubric(settings.rubric)
    except InputError as err:
        return print_problems(err.problems)
    code, _ = run_files("score", [department], settings, output_format(fmt, config))
    return code
