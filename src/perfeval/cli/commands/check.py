"""`perfeval check DEPT...`: the audit of one department or a whole county, file by file."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from perfeval.cli.inputs import expand
from perfeval.cli.runner import make_parent, rubric_option, run_files
from perfeval.core.problems import ExitCode, InputError
from perfeval.pipeline.reports import FileReport
from perfeval.reporting.diagnostics import print_problems


def run(
    departments: list[Path],
    rubric: str | Path | None,
    fmt: str,
    *,
    strict: bool = False,
    jobs: int = 1,
    table: bool | None = None,
    out: TextIO | None = None,
    output: Path | None = None,
    force: bool = False,
) -> int:
    try:
        paths = expand(departments)
        rubric_path, _ = rubric_option(rubric)
    except InputError as err:
        return print_problems(err.problems)
    inputs = tuple(paths) + ((rubric_path,) if rubric_path is not None else ())
    if output is not None:  # refuse a bad output path before any work is done: tried for real
        from perfeval.fileio.safe_write import ensure_writable

        try:
            make_parent(output)
            ensure_writable(output, force=force, inputs=inputs)
        except InputError as err:
            return print_problems(err.problems)
    if rubric_path is not None:  # one bad rubric would fail every file: say so once
        from perfeval.pipeline.rubrics import usable_rubric

        try:
            usable_rubric(rubric_path)
        except InputError as err:
            return print_problems(err.problems)
    kept: list[FileReport] = []
    code, _ = run_files(
        "check",
        paths,
        rubric_path,
        fmt,
        strict=strict,
        jobs=jobs,
        table=table,
        out=out,
        on_report=kept.append if output is not None else None,
    )
    if output is not None:
        code = max(code, _write_workbook(output, kept, force, inputs))
    return code


def _write_workbook(output: Path, reports: list[FileReport], force: bool, inputs: tuple[Path, ...]) -> int:
    import sys

    from perfeval.core.problems import Location, Problem
    from perfeval.reporting.audit_workbook import write_audit_workbook

    if not any(r.readable for r in reports):
        return print_problems(
            [
                Problem(
                    "no-readable-input",
                    "没有一个部门文件可以审核，未写出审核工作簿；请先改正上面列出的问题",
                    Location(str(output)),
                )
            ]
        )
    rubrics = tuple(Path(r.rubric_file) for r in reports if r.rubric_file)
    try:
        write_audit_workbook(output, reports, force=force, inputs=inputs + rubrics)
    except InputError as err:
        return print_problems(err.problems)
    print(f"已写出审核工作簿 {output}（{len(reports)} 个部门文件）", file=sys.stderr)
    return ExitCode.OK
