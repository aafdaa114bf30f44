"""``--jobs N``: files checked and rendered in worker processes, written in input order.

Workers render their own files with the reporter the main process would use, so only a summary row
and the rendered strings cross processes (a fraction of the cost of sending the whole report); the
main process writes them in input order as they arrive and keeps only the summary rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from io import StringIO
from itertools import repeat
from pathlib import Path

from perfeval.pipeline.batch import run_one
from perfeval.pipeline.reports import SummaryRow, import_check_modules
from perfeval.pipeline.settings import Settings
from perfeval.reporting.base import Body, Reporter, ReporterOptions
from perfeval.reporting.registry import make_reporter

_WORKER_REPORTERS: dict[tuple[str, str, bool, bool], Reporter] = {}


def _check_and_render(
    path: Path, settings: Settings, command: str, fmt: str, strict: bool, table: bool
) -> tuple[SummaryRow, Body]:
    """In a worker: run one file and render it."""
    key = (command, fmt, strict, table)
    reporter = _WORKER_REPORTERS.get(key)
    if reporter is None:
        options = ReporterOptions(command, StringIO(), StringIO(), strict, True, table, None)
        reporter = _WORKER_REPORTERS[key] = make_reporter(fmt, options)
    report = run_one(command, path, settings)
    return report.summary(0, strict), reporter.body(report)


def rendered(
    paths: list[Path], settings: Settings, command: str, fmt: str, strict: bool, table: bool, jobs: int
) -> Iterator[tuple[SummaryRow, Body]]:
    """(summary row, rendered body) per file, in input order, checked and rendered by ``jobs`` workers.

    The pool is started here, before the caller starts anything of its own (such as the progress bar's
    refresh thread), so that no thread is running when the workers are forked."""
    if command == "check":
        import_check_modules()
    chunk = max(1, min(16, len(paths) // (jobs * 8)))
    pool = ProcessPoolExecutor(max_workers=jobs)
    results = pool.map(
        _check_and_render,
        paths,
        repeat(settings),
        repeat(command),
        repeat(fmt),
        repeat(strict),
        repeat(table),
        chunksize=chunk,
    )

    def in_order() -> Iterator[tuple[SummaryRow, Body]]:
        with pool:
            yield from results

    return in_order()
