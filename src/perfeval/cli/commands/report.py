"""`perfeval report DEPT... --output review.html`: the review of a batch as one self-contained HTML file.

Each file is checked as ``check`` checks it and its report goes to
:class:`perfeval.reporting.html_report.HtmlReport` as it comes; the document is written to a temporary
file that takes the output's name only at the end (and is discarded when no file could be audited).
Nothing is printed on stdout: the problems of a file that could not be read go to stderr, located, and a
last line says what was written. The exit code is ``check``'s: the worst of the files.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from perfeval.cli.settings import Options
from perfeval.core.problems import ExitCode, InputError, Location, Problem
from perfeval.core.sampling import SampleRequest
from perfeval.pipeline.reports import SummaryRow
from perfeval.pipeline.settings import Settings
from perfeval.reporting.diagnostics import print_problems

HTML_SUFFIXES = (".html", ".htm")


class _NothingToWrite(Exception):
    """No file of the batch could be audited: the report is not written."""


def run(
    departments: list[Path],
    rubric: str | Path | None,
    output: Path,
    force: bool,
    *,
    options: Options | None = None,
    sample: SampleRequest | None = None,
) -> int:
    from perfeval.cli.inputs import expand
    from perfeval.cli.runner import make_parent
    from perfeval.cli.settings import make_settings
    from perfeval.fileio.safe_write import ensure_writable

    try:
        settings, _ = make_settings(replace(options or Options(), rubric=rubric))
        paths = expand(departments)
        rubric_path = settings.rubric
        named = (rubric_path, settings.default_rubric, settings.config_file)  # never written over
        inputs = tuple(paths) + tuple(p for p in named if p is not None)
        if output.suffix.lower() not in HTML_SUFFIXES:
            raise InputError(
                [
                    Problem(
                        "output-format",
                        f"审核报告是 HTML 文件，文件名应以 .html 结尾，而不是 {output.suffix or '无扩展名'}",
                        Location(str(output)),
                    )
                ]
            )
        make_parent(output)
        ensure_writable(output, force=force, inputs=inputs)
        if rubric_path is not None:  # one bad rubric would fail every file: say so once
            from perfeval.pipeline.rubrics import usable_rubric

            usable_rubric(rubric_path)
    except InputError as err:
        return print_problems(err.problems)
    return _write(paths, settings, output, force, inputs, sample)


def _write(
    paths: list[Path],
    settings: Settings,
    output: Path,
    force: bool,
    inputs: tuple[Path, ...],
    sample: SampleRequest | None,
) -> int:
    from perfeval.cli.runner import _progress
    from perfeval.fileio.safe_write import check_output_path, write_atomic
    from perfeval.pipeline import batch
    from perfeval.pipeline.gc_tuning import settle_gc
    from perfeval.reporting.diagnostics import write_problems
    from perfeval.reporting.html_report import HtmlReport
    from perfeval.reporting.sample_view import sample_of

    done: dict[str, int] = {"code": int(ExitCode.OK)}
    rows: list[SummaryRow] = []  # what the sample is drawn from
    settle_gc()
    progress = _progress(len(paths))

    def write(tmp: Path) -> None:
        with HtmlReport() as doc:
            if progress is not None:
                progress.start()
                task = progress.add_task("report", total=len(paths))
            try:
                for index, report in enumerate(batch.reports(paths, settings, "check")):
                    if not report.readable:
                        write_problems(report.problems, sys.stderr, report.trace)
                    doc.add(report)
                    if sample is not None:
                        rows.append(report.summary(index))
                    done["code"] = max(done["code"], int(report.exit_code()))
                    if progress is not None:
                        progress.update(task, advance=1)
            finally:
                if progress is not None:
                    progress.stop()
            done["units"], done["readable"] = len(doc.units), doc.readable
            if not doc.readable:
                raise _NothingToWrite
            if sample is not None:
                doc.sample = sample_of(rows, sample)
            # a rubric a department named is an input too: never written over, even with --force
            rubrics = tuple(sorted({Path(r) for r in doc.rubric_files}))
            check_output_path(output, force=True, inputs=rubrics)
            with open(tmp, "w", encoding="utf-8") as out:
                doc.write(out)

    try:
        write_atomic(output, write, force=force, inputs=inputs)
    except _NothingToWrite:
        nothing = Problem(
            "no-readable-input",
            "没有一个部门文件可以审核，未写出审核报告；请先改正上面列出的问题",
            Location(str(output)),
        )
        return max(done["code"], print_problems([nothing]))
    except InputError as err:
        return max(done["code"], print_problems(err.problems))
    unreadable = done["units"] - done["readable"]
    extra = f"，其中 {unreadable} 个无法读取" if unreadable else ""
    print(f"已写出审核报告 {output}（{done['units']} 个部门文件{extra}）", file=sys.stderr)
    return done["code"]
