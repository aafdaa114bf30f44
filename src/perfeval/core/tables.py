"""The tables of a department file (附件1 基础数据表 and the tables beside it): what each figure is, by its
place — the block says the budget stage (年初预算 / 调整 / 全年预算 / 执行 / 结转结余) and the year (本年 /
上年), the field's ``title`` says what it is in Chinese, ``amount_unit`` (in the file) its unit. Every
figure is optional: a blank cell is absent, never zero.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from perfeval.core.number_text import parse_decimal

Amount = Annotated[Decimal, BeforeValidator(parse_decimal), Field(ge=0, description="金额，非负")]
Count = Annotated[int, Field(ge=0, description="人数或项数，非负整数")]
Code = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v)]


class InputModel(BaseModel):
    """The base of every model of the department file: unknown keys refused, values frozen, a blank table
    the same as an absent one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_empty(cls, data: Any) -> Any:
        """A table, list or mapping left blank (``by_fund:`` with nothing under it, as a fill-in file has
        it) holds no figures: the same as not writing it."""
        if isinstance(data, dict) and None in data.values():
            fields = cls.model_fields
            blank = [k for k, v in data.items() if v is None and k in fields and fields[k].default_factory is not None]
            if blank:
                return {k: v for k, v in data.items() if k not in blank}
        return data


class InitialBudget(InputModel):
    """年初预算支出计划"""

    total: Amount | None = Field(None, title="小计")
    basic: Amount | None = Field(None, title="基本支出")
    project: Amount | None = Field(None, title="项目支出")


class Line(InputModel):
    """A named line of a breakdown the report gives (财政拨款收入 by what it is for, …)."""

    name: str = Field(min_length=1, title="名称")
    amount: Amount = Field(title="金额")
    note: str | None = Field(None, title="说明（如“其中 …”）")


class IncomeByFund(InputModel):
    """收入按资金性质"""

    general_public_budget: Amount | None = Field(None, title="一般公共预算")
    government_fund: Amount | None = Field(None, title="政府性基金预算")
    state_capital: Amount | None = Field(None, title="国有资本经营预算")
    fiscal_special_account: Amount | None = Field(None, title="财政专户管理资金")
    other: Amount | None = Field(None, title="其他资金")


class Income(InputModel):
    """收入来源（附件1：上年结余、上级财政、本级财政、其他；以及报告按资金性质或拨款构成给出的数）"""

    total: Amount | None = Field(None, title="小计")
    prior_year_balance: Amount | None = Field(None, title="上年结余（上年结转）")
    superior_finance: Amount | None = Field(None, title="上级财政")
    county_finance: Amount | None = Field(
        None, title="本级财政", description="同级财政的拨款：县级单位即县级财政，市级单位即市级财政"
    )
    other: Amount | None = Field(None, title="其他")
    carryover_included: bool | None = Field(
        None, title="上年结转是否含在收入小计中（报告写“其中上年结转”为是；不写为未说明）"
    )
    fiscal_appropriation: Amount | None = Field(None, title="财政拨款收入")
    fiscal_lines: list[Line] | None = Field(None, title="财政拨款收入的构成（按报告所列）")
    by_fund: IncomeByFund = Field(default_factory=IncomeByFund, title="按资金性质")


class Spending(InputModel):
    """实际支出按经济分类"""

    total: Amount | None = Field(None, title="小计")
    wages_welfare: Amount | None = Field(None, title="工资福利支出")
    goods_services: Amount | None = Field(None, title="商品和服务支出")
    household_subsidies: Amount | None = Field(None, title="对个人和家庭补助")
    capital: Amount | None = Field(None, title="资本性支出")
    other: Amount | None = Field(None, title="其他支出")
    sangong: Amount | None = Field(None, title="三公经费支出")


class ProjectSpending(Spending):
    """项目支出情况（每个大额项目一行）"""

    name: str | None = Field(None, title="项目名称")
    note: str | None = Field(None, title="说明")


class Balance(InputModel):
    """经费结余情况"""

    total: Amount | None = Field(None, title="小计")
    basic: Amount | None = Field(None, title="基本支出")
    project: Amount | None = Field(None, title="项目支出")


class BasicData(InputModel):
    """附件1 基础数据表"""

    initial_budget: InitialBudget = Field(default_factory=InitialBudget, title="年初预算支出计划")
    income: Income = Field(default_factory=Income, title="收入来源")
    basic_spending: Spending = Field(default_factory=Spending, title="实际支出·基本支出情况")
    projects: list[ProjectSpending] | None = Field(None, title="实际支出·项目支出情况")
    spending: Spending = Field(
        default_factory=Spending,
        title="实际支出（不分基本、项目）",
        description="报告只按经济分类给出总支出、未分基本支出和项目支出时填写",
    )
    balance: Balance = Field(default_factory=Balance, title="经费结余情况")


class Adjustment(InputModel):
    """一笔预算调整。金额按调整的资金量记（非负），方向由 kind 表示。

    金额也可带符号填写（财务表常这样印）：不写 kind 时，正数为追加、负数为追减；
    ``kind: 追减`` 配负数与配正数同义。与 kind 矛盾的符号（追加或结构调整配负数）不予接受。
    """

    kind: Literal["追加", "追减", "结构调整"] = Field(title="调整类型")
    amount: Amount = Field(title="调整金额")
    note: str | None = Field(None, title="说明")

    @model_validator(mode="before")
    @classmethod
    def _signed(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "amount" not in data:
            return data
        try:
            amount = parse_decimal(data["amount"])
        except ValueError:
            return data  # the field validator reports it
        if not isinstance(amount, Decimal) or amount >= 0:
            return data if "kind" in data else {**data, "kind": "追加"}
        kind = data.get("kind")
        if kind is None or kind == "追减":
            return {**data, "kind": "追减", "amount": -amount}
        if kind in ("追加", "结构调整"):
            raise ValueError(f"{kind}的金额不能为负（{amount}）；追减请写 kind: 追减，金额写正数或负数均可")
        return data


class BudgetChanges(InputModel):
    """预算调整与调整后预算"""

    final: Amount | None = Field(None, title="调整后预算数（全年预算数）")
    adjustments: list[Adjustment] | None = Field(
        None, title="预算调整（追加/追减/结构调整）", description="未填写表示未报告；空列表 [] 表示无调整"
    )


class FunctionSpending(InputModel):
    """按功能分类（类-款-项）的支出"""

    code: Code = Field(pattern=r"^[0-9]{3}([0-9]{2}){0,2}$", title="功能科目编码")
    name: str = Field(title="科目名称")
    amount: Amount = Field(title="支出金额")


class SangongBreakdown(InputModel):
    """三公经费及其构成"""

    total: Amount | None = Field(None, title="合计")
    overseas_travel: Amount | None = Field(None, title="因公出国（境）费")
    vehicle_purchase: Amount | None = Field(None, title="公务用车购置费")
    vehicle_operation: Amount | None = Field(None, title="公务用车运行维护费")
    reception: Amount | None = Field(None, title="公务接待费")


class Sangong(InputModel):
    """“三公”经费"""

    budget: SangongBreakdown = Field(default_factory=SangongBreakdown, title="本年度预算")
    prior_year_budget: SangongBreakdown = Field(default_factory=SangongBreakdown, title="上年度预算")
    actual: SangongBreakdown = Field(default_factory=SangongBreakdown, title="本年度实际支出")
    prior_year_actual: SangongBreakdown = Field(default_factory=SangongBreakdown, title="上年度实际支出（决算）")


StaffCategory = Literal["administrative", "institutional", "logistics", "other"]
STAFF_CATEGORY_LABELS: dict[str, str] = {
    "administrative": "行政编制",
    "institutional": "事业编制",
    "logistics": "工勤编制",
    "other": "其他编制",
}
_STAFF_CATEGORY_NAMES = {label: key for key, label in STAFF_CATEGORY_LABELS.items()} | {"工勤": "logistics"}


class StaffLine(InputModel):
    """一类编制：类别、人数，以及报告的原话（机关行政编制 46 名 …）"""

    category: StaffCategory = Field(
        title="编制类别：administrative 行政编制、institutional 事业编制、logistics 工勤编制、other 其他；也可写中文",
        json_schema_extra={"enum": [*STAFF_CATEGORY_LABELS, *_STAFF_CATEGORY_NAMES]},
    )
    count: Count = Field(title="人数")
    note: str | None = Field(None, title="说明（如 机关后勤服务全额拨款事业编制）")

    @model_validator(mode="before")
    @classmethod
    def _category_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("category"), str):
            name = data["category"].strip()
            return {**data, "category": _STAFF_CATEGORY_NAMES.get(name, name)}
        return data


class Staff(InputModel):
    """人员编制与在职人数（报告所列，编制可分类逐行填写）"""

    authorized: list[StaffLine] | None = Field(None, title="编制（按类别逐行）")
    in_post: Count | None = Field(None, title="在职在岗人数")
    retired: Count | None = Field(None, title="离退休人数")
    total: Count | None = Field(None, title="合计（在职与离退休）")


class YearColumns(InputModel):
    """一个支出项目在基础数据表中的各栏：上年预算、上年决算、本年预算、本年决算"""

    prior_budget: Amount | None = Field(None, title="上年预算")
    prior_actual: Amount | None = Field(None, title="上年决算")
    budget: Amount | None = Field(None, title="本年预算")
    actual: Amount | None = Field(None, title="本年决算")


class CostItems(InputModel):
    """基础数据表中按年列出的其他支出项目（湖南市县基础数据表：上年决算 / 本年预算 / 本年决算）"""

    business_special: YearColumns | None = Field(None, title="业务工作专项")
    office: YearColumns | None = Field(None, title="办公经费")
    utilities_travel: YearColumns | None = Field(None, title="水电差旅")
    meetings_training: YearColumns | None = Field(None, title="会议培训")
    procurement: YearColumns | None = Field(None, title="政府采购")
