"""Department files (YAML or workbook) → a validated :class:`Department` with its usable rubric.

read (YAML with positions, or a workbook with cells) → the department model → its rubric (``--rubric``
or the file's ``rubric:``), which must be sound → the department against the rubric
(:func:`perfeval.core.consistency.cross_check`). Every problem is located in the file it is about.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from perfeval.core.acceptance import acceptance_problems
from perfeval.core.consistency import cross_check
from perfeval.core.department import Department
from perfeval.core.fact_units import fact_unit_problems
from perfeval.core.facts import catalogue_for
from perfeval.core.names import resolve_names
from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.rubric import Rubric
from perfeval.fileio.model_errors import department_key_name, kind_of, labeller, problems_from_validation
from perfeval.fileio.shipped import known_ids, looks_like_path, resolve_rubric, shipped_rubric
from perfeval.fileio.yaml_read import SourceMap, load_file
from perfeval.pipeline.reviews import ReviewInfo, apply_review
from perfeval.pipeline.rubrics import RubricFile, read_rubric, unusable

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(slots=True)
class Loaded:
    """A department file ready to score: the model, its source map, and its sound rubric."""

    rubric_file: RubricFile
    department: Department
    source: Any  # SourceMap (YAML) or WorkbookSourceMap: both locate key paths
    path: Path
    rubric_path: Path  # as this department (or --rubric) names it
    review: ReviewInfo | None = None  # the reviewer's 复核 (pipeline/reviews.py)
    review_warnings: list[Problem] = field(default_factory=list)

    @property
    def rubric(self) -> Rubric:
        return self.rubric_file.rubric


def _rubric_if_loads(path: Path) -> Rubric | None:
    if not path.exists():  # 填报信息 may name a shipped rubric by its id
        found = shipped_rubric(path.name)
        path = found.path if found is not None else path
    try:
        return read_rubric(path).rubric
    except InputError:
        return None


def read_department_data(path: Path) -> tuple[Any, Any]:
    """A department file's plain data and source map, from YAML or a workbook."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from perfeval.fileio.workbook.read import read_department  # openpyxl only for workbooks

        return read_department(path, _rubric_if_loads)
    return load_file(path, labeller(Department, department_key_name(None)))


def _indicator_names(data: dict[str, Any], source: Any, rubric_path: Path | None) -> dict[str, str] | None:
    """On the error path only: the rubric's indicator names, to name indicators in messages."""
    try:
        if rubric_path is None:
            given = data.get("rubric")
            if not isinstance(given, str):
                return None
            rubric_path, _ = resolve_rubric(given, Path(source.file).parent)
        rubric = read_rubric(rubric_path).rubric
    except (InputError, OSError, ValueError):
        return None
    return {n.id: n.name for n, _ in rubric.walk()}


def parse_department(data: Any, source: Any, rubric_path: Path | str | None = None) -> Department:
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    "not-a-mapping",
                    "部门文件的顶层应为键值结构（每行一项，如 unit: 桃江县人民政府办公室），"
                    f"而这里是{kind_of(data)}；请对照 examples/ 中的示例",
                    source.locate(()),
                )
            ]
        )
    try:
        return Department.model_validate(data)
    except ValidationError as exc:
        names = _indicator_names(data, source, Path(rubric_path) if rubric_path is not None else None)
        raise InputError(
            problems_from_validation(exc, source, Department, "部门文件", department_key_name(names))
        ) from None


def resolve_rubric_path(dept: Department, dept_path: Path, source: SourceMap | Any) -> Path:
    """The file a department's ``rubric:`` names: a path relative to the department file, or the id of a
    shipped rubric (``rubric: hunan-county-2019``; :func:`perfeval.fileio.shipped.resolve_rubric`)."""
    assert dept.rubric is not None
    candidate, _ = resolve_rubric(dept.rubric, dept_path.parent)
    try:
        exists = candidate.exists()
    except (OSError, ValueError):  # a name too long, a NUL byte
        exists = False
    if not exists:
        if looks_like_path(dept.rubric):
            why = f"指向的文件 {dept.rubric!r} 不存在（按本文件所在目录解析为 {os.path.normpath(candidate)}）"
            same_name = shipped_rubric(Path(dept.rubric.replace("\\", "/")).stem)
            if same_name is not None:  # a shipped example copied out of its folder
                why += f"；如要用 perfeval 自带的同名评分表，请写 rubric: {same_name.key}"
        else:
            why = f"{dept.rubric!r} 既不是文件，也不是 perfeval 自带评分表的标识（自带：{known_ids()}）"
        raise InputError(
            [
                Problem(
                    "rubric-not-found",
                    f"rubric（评分表）{why}；请改正路径或标识（perfeval rubrics 列出自带的评分表），或用 --rubric 指定评分表",
                    source.locate(("rubric",)),
                )
            ]
        )
    return candidate


def rubric_for(
    dept: Department,
    path: Path,
    source: Any,
    override: Path | None,
    default: Path | None = None,
    default_at: Location | None = None,
) -> tuple[RubricFile, Path]:
    """The department's rubric — ``--rubric``, else the file's ``rubric:``, else the configuration's
    default — read and checked (cached for a batch), and its path as named; its problems say where it
    was named."""
    if override is not None:
        rubric_path = override
    elif dept.rubric is not None:
        rubric_path = resolve_rubric_path(dept, path, source)
    elif default is not None:
        rubric_path = default
    else:
        raise InputError(
            [
                Problem(
                    "missing-field",
                    "部门文件没有写 rubric（评分表）；请写 rubric: 评分表文件的路径或自带评分表的标识"
                    "（perfeval rubrics 列出），或用 --rubric 指定，或在配置文件 perfeval.toml 中写 rubric = …",
                    source.locate(("rubric",)),
                )
            ]
        )
    try:
        return read_rubric(rubric_path), rubric_path
    except InputError as err:
        if override is not None:  # named on the command line: its own problems say it all
            raise
        if dept.rubric is None:  # the configuration's default
            lead = Problem(
                "rubric-invalid",
                f"配置文件的默认评分表 {os.path.normpath(rubric_path)} 无法读取，部门文件无法评分；问题如下",
                default_at or Location(str(rubric_path)),
            )
        else:
            lead = Problem(
                "rubric-invalid",
                f"rubric（评分表）{dept.rubric!r} 无法读取，部门文件无法评分；问题如下",
                source.locate(("rubric",)),
            )
        raise InputError([lead, *err.problems]) from None


def _named_at(dept: Department, source: Any, override: Path | None, default_at: Location | None) -> Location | None:
    """Where the rubric used was named: the file's ``rubric:``, the configuration's, or the command line."""
    if override is not None:
        return None
    if dept.rubric is None:
        return default_at
    return source.locate(("rubric",))  # type: ignore[no-any-return]


def load(
    path: Path | str,
    rubric_override: Path | str | None = None,
    default_rubric: Path | None = None,
    default_at: Location | None = None,
) -> Loaded:
    """Load a department file (YAML or workbook) and its rubric, which must be sound, cross-checked.
    The rubric: ``rubric_override`` (--rubric), else the file's ``rubric:``, else ``default_rubric``
    (the configuration's)."""
    p = Path(path)
    override = Path(rubric_override) if rubric_override is not None else None
    data, source = read_department_data(p)
    dept = parse_department(data, source, override)
    rf, rubric_path = rubric_for(dept, p, source, override, default_rubric, default_at)
    if not rf.sound:
        raise unusable(rf, _named_at(dept, source, override, default_at))
    dept, source, problems = resolve_names(rf.rubric, dept, source)  # 指标名称 written where ids go
    problems += cross_check(rf.rubric, dept, source)
    problems += acceptance_problems(dept.accepted, indicator_names(rf.rubric), source)
    raw_facts = data.get("facts") if isinstance(data, dict) else None
    if isinstance(raw_facts, dict):  # as written: 95% and 0.95 are still told apart here
        catalogue = catalogue_for(rf.rubric.facts)
        problems += [p.located(source.locate(p.path)) for p in fact_unit_problems(raw_facts, catalogue)]
    if problems:
        raise InputError(problems)
    dept, review, review_warnings = apply_review(rf.rubric, dept, p, source)  # the reviewer's 复核, if any
    return Loaded(rf, dept, source, p, rubric_path, review, review_warnings)


def indicator_names(rubric: Rubric) -> dict[str, str]:
    """Every indicator's name by id (tiers too): a copy of the rubric's own, made once per rubric."""
    return dict(rubric.names_by_id)
