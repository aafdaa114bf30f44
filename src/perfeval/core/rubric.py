"""The rubric file (评价指标及评分表): a tree of indicators with declared scoring rules.

A rubric is data: weights, the text as printed, and for every indicator one rule whose
measure is a formula over named facts. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from perfeval.core import formula as _formula
from perfeval.core.decimals import Rounding
from perfeval.core.intervals import Interval, parse_interval
from perfeval.core.number_text import parse_decimal
from perfeval.core.review import ReviewRule
from perfeval.core.rules import (  # the rule models, also importable from here
    Formula,
    Measure,
    NodeId,
    Points,
    Precision,
    Ratio,
    Rule,
    _Model,
    _Ranged,
)

RUBRIC_FORMAT = "perfeval/rubric@1"


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


class EqualRows(_Model):
    """等于 (=) rows: full marks within the tolerance; otherwise as stated."""

    tolerance: Ratio = Field(
        Decimal(0), ge=0, description="允许偏差，相对指标值：5% 即 |完成值 − 指标值| ≤ 5% × 指标值 计满分；默认 0"
    )
    otherwise: Literal["as_positive", "zero"] = Field(
        "as_positive",
        description="超出允许偏差时：as_positive 按正向计（平台做法：指标值为 0 时完成值 ≤ 0 计满分，否则 0 分）；"
        "zero 不得分",
    )


class QualitativeRanges(_Model):
    """定性 rows: 达成 / 部分达成 / 未达成, each a range of the weight (80–100% / 60–80% / 0–60%)
    within which the department picks its score."""

    achieved: str = Field(description="达成：分值的区间，如 '[80%, 100%]'")
    partly_achieved: str = Field(description="部分达成：如 '[60%, 80%)'")
    not_achieved: str = Field(description="未达成：如 '[0, 60%)'")

    @field_validator("achieved", "partly_achieved", "not_achieved")
    @classmethod
    def _valid(cls, v: str) -> str:
        parse_interval(v)
        return v

    @cached_property
    def intervals(self) -> dict[str, Interval]:
        return {k: parse_interval(getattr(self, k)) for k in ("achieved", "partly_achieved", "not_achieved")}


ACHIEVEMENT_LABELS = {"achieved": "达成", "partly_achieved": "部分达成", "not_achieved": "未达成"}


class DepartmentRows(_Model):
    """部门特性指标: rows each department defines itself (name, weight, 年度指标值, 实际完成值),
    sharing this node's fixed weight; each row scored by its kind (正向/反向/等于/定性)."""

    text: str = Field(min_length=1, description="原文，如 部门特性指标，由部门结合职责自行设置")
    scoring: Literal["completion", "judged"] = Field(
        description="completion：各行按其类型计分（正向 完成值 ÷ 指标值，满分为止；反向、等于、定性见下）；"
        "judged：各行均由评价人酌情评分"
    )
    min_rows: int = Field(1, ge=1, description="至少几行")
    negative: Literal["reciprocal", "linear"] = Field(
        "reciprocal",
        description="反向指标（≤ 指标值，越小越好）超出指标值时：reciprocal 按 指标值 ÷ 完成值 × 分值；"
        "linear 按 (1 − (完成值 − 指标值) ÷ 指标值) × 分值，达到指标值两倍不得分。完成值 1.5 倍于指标值时分别得 "
        "6.67 与 5.00（满分 10）",
    )
    equal: EqualRows = Field(default_factory=EqualRows, description="等于指标（= 指标值）的允许偏差与超出时的计分")
    qualitative: QualitativeRanges | None = Field(
        None,
        description="定性指标：达成 / 部分达成 / 未达成 各对应分值的区间；不写则定性指标由评价人在 [0, 分值] 内评分",
    )


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
    children_incomplete: bool = Field(
        False,
        description="所据表格只列出了本指标的部分下级指标：保留本指标印出的分值，不要求下级分值之和相等；"
        "合计为部分得分。须在 note 中说明",
    )
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
        if self.children_incomplete and (not self.children or self.choose_one is not None):
            raise ValueError(
                f"{who}：children_incomplete（只列出部分下级指标）只用于有下级指标、且不是二者择其一的指标"
            )
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


class Deviation(_Model):
    """指标偏离: a department row whose 实际完成值 exceeds its 年度指标值 by ``over`` or more
    (完成值超过指标值30%及以上) deviates. What follows is the rubric's: ``points`` off the total for
    each deviating row (平台：减2分), a written 偏差原因 required (偏差说明), both, or neither
    (复核口径：偏离不扣分) — the deviating rows are listed in every case."""

    kind: Literal["deviation"]
    id: NodeId
    name: str = Field(min_length=1, description="名称，如 指标偏离")
    text: str = Field(min_length=1, description="原文")
    rows_of: list[NodeId] = Field(min_length=1, description="逐行检查这些部门特性指标节点下的各行（定性指标除外）")
    over: Ratio = Field(gt=0, description="超过指标值的比例，如 30%：完成值 ≥ 指标值 × 130% 即为偏离")
    inclusive: bool = Field(True, description="true：恰好超过 30% 也算偏离（及以上）；false：须超过 30%")
    points: Points = Field(Decimal(0), description="每个偏离指标从总分中扣的分；0 表示不扣分")
    reason_required: bool = Field(False, description="偏离指标须填写偏差原因（deviation_reason）；未填即为问题")


Adjustment = Annotated[Penalty | Cap | Deviation, Field(discriminator="kind")]


class Rubric(_Model):
    format: Literal["perfeval/rubric@1"] = Field("perfeval/rubric@1", description="文件格式及版本")
    id: NodeId
    name: str = Field(min_length=1, description="评分表名称，按原文")
    source: str | None = Field(None, description="来源（文件号、印发单位、所据资料）")
    note: str | None = Field(None, description="编者说明（哪些内容逐字录入，哪些为编者补全）")
    total: Points = Field(Decimal(100), description="总分")
    rounding: Rounding = Field(
        "half_up", description="得分保留两位小数的方式：half_up 四舍五入（默认）；truncate 截尾（直接舍去第三位及以后）"
    )
    measure_precision: Precision | None = Field(
        None,
        description="按表列精度计分：各指标值先四舍五入到这么多位小数再分档或相乘（4 即百分比的两位小数）；"
        "不写则按精确值计分",
    )
    indicators_incomplete: bool = Field(
        False,
        description="所据表格只列出了部分一级指标：总分按印出的写，不要求一级指标分值之和等于总分；合计为部分得分。"
        "须在 note 中说明",
    )
    levels: list[str] = Field(default_factory=lambda: ["一级指标", "二级指标", "三级指标"])
    facts: dict[str, FactDecl] = Field(default_factory=dict, description="本评分表新增的事实（内置目录之外）")
    staff_basis: list[Literal["administrative", "institutional", "logistics", "other"]] | None = Field(
        None,
        description="编制数（在职人员控制率的分母）按哪些编制类别计：administrative 行政、institutional 事业、"
        "logistics 工勤、other 其他；不写时计行政、事业和其他编制，部门列有工勤编制时视为未定，须由评分表说明",
    )
    reconcile_tolerance: Annotated[Decimal, BeforeValidator(parse_decimal), Field(ge=0)] | None = Field(
        None, description="对账容差（万元）：报表各栏四舍五入造成的差额上限；不写时为 0.01；部门文件可另定"
    )
    grades: list[Grade] = Field(default_factory=list, description="总分等级")
    review: ReviewRule = Field(default_factory=ReviewRule, description="复核：偏离度的定义（相对值或分差）与提示阈值")
    adjustments: list[Adjustment] = Field(
        default_factory=list, description="总分调整：扣分（penalty）与封顶（cap），在各指标得分之外单列"
    )
    indicators: list[Node] = Field(min_length=1)

    def walk(self) -> Iterator[tuple[Node, int]]:
        """Every node, depth first, with its depth (1 = 一级)."""
        stack = [(n, 1) for n in reversed(self.indicators)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((c, depth + 1) for c in reversed(node.children))

    def grade_of(self, total: Decimal | None) -> str | None:
        """The grade of a total; none for a partial table, whose total covers only the listed indicators."""
        if total is None or self.is_partial:
            return None
        return next((g.grade for g in self.grades if total in g.interval), None)

    @cached_property
    def is_partial(self) -> bool:
        """The table shows only part of its tree (children_incomplete somewhere, or indicators_incomplete)."""
        return self.indicators_incomplete or any(n.children_incomplete for n, _ in self.walk())

    @cached_property
    def nodes_by_id(self) -> dict[str, Node]:
        """Every node by id (computed once per rubric: a batch scores many departments against it)."""
        return {n.id: n for n, _ in self.walk()}

    @cached_property
    def names_by_id(self) -> dict[str, str]:
        """Every node's name by id (tiers too), computed once per rubric."""
        return {n.id: n.name for n, _ in self.walk()}

    @cached_property
    def leaves_by_id(self) -> dict[str, Node]:
        return {n.id: n for n, _ in self.walk() if n.is_leaf}

    def leaves(self) -> list[Node]:
        return list(self.leaves_by_id.values())

    def row_nodes(self) -> list[Node]:
        """Nodes whose rows the department defines (部门特性指标)."""
        return [n for n, _ in self.walk() if n.department_rows is not None]
