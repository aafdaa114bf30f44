"""`perfeval validate FILE...`: rubric and department files checked for CI and pre-commit.

The report (one line per problem, JSON, or GitHub annotations) goes to stdout; the problems of a file
that could not be read, and a one-line summary, to stderr. The exit code of a batch is the worst of
its files: 0 valid, 1 problems found, 2 a file could not be read. Folders and glob patterns are
expanded (:mod:`perfeval.cli.inputs`): inside a folder, rubrics and department files are validated.
"""

from __future__ import annotations

import os
from pathlib import Path

from perfeval.cli.inputs import expand
from perfeval.cli.runner import run_files
from perfeval.cli.settings import Options, make_settings, output_format
from perfeval.core.problems import InputError
from perfeval.reporting.diagnostics import print_problems


def default_format() -> str:
    """`github` inside GitHub Actions, `text` elsewhere (as yamllint does)."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def run(files: list[Path], fmt: str | None, options: Options | None = None) -> int:
    """``--format``, else the configuration's ``format``, else ``github`` in GitHub Actions, else ``text``.
    The configuration's default rubric serves department files that name none; its codes apply."""
    try:
        settings, config = make_settings(options or Options())
        paths = expand(files, rubrics_too=True)
    except InputError as err:
        return print_problems(err.problems)
    code, _ = run_files("validate", paths, settings, output_format(fmt, config, default_format()))
    return code
