"""The reviewer's 复核 of a department: found, read, checked against the rubric, and applied.

Where a department's review is (:func:`find_review`):

* the department file's own ``review:`` section;
* the file its ``review:`` names (a path relative to the department file);
* otherwise a review file beside it — a YAML file named ``*.review.yaml`` (or ``.yml``) in the same folder,
  ``format: perfeval/review@1`` — whose 单位名称 and 年度 are the department's. Two such files for one unit and
  year are refused, never chosen between.

The review's 复核得分 become the indicators' 审核得分 (the reviewer's word stands), while perfeval's own 核算
stays beside them: :class:`~perfeval.pipeline.reports.FileReport` carries all three. Every problem is
located in the file it is about: a review file's in the review file.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from perfeval.core.decimals import ZERO, fmt_points
from perfeval.core.department import Department, IndicatorScore
from perfeval.core.engine import NodeResult, ScoreResult
from perfeval.core.names import resolve_review_names
from perfeval.core.problems import WARNING, InputError, KeyPath, Locator, Problem
from perfeval.core.review import (
    Review,
    Reviewed,
    ReviewFile,
    deviation,
    fmt_deviation,
    over_threshold,
    reviewed_scores,
)
from perfeval.core.rubric import Rubric
from perfeval.fileio.model_errors import labeller, problems_from_validation
from perfeval.fileio.yaml_read import load_file

REVIEW_SUFFIXES = (".review.yaml", ".review.yml")


def is_review_file(path: Path) -> bool:
    return path.name.lower().endswith(REVIEW_SUFFIXES)


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    """A department's review as it was applied: who, when, the per-unit reason, each indicator's 复核."""

    file: str | None  # the review file; None when the review is a section of the department file
    reviewer: str | None
    date: str | None
    reason: str | None
    rows: dict[str, Reviewed]
    source: Locator = field(repr=False, compare=False)
    at: KeyPath = ()  # where the review's ``scores`` sit in ``source``


def read_review_file(path: Path) -> tuple[ReviewFile, Any]:
    """A review file, validated; every problem located in it (:class:`InputError`)."""
    data, source = load_file(path, labeller(ReviewFile))
    if not isinstance(data, dict) or data.get("format") != "perfeval/review@1":
        raise InputError(
            [
                Problem(
                    "not-a-review",
                    f"{path.name} 不是复核文件：复核文件第一行应为 format: perfeval/review@1，并写明 unit（单位名称）"
                    "和 year（年度）；请改正，或把它移出部门文件所在的文件夹",
                    source.locate(("format",) if isinstance(data, dict) and "format" in data else ()),
                )
            ]
        )
    try:
        return ReviewFile.model_validate(data), source
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, source, ReviewFile, "复核文件")) from None


# a folder's review files by (unit, year): read once per folder and run, like the rubric cache
_BESIDE: dict[tuple[Path, int], dict[tuple[str, int], list[Path]]] = {}


def _reviews_beside(folder: Path) -> dict[tuple[str, int], list[Path]]:
    try:
        stamp = folder.stat().st_mtime_ns  # a file added to or removed from the folder changes it
    except OSError:
        return {}
    found = _BESIDE.get((folder, stamp))
    if found is not None:
        return found
    found = {}
    try:
        names = sorted(e.name for e in os.scandir(folder) if is_review_file(Path(e.name)) and e.is_file())
    except OSError:
        names = []
    for name in names:
        try:
            review, _ = read_review_file(folder / name)
        except InputError:
            # an unreadable review file matches no department: ``check`` reports it among the batch's files
            continue
        found.setdefault((review.unit.strip(), review.year), []).append(folder / name)
    _BESIDE[(folder, stamp)] = found
    return found


def find_review(
    dept: Department, dept_path: Path, source: Locator
) -> tuple[Review, Locator, KeyPath, str | None] | None:
    """The department's review, where it is kept: (the review, its source map, the key path of the review in
    it, the review file or None), or None when there is none."""
    if isinstance(dept.review, Review):
        return dept.review, source, ("review",), None
    if isinstance(dept.review, str):
        target = dept_path.parent / dept.review
        try:
            review, review_source = read_review_file(target)
        except InputError as err:
            lead = Problem(
                "review-unreadable",
                f"review（复核）指向的复核文件 {dept.review!r} 无法使用；问题如下",
                source.locate(("review",)),
            )
            raise InputError([lead, *err.problems]) from None
        _same_unit_and_year(review, dept, review_source)
        return review, review_source, (), str(target)
    matches = _reviews_beside(dept_path.parent).get((dept.unit.strip(), dept.year), [])
    if len(matches) > 1:
        raise InputError(
            [
                Problem(
                    "review-ambiguous",
                    f"{dept.unit} {dept.year} 年度在本文件旁有 {len(matches)} 个复核文件："
                    + "、".join(p.name for p in matches)
                    + "；请只保留一个，或在部门文件中用 review: 写明所用的复核文件",
                    source.locate(("unit",)),
                )
            ]
        )
    if not matches:
        return None
    review, review_source = read_review_file(matches[0])
    return review, review_source, (), str(matches[0])


def _same_unit_and_year(review: ReviewFile, dept: Department, source: Locator) -> None:
    wrong = [
        (key, label, mine, theirs)
        for key, label, mine, theirs in (
            ("unit", "单位名称", review.unit.strip(), dept.unit.strip()),
            ("year", "年度", review.year, dept.year),
        )
        if mine != theirs
    ]
    if wrong:
        raise InputError(
            [
                Problem(
                    "review-mismatch",
                    f"复核文件的{label} {mine} 与部门文件的 {theirs} 不同；请确认这是该单位该年度的复核",
                    source.locate((key,)),
                )
                for key, label, mine, theirs in wrong
            ]
        )


def apply_review(
    rubric: Rubric, dept: Department, dept_path: Path, source: Locator
) -> tuple[Department, ReviewInfo | None, list[Problem]]:
    """The department with its reviewer's 复核得分 as the indicators' 审核得分, the review as applied, and the
    review's warnings (its errors are raised: :class:`InputError`, located in the review)."""
    found = find_review(dept, dept_path, source)
    if found is None:
        return dept, None, []
    review, review_source, at, review_file = found
    review, review_source, problems = resolve_review_names(rubric, review, review_source, at)
    leaves = rubric.leaves_by_id
    scores_at = at + ("scores",)
    for iid in review.scores:
        if iid not in leaves:
            guess = difflib.get_close_matches(iid, list(leaves), n=1)
            hint = (
                f"是否想写 {guess[0]!r}（{leaves[guess[0]].name}）？" if guess else "请对照评分表的末级指标 id 或名称"
            )
            problems.append(
                Problem(
                    "unknown-indicator",
                    f"复核中的 {iid!r} 不是评分表 {rubric.id} 的末级指标；{hint}",
                    review_source.locate(scores_at + (iid,), key=True),
                )
            )
    known = {k: v for k, v in review.scores.items() if k in leaves}
    entries = dept.self_assessment.scores
    self_scores = {k: (entries[k].score if k in entries else None) for k in known}
    weights = {k: n.weight for k, n in leaves.items()}
    names = {k: n.name for k, n in leaves.items()}
    rows, found_problems = reviewed_scores(
        review.model_copy(update={"scores": known}), self_scores, weights, names, scores_at
    )
    for p in found_problems:
        located = p.located(review_source.locate(p.path)) if p.path else p
        problems.append(located)
    for iid in known:
        stated = entries[iid].reviewed if iid in entries else None
        if stated is not None:
            problems.append(
                Problem(
                    "review-conflict",
                    f"{iid}（{names[iid]}）的审核得分写了两处：评分表的审核得分 {stated} 与复核中的复核得分；"
                    "请只保留一处（复核写在 review 中）",
                    source.locate(("self_assessment", "scores", iid, "reviewed")),
                )
            )
    errors = [p for p in problems if p.is_error]
    if errors:
        raise InputError(errors)
    scores = dict(entries)
    for row in rows:
        if row.score is None:
            continue
        entry = scores.get(row.id)
        scores[row.id] = (
            entry.model_copy(update={"reviewed": row.score})
            if entry is not None
            else IndicatorScore(reviewed=row.score)
        )
    applied = dept.model_copy(update={"self_assessment": dept.self_assessment.model_copy(update={"scores": scores})})
    info = ReviewInfo(
        review_file, review.reviewer, review.date, review.reason, {r.id: r for r in rows}, review_source, scores_at
    )
    return applied, info, [p for p in problems if not p.is_error]


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """What a department's 复核 comes to: who reviewed, the 复核总分 and its 偏离度 from the 自评总分."""

    file: str | None  # the review file; None when it is a section of the department file
    reviewer: str | None
    date: str | None
    reason: str | None  # 复核结论与偏差原因（按单位）
    reviewed: int  # indicators the reviewer scored
    of: int  # applicable indicators
    total: Decimal | None  # 复核总分: the audited total once the reviewer scored every indicator
    deviation: Decimal | None  # 偏离度 of the 自评总分 from the 复核总分, as the rubric defines it
    measure: str  # relative | points
    threshold: Decimal | None


def review_findings(
    result: ScoreResult, rubric: Rubric, info: ReviewInfo, threshold: Decimal | None = None
) -> tuple[ReviewSummary, dict[str, Decimal | None], list[Problem]]:
    """The 复核 against the 自评: each indicator's 偏离度 (by id; leaves and tiers), the unit's, and a warning for
    each above the threshold (``threshold``: the configuration's, else the rubric's ``review.threshold``)."""
    rule = rubric.review
    limit = threshold if threshold is not None else rule.threshold
    deviations: dict[str, Decimal | None] = {}
    problems: list[Problem] = []
    leaves: list[NodeResult] = []
    stack = list(result.nodes)
    while stack:
        n = stack.pop()
        stack.extend(n.children)
        if n.children:
            reviewed_total = n.audited_score if all(_reviewed(c) for c in _leaves(n)) else None
            deviations[n.id] = deviation(rule, n.self_score, reviewed_total)
            continue
        if not n.applicable:
            continue
        leaves.append(n)
        value = deviation(rule, n.self_score, n.reviewed)
        deviations[n.id] = value
        if over_threshold(rule, value, limit):
            problems.append(
                Problem(
                    "review-deviation",
                    f"{n.name}：自评 {fmt_points(n.self_score)} 分，复核 {fmt_points(n.reviewed)} 分，"
                    f"偏离度 {fmt_deviation(rule.deviation, value)}，超过阈值 {fmt_deviation(rule.deviation, limit)}",
                    info.source.locate(info.at + (n.id,)),
                    WARNING,
                    indicator_id=n.id,
                    indicator_name=n.name,
                    amounts={"stated": n.self_score or ZERO, "expected": n.reviewed or ZERO},
                )
            )
    reviewed = sum(1 for n in leaves if n.reviewed is not None)
    adjusted = result.has_adjustments
    audited = result.audited_total_adjusted if adjusted else result.audited_total
    self_total = result.self_total_adjusted if adjusted else result.self_total
    total = audited if leaves and reviewed == len(leaves) else None
    unit_deviation = deviation(rule, self_total, total)
    if over_threshold(rule, unit_deviation, limit):
        problems.append(
            Problem(
                "review-deviation",
                f"自评总分 {fmt_points(self_total)}，复核总分 {fmt_points(total)}，"
                f"偏离度 {fmt_deviation(rule.deviation, unit_deviation)}，超过阈值 {fmt_deviation(rule.deviation, limit)}",
                info.source.locate(info.at[:-1]),
                WARNING,
            )
        )
    summary = ReviewSummary(
        info.file,
        info.reviewer,
        info.date,
        info.reason,
        reviewed,
        len(leaves),
        total,
        unit_deviation,
        rule.deviation,
        limit,
    )
    return summary, deviations, problems


def _leaves(n: NodeResult) -> list[NodeResult]:
    out: list[NodeResult] = []
    stack = [n]
    while stack:
        m = stack.pop()
        if m.children:
            stack.extend(m.children)
        elif m.applicable:
            out.append(m)
    return out


def _reviewed(n: NodeResult) -> bool:
    return n.reviewed is not None


def unused_reviews(paths: list[Path], applied: set[str]) -> list[Problem]:
    """What to say of the review files a batch found or was given that no department used: each one's own
    problems when it cannot be read, else that it belongs to no department of the batch. ``applied``: the
    review files the departments used (``ReviewSummary.file``), as paths."""
    used = {os.path.normpath(os.path.abspath(f)) for f in applied}
    problems: list[Problem] = []
    for path in paths:
        if os.path.normpath(os.path.abspath(path)) in used:
            continue
        try:
            review, source = read_review_file(path)
        except InputError as err:
            problems += err.problems
            continue
        beside = "" if is_review_file(path) else "；复核文件名须以 .review.yaml 结尾，才会被同一文件夹中的部门文件找到"
        problems.append(
            Problem(
                "review-unmatched",
                f"复核文件没有被使用：同一文件夹中没有单位名称为 {review.unit}、年度为 {review.year} 的部门文件"
                f"{beside}；请核对单位名称和年度，或在部门文件中用 review: 指向它",
                source.locate(("unit",)),
                WARNING,
            )
        )
    return problems
