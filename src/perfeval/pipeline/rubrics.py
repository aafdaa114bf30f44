"""Rubric files: read, validated as a model, checked for soundness — once per file in a process.

:func:`read_rubric` gives a :class:`RubricFile` with the soundness problems attached (what
``perfeval validate`` reports); :func:`usable_rubric` refuses an unsound rubric with those same
problems (what every other command does, exit code 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.rubric import RUBRIC_FORMAT, Rubric
from perfeval.core.soundness import check_rubric
from perfeval.fileio.model_errors import labeller, problems_from_validation, rubric_key_name
from perfeval.fileio.yaml_read import SourceMap, load_file

RUBRIC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class RubricFile:
    """A rubric that loaded as a model, with where it came from and what its soundness checks found."""

    rubric: Rubric
    source: SourceMap
    path: Path
    problems: tuple[Problem, ...]  # soundness problems (errors make it unusable)

    @property
    def sound(self) -> bool:
        return not any(p.is_error for p in self.problems)


_CACHE: dict[Path, RubricFile] = {}
_RESOLVED: dict[Path | tuple[str, Path], Path] = {}


def _resolved(p: Path) -> Path:
    # resolve() asks the file system about every component of the path; a batch names the same
    # rubric for every department, so the answer is remembered per (working directory, path)
    spelled: Path | tuple[str, Path] = p if p.is_absolute() else (os.getcwd(), p)
    key = _RESOLVED.get(spelled)
    if key is None:
        key = _RESOLVED[spelled] = p.resolve()
    return key


def looks_like_department(data: Any) -> bool:
    return isinstance(data, dict) and (
        data.get("format") == "perfeval/department@1"
        or ("indicators" not in data and ("unit" in data or "self_assessment" in data))
    )


def read_rubric(path: Path | str) -> RubricFile:
    """Load a rubric file and run its soundness checks. Raises :class:`InputError` when it cannot be read
    or is not a valid rubric model (exit code 2 everywhere); soundness problems are attached, not raised."""
    p = Path(path)
    key = _resolved(p)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    if p.suffix.lower() not in RUBRIC_SUFFIXES:
        # never read (and so never quote) a file that is not a rubric: rubric: /etc/passwd
        raise InputError(
            [
                Problem(
                    "wrong-kind-of-file",
                    "评分表应为 .yaml 或 .yml 文件，而这里是"
                    + (f" {p.suffix} 文件" if p.suffix else "无扩展名的文件")
                    + "；perfeval 不读取其内容。请给出评分表 YAML 文件的路径",
                    Location(str(p)),
                )
            ]
        )
    data, source = load_file(p, labeller(Rubric))
    if looks_like_department(data):
        raise InputError(
            [
                Problem(
                    "wrong-kind-of-file",
                    "这是部门文件（format: perfeval/department@1），不是评分表；评分表文件写 "
                    f"format: {RUBRIC_FORMAT}，含 indicators；请检查 --rubric 或 rubric: 指向的文件",
                    source.locate(("format",) if source.has(("format",)) else ()),
                )
            ]
        )
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    "not-a-mapping",
                    "评分表文件的顶层应为键值结构（format:、id:、name:、indicators: …）；请对照 rubrics/ 中的评分表",
                    source.locate(()),
                )
            ]
        )
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, source, Rubric, "评分表", rubric_key_name(data))) from None
    found = _CACHE[key] = RubricFile(rubric, source, p, tuple(check_rubric(rubric, source)))
    return found


def unusable(rf: RubricFile, where: Location | None = None) -> InputError:
    """The error for an unsound rubric: a lead problem (at the department's ``rubric:`` line, when given),
    then every soundness error, located in the rubric file."""
    errors = [p for p in rf.problems if p.is_error]
    lead = Problem(
        "rubric-invalid",
        f"评分表 {os.path.normpath(rf.path)} 不自洽（{len(errors)} 处问题，见下），不能用于评分；请先改正评分表，"
        "可用 perfeval validate 逐项核对",
        where or Location(str(rf.path)),
    )
    return InputError([lead, *errors])


def usable_rubric(path: Path | str, where: Location | None = None) -> RubricFile:
    """A rubric every command can score with: readable, a valid model, and sound."""
    rf = read_rubric(path)
    if not rf.sound:
        raise unusable(rf, where)
    return rf
