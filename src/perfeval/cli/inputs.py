"""What the files on a command line are: folders walked, glob patterns matched, non-department files skipped.

``perfeval check depts/`` checks every department file under ``depts/`` (subfolders too); ``perfeval check
"d1*.yaml"`` matches the pattern itself (Windows' shells leave it to the program). A file named on the
command line, or matched by a pattern, is always taken: if it is not a department file, the pipeline
says so. Inside a folder only department files are taken (rubrics too, for ``validate``): the others —
rubrics, configuration files, Office's ``~$`` lock files, files that are neither YAML nor workbooks — are
skipped by their content, and counted on stderr. The order is stable: the arguments in the order given,
each folder's or pattern's files sorted by path.
"""

from __future__ import annotations

import glob
import os
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import TextIO

from perfeval.core.problems import InputError, Location, Problem

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_SNIFF_BYTES = 64 * 1024
_FORMAT = re.compile(r"^format:\s*['\"]?perfeval/(\w+)", re.MULTILINE)
_TOP_KEY = re.compile(r"^([A-Za-z_]+):", re.MULTILINE)
_DEPARTMENT_SHEETS = ("填报信息", "基础数据表", "评分表", "指标数据")
_GLOB = re.compile(r"[*?\[]")

# what a skipped file was, as the summary line names it
RUBRIC, CONFIG, LOCK, OTHER, AUDIT, REVIEW = (
    "评分表",
    "其他 YAML 文件（如配置文件）",
    "Office 锁定文件（~$）",
    "其他类型的文件",
    "审核结果等其他工作簿",
    "复核文件（随同名单位的部门文件读取）",
)
REVIEW_SUFFIXES = (".review.yaml", ".review.yml")  # as pipeline/reviews.py finds them beside a department


def kind_of(path: Path) -> str:
    """What a file found in a folder is: 'department', 'rubric', or why it is skipped."""
    name = path.name
    if name.startswith("~$"):
        return LOCK
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook_kind(path)
    if suffix not in YAML_SUFFIXES:
        return OTHER
    if name.lower().endswith(REVIEW_SUFFIXES):
        return REVIEW
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return "department"  # unreadable: the pipeline says why
    declared = _FORMAT.search(head)
    if declared is not None:
        return {"department": "department", "rubric": "rubric", "review": REVIEW}.get(declared[1], "department")
    keys = set(_TOP_KEY.findall(head))
    if "indicators" in keys:
        return "rubric"
    if keys & {"unit", "self_assessment", "basic_data"}:
        return "department"
    return CONFIG


def _workbook_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError):
        return "department"  # not a readable workbook: the pipeline says why
    names = [n.replace(" ", "") for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', book)]
    if "问题清单" in names:
        return AUDIT
    if any(wanted in n for n in names for wanted in _DEPARTMENT_SHEETS):
        return "department"
    return AUDIT


def _walk(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted by path; hidden files and folders (.git) left out."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(here) / f for f in files if not f.startswith(".")]
    return sorted(found)


def expand(
    arguments: list[Path], *, rubrics_too: bool = False, err: TextIO | None = None, reviews: list[Path] | None = None
) -> list[Path]:
    """The files a command runs over, in a stable order. Raises :class:`InputError` (exit code 2) when a
    folder holds no department file or a pattern matches nothing; reports skipped files on stderr.
    ``reviews``: collects the review files (``*.review.yaml``) found or named, which are read with the
    departments they belong to, so that the command can report those that belong to none."""
    wanted = {"department", "rubric"} if rubrics_too else {"department"}
    out: list[Path] = []
    skipped: Counter[str] = Counter()
    problems: list[Problem] = []

    def take(path: Path) -> None:  # a file named twice is checked twice, as the shell would have it
        if reviews is not None and path.name.lower().endswith(REVIEW_SUFFIXES):
            reviews.append(path)
        else:
            out.append(path)

    def folder(path: Path) -> None:
        kept = 0
        for found in _walk(path):
            kind = kind_of(found)
            if kind in wanted:
                take(found)
                kept += 1
            elif kind == REVIEW and reviews is not None:
                reviews.append(found)
            else:
                skipped[RUBRIC if kind == "rubric" else kind] += 1
        if not kept:
            what = "评分表或部门文件" if rubrics_too else "部门文件"
            problems.append(
                Problem(
                    "no-department-files",
                    f"文件夹中（含子文件夹）没有{what}（YAML 或 .xlsx 工作簿）；请给出放部门文件的文件夹",
                    Location(str(path)),
                )
            )

    for arg in arguments:
        text = str(arg)
        if arg.is_dir():
            folder(arg)
        elif not arg.exists() and _GLOB.search(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            if not matches:
                problems.append(
                    Problem(
                        "no-match",
                        "没有与此通配符匹配的文件；请检查文件夹和文件名（如 depts/*.yaml）",
                        Location(text),
                    )
                )
            for path in matches:
                if path.is_dir():
                    folder(path)
                else:
                    take(path)
        else:
            take(arg)
    if problems:
        raise InputError(problems)
    if skipped:
        parts = "、".join(f"{kind} {n} 个" for kind, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])))
        print(f"已跳过 {sum(skipped.values())} 个不是部门文件的文件：{parts}", file=err or sys.stderr)
    return out
