"""The rubric file (评价指标及评分表): a tree of indicators with declared scoring rules.

A rubric is data: weights, the text as printed, and for every indicator one rule whose
measure is a formula over named facts. Nothing here does I/O.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from perfeval.core import formula as _formula
from perfeval.core.number_text import clip, parse_decimal, parse_ratio

Points = Annotated[Decimal, BeforeValidator(parse_decimal), Field(ge=0)]
SignedPoints = Annotated[Decimal, BeforeValidator(parse_decimal)]
Ratio = Annotated[Decimal, BeforeValidator(parse_ratio)]
NodeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="稳定的 ASCII 标识，小写字母开头")]

RUBRIC_FORMAT = "perfeval/rubric@1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _check_formula(text: str) -> str:
    try:
        _formula.parse(text)
    except _formula.FormulaError as exc:
        raise ValueError(f"公式无法解析：{exc.message}（第 {exc.position + 1} 个字符处）：{clip(text, 80)}") from None
    return text


Formula = Annotated[
    str,
    Field(min_length=1, description="公式：事实名称、数字、+ - * /、比较、min/max/abs"),
    BeforeValidator(lambda v: v if not isinstance(v, str) else _check_formula(v)),
]


class Measure(_Model):
    """The measured value of an indicator, e.g. 在职人员控制率 = actual_staff / authorized_staff."""

    name: str = Field(description="指标值的名称，如 在职人员控制率")
    formula: Formula
    format: Literal["percent", "number", "amount"] = Field("percent", description="显示方式：百分比、数值或金额")
    range: str | None = Field(
        None, description="指标值可能的取值区间，如 '[-1, inf)'（变动率可为负）；不写时按 [0, inf) 核对分档是否全覆盖"
    )

    @field_validator("range")
    @classmethod
    def _valid_range(cls, v: str | None) -> str | None:
        if v is not None:
            parse_interval(v)
        return v

    @cached_property
    def parsed(self) -> _formula.Formula:
        return _formula.parse(self.formula)


class ChecklistItem(_Model):
    """One numbered 评分要点 with its points."""

    id: NodeId
    text: str = Field(description="评分要点原文，如 1、是否设立年度绩效目标；")
    points: Points


class Checklist(_Model):
    """评分要点逐项打分: each item scored by the department within [0, points]."""

    kind: Literal["checklist"]
    items: list[ChecklistItem] = Field(min_length=1)


class Proportional(_Model):
    """按比例计分: weight × (measure / target), capped at the weight (满分为止)."""

    kind: Literal["proportional"]
    measure: Measure
    target: Ratio = Field(Decimal(1), gt=0, description="目标值；默认 1（即 100%）")


class _Ranged(_Model):
    """A model with an interval ``range`` (分档、等级、封顶): checked when read, parsed once."""

    range: str

    @field_validator("range")
    @classmethod
    def _valid(cls, v: str) -> str:
        parse_interval(v)
        return v

    @cached_property
    def interval(self) -> Interval:
        return parse_interval(self.range)


class Band(_Ranged):
    """One band: an interval of the measure and the points it gives."""

    range: str = Field(description="区间，如 '[0.8, inf)'、'(0.1, 0.2]'、'[0, 0]'；方括号含端点，圆括号不含")
    points: Points


class Bands(_Model):
    """分档计分: the measure falls in exactly one band."""

    kind: Literal["bands"]
    measure: Measure
    bands: list[Band] = Field(min_length=1)


class FullMarksIf(_Model):
    """条件满分，否则酌情扣分: full marks when the condition holds; otherwise a person scores
    within [0, weight) — full marks are not allowed then."""

    kind: Literal["full_marks_if"]
    measure: Measure | None = None
    condition: Formula = Field(description="满分条件；可用 value 指代 measure 的值，如 value <= 1")
    otherwise: str = Field("视情扣分", description="条件不成立时的规则原文")

    @cached_property
    def parsed_condition(self) -> _formula.Formula:
        """Parsed once per rubric (a batch evaluates it for every department)."""
        return _formula.parse(self.condition)


class Judged(_Model):
    """主观评分: scored by the department within [0, weight]; a measure, if given, is shown."""

    kind: Literal["judged"]
    measure: Measure | None = None


class Deduction(_Model):
    """按偏差扣分: start from full marks and deduct ``points`` per ``per`` of deviation beyond
    ``threshold`` (每超过一个百分点扣0.5分 / 每低于5%扣2分), never below ``floor``."""

    kind: Literal["deduction"]
    measure: Measure
    direction: Literal["above", "below"] = Field(description="above: 超过阈值扣分；below: 低于阈值扣分")
    threshold: Ratio = Field(description="阈值，如 1 (100%)")
    per: Ratio = Field(gt=0, description="每多少偏差扣一次，如 0.01 (一个百分点) 或 0.05")
    points: Points = Field(description="每次扣分")
    partial: Literal["proportional", "whole_steps"] = Field(
        description="不足一档的偏差：proportional 按比例扣；whole_steps 只按整档扣（向下取整）"
    )
    floor: Points = Field(Decimal(0), description="最低得分（扣完为止即 0）")


class Element(_Model):
    """One element of an element-count rule, e.g. ①招待标准."""

    id: NodeId
    text: str = Field(min_length=1, description="要素原文，如 ①招待标准")


class Elements(_Model):
    """要素计分（①②③ 各1分，每少一项扣1分）: the department states which elements it has;
    the score is the weight less ``points_each`` for every missing element, never below 0."""

    kind: Literal["elements"]
    items: list[Element] = Field(min_length=1)
    points_each: Points = Field(description="每项分值，即每少一项所扣的分")


Rule = Annotated[
    Checklist | Proportional | Bands | FullMarksIf | Judged | Deduction | Elements,
    Field(discriminator="kind"),
]


class OptionalIndicator(_Model):
    """可选项: the department may declare the indicator not applicable (无此类项目的计满分)."""

    when_not_applicable: Literal["full_marks", "zero"] = Field(
        description="不适用时的得分：full_marks 计满分；zero 计 0 分"
    )
    text: str = Field(min_length=1, description="原文，如 无此类项目的计满分")


class ChooseOne(_Model):
    """二者择其一: the children are alternatives; the department reports exactly one of them,
    and each alternative carries the parent's whole weight."""

    text: str = Field(min_length=1, description="原文，如 结转结余率、结转结余变动率二者择其一")


class DepartmentRows(_Model):
    """部门特性指标: rows each department defines itself (name, weight, 年度指标值, 实际完成值),
    sharing this node's fixed weight."""

    text: str = Field(min_length=1, description="原文，如 部门特性指标，由部门结合职责自行设置")
    scoring: Literal["completion", "judged"] = Field(
        description="completion：定量指标按 实际完成值 ÷ 年度指标值 计分（满分为止），定性指标酌情评分；"
        "judged：各行均由评价人酌情评分"
    )
    min_rows: int = Field(1, ge=1, description="至少几行")


class Node(_Model):
    """An indicator at any tier (一级/二级/三级…); leaves carry a rule."""

    id: NodeId
    name: str = Field(min_length=1, description="指标名称，按表格原文")
    weight: Points = Field(description="分值")
    content: str | None = Field(None, description="指标内容（原文）")
    description: str | None = Field(None, description="指标说明（原文，含公式与评分规则）")
    note: str | None = Field(None, description="编者说明（如表格提取中的问题与处理）")
    rule: Rule | None = None
    optional: OptionalIndicator | None = Field(None, description="可选项：不适用时如何计分")
    choose_one: ChooseOne | None = Field(None, description="二者择其一：下级指标为备选项，部门只填报其一")
    department_rows: DepartmentRows | None = Field(None, description="部门特性指标：下级指标由部门文件给出")
    children: list[Node] = Field(default_factory=list)

    @model_validator(mode="after")
    def _leaf_or_parent(self) -> Node:
        who = f"{self.id}（{self.name}）"
        if self.department_rows is not None:
            if self.children or self.rule is not None or self.choose_one is not None:
                raise ValueError(
                    f"{who}是部门特性指标（department_rows），其下级由部门填写；不能再有 children、rule 或 choose_one"
                )
            return self
        if self.children and self.rule is not None:
            raise ValueError(f"{who}有下级指标，不能再有评分规则")
        if not self.children and self.rule is None:
            raise ValueError(f"{who}是末级指标，需要评分规则 rule")
        if self.choose_one is not None and len(self.children) < 2:
            raise ValueError(f"{who}为二者择其一（choose_one），至少需要两个下级指标")
        if self.optional is not None and self.children:
            raise ValueError(f"{who}：可选项（optional）只用于末级指标")
        return self

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.department_rows is None


class FactDecl(_Model):
    """A fact the rubric's formulas use that the built-in catalogue does not have."""

    label: str = Field(description="中文名称")
    unit: str = Field("", description="单位，如 万元、人、%")


class Grade(_Ranged):
    """等级：总分落在区间内即为该等级（优 90–100 …）。"""

    grade: str
    range: str = Field(description="总分区间，如 '[90, 100]'")


class Penalty(_Model):
    """A fixed penalty on a condition, taken off the total (完成值超过年初指标值30%及以上，减2分).

    Without ``rows_of`` the condition is over facts and the penalty applies once. With
    ``rows_of`` it is checked for every department row under those nodes, where ``target``
    (年度指标值) and ``actual`` (实际完成值) name the row's values; each matching row costs
    ``points``."""

    kind: Literal["penalty"]
    id: NodeId
    name: str = Field(min_length=1, description="名称，如 指标偏离")
    text: str = Field(min_length=1, description="原文")
    condition: Formula = Field(description="扣分条件，如 actual >= target * 1.3")
    points: Points = Field(gt=0, description="每次所扣分数")
    rows_of: list[NodeId] = Field(default_factory=list, description="逐行检查这些部门特性指标节点下的各行")

    @cached_property
    def parsed_condition(self) -> _formula.Formula:
        """Parsed once per rubric (a batch evaluates it for every department)."""
        return _formula.parse(self.condition)


class CapBand(_Ranged):
    """One band of a cap: where the measure falls in ``range`` the total may not exceed ``max``."""

    range: str = Field(description="区间，如 '[0.7, 0.8)'")
    max: Points | None = Field(None, description="总分上限；不写表示不设上限")


class Cap(_Model):
    """A cap on the total by another measure (执行率70%至80%的，自评不超过89分 …)."""

    kind: Literal["cap"]
    id: NodeId
    name: str = Field(min_length=1, description="名称，如 执行率封顶")
    text: str = Field(min_length=1, description="原文")
    measure: Measure
    caps: list[CapBand] = Field(min_length=1)


Adjustment = Annotated[Penalty | Cap, Field(discriminator="kind")]


class Rubric(_Model):
    format: Literal["perfeval/rubric@1"] = Field(RUBRIC_FORMAT, description="文件格式及版本")
    id: NodeId
    name: str = Field(min_length=1, description="评分表名称，按原文")
    source: str | None = Field(None, description="来源（文件号、印发单位、所据资料）")
    note: str | None = Field(None, description="编者说明（哪些内容逐字录入，哪些为编者补全）")
    total: Points = Field(Decimal(100), description="总分")
    levels: list[str] = Field(default_factory=lambda: ["一级指标", "二级指标", "三级指标"])
    facts: dict[str, FactDecl] = Field(default_factory=dict, description="本评分表新增的事实（内置目录之外）")
    grades: list[Grade] = Field(default_factory=list, description="总分等级")
    adjustments: list[Adjustment] = Field(
        default_factory=list, description="总分调整：扣分（penalty）与封顶（cap），在各指标得分之外单列"
    )
    indicators: list[Node] = Field(min_length=1)

    def walk(self):
        """Every node, depth first, with its depth (1 = 一级)."""
        stack = [(n, 1) for n in reversed(self.indicators)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((c, depth + 1) for c in reversed(node.children))

    def grade_of(self, total: Decimal | None) -> str | None:
        if total is None:
            return None
        return next((g.grade for g in self.grades if total in g.interval), None)

    @cached_property
    def nodes_by_id(self) -> dict[str, Node]:
        """Every node by id (computed once per rubric: a batch scores many departments against it)."""
        return {n.id: n for n, _ in self.walk()}

    @cached_property
    def leaves_by_id(self) -> dict[str, Node]:
        return {n.id: n for n, _ in self.walk() if n.is_leaf}

    def leaves(self) -> list[Node]:
        return list(self.leaves_by_id.values())

    def row_nodes(self) -> list[Node]:
        """Nodes whose rows the department defines (部门特性指标)."""
        return [n for n, _ in self.walk() if n.department_rows is not None]


# --- intervals ---------------------------------------------------------------------------

_INTERVAL = re.compile(r"^\s*([\[(])\s*([-+]?[\d.]+%?|-inf|-∞)?\s*[,，]\s*([-+]?[\d.]+%?|\+?inf|\+?∞)?\s*([\])])\s*$")


class Interval:
    __slots__ = ("low", "high", "low_closed", "high_closed", "text")

    def __init__(self, low, high, low_closed, high_closed, text):
        self.low, self.high = low, high
        self.low_closed, self.high_closed = low_closed, high_closed
        self.text = text

    def __contains__(self, x: Decimal) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_closed)):
            return False
        if self.high is not None and (x > self.high or (x == self.high and not self.high_closed)):
            return False
        return True


def _bound(text: str | None) -> Decimal | None:
    if text is None or text.lstrip("+-") in ("inf", "∞"):
        return None
    try:
        if text.endswith("%"):
            return Decimal(text[:-1]) / 100
        return Decimal(text)
    except InvalidOperation:  # '1.2.3' passes the pattern; pydantic reports ValueError only
        raise ValueError(f"区间端点 {text!r} 不是数值") from None


def parse_interval(text: str) -> Interval:
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f"区间 {text!r} 格式不对；应如 '[0.8, inf)'、'(0.1, 0.2]'")
    lo_b, lo, hi, hi_b = m.groups()
    low, high = _bound(lo), _bound(hi)
    if low is None and lo_b == "[" or high is None and hi_b == "]":
        raise ValueError(f"区间 {text!r}：无穷端点只能用圆括号")
    if low is not None and high is not None and (low > high or (low == high and not (lo_b == "[" and hi_b == "]"))):
        raise ValueError(f"区间 {text!r} 是空的：下限应小于上限")
    return Interval(low, high, lo_b == "[", hi_b == "]", text)
