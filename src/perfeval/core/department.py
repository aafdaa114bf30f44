"""The department file: 附件1 基础数据表, the facts the formulas need, and the self-assessment.

Every fact is optional. What the department did not report is absent (``None``), never
guessed; the engine names the facts an indicator lacks.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from perfeval.core.acceptance import Acceptance
from perfeval.core.evidence import Claim, Passage, Source
from perfeval.core.number_text import parse_decimal
from perfeval.core.review import Review
from perfeval.core.tables import (  # the tables, also importable from here
    Adjustment,
    Amount,
    Balance,
    BasicData,
    BudgetChanges,
    CostItems,
    FunctionSpending,
    Income,
    IncomeByFund,
    InitialBudget,
    InputModel,
    Line,
    ProjectSpending,
    Sangong,
    SangongBreakdown,
    Spending,
    Staff,
    StaffLine,
    YearColumns,
)

__all__ = [
    "Acceptance",
    "Adjustment",
    "Amount",
    "Balance",
    "BasicData",
    "BudgetChanges",
    "Claim",
    "CostItems",
    "Department",
    "DepartmentIndicator",
    "FunctionSpending",
    "Income",
    "IncomeByFund",
    "IndicatorScore",
    "InitialBudget",
    "Line",
    "Passage",
    "ProjectSpending",
    "Sangong",
    "SangongBreakdown",
    "SelfAssessment",
    "Source",
    "Spending",
    "Staff",
    "StaffLine",
    "YearColumns",
]

DEPARTMENT_FORMAT = "perfeval/department@1"

# Units of counts and amounts (人数、金额、项数、里程 …): a negative value has no meaning. Ratios
# (%, 变动率) and units not listed may be negative.
NON_NEGATIVE_UNITS = frozenset(
    "人 名 人次 万元 元 亿元 千元 项 个 件 次 户 家 所 台 辆 份 篇 场 天 公里 千米 米 平方米 亩 吨".split()
)


def must_not_be_negative(unit: str | None) -> bool:
    """Whether a value counted or measured in ``unit`` cannot be negative (人, 万元, 项 …)."""
    return unit is not None and unit.strip() in NON_NEGATIVE_UNITS


def _negative(loc: tuple[str | int, ...], value: Decimal) -> InitErrorDetails:
    """pydantic's own ``ge=0`` refusal (code out-of-bounds, "-100 不能小于 0"), at the value's key path."""
    return InitErrorDetails(
        type=PydanticCustomError("greater_than_equal", "Input should be greater than or equal to {ge}", {"ge": 0}),
        loc=loc,
        input=value,
    )


Score = Annotated[Decimal, BeforeValidator(parse_decimal)]


def _filled_items(value: Any) -> Any:
    """评分要点 left blank (as the skeleton writes them) are not self-scored: dropped, and a checklist with
    none filled is one not self-scored at all. A half-filled one is reported by the engine."""
    if isinstance(value, dict):
        filled = {k: v for k, v in value.items() if v is not None}
        return filled or None
    return value


class IndicatorScore(InputModel):
    """One indicator's self-assessment."""

    score: Score | None = Field(None, title="自评得分")
    items: Annotated[
        dict[str, Score] | None, BeforeValidator(_filled_items, json_schema_input_type=dict[str, Score | None] | None)
    ] = Field(None, title="评分要点得分（按要点 id）；留空的要点视为未自评")
    reviewed: Score | None = Field(None, title="审核得分（评审人员填写）")
    note: str | None = Field(None, title="说明或佐证")
    present: list[str] | None = Field(None, title="具备的要素（要素计分指标，按要素 id）")


def _score_entry(value: Any) -> Any:
    if isinstance(value, dict) or value is None:
        return value
    return {"score": value}


ScoreEntry = Annotated[
    IndicatorScore,
    # written as the bare score (`budget_completion_rate: 2`) or with items, a note, a reviewer's score …
    BeforeValidator(_score_entry, json_schema_input_type=IndicatorScore | Decimal | str),
]


class SelfAssessment(InputModel):
    """自评：各指标得分与自评总分"""

    total: Score | None = Field(None, title="自评总分（单位填报）")
    subtotals: dict[str, Score] = Field(default_factory=dict, title="单位填报的各级小计（按指标 id）")
    scores: dict[str, ScoreEntry] = Field(default_factory=dict, title="各指标自评得分（按指标 id）")
    chosen: dict[str, str] = Field(default_factory=dict, title="二者择其一：所选用的指标（备选组 id → 所选指标 id）")
    not_applicable: list[str] = Field(default_factory=list, title="不适用的可选项（指标 id）")
    reasons: dict[str, str] = Field(
        default_factory=dict,
        title="偏差原因分析及改进措施（按指标 id），如预算执行率低于评分表所定阈值时须说明的原因",
    )


RowKind = Literal["positive", "negative", "equal", "qualitative"]  # 正向 / 反向 / 等于 / 定性
ROW_KIND_LABELS: dict[str, str] = {"positive": "正向", "negative": "反向", "equal": "等于", "qualitative": "定性"}
_ROW_KIND_NAMES = {label: kind for kind, label in ROW_KIND_LABELS.items()}
Achievement = Literal["achieved", "partly_achieved", "not_achieved"]  # 达成 / 部分达成 / 未达成
ACHIEVEMENT_LABELS: dict[str, str] = {"achieved": "达成", "partly_achieved": "部分达成", "not_achieved": "未达成"}
_ACHIEVEMENT_NAMES = {label: key for key, label in ACHIEVEMENT_LABELS.items()}


_AGREES = {("positive", "higher"), ("negative", "lower")}


def _row_kind(data: Any) -> Any:
    """Map the older ``kind: quantitative|qualitative`` + ``better: higher|lower`` and the Chinese
    names (正向/反向/等于/定性, 达成/部分达成/未达成) onto ``kind`` and ``achievement``."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    kind, better = data.get("kind"), data.get("better")
    if isinstance(kind, str):
        kind = _ROW_KIND_NAMES.get(kind.strip(), kind.strip())
    if kind in (None, "quantitative"):
        kind = "negative" if better == "lower" else "positive"
    elif better is not None and kind != "qualitative" and (kind, better) not in _AGREES:
        raise ValueError(
            f"kind: {data.get('kind')} 与 better: {better} 矛盾；正向（positive）指标越大越好，"
            "反向（negative）指标越小越好，等于（equal）指标不写 better"
        )
    data["kind"] = kind
    achievement = data.get("achievement")
    if isinstance(achievement, str):
        data["achievement"] = _ACHIEVEMENT_NAMES.get(achievement.strip(), achievement.strip())
    return data


class DepartmentIndicator(InputModel):
    """部门特性指标的一行：部门自行设置的指标、分值、年度指标值与实际完成值，按指标类型计分。"""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] = Field(title="指标 id（小写英文）")
    name: str = Field(min_length=1, title="指标名称")
    category: str | None = Field(None, title="类别，如 数量指标、质量指标、时效指标、成本指标")
    weight: Annotated[Decimal, BeforeValidator(parse_decimal), Field(ge=0)] = Field(title="分值")
    kind: RowKind = Field(
        "positive",
        title="指标类型：positive 正向（≥ 指标值，越大越好）、negative 反向（≤ 指标值，越小越好，如成本、投诉数）、"
        "equal 等于（= 指标值）、qualitative 定性；也可写 正向、反向、等于、定性；旧写法 quantitative 按 better 读",
        json_schema_extra={
            "enum": [*ROW_KIND_LABELS, *ROW_KIND_LABELS.values(), "quantitative"],
        },
    )
    better: Literal["higher", "lower"] | None = Field(
        None, title="（旧写法）higher 即 kind: positive（正向），lower 即 kind: negative（反向）"
    )
    achievement: Achievement | None = Field(
        None,
        title="定性指标的完成情况：achieved 达成、partly_achieved 部分达成、not_achieved 未达成；也可写中文",
        json_schema_extra=lambda schema: schema.update(
            anyOf=[{"enum": ["achieved", "partly_achieved", "not_achieved", *_ACHIEVEMENT_NAMES]}, {"type": "null"}]
        ),
    )
    target: Annotated[Decimal, BeforeValidator(lambda v: parse_decimal(v, percent_ok=True))] | None = Field(
        None, title="年度指标值"
    )
    actual: Annotated[Decimal, BeforeValidator(lambda v: parse_decimal(v, percent_ok=True))] | None = Field(
        None, title="实际完成值"
    )
    unit: str | None = Field(None, title="计量单位；百分比指标写 %，指标值写作 98%")
    score: Score | None = Field(None, title="自评得分")
    reviewed: Score | None = Field(None, title="审核得分（评审人员填写）")
    deviation_reason: str | None = Field(None, title="偏差原因分析及改进措施")
    note: str | None = Field(None, title="说明或佐证")

    @model_validator(mode="before")
    @classmethod
    def _kind_names(cls, data: Any) -> Any:
        return _row_kind(data)

    @model_validator(mode="after")
    def _not_negative(self) -> DepartmentIndicator:
        """年度指标值 and 实际完成值 counted in 人, 万元, 公里 … cannot be negative (a % may)."""
        if not must_not_be_negative(self.unit):
            return self
        errors = [
            _negative((name,), value)
            for name in ("target", "actual")
            if (value := getattr(self, name)) is not None and value < 0
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def _real_date(text: str) -> str:
    """A 填报日期 that is a date of the calendar (2020-13-01 is not); kept as the text written."""
    import datetime

    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期；请按 2020-11-10 的格式填写") from None
    return text


def _without_blanks(value: Any) -> Any:
    """A fact left blank (``actual_staff:`` with nothing after it, as the skeleton writes it) is one the
    department did not report: it is dropped here, so it stays absent — never zero."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


class Department(InputModel):
    format: Literal["perfeval/department@1"] = Field("perfeval/department@1", description="文件格式及版本")
    unit: str = Field(min_length=1, title="单位名称")
    unit_short: str | None = Field(None, title="评价单位（盖章名称）")
    year: int = Field(ge=2000, le=2100, title="评价年度")
    rubric: str | None = Field(
        None,
        min_length=1,
        title="评分表文件（相对本文件的路径）",
        description="评分表文件的路径（相对本文件），或自带评分表的标识；不写时用 --rubric 或配置文件 perfeval.toml 的 rubric",
    )
    filled_on: Annotated[str, AfterValidator(_real_date)] | None = Field(
        None, title="填报日期", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    )
    amount_unit: Literal["万元", "元"] = Field("万元", title="金额单位")
    illustrative: bool = Field(False, title="示意数据（非真实单位填报）")
    source: str | None = Field(None, title="数据来源说明")
    basic_data: BasicData = Field(default_factory=BasicData, title="附件1 基础数据表")
    budget: BudgetChanges = Field(default_factory=BudgetChanges, title="预算调整")
    spending_by_function: list[FunctionSpending] | None = Field(None, title="按功能科目的支出")
    sangong: Sangong = Field(default_factory=Sangong, title="“三公”经费")
    staff: Staff = Field(default_factory=Staff, title="人员编制与在职人数")
    cost_items: CostItems = Field(default_factory=CostItems, title="按年列出的其他支出项目")
    tolerance: Amount | None = Field(
        None,
        title="对账容差（金额单位同本文件）",
        description="报表各栏分别四舍五入造成的差额上限；不写时用评分表所定的，评分表也未定时为 0.01",
    )
    facts: Annotated[
        dict[str, Annotated[Decimal, BeforeValidator(lambda v: parse_decimal(v, percent_ok=True))]],
        BeforeValidator(_without_blanks),
    ] = Field(default_factory=dict, title="指标公式所需的其他事实（名称见事实目录）；留空的视为未填报")
    department_indicators: dict[str, list[DepartmentIndicator]] = Field(
        default_factory=dict, title="部门特性指标（评分表节点 id → 部门自设的指标行）"
    )
    self_assessment: SelfAssessment = Field(default_factory=SelfAssessment, title="自评")
    claims: list[Claim] = Field(
        default_factory=list, title="报告所称的数（执行率、完成率、总数、变动率 …），与数据核对"
    )
    review: Review | Annotated[str, Field(min_length=1)] | None = Field(
        None,
        title="复核（评审人员填写）：各指标的复核完成值、复核得分与原因；或复核文件的路径",
        description="不写时，perfeval 在本文件旁查找单位名称与年度相同的复核文件（*.review.yaml）",
    )
    sources: dict[str, Source] = Field(
        default_factory=dict,
        title="各数据的出处（按数据所在的键路径，如 basic_data.income.total）",
    )
    accepted: list[Acceptance] = Field(
        default_factory=list,
        title="已接受的问题",
        description="评审确认可以接受的问题：问题代码、指标（可不写）、接受理由；照常列出并标明已接受，不计入退出码",
    )
    narrative: list[Passage] = Field(
        default_factory=list,
        title="报告正文（逐段，perfeval extract 写入；供正文与表格、各单位报告之间核对）",
    )
