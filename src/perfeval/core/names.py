"""Indicators written by their Chinese name (指标名称) where an id is expected.

A finance officer copies ``预算完成率`` from the printed 评分表 rather than ``budget_completion_rate``; a
评分要点 as ``是否设立年度绩效目标``; an element (要素) as ``招待标准``. :func:`resolve_names` rewrites every such
name in a department file to its id, so the rest of the tool sees ids only, and returns a source map that
still points each finding at the key as the department wrote it. A name two indicators share is not
guessed: it is reported with the ids to choose from (``ambiguous-name``); the same indicator written twice
(by id and by name) is reported too (``same-indicator-twice``). A key that is neither stays as written, for
:func:`perfeval.core.consistency.cross_check` to report as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from perfeval.core.department import Department
from perfeval.core.problems import KeyPath, Location, Locator, Problem
from perfeval.core.review import Review
from perfeval.core.rubric import Node, Rubric
from perfeval.core.rules import Checklist, Elements

# "1、" "(2)" "（3）" "①" "一、" at the start; "；" "。" "（1分）" at the end — how 评分要点 are printed
_LEAD = re.compile(r"^\s*(?:[0-9]+[、.．)）]|[(（][0-9一二三四五六七八九十]+[)）]|[①-⑳]|[一二三四五六七八九十]+、)\s*")
_TAIL = re.compile(r"(?:[(（][0-9.]+分[)）]|[；;。，,：:\s])+$")


def bare(text: str) -> str:
    """An indicator, 评分要点 or element text without its numbering, points and closing punctuation."""
    return _TAIL.sub("", _LEAD.sub("", text)).strip()


@dataclass(slots=True)
class RenamedSource:
    """A source map that answers for the ids a department's names were rewritten to: it locates
    ``("self_assessment", "scores", "budget_completion_rate")`` where the file wrote ``预算完成率``."""

    inner: Locator
    renames: Mapping[KeyPath, KeyPath]  # path as rewritten → path as written
    file: str = field(init=False)

    def __post_init__(self) -> None:
        self.file = self.inner.file

    def _written(self, path: KeyPath) -> KeyPath:
        for n in range(len(path), 0, -1):
            written = self.renames.get(path[:n])
            if written is not None:
                return written + path[n:]
        return path

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        return self.inner.locate(self._written(path), key=key)

    def has(self, path: KeyPath) -> bool:
        return self.inner.has(self._written(path))

    def __getattr__(self, name: str) -> Any:  # anything else a reader's map offers (sheet names …)
        if name.startswith("__") or name == "inner":  # copy and pickle probe before ``inner`` is set
            raise AttributeError(name)
        return getattr(self.inner, name)


class _Names:
    """One kind of name → id lookup: ids first, then exact names, then names without numbering."""

    def __init__(self, what: str, entries: Iterable[tuple[str, str]]) -> None:
        self.what = what
        self.names: dict[str, str] = {}  # id → name as printed
        self.by_name: dict[str, set[str]] = {}
        for id_, name in entries:
            self.names[id_] = name
            for form in {name.strip(), bare(name)}:
                if form:
                    self.by_name.setdefault(form, set()).add(id_)

    def lookup(self, key: str) -> tuple[str | None, list[str]]:
        """(id, []) when ``key`` is an id or names one indicator; (None, ids) when it names several;
        (None, []) when it is neither."""
        if key in self.names:
            return key, []
        found = self.by_name.get(key.strip()) or self.by_name.get(bare(key)) or set()
        if len(found) == 1:
            return next(iter(found)), []
        return None, sorted(found)


class _RubricNames:
    """A rubric's lookups: 末级指标, every 指标, and each leaf's 评分要点 or 要素."""

    def __init__(self, rubric: Rubric) -> None:
        nodes = [n for n, _ in rubric.walk()]
        self.leaves = _Names("末级指标", ((n.id, n.name) for n in nodes if n.is_leaf))
        self.nodes = _Names("指标", ((n.id, n.name) for n in nodes))
        self.items = {n.id: _item_names(n) for n in nodes if n.is_leaf}


# A batch resolves hundreds of departments against one rubric: its lookups are made once (the rubric is
# immutable; it is kept here with them, so that its id is not reused while they are).
_BY_RUBRIC: dict[int, tuple[Rubric, _RubricNames]] = {}


def _names_of(rubric: Rubric) -> _RubricNames:
    hit = _BY_RUBRIC.get(id(rubric))
    if hit is not None and hit[0] is rubric:
        return hit[1]
    if len(_BY_RUBRIC) >= 16:
        _BY_RUBRIC.clear()
    names = _RubricNames(rubric)
    _BY_RUBRIC[id(rubric)] = (rubric, names)
    return names


class _Resolver:
    def __init__(self, rubric: Rubric, source: Locator) -> None:
        self.rubric = rubric
        self.source = source
        names = _names_of(rubric)
        self.leaves, self.nodes, self.items = names.leaves, names.nodes, names.items
        self.renames: dict[KeyPath, KeyPath] = {}
        self.problems: list[Problem] = []

    def _id(self, names: _Names, key: str, written: KeyPath, *, key_position: bool) -> str:
        id_, several = names.lookup(key)
        if id_ is not None:
            return id_
        if several:
            choices = "、".join(f"{i}（{bare(names.names[i])}）" for i in several)
            self.problems.append(
                Problem(
                    "ambiguous-name",
                    f"{key!r} 是评分表中 {len(several)} 个{names.what}的名称：{choices}；请改写为其中一个的 id",
                    self.source.locate(written, key=key_position),
                )
            )
        return key

    def mapping(self, names: _Names, at: KeyPath, given: Mapping[str, Any]) -> dict[str, Any]:
        """A mapping keyed by indicator: every key rewritten to its id; the first of two keys naming the
        same indicator kept, the second reported."""
        out: dict[str, Any] = {}
        written_as: dict[str, str] = {}
        for key, value in given.items():
            id_ = self._id(names, key, at + (key,), key_position=True)
            if id_ in out:
                node = self.rubric.nodes_by_id.get(id_)
                label = f"{id_}（{node.name}）" if node is not None else repr(id_)
                self.problems.append(
                    Problem(
                        "same-indicator-twice",
                        f"{label}在这里写了两次（{written_as[id_]!r} 与 {key!r}）；请删去其一",
                        self.source.locate(at + (key,), key=True),
                    )
                )
                continue
            out[id_] = value
            written_as[id_] = key
            if id_ != key:
                self.renames[at + (id_,)] = at + (key,)
        return out

    def sequence(self, names: _Names, at: KeyPath, given: Iterable[str]) -> list[str]:
        return [self._id(names, v, at + (k,), key_position=False) for k, v in enumerate(given)]


def _item_names(node: Node) -> _Names | None:
    if isinstance(node.rule, Checklist):
        return _Names("评分要点", ((i.id, i.text) for i in node.rule.items))
    if isinstance(node.rule, Elements):
        return _Names("要素", ((e.id, e.text) for e in node.rule.items))
    return None


def resolve_names(rubric: Rubric, dept: Department, source: Locator) -> tuple[Department, Locator, list[Problem]]:
    """The department with every indicator, 评分要点 and element name rewritten to its id; a source map
    that locates the rewritten keys where they were written; the names that could not be resolved."""
    r = _Resolver(rubric, source)
    sa = dept.self_assessment
    scores_at: KeyPath = ("self_assessment", "scores")
    scores = r.mapping(r.leaves, scores_at, sa.scores)
    for sid, entry in list(scores.items()):
        node = rubric.leaves_by_id.get(sid)
        parts = r.items.get(sid)
        if parts is None:
            continue
        update: dict[str, Any] = {}
        if entry.items is not None and node is not None and isinstance(node.rule, Checklist):
            update["items"] = r.mapping(parts, scores_at + (sid, "items"), entry.items)
        if entry.present is not None and node is not None and isinstance(node.rule, Elements):
            update["present"] = r.sequence(parts, scores_at + (sid, "present"), entry.present)
        if update and any(update[k] != getattr(entry, k) for k in update):
            scores[sid] = entry.model_copy(update=update)
    chosen_at: KeyPath = ("self_assessment", "chosen")
    chosen = r.mapping(r.nodes, chosen_at, sa.chosen)
    chosen = {gid: r._id(r.nodes, cid, chosen_at + (gid,), key_position=False) for gid, cid in chosen.items()}
    new_sa = sa.model_copy(
        update={
            "scores": scores,
            "subtotals": r.mapping(r.nodes, ("self_assessment", "subtotals"), sa.subtotals),
            "reasons": r.mapping(r.nodes, ("self_assessment", "reasons"), sa.reasons),
            "chosen": chosen,
            "not_applicable": r.sequence(r.leaves, ("self_assessment", "not_applicable"), sa.not_applicable),
        }
    )
    rows = r.mapping(r.nodes, ("department_indicators",), dept.department_indicators)
    accepted = [  # 已接受的问题 naming their indicator by name
        a
        if a.indicator is None
        else a.model_copy(
            update={"indicator": r._id(r.nodes, a.indicator, ("accepted", i, "indicator"), key_position=False)}
        )
        for i, a in enumerate(dept.accepted)
    ]
    if not r.renames and new_sa == sa and rows == dept.department_indicators and accepted == dept.accepted:
        return dept, source, r.problems
    renamed = dept.model_copy(update={"self_assessment": new_sa, "department_indicators": rows, "accepted": accepted})
    return renamed, (RenamedSource(source, r.renames) if r.renames else source), r.problems


def resolve_review_names(
    rubric: Rubric, review: Review, source: Locator, at: KeyPath
) -> tuple[Review, Locator, list[Problem]]:
    """A review's indicators (``scores`` keys, ``duplicate_of``) by name rewritten to their ids, as
    :func:`resolve_names` does for the department; ``at`` is the key path of the review in ``source``."""
    r = _Resolver(rubric, source)
    scores = r.mapping(r.leaves, at + ("scores",), review.scores)
    for iid, entry in list(scores.items()):
        if entry.duplicate_of is not None:
            twin = r._id(r.leaves, entry.duplicate_of, at + ("scores", iid, "duplicate_of"), key_position=False)
            if twin != entry.duplicate_of:
                scores[iid] = entry.model_copy(update={"duplicate_of": twin})
    if not r.renames and scores == review.scores:
        return review, source, r.problems
    return (
        review.model_copy(update={"scores": scores}),
        (RenamedSource(source, r.renames) if r.renames else source),
        r.problems,
    )
