"""Which pipeline each command runs over one file, and many files in input order in this process.

Worker processes (``--jobs N``) are the command line's business: :mod:`perfeval.cli.parallel`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from perfeval.pipeline.reports import FileReport, check_file, score_file, validate_file


def _validate(path: Path | str, rubric: Path | str | None = None) -> FileReport:
    return validate_file(path)


RUNNERS: dict[str, Callable[[Path | str, Path | str | None], FileReport]] = {
    "check": check_file,
    "score": score_file,
    "validate": _validate,
}


def reports(paths: list[Path], rubric: Path | None, command: str) -> Iterator[FileReport]:
    """Each file's report, in this process, in input order."""
    run = RUNNERS[command]
    return (run(p, rubric) for p in paths)
