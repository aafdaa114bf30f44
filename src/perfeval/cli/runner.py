"""Running a command over its files: the pipeline's reports, fed to the chosen reporter in input order.

``score``, ``check`` and ``validate`` all go through :func:`run_files`: one report per file given
(readable or not), one reporter, one exit code (the worst of the files).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from perfeval.pipeline.reports import FileReport, SummaryRow
from perfeval.reporting.base import ReporterOptions, batch_exit_code
from perfeval.reporting.registry import make_reporter


def _progress(total: int) -> Any:
    """A progress bar on stderr when stderr is a terminal and there is more than one file."""
    if total <= 1 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("处理中"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )


def run_files(
    command: str,
    paths: list[Path],
    rubric: Path | None,
    fmt: str,
    *,
    strict: bool = False,
    jobs: int = 1,
    table: bool | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    on_report: Callable[[FileReport], None] | None = None,
) -> tuple[int, list[SummaryRow]]:
    """Run ``command`` over ``paths`` and report each file as it is done; the batch's exit code and rows.

    ``on_report`` sees every report in input order (``check --output`` writes its workbook from them);
    with it, files are checked in this process."""
    from perfeval.pipeline import batch
    from perfeval.pipeline.gc_tuning import settle_gc

    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    if jobs < 1:
        jobs = os.cpu_count() or 1
    many = len(paths) > 1
    progress = _progress(len(paths))
    options = ReporterOptions(command, out, err, strict, many, table if table is not None else not many, progress)
    reporter = make_reporter(fmt, options)
    settle_gc()
    rows: list[SummaryRow] = []
    # in parallel, each worker renders its own files when the output is plain (json, github, text to a
    # file or pipe): the main process then only writes strings, in input order
    in_workers = jobs > 1 and many and on_report is None and getattr(reporter, "plain", True)
    if in_workers:
        from perfeval.cli.parallel import rendered

        bodies = rendered(paths, rubric, command, fmt, strict, options.table, jobs)
    else:
        reports = batch.reports(paths, rubric, command)
    reporter.start()
    advance: Callable[[], None] = lambda: None  # noqa: E731
    if progress is not None:
        progress.start()
        task = progress.add_task(command, total=len(paths))
        advance = lambda: progress.update(task, advance=1)  # noqa: E731
    try:
        if in_workers:
            for index, (row, body) in enumerate(bodies):
                reporter.emit(body)
                row.index = index
                rows.append(row)
                advance()
        else:
            for index, report in enumerate(reports):
                reporter.file(report)
                rows.append(report.summary(index, strict))
                if on_report is not None:
                    on_report(report)
                advance()
    finally:
        if progress is not None:
            progress.stop()
    reporter.finish(rows)
    return batch_exit_code(rows), rows
