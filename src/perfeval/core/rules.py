"""The scoring rules of an indicator (评分规则) and the measure a rule reads (指标值), as rubric data.

Each rule kind is a model with the wording it encodes in its docstring; ``Rule`` is their union,
told apart by ``kind``. Nothing here does I/O.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from perfeval.core import formula as _formula
from perfeval.core.intervals import Interval, parse_interval
from perfeval.core.number_text import clip, parse_decimal, parse_ratio

Points = Annotated[Decimal, BeforeValidator(parse_decimal), Field(ge=0)]
SignedPoints = Annotated[Decimal, BeforeValidator(parse_decimal)]
Ratio = Annotated[Decimal, BeforeValidator(parse_ratio)]
NodeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="稳定的 ASCII 标识，小写字母开头")]
FactName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="事实名称（事实目录或本表 facts: 中的名称）")]
Precision = Annotated[
    int,
    Field(
        ge=0,
        le=12,
        description="按表列精度计分：指标值先四舍五入到这么多位小数，再分档或相乘（4 位小数即百分比的两位小数）",
    ),
]


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
    precision: Precision | None = Field(
        None,
        description="按表列精度计分（覆盖评分表的 measure_precision）：指标值先四舍五入到这么多位小数再计分，"
        "如 4 即按 79.996% 印作 80.00% 的值计分",
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
    partial: Literal["proportional", "whole_steps", "started_steps"] = Field(
        description="不足一档的偏差：proportional 按比例扣；whole_steps 只按整档扣（不足一档不扣，向下取整）；"
        "started_steps 不足一档按一档扣（向上取整，100.5% 即扣一档）"
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


class HeaderRow(_Model):
    """One line of the 自评表 header block (预算执行情况): a fund and the facts its columns come from,
    as the form prints them — 年初预算数 / 全年预算数 / 全年执行数."""

    fund: str = Field(min_length=1, description="资金来源，按表格原文，如 年度资金总额、财政拨款、其他资金")
    initial: FactName | None = Field(None, description="年初预算数的事实名称")
    full_year: FactName | None = Field(None, description="全年预算数的事实名称")
    executed: FactName | None = Field(None, description="全年执行数的事实名称")

    def facts(self) -> list[tuple[str, str]]:
        """(column label, fact name) for each column this line fills."""
        cols = (("年初预算数", self.initial), ("全年预算数", self.full_year), ("全年执行数", self.executed))
        return [(label, name) for label, name in cols if name is not None]


class ExecutionRate(_Model):
    """预算执行率: 执行率 = 全年执行数 ÷ 全年预算数 (or ÷ 年初预算数, as the form states it);
    得分 = 执行率 × 分值, capped at the weight (最高不得超过分值上限) unless ``cap: false``."""

    kind: Literal["execution_rate"]
    name: str = Field("预算执行率", min_length=1, description="指标值的名称，按表格原文")
    executed: FactName = Field(description="分子：全年执行数（的事实名称）")
    budget: FactName = Field(description="分母：全年预算数，或表格所写的年初预算数（的事实名称）")
    cap: bool = Field(
        True,
        description="true：得分最高不超过分值（最高不得超过分值上限）；false：按执行率 × 分值计，不封顶（超过分值）",
    )
    reason_below: Ratio | None = Field(
        None, description="执行率低于此值（如 90%）须说明原因（偏差原因分析）；不写则不要求"
    )
    precision: Precision | None = Field(None, description="按表列精度计分（覆盖评分表的 measure_precision）")
    header: list[HeaderRow] = Field(
        default_factory=list, description="表头：按资金来源列出 年初预算数 / 全年预算数 / 全年执行数 所取的事实"
    )

    @cached_property
    def measure(self) -> Measure:
        return Measure(name=self.name, formula=f"{self.executed} / {self.budget}", precision=self.precision)


Rule = Annotated[
    Checklist | Proportional | Bands | FullMarksIf | Judged | Deduction | Elements | ExecutionRate,
    Field(discriminator="kind"),
]
