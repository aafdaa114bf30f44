"""Rendering reports as the command line does, for golden files and output tests."""

from __future__ import annotations

import io

from perfeval.pipeline.reports import FileReport
from perfeval.reporting.base import ReporterOptions
from perfeval.reporting.text_reporter import TextReporter


def text_of(report: FileReport, command: str, *, width: int = 120, **options: object) -> str:
    """The text ``perfeval COMMAND`` writes to a file or a pipe for this report (stdout only)."""
    reporter = TextReporter(ReporterOptions(command, io.StringIO(), io.StringIO(), **options))  # type: ignore[arg-type]
    reporter.console.width = width
    out, _ = reporter.body(report)
    return out
