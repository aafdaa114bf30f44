"""`perfeval validate`: is a rubric file sound, and is a department file valid against its rubric?

The core returns problems; it never prints and never exits (the command picks the exit code).

Rubric checks (beyond the pydantic models): every parent's 分值 equals the sum of its children
and the indicators sum to the stated total; ids are unique; every rule's outcomes stay within its
node's weight (band points, checklist and element sums, deduction floors, caps and penalties);
band, cap and grade intervals are ordered, do not overlap and cover the measure's range; every
formula names only declared facts; the texts a reviewer reads are present.

Department checks: the file parses, its rubric loads, ``load.cross_check`` finds nothing, and every
indicator has a self-score within [0, 分值] (checklist items, element lists, 部门特性指标 rows,
二者择其一 and 可选项 included).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from perfeval.core import formula as fx
from perfeval.core.decimals import ZERO, fmt_points
from perfeval.core.department import DEPARTMENT_FORMAT, Department
from perfeval.core.facts import CATALOGUE, catalogue_for
from perfeval.core.problems import ExitCode, InputError, Location, Problem
from perfeval.core.rubric import (
    RUBRIC_FORMAT,
    Bands,
    Cap,
    Checklist,
    Deduction,
    Deviation,
    Elements,
    ExecutionRate,
    FullMarksIf,
    Interval,
    Node,
    Penalty,
    Rubric,
    parse_interval,
)
from perfeval.fileio.yaml_read import SourceMap

Path_ = tuple[Any, ...]

#: names a rubric may not declare as facts: they mean something inside conditions
RESERVED_NAMES = frozenset({"value", "target", "actual"}) | fx.FUNCTIONS | fx.KEYWORDS
DEFAULT_MEASURE_RANGE = "[0, inf)"


@dataclass(slots=True)
class FileResult:
    """The outcome of validating one file."""

    file: str
    kind: str  # "rubric" | "department" | "unknown"
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False  # the file (or its rubric) could not be read or parsed

    @property
    def exit_code(self) -> ExitCode:
        if self.unreadable:
            return ExitCode.INPUT
        if any(p.level == "error" for p in self.problems):
            return ExitCode.FINDINGS
        return ExitCode.OK

    @property
    def valid(self) -> bool:
        return self.exit_code is ExitCode.OK

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "kind": self.kind,
            "valid": self.valid,
            "exit_code": int(self.exit_code),
            "problems": [p.to_dict() for p in self.problems],
        }


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


def node_paths(rubric: Rubric) -> dict[str, Path_]:
    """Node id → key path in the file (the first node with that id)."""
    out: dict[str, Path_] = {}
    for node, path in walk_paths(rubric):
        out.setdefault(node.id, path)
    return out


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
    def __init__(self, rubric: Rubric, source: SourceMap) -> None:
        self.rubric = rubric
        self.source = source
        self.problems: list[Problem] = []
        self.catalogue = catalogue_for(rubric.facts)

    def add(self, code: str, message: str, path: Path_, *, key: bool = False, level: str = "error") -> None:
        self.problems.append(Problem(code, message, self.source.locate(path, key=key), level))

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
                "total-mismatch",
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
                "weight-mismatch" if what != "评分表" else "total-mismatch",
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
        try:
            parsed = fx.parse(text)
        except fx.FormulaError as exc:  # the model already refuses these; kept for direct callers
            self.add("formula-syntax", f"公式无法解析：{exc.message}：{text}", path)
            return
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


def check_rubric(rubric: Rubric, source: SourceMap) -> list[Problem]:
    """Every problem with a rubric that loaded; pure."""
    return _RubricChecker(rubric, source).run()


# --- department --------------------------------------------------------------------------


def check_department(rubric: Rubric, dept: Department, source: SourceMap) -> list[Problem]:
    """A department file against its rubric: cross-checks, then every self-score present and in range."""
    from perfeval.core.engine import Status, score
    from perfeval.pipeline import cross_check

    problems = cross_check(rubric, dept, source)
    if problems:
        return problems
    result = score(rubric, dept)
    by_id = {n.id: n for n, _ in rubric.walk()}
    scores = ("self_assessment", "scores")

    def add(code: str, message: str, path: Path_, *, key: bool = False) -> None:
        problems.append(Problem(code, message, source.locate(path, key=key)))

    for node in rubric.row_nodes():
        rows = dept.department_indicators.get(node.id) or []
        where = ("department_indicators", node.id)
        assert node.department_rows is not None
        if not rows:
            add(
                "missing-rows",
                f"{who(node)}是部门特性指标（{node.department_rows.text}）；部门文件未填写其指标行，"
                f"请在 department_indicators.{node.id} 下列出各行（id、name、weight …）",
                ("department_indicators",) if dept.department_indicators else (),
                key=True,
            )
            continue
        if len(rows) < node.department_rows.min_rows:
            add(
                "too-few-rows",
                f"{who(node)}至少需要 {node.department_rows.min_rows} 行部门特性指标，只填了 {len(rows)} 行",
                where,
                key=True,
            )
        summed = sum((r.weight for r in rows), ZERO)
        if summed != node.weight:
            parts = "、".join(f"{r.name} {fmt_points(r.weight)}" for r in rows)
            add(
                "rows-weight",
                f"{who(node)}的分值为 {fmt_points(node.weight)}，而部门特性指标各行分值之和为 "
                f"{fmt_points(summed)}（{parts}）",
                where,
                key=True,
            )
        for i, row in enumerate(rows):
            if node.department_rows.scoring == "completion" and row.kind == "positive" and row.target == 0:
                add(
                    "zero-target",
                    f"部门特性指标 {row.id}（{row.name}）的年度指标值为 0，无法计算完成率",
                    where + (i, "target"),
                )

    for r in result.walk():
        if not r.is_leaf or r.status is None:
            continue
        node = by_id.get(r.id)
        path = r.source_path or scores + (r.id,)
        label = f"{r.id}（{r.name}）"
        if r.status is Status.NOT_SCORED and r.rule_kind == "department_rows":
            continue  # reported above as missing rows
        if r.status is Status.NOT_SCORED:
            if r.items and any(i.self_score is not None for i in r.items):
                for i in r.items:
                    if i.self_score is None:
                        add(
                            "missing-item-score",
                            f"{label}的评分要点 {i.id}（{i.text.strip()}）缺少自评得分",
                            path + ("items",),
                            key=True,
                        )
            elif r.source_path is not None:
                add("missing-score", f"部门特性指标 {label}缺少自评得分（score）", path[:-1], key=True)
            else:
                add(
                    "missing-score",
                    f"{label}缺少自评得分；请在 self_assessment.scores 下填写 {r.id}",
                    scores if dept.self_assessment.scores else ("self_assessment",),
                    key=True,
                )
        elif r.status is Status.OUT_OF_RANGE:
            bad = [i for i in r.items if i.status is Status.OUT_OF_RANGE]
            for i in bad:
                add(
                    "score-out-of-range",
                    f"{label}评分要点 {i.id} 的自评得分 {fmt_points(i.self_score)} 超出 [0, {fmt_points(i.points)}]",
                    path + ("items", i.id),
                )
            if not bad:
                add(
                    "score-out-of-range",
                    f"{label}的自评得分 {fmt_points(r.self_score)} 超出分值范围 [0, {fmt_points(r.weight)}]",
                    path,
                )
        if node is not None and isinstance(node.rule, Elements):
            entry = dept.self_assessment.scores.get(node.id)
            if entry is not None and entry.present is None:
                add(
                    "missing-present",
                    f"{label}按要素计分（{'、'.join(i.text for i in node.rule.items)}）；"
                    "请在 present 中列出具备的要素 id",
                    path,
                    key=True,
                )

    for node in (n for n, _ in rubric.walk() if n.choose_one is not None):
        assert node.choose_one is not None
        chosen = dept.self_assessment.chosen.get(node.id)
        group = next(r for r in result.walk() if r.id == node.id)
        if all(not c.applicable for c in group.children):
            add(
                "missing-choice",
                f"{who(node)}：{node.choose_one.text}；请在 self_assessment.chosen 中写明 "
                f"{node.id}: 所选指标 id（可选：{'、'.join(c.id for c in node.children)}）",
                ("self_assessment",),
                key=True,
            )
            continue
        for c in group.children:
            if c.applicable:
                continue
            for n in c.walk():
                if n.id in dept.self_assessment.scores:
                    picked = chosen or next(x.id for x in group.children if x.applicable)
                    add(
                        "score-not-chosen",
                        f"{n.id}（{n.name}）未被选用（{node.choose_one.text}，选用的是 {picked}），"
                        "却填写了自评得分；请删去，或改正 chosen",
                        scores + (n.id,),
                        key=True,
                    )
    return problems


# --- files -------------------------------------------------------------------------------


def _kind_of(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    fmt = data.get("format")
    if fmt == RUBRIC_FORMAT:
        return "rubric"
    if fmt == DEPARTMENT_FORMAT:
        return "department"
    if fmt is None:
        if "indicators" in data:
            return "rubric"
        if "unit" in data or "self_assessment" in data:
            return "department"
    return None


def validate_path(path: Path | str) -> FileResult:
    """Validate one file, rubric or department (told apart by its ``format:`` key).

    Problems come in file order (this file first, then its rubric's, if any)."""
    result = _validate_path(Path(path))
    here = result.file
    result.problems.sort(key=lambda p: (p.location.file != here, p.location.line or 0, p.location.col or 0))
    return result


def _validate_path(path: Path) -> FileResult:
    from perfeval.fileio.yaml_read import load_file
    from perfeval.pipeline import (
        WORKBOOK_SUFFIXES,
        load_rubric,
        parse_department,
        problems_from_validation,
        resolve_rubric_path,
    )

    p = Path(path)
    result = FileResult(str(p), "unknown")
    try:
        if p.suffix.lower() in WORKBOOK_SUFFIXES:
            try:
                from perfeval.fileio.workbook import write as excel  # noqa: F401  (openpyxl only when a workbook is given)
            except ImportError:
                result.unreadable = True
                result.problems.append(
                    Problem(
                        "workbook-unsupported",
                        "这一版本的 perfeval 不能读取 Excel 工作簿；请使用 YAML 部门文件",
                        Location(str(p)),
                    )
                )
                return result
            data, source = excel.read_department(p)
            kind = "department"
        else:
            data, source = load_file(p)
            kind = _kind_of(data)
    except InputError as err:
        result.unreadable = True
        result.problems.extend(err.problems)
        return result
    if kind is None:
        fmt = data.get("format") if isinstance(data, dict) else None
        shown = (
            f"format: {fmt!r} 不是 perfeval 的文件格式"
            if fmt is not None
            else "文件没有 format: 键，也看不出是评分表还是部门文件"
        )
        result.unreadable = True
        result.problems.append(
            Problem(
                "unknown-format",
                f"{shown}；评分表写 format: {RUBRIC_FORMAT}，部门文件写 format: {DEPARTMENT_FORMAT}",
                source.locate(("format",)),
            )
        )
        return result
    result.kind = kind
    if kind == "rubric":
        if not isinstance(data, dict):  # pragma: no cover - _kind_of guarantees a mapping
            return result
        try:
            rubric = Rubric.model_validate(data)
        except ValidationError as exc:
            result.problems.extend(problems_from_validation(exc, source, Rubric, "评分表"))
            return result
        result.problems.extend(check_rubric(rubric, source))
        return result
    try:
        dept = parse_department(data, source)
        rubric_path = resolve_rubric_path(dept, p, source)
    except InputError as err:
        result.problems.extend(err.problems)
        return result
    try:
        rubric, _ = load_rubric(rubric_path)
    except InputError as err:
        unreadable = {
            "yaml-syntax",
            "not-found",
            "unreadable",
            "encoding",
            "binary-file",
            "empty-file",
            "too-large",
            "is-directory",
            "too-deep",
            "too-many-nodes",
        }
        result.unreadable = any(pr.code in unreadable for pr in err.problems)
        result.problems.append(
            Problem(
                "rubric-invalid",
                f"评分表 {rubric_path} 无法使用，部门文件无法核对；问题如下",
                source.locate(("rubric",)),
            )
        )
        result.problems.extend(err.problems)
        return result
    result.problems.extend(check_department(rubric, dept, source))
    return result


def validate_paths(paths: list[Path]) -> list[FileResult]:
    return [validate_path(p) for p in paths]
