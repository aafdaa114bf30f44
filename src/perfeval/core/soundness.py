"""Is a rubric sound (评分表自洽)? Pure: the checks return problems with positions; nothing is printed.

Beyond the pydantic models: every parent's 分值 equals the sum of its children and the indicators
sum to the stated total; ids are unique; every rule's outcomes stay within its node's weight (band
points, checklist and element sums, deduction floors, caps and penalties); band, cap and grade
intervals are ordered, do not overlap and cover the measure's range; every formula names only
declared facts; the texts a reviewer reads are present.

Every command runs these checks (once per rubric in a batch, :mod:`perfeval.pipeline.rubrics`):
``validate`` reports them (exit code 1), ``score``, ``check``, ``init`` and ``convert`` refuse an
unsound rubric (exit code 2), with the same located messages.

Why this module is long: one checker walks the tree once and holds a check per rule kind and per
adjustment on the total; the interval checks they share live in :mod:`perfeval.core.intervals`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from perfeval.core import formula as fx
from perfeval.core.decimals import ZERO, fmt_points
from perfeval.core.facts import CATALOGUE, catalogue_for
from perfeval.core.intervals import interval_problems, parse_interval
from perfeval.core.problems import Locator, Problem
from perfeval.core.rubric import Cap, Deviation, Node, Penalty, Rubric
from perfeval.core.rules import Bands, Checklist, Deduction, Elements, ExecutionRate, FullMarksIf

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
        parts = "、".join(f"{n.name} {fmt_points(n.weight)}" for n in self.rubric.indicators)
        path = ("total",) if self.source.has(("total",)) else ("indicators",)
        if self.rubric.indicators_incomplete:
            self.incomplete(
                "评分表",
                self.rubric.total,
                summed,
                parts,
                path,
                ("indicators_incomplete",),
                "一级指标",
                bool((self.rubric.note or "").strip()),
            )
            return
        if summed != self.rubric.total:
            self.add(
                "total-weight-mismatch",
                f"评分表总分为 {fmt_points(self.rubric.total)}，而一级指标分值之和为 {fmt_points(summed)}（{parts}）",
                path,
            )

    def incomplete(
        self,
        what: str,
        weight: Decimal,
        summed: Decimal,
        parts: str,
        path: Path_,
        marker: Path_,
        tier: str,
        explained: bool,
    ) -> None:
        """A partial table (children_incomplete / indicators_incomplete): the printed weight is kept.
        What is listed may fall short of it (informational), never exceed it (an error)."""
        name = "总分" if what == "评分表" else "分值"
        if summed > weight:
            self.add(
                "weight-mismatch" if what != "评分表" else "total-weight-mismatch",
                f"{what}的{name}为 {fmt_points(weight)}，而已列{tier}分值之和为 {fmt_points(summed)}（{parts}），"
                f"超过了{name}；只列出部分{tier}时，已列部分不能多于{name}",
                path,
            )
        elif summed == weight:
            self.add(
                "incomplete-but-complete",
                f"{what}标为只列出部分{tier}（{marker[-1]}），但已列{tier}分值之和已等于{name} "
                f"{fmt_points(weight)}；请删去 {marker[-1]}",
                marker if self.source.has(marker) else path,
                key=True,
                level="warning",
            )
        else:
            self.add(
                "children-incomplete",
                f"{what}的{name}为 {fmt_points(weight)}，本表只列出{tier} {fmt_points(summed)} 分（{parts}）；"
                f"按表列{name}保留，合计为部分得分",
                path,
                level="info",
            )
        if not explained:
            self.add(
                "missing-text",
                f"{what}只列出部分{tier}（{marker[-1]}）；请在 note 中说明所据表格缺了哪些、为什么",
                marker if self.source.has(marker) else path,
                key=True,
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
        elif node.children and node.children_incomplete:
            summed = sum((c.weight for c in node.children), ZERO)
            parts = "、".join(f"{c.name} {fmt_points(c.weight)}" for c in node.children)
            self.incomplete(
                who(node),
                node.weight,
                summed,
                parts,
                path + ("weight",),
                path + ("children_incomplete",),
                "下级指标",
                bool((node.note or "").strip()),
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
        if node.department_rows is not None and node.department_rows.qualitative is not None:
            self.qualitative(node, path + ("department_rows", "qualitative"))

    def qualitative(self, node: Node, path: Path_) -> None:
        """定性 达成 / 部分达成 / 未达成: shares of the weight within [0, 100%], one range for each share."""
        ranges = node.department_rows.qualitative  # type: ignore[union-attr]
        assert ranges is not None
        keys = ("achieved", "partly_achieved", "not_achieved")
        intervals = [ranges.intervals[k] for k in keys]
        for k, iv in zip(keys, intervals, strict=True):
            if (iv.low is not None and iv.low < 0) or iv.high is None or iv.high > 1:
                self.add(
                    "qualitative-ranges",
                    f"{who(node)}的定性指标区间 {k}: {iv.text} 超出 [0, 100%]；区间是分值的比例",
                    path + (k,),
                )
        domain = parse_interval("[0, 1]")
        for j, msg in interval_problems(intervals, domain):
            self.add(
                "qualitative-ranges",
                f"{who(node)}的定性指标区间（达成、部分达成、未达成）：{msg}",
                path + (keys[j],) if j is not None else path,
                key=j is None,
            )

    def rule(self, node: Node, path: Path_) -> None:
        rule, w = node.rule, node.weight
        measure = getattr(rule, "measure", None)
        if isinstance(rule, ExecutionRate):
            self.formula(node, rule.executed, path + ("executed",))
            self.formula(node, rule.budget, path + ("budget",))
            for j, line in enumerate(rule.header):
                for key in ("initial", "full_year", "executed"):
                    name = getattr(line, key)
                    if name is not None:
                        self.formula(node, name, path + ("header", j, key))
        elif measure is not None:
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
            for k, element in enumerate(rule.items):
                if element.id in ids:
                    self.add("duplicate-item", f"{who(node)}的要素 id {element.id!r} 重复", path + ("items", k, "id"))
                ids.add(element.id)
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
            for at, msg in interval_problems(
                [b.interval for b in rule.bands], domain, percent=rule.measure.format == "percent"
            ):
                where = path + ("bands", at, "range") if at is not None else path + ("bands",)
                self.add("band-edges", f"{who(node)}：{msg}", where, key=at is None)
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
            elif isinstance(adj, Deviation):
                if adj.points > self.rubric.total:
                    self.add(
                        "penalty-points",
                        f"指标偏离 {adj.id}（{adj.name}）每项扣 {fmt_points(adj.points)} 分，"
                        f"超过总分 {fmt_points(self.rubric.total)}",
                        path + ("points",),
                    )
                for j, nid in enumerate(adj.rows_of):
                    if nid not in nodes or nodes[nid].department_rows is None:
                        self.add(
                            "rows-of",
                            f"指标偏离 {adj.id}（{adj.name}）的 rows_of 中 {nid!r} 不是部门特性指标节点",
                            path + ("rows_of", j),
                        )
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
                for at, msg in interval_problems(
                    [b.interval for b in adj.caps], domain, percent=adj.measure.format == "percent"
                ):
                    where = path + ("caps", at, "range") if at is not None else path + ("caps",)
                    self.add("cap-edges", f"封顶 {adj.id}（{adj.name}）：{msg}", where, key=at is None)

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
        for at, msg in interval_problems([g.interval for g in grades], domain, percent=False):
            msg = msg.replace("分档", "等级区间")
            self.add(
                "grade-edges",
                f"等级：{msg}",
                ("grades", at, "range") if at is not None else ("grades",),
                key=at is None,
            )


def check_rubric(rubric: Rubric, source: Locator) -> list[Problem]:
    """Every problem with a rubric that loaded; pure."""
    return _RubricChecker(rubric, source).run()
