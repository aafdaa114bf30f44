"""Is a rubric sound (评分表自洽)? Pure: the checks return problems with positions; nothing is printed.

Beyond the pydantic models: every parent's 分值 equals the sum of its children and the indicators
sum to the stated total; ids are unique; every rule's outcomes stay within its node's weight (band
points, checklist and element sums, deduction floors, caps and penalties); band, cap and grade
intervals are ordered, do not overlap and cover the measure's range; every formula names only
declared facts; the texts a reviewer reads are present.

Every command runs these checks (once per rubric in a batch, :mod:`perfeval.pipeline.rubrics`):
``validate`` reports them (exit code 1), ``score``, ``check``, ``init`` and ``convert`` refuse an
unsound rubric (exit code 2), with the same located messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from perfeval.core import formula as fx
from perfeval.core.decimals import ZERO, fmt_points
from perfeval.core.facts import CATALOGUE, catalogue_for
from perfeval.core.problems import Locator, Problem
from perfeval.core.rubric import (
    Bands,
    Cap,
    Checklist,
    Deduction,
    Elements,
    FullMarksIf,
    Interval,
    Node,
    Penalty,
    Rubric,
    parse_interval,
)

Path_ = tuple[Any, ...]

#: names a rubric may not declare as facts: they mean something inside conditions
RESERVED_NAMES = frozenset({"value", "target", "actual"}) | fx.FUNCTIONS | fx.KEYWORDS
DEFAULT_MEASURE_RANGE = "[0, inf)"


def who(node: Node) -> str:
    """A node named for a reader: its id and its Chinese name."""
    return f"{node.id}（{node.name}）"


def walk_paths(rubric: Rubric) -> Iterator[tuple[Node, Path_]]:
    """Every node with its key path in the rubric file (('indicators', 0, 'children', 2) …)."""
    stack: list[tuple[Node, Path_]] = [(n, ("indicators", i)) for i, n in reversed(list(enumerate(rubric.indicators)))]
    while stack:
        node, path = stack.pop()
        yield node, path
        stack.extend((c, path + ("children", j)) for j, c in reversed(list(enumerate(node.children))))


# --- intervals ---------------------------------------------------------------------------


def _lo_key(iv: Interval) -> tuple:
    # -inf first; at equal bounds a closed low edge starts earlier than an open one
    return (iv.low is not None, iv.low if iv.low is not None else ZERO, not iv.low_closed)


def _fmt_bound(x: Decimal | None, percent: bool, low: bool) -> str:
    if x is None:
        return "-inf" if low else "inf"
    return f"{fmt_points(x * 100)}%" if percent else fmt_points(x)


def interval_problems(
    intervals: list[Interval], domain: Interval, *, percent: bool = True
) -> list[tuple[int | None, str]]:
    """Problems with a list of band intervals: order, overlap, gaps, coverage of ``domain``.

    Returns (index of the band at fault or None, message) pairs; pure.
    """
    out: list[tuple[int | None, str]] = []
    if not intervals:
        return out
    order = sorted(range(len(intervals)), key=lambda i: _lo_key(intervals[i]))
    listed = list(range(len(intervals)))
    if order != listed and order != listed[::-1]:
        out.append((None, "分档没有按顺序排列（应从低到高或从高到低依次列出）"))
    reach_i = order[0]  # the band reaching furthest up so far
    for b_i in order[1:]:
        a, b = intervals[reach_i], intervals[b_i]
        if a.high is None or b.low is None or a.high > b.low or (a.high == b.low and a.high_closed and b.low_closed):
            out.append((b_i, f"分档 {a.text} 与 {b.text} 重叠；一个值只能落在一档"))
        elif a.high < b.low or (a.high == b.low and not a.high_closed and not b.low_closed):
            gap_lo = "[" if not a.high_closed else "("
            gap_hi = "]" if not b.low_closed else ")"
            out.append(
                (
                    b_i,
                    f"分档 {a.text} 与 {b.text} 之间有空档 {gap_lo}{_fmt_bound(a.high, percent, True)}, "
                    f"{_fmt_bound(b.low, percent, False)}{gap_hi}；落在其中的值无档可依",
                )
            )
        if a.high is not None and (b.high is None or b.high > a.high or (b.high == a.high and b.high_closed)):
            reach_i = b_i
    first, last = intervals[order[0]], intervals[reach_i]
    if domain.low is not None and (
        first.low is not None
        and (first.low > domain.low or (first.low == domain.low and domain.low_closed and not first.low_closed))
    ):
        out.append((order[0], f"分档没有覆盖取值区间 {domain.text} 的下端（最低一档为 {first.text}）"))
    if domain.low is None and first.low is not None:
        out.append((order[0], f"分档没有覆盖取值区间 {domain.text} 的下端（最低一档为 {first.text}）"))
    if last.high is not None and (
        domain.high is None
        or last.high < domain.high
        or (last.high == domain.high and domain.high_closed and not last.high_closed)
    ):
        out.append((reach_i, f"分档没有覆盖取值区间 {domain.text} 的上端（最高一档为 {last.text}）"))
    return out


# --- rubric ------------------------------------------------------------------------------


class _RubricChecker:
    def __init__(self, rubric: Rubric, source: Locator) -> None:
        self.rubric = rubric
        self.source = source
        self.problems: list[Problem] = []
        self.catalogue = catalogue_for(rubric.facts)

    def add(self, code: str, message: str, path: Path_, *, key: bool = False, level: str = "error") -> None:
        self.problems.append(Problem(code, message, self.source.locate(path, key=key), level, path))

    def run(self) -> list[Problem]:
        self.facts()
        self.total()
        seen: dict[str, Path_] = {}
        for node, path in walk_paths(self.rubric):
            if node.id in seen:
                first = self.source.locate(seen[node.id] + ("id",))
                self.add(
                    "duplicate-id",
                    f"指标 id {node.id!r} 重复（{node.name}）；第一次出现在第 {first.line} 行，id 必须唯一",
                    path + ("id",),
                )
            else:
                seen[node.id] = path
            self.node(node, path)
        self.adjustments(seen)
        self.grades()
        return self.problems

    # -- tree ------------------------------------------------------------------------------

    def facts(self) -> None:
        for name in self.rubric.facts:
            path = ("facts", name)
            if not name.isidentifier() or not name.isascii() or name in RESERVED_NAMES:
                self.add(
                    "bad-fact-name",
                    f"事实名称 {name!r} 不能用于公式（应为英文字母、数字和下划线，"
                    f"且不是 {', '.join(sorted(RESERVED_NAMES))}）",
                    path,
                    key=True,
                )
            elif name in CATALOGUE:
                self.add(
                    "fact-shadows-catalogue",
                    f"事实 {name!r} 已在内置事实目录中（{CATALOGUE[name].label}）；请直接使用，不要重复声明",
                    path,
                    key=True,
                )

    def total(self) -> None:
        summed = sum((n.weight for n in self.rubric.indicators), ZERO)
        if summed != self.rubric.total:
            parts = "、".join(f"{n.name} {fmt_points(n.weight)}" for n in self.rubric.indicators)
            path = ("total",) if self.source.has(("total",)) else ("indicators",)
            self.add(
                "total-weight-mismatch",
                f"评分表总分为 {fmt_points(self.rubric.total)}，而一级指标分值之和为 {fmt_points(summed)}（{parts}）",
                path,
            )

    def node(self, node: Node, path: Path_) -> None:
        if node.choose_one is not None:
            for j, c in enumerate(node.children):
                if c.weight != node.weight:
                    self.add(
                        "choice-weight",
                        f"{who(c)}是 {who(node)} 的备选项（{node.choose_one.text}），"
                        f"分值应与之相同（{fmt_points(node.weight)}），却是 {fmt_points(c.weight)}",
                        path + ("children", j, "weight"),
                    )
        elif node.children:
            summed = sum((c.weight for c in node.children), ZERO)
            if summed != node.weight:
                parts = "、".join(f"{c.name} {fmt_points(c.weight)}" for c in node.children)
                self.add(
                    "weight-mismatch",
                    f"{who(node)}的分值为 {fmt_points(node.weight)}，而下级指标分值之和为 "
                    f"{fmt_points(summed)}（{parts}）；请改正分值使二者相等",
                    path + ("weight",),
                )
        if node.is_leaf and not (node.content or node.description):
            self.add(
                "missing-text",
                f"{who(node)}缺少指标内容（content）或指标说明（description）；请按评分表原文录入",
                path,
                key=True,
            )
        if node.rule is not None:
            self.rule(node, path + ("rule",))

    def rule(self, node: Node, path: Path_) -> None:
        rule, w = node.rule, node.weight
        measure = getattr(rule, "measure", None)
        if measure is not None:
            self.formula(node, measure.formula, path + ("measure", "formula"))
        if isinstance(rule, Checklist):
            ids: set[str] = set()
            for k, item in enumerate(rule.items):
                if item.id in ids:
                    self.add("duplicate-item", f"{who(node)}的评分要点 id {item.id!r} 重复", path + ("items", k, "id"))
                ids.add(item.id)
                if not item.text.strip():
                    self.add("missing-text", f"{who(node)}的评分要点 {item.id} 没有原文（text）", path + ("items", k))
            summed = sum((i.points for i in rule.items), ZERO)
            if summed != w:
                self.add(
                    "checklist-sum",
                    f"{who(node)}的评分要点分值之和为 {fmt_points(summed)}，而指标分值为 {fmt_points(w)}",
                    path + ("items",),
                    key=True,
                )
        elif isinstance(rule, Elements):
            ids = set()
            for k, item in enumerate(rule.items):
                if item.id in ids:
                    self.add("duplicate-item", f"{who(node)}的要素 id {item.id!r} 重复", path + ("items", k, "id"))
                ids.add(item.id)
            summed = rule.points_each * len(rule.items)
            if summed != w:
                self.add(
                    "elements-sum",
                    f"{who(node)}共 {len(rule.items)} 项要素、每项 {fmt_points(rule.points_each)} 分，"
                    f"合计 {fmt_points(summed)}，而指标分值为 {fmt_points(w)}",
                    path + ("points_each",),
                )
        elif isinstance(rule, Bands):
            for k, band in enumerate(rule.bands):
                if band.points > w:
                    self.add(
                        "band-points",
                        f"{who(node)}的分档 {band.range} 给 {fmt_points(band.points)} 分，超过指标分值 {fmt_points(w)}",
                        path + ("bands", k, "points"),
                    )
            domain = parse_interval(rule.measure.range or DEFAULT_MEASURE_RANGE)
            for k, msg in interval_problems(
                [b.interval for b in rule.bands], domain, percent=rule.measure.format == "percent"
            ):
                where = path + ("bands", k, "range") if k is not None else path + ("bands",)
                self.add("band-edges", f"{who(node)}：{msg}", where, key=k is None)
        elif isinstance(rule, Deduction):
            if rule.floor > w:
                self.add(
                    "deduction-floor",
                    f"{who(node)}的最低得分 {fmt_points(rule.floor)} 超过指标分值 {fmt_points(w)}",
                    path + ("floor",),
                )
        elif isinstance(rule, FullMarksIf):
            extra = {"value"} if rule.measure is not None else set()
            self.formula(node, rule.condition, path + ("condition",), extra)
            if rule.measure is None and "value" in fx.parse(rule.condition).names:
                self.add(
                    "value-without-measure",
                    f"{who(node)}的满分条件用了 value，但本指标没有 measure",
                    path + ("condition",),
                )
        if node.optional is not None and not node.optional.text.strip():
            self.add("missing-text", f"{who(node)}的可选项说明为空", path)

    def formula(self, node: Node | None, text: str, path: Path_, extra: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        parsed = fx.parse(text)  # the rubric model has parsed every formula already
        owner = f"{who(node)}的" if node is not None else ""
        for name in parsed.names:
            if name in self.catalogue or name in extra:
                continue
            guess = difflib.get_close_matches(name, [*self.catalogue, *extra], n=1)
            hint = (
                f"是否想写 {guess[0]!r}（{self.catalogue[guess[0]].label if guess[0] in self.catalogue else guess[0]}）？"
                if guess
                else "请用事实目录中的名称，或在评分表的 facts: 中声明"
            )
            self.add("unknown-fact", f"{owner}公式 {text!r} 用到未声明的事实 {name!r}；{hint}", path)

    # -- total -----------------------------------------------------------------------------

    def adjustments(self, ids: dict[str, Path_]) -> None:
        nodes = {n.id: n for n, _ in self.rubric.walk()}
        seen: set[str] = set()
        for k, adj in enumerate(self.rubric.adjustments):
            path = ("adjustments", k)
            if adj.id in seen or adj.id in ids:
                self.add("duplicate-id", f"总分调整 id {adj.id!r}（{adj.name}）与其他指标或调整重复", path + ("id",))
            seen.add(adj.id)
            if isinstance(adj, Penalty):
                if adj.points > self.rubric.total:
                    self.add(
                        "penalty-points",
                        f"扣分 {adj.id}（{adj.name}）每次扣 {fmt_points(adj.points)} 分，"
                        f"超过总分 {fmt_points(self.rubric.total)}",
                        path + ("points",),
                    )
                for j, nid in enumerate(adj.rows_of):
                    if nid not in nodes or nodes[nid].department_rows is None:
                        self.add(
                            "rows-of",
                            f"扣分 {adj.id}（{adj.name}）的 rows_of 中 {nid!r} 不是部门特性指标节点",
                            path + ("rows_of", j),
                        )
                extra = {"target", "actual"} if adj.rows_of else set()
                self.formula(None, adj.condition, path + ("condition",), extra)
            elif isinstance(adj, Cap):
                self.formula(None, adj.measure.formula, path + ("measure", "formula"))
                for j, band in enumerate(adj.caps):
                    if band.max is not None and band.max > self.rubric.total:
                        self.add(
                            "cap-max",
                            f"封顶 {adj.id}（{adj.name}）的上限 {fmt_points(band.max)} 超过总分 "
                            f"{fmt_points(self.rubric.total)}",
                            path + ("caps", j, "max"),
                        )
                domain = parse_interval(adj.measure.range or DEFAULT_MEASURE_RANGE)
                for j, msg in interval_problems(
                    [b.interval for b in adj.caps], domain, percent=adj.measure.format == "percent"
                ):
                    where = path + ("caps", j, "range") if j is not None else path + ("caps",)
                    self.add("cap-edges", f"封顶 {adj.id}（{adj.name}）：{msg}", where, key=j is None)

    def grades(self) -> None:
        grades = self.rubric.grades
        if not grades:
            return
        total = self.rubric.total
        for k, g in enumerate(grades):
            iv = g.interval
            if (iv.low is not None and iv.low > total) or (iv.high is not None and iv.high > total):
                self.add(
                    "grade-range",
                    f"等级 {g.grade} 的区间 {g.range} 超出总分 {fmt_points(total)}",
                    ("grades", k, "range"),
                )
        domain = parse_interval(f"[0, {total}]")
        for k, msg in interval_problems([g.interval for g in grades], domain, percent=False):
            msg = msg.replace("分档", "等级区间")
            self.add(
                "grade-edges", f"等级：{msg}", ("grades", k, "range") if k is not None else ("grades",), key=k is None
            )


def check_rubric(rubric: Rubric, source: Locator) -> list[Problem]:
    """Every problem with a rubric that loaded; pure."""
    return _RubricChecker(rubric, source).run()
