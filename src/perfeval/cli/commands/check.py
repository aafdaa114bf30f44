"""`perfeval check DEPT...`: the audit of one department or a whole county, file by file.

With ``--output review.xlsx`` the reviewer's workpaper is written as the files are checked: each
report goes to :class:`perfeval.reporting.workpaper.Workpaper` as it comes (in a second process where
there is a core for it: :mod:`perfeval.cli.workpaper_writer`) and is then dropped, into a temporary file
that takes the output's name only at the end (and is discarded when no file could be audited).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from perfeval.cli.inputs import expand
from perfeval.cli.runner import make_parent, run_files
from perfeval.cli.settings import Options, make_settings, output_format
from perfeval.core.problems import ExitCode, InputError, Location, Problem
from perfeval.core.sampling import SampleRequest
from perfeval.pipeline.reports import SummaryRow
from perfeval.pipeline.settings import Settings
from perfeval.reporting.diagnostics import print_problems, write_problems
from perfeval.reporting.sample_view import sample_lines, sample_of


def run(
    departments: list[Path],
    rubric: str | Path | None,
    fmt: str | None,
    *,
    strict: bool = False,
    jobs: int = 1,
    table: bool | None = None,
    out: TextIO | None = None,
    output: Path | None = None,
    force: bool = False,
    options: Options | None = None,
    sample: SampleRequest | None = None,
) -> int:
    reviews: list[Path] = []  # review files found beside the departments or named: each is reported if unused
    try:
        settings, config = make_settings(replace(options or Options(), rubric=rubric))
        paths = expand(departments, reviews=reviews)
    except InputError as err:
        return print_problems(err.problems)
    rubric_path = settings.rubric
    fmt = output_format(fmt, config)
    named = (rubric_path, settings.default_rubric, settings.config_file)  # never written over, even with --force
    inputs = tuple(paths) + tuple(p for p in named if p is not None)
    if output is not None:  # refuse a bad output path before any work is done: tried for real
        from perfeval.fileio.safe_write import ensure_writable

        try:
            make_parent(output)
            ensure_writable(output, force=force, inputs=inputs)  # first: an output that is an input says so
            if output.suffix.lower() != ".xlsx":
                raise InputError(
                    [
                        Problem(
                            "output-format",
                            f"审核工作底稿是 .xlsx 文件，文件名应以 .xlsx 结尾，而不是 {output.suffix or '无扩展名'}"
                            "（Excel 不会打开扩展名与内容不符的文件）",
                            Location(str(output)),
                        )
                    ]
                )
        except InputError as err:
            return print_problems(err.problems)
    if rubric_path is not None:  # one bad rubric would fail every file: say so once
        from perfeval.pipeline.rubrics import usable_rubric

        try:
            usable_rubric(rubric_path)
        except InputError as err:
            return print_problems(err.problems)
    if output is None:
        code, rows = run_files(
            "check", paths, settings, fmt, strict=strict, jobs=jobs, table=table, out=out, sample=sample
        )
        return max(code, _unused_reviews(reviews, rows))
    kept: list[SummaryRow] = []
    code = _check_to_workpaper(paths, settings, fmt, strict, jobs, table, out, output, force, inputs, kept, sample)
    return max(code, _unused_reviews(reviews, kept))


def _unused_reviews(reviews: list[Path], rows: list[SummaryRow]) -> int:
    """Review files that no department of the batch used: said on stderr (a batch reports every file)."""
    if not reviews:
        return ExitCode.OK
    from perfeval.pipeline.reviews import unused_reviews

    applied = {r.review_file for r in rows if r.review_file}
    problems = unused_reviews(reviews, applied)
    if not problems:
        return ExitCode.OK
    write_problems(problems, sys.stderr)
    return ExitCode.INPUT if any(p.is_error for p in problems) else ExitCode.OK


class _NothingToWrite(Exception):
    """No file of the batch could be audited: the workpaper is not written."""


def _check_to_workpaper(
    departments: list[Path],
    settings: Settings,
    fmt: str,
    strict: bool,
    jobs: int,
    table: bool | None,
    out: TextIO | None,
    output: Path,
    force: bool,
    inputs: tuple[Path, ...],
    rows_out: list[SummaryRow],
    sample: SampleRequest | None,
) -> int:
    from perfeval.cli.workpaper_writer import workpaper_sink
    from perfeval.fileio.safe_write import check_output_path, write_atomic

    done: dict[str, int] = {}

    def write(tmp: Path) -> None:
        with workpaper_sink(tmp, strict) as workpaper:  # written beside the checking, one unit at a time
            code, rows = run_files(
                "check",
                departments,
                settings,
                fmt,
                strict=strict,
                jobs=jobs,
                table=table,
                out=out,
                on_report=workpaper.add,
                sample=sample,
            )
            rows_out.extend(rows)
            drawn = ["", *sample_lines(sample_of(rows, sample))] if sample is not None else []
            units, readable, rubric_files = workpaper.finish(drawn)
            done.update(code=code, units=units)
            if not readable:
                raise _NothingToWrite
            # a rubric a department named is an input too: never written over, even with --force
            check_output_path(output, force=True, inputs=tuple(Path(f) for f in sorted(rubric_files)))

    try:
        write_atomic(output, write, force=force, inputs=inputs)
    except _NothingToWrite:
        no_input = Problem(
            "no-readable-input",
            "没有一个部门文件可以审核，未写出审核工作底稿；请先改正上面列出的问题",
            Location(str(output)),
        )
        return max(done["code"], print_problems([no_input]))
    except InputError as err:
        return max(done.get("code", 0), print_problems(err.problems))
    print(f"已写出审核工作底稿 {output}（{done['units']} 个部门文件）", file=sys.stderr)
    return done["code"]
