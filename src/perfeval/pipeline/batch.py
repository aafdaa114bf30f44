"""Which pipeline each command runs over one file, and many files in input order in this process.

Worker processes (``--jobs N``) are the command line's business: :mod:`perfeval.cli.parallel`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from perfeval.core.problems import Location, Problem
from perfeval.pipeline import reports as reports_module
from perfeval.pipeline.reports import FileReport, check_file, score_file
from perfeval.pipeline.settings import DEFAULT_SETTINGS, Settings
from perfeval.pipeline.validation import validate_file


def _check(path: Path | str, settings: Settings) -> FileReport:
    return check_file(path, settings.rubric, settings)


def _score(path: Path | str, settings: Settings) -> FileReport:
    return score_file(path, settings.rubric, settings)


RUNNERS: dict[str, Callable[[Path | str, Settings], FileReport]] = {
    "check": _check,
    "score": _score,
    "validate": validate_file,
}


def chosen(report: FileReport, settings: Settings) -> FileReport:
    """The report with the run's choice of codes applied (``--select``, ``--ignore``, ``[severity]``): the
    findings not reported are counted by code, never dropped silently. The problems of a file that could
    not be read are never chosen away."""
    if settings.selection.is_default or not report.readable:
        return report
    report.problems, ignored = settings.selection.apply(report.problems)
    report.ignored = dict(sorted(ignored.items()))
    return report


def run_one(command: str, path: Path | str, settings: Settings = DEFAULT_SETTINGS) -> FileReport:
    """One file's report. A defect of perfeval's on this file (an exception no input should cause) is
    reported for this file — exit code 3, named as perfeval's fault — and the batch goes on."""
    try:
        return chosen(RUNNERS[command](path, settings), settings)
    except Exception as exc:
        if reports_module.KEEP_TRACES:  # --debug: a developer wants the stack
            raise
        what = visible_type(exc)
        problem = Problem(
            "internal-error",
            f"perfeval 处理此文件时出现内部错误（{what}）；这是程序的缺陷，不是您文件的问题。"
            "请在命令名前加 --debug（如 perfeval --debug check …）重新运行并报告；其余文件照常处理",
            Location(str(path)),
        )
        return FileReport(str(path), "unknown", [problem], readable=False, internal=True)


def visible_type(exc: BaseException) -> str:
    """The exception's type, never its message: a message may quote the file's content."""
    return type(exc).__name__


def reports(paths: list[Path], settings: Settings, command: str) -> Iterator[FileReport]:
    """Each file's report, in this process, in input order."""
    return (run_one(command, p, settings) for p in paths)
