"""Running a command over its files: the pipeline's reports, fed to the chosen reporter in input order.

``score``, ``check`` and ``validate`` all go through :func:`run_files`: one report per file given
(readable or not), one reporter, one exit code (the worst of the files).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from perfeval.core.problems import WARNING, ExitCode, InputError, Location, Problem
from perfeval.pipeline.reports import FileReport, SummaryRow
from perfeval.pipeline.settings import Settings
from perfeval.reporting.base import ReporterOptions, batch_exit_code
from perfeval.reporting.registry import make_reporter

if TYPE_CHECKING:
    from perfeval.core.sampling import SampleRequest


def rubric_option(value: str | Path | None) -> tuple[Path | None, bool]:
    """``--rubric``: a path (relative to the working folder) or a shipped rubric's id; and whether it was an id.
    Raises :class:`InputError` when it is neither an existing file, nor path-like, nor a known id."""
    if value is None:
        return None, False
    from perfeval.fileio.shipped import known_ids, resolve_rubric

    text = str(value)
    path, by_id = resolve_rubric(text, Path())
    if not by_id and not path.exists() and not _path_like(text):
        raise InputError(
            [
                Problem(
                    "rubric-not-found",
                    f"既不是文件，也不是 perfeval 自带评分表的标识（自带：{known_ids()}）；"
                    "请给出评分表文件的路径，或自带评分表的标识（perfeval rubrics 列出）",
                    Location(f"--rubric {text}"),
                )
            ]
        )
    return path, by_id


def make_parent(output: Path) -> None:
    """Create the folder an output file goes in (``convert a.yaml out/a.xlsx``), saying so on stderr."""
    parent = output.parent
    if parent.exists() or output.exists():
        return
    try:
        parent.mkdir(parents=True)
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    "output-dir-missing",
                    f"输出目录 {parent} 不存在，也无法建立（{exc.strerror or type(exc).__name__}）；请换一个输出位置",
                    Location(str(output)),
                )
            ]
        ) from None
    print(f"已建立文件夹 {parent}", file=sys.stderr)


def _path_like(text: str) -> bool:
    from perfeval.fileio.shipped import looks_like_path

    return looks_like_path(text)


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
    settings: Settings,
    fmt: str,
    *,
    strict: bool = False,
    jobs: int = 1,
    table: bool | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    on_report: Callable[[FileReport], None] | None = None,
    sample: SampleRequest | None = None,
) -> tuple[int, list[SummaryRow]]:
    """Run ``command`` over ``paths`` with the run's ``settings`` and report each file as it is done; the
    batch's exit code and rows. With ``sample``, the units picked are reported after the files.

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

        bodies = rendered(paths, settings, command, fmt, strict, options.table, jobs)
    else:
        reports = batch.reports(paths, settings, command)
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
    across: list[Problem] = []
    if command == "check" and many and any(r.narrative for r in rows):  # the reports compared with each other
        from perfeval.pipeline.cross_unit import cross_unit_findings

        across = cross_unit_findings(rows, settings)
    if sample is not None:
        from perfeval.reporting.sample_view import sample_of

        reporter.finish(rows, sample_of(rows, sample), across)
    else:
        reporter.finish(rows, None, across)
    code = batch_exit_code(rows)
    if any(p.is_error or (strict and p.level == WARNING) for p in across):
        code = max(code, ExitCode.FINDINGS)
    return code, rows
