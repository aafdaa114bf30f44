"""``perfeval validate``: a rubric or department file through the pipeline up to validation.

A rubric: read, model, soundness. A department: read, model, its rubric (which must be sound: else
its problems are this file's), the department against the rubric, and what validate asks of a
complete file (:func:`perfeval.core.consistency.completeness`). Exit codes: 0 valid, 1 problems,
2 the file or its rubric could not be read.
"""

from __future__ import annotations

import os
from pathlib import Path

from perfeval.core.acceptance import acceptance_problems
from perfeval.core.completeness import completeness
from perfeval.core.consistency import cross_check, score_range_problems
from perfeval.core.engine import score
from perfeval.core.names import resolve_names
from perfeval.core.problems import InputError, Problem
from perfeval.pipeline.departments import indicator_names, parse_department, read_department_data, rubric_for
from perfeval.pipeline.gc_tuning import paused_gc
from perfeval.pipeline.reports import DEPARTMENT, RUBRIC, UNKNOWN, FileReport, located, position, unreadable
from perfeval.pipeline.rubrics import looks_like_department, read_rubric
from perfeval.pipeline.settings import DEFAULT_SETTINGS, Settings


def _kind_of(data: object) -> str:
    if not isinstance(data, dict):
        return UNKNOWN
    fmt = data.get("format")
    if fmt == "perfeval/rubric@1" or (fmt is None and "indicators" in data):
        return RUBRIC
    if looks_like_department(data):
        return DEPARTMENT
    return UNKNOWN


def validate_file(path: Path | str, settings: Settings = DEFAULT_SETTINGS) -> FileReport:
    """``perfeval validate`` of a rubric or department file: the pipeline up to validation.

    Exit codes: 0 valid, 1 problems (an unsound rubric, an incomplete department file, or a department
    file whose rubric is unsound), 2 the file or its rubric could not be read."""
    p = Path(path)
    file = str(p)
    with paused_gc():
        try:
            data, source = read_department_data(p)
        except InputError as err:
            return unreadable(file, err, UNKNOWN)
        kind = DEPARTMENT if p.suffix.lower() in (".xlsx", ".xlsm") else _kind_of(data)
        if kind == UNKNOWN:
            fmt = data.get("format") if isinstance(data, dict) else None
            shown = (
                f"format: {fmt!r} 不是 perfeval 的文件格式"
                if fmt is not None
                else "文件没有 format: 键，也看不出是评分表还是部门文件"
            )
            where = source.locate(("format",))
            return unreadable(
                file,
                InputError(
                    [
                        Problem(
                            "unknown-format",
                            f"{shown}；评分表写 format: perfeval/rubric@1，部门文件写 format: perfeval/department@1",
                            where,
                        )
                    ]
                ),
                UNKNOWN,
            )
        if kind == RUBRIC:
            try:
                rf = read_rubric(p)
            except InputError as err:
                # a rubric that is not a valid model is a file with problems (1), not an unreadable one (2)
                cannot_read = {pr.code for pr in err.problems} & _UNREADABLE
                return FileReport(file, RUBRIC, sorted(err.problems, key=position), readable=not cannot_read)
            return FileReport(file, RUBRIC, sorted(rf.problems, key=position), readable=True)
        return _validate_department(file, p, data, source, settings)


def _validate_department(file: str, p: Path, data: object, source: object, settings: Settings) -> FileReport:
    try:
        dept = parse_department(data, source)
    except InputError as err:
        return FileReport(file, DEPARTMENT, sorted(err.problems, key=position))
    try:
        rf, _ = rubric_for(dept, p, source, None, settings.default_rubric, settings.default_rubric_at)
    except InputError as err:
        cannot_read = {p.code for p in err.problems} & _UNREADABLE
        return FileReport(file, DEPARTMENT, list(err.problems), readable=not cannot_read)
    if not rf.sound:
        lead = Problem(
            "rubric-invalid",
            f"评分表 {os.path.normpath(rf.path)} 不自洽，部门文件无法核对；问题如下",
            source.locate(("rubric",)) if dept.rubric is not None else settings.default_rubric_at,  # type: ignore[attr-defined]
        )
        return FileReport(file, DEPARTMENT, [lead, *rf.problems])
    dept, source, problems = resolve_names(rf.rubric, dept, source)  # type: ignore[arg-type]
    problems += cross_check(rf.rubric, dept, source)
    problems += acceptance_problems(dept.accepted, indicator_names(rf.rubric), source)
    if not problems:
        result = score(rf.rubric, dept)
        workbook = p.suffix.lower() in (".xlsx", ".xlsm")
        problems = completeness(rf.rubric, dept, result, source, workbook=workbook) + located(
            score_range_problems(result), source
        )
    here = [pr for pr in problems if pr.location is None or pr.location.file == file]
    return FileReport(file, DEPARTMENT, sorted(here, key=position) + [pr for pr in problems if pr not in here])


# what makes a file unreadable (exit code 2) rather than a file with problems (exit code 1)
_UNREADABLE = frozenset(
    {
        "yaml-syntax",
        "not-found",
        "unreadable",
        "encoding",
        "binary-file",
        "empty-file",
        "too-large",
        "is-directory",
        "not-a-file",
        "too-deep",
        "too-many-nodes",
        "control-character",
        "rubric-not-found",
        "wrong-kind-of-file",
    }
)
