"""The fact catalogue: every name a rubric formula may use, with its Chinese label and unit.

Two sources:

* **reported** facts, written by the department under ``facts:`` (编制数, 在职人员数 …);
* **derived** facts, read from the structured parts of the file (附件1, 预算调整, 三公经费).
  A derived fact is arithmetic on reported figures only; if any figure it needs is absent,
  so is the fact.

A rubric may declare further reported facts of its own (``facts:`` in the rubric).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfeval.core.decimals import sum_or_blank
from perfeval.core.department import Department, must_not_be_negative
from perfeval.core.staffing import authorized_staff


@dataclass(frozen=True, slots=True)
class FactInfo:
    name: str
    label: str
    unit: str
    derive: Callable[[Department], Decimal | None] | None = None  # None: reported under facts:
    # a reported fact the tables can also give (编制数 from the staff lines): used when facts: lacks it
    fallback: Callable[[Department], Decimal | None] | None = None

    @property
    def reported(self) -> bool:
        return self.derive is None


WAN = Decimal(10000)  # 元 per 万元: the catalogue's amounts are in 万元


def _initial_budget(d: Department) -> Decimal | None:
    b = d.basic_data.initial_budget
    if b.total is not None:
        return b.total
    return sum_or_blank([b.basic, b.project]) if b.basic is not None and b.project is not None else None


def _project_spending(d: Department) -> Decimal | None:
    if d.basic_data.projects is None:
        return None
    return sum_or_blank(p.total for p in d.basic_data.projects)


def _actual_spending(d: Department) -> Decimal | None:
    return sum_or_blank([d.basic_data.basic_spending.total, _project_spending(d)])


def _adjustments(d: Department, kinds: tuple[str, ...]) -> Decimal | None:
    adj = d.budget.adjustments
    if adj is None:
        return None
    return sum((a.amount for a in adj if a.kind in kinds), Decimal(0))


def _final_budget(d: Department) -> Decimal | None:
    if d.budget.final is not None:
        return d.budget.final
    initial, up, down = _initial_budget(d), _adjustments(d, ("追加",)), _adjustments(d, ("追减",))
    return None if initial is None or up is None or down is None else initial + up - down


def _spending_total(d: Department) -> Decimal | None:
    """实际支出 without a basic/project split (basic_data.spending): its 小计, else its parts when all are there."""
    sp = d.basic_data.spending
    if sp.total is not None:
        return sp.total
    return None


def _actual_or_undivided(d: Department) -> Decimal | None:
    split = _actual_spending(d)
    return split if split is not None else _spending_total(d)


def _function_total(d: Department) -> Decimal | None:
    rows = d.spending_by_function
    return None if rows is None else sum((r.amount for r in rows), Decimal(0))


_DERIVED = [
    FactInfo("initial_budget", "年初预算数", "万元", _initial_budget),
    FactInfo("initial_budget_basic", "年初预算·基本支出", "万元", lambda d: d.basic_data.initial_budget.basic),
    FactInfo(
        "initial_budget_project",
        "年初预算·项目支出（项目总支出）",
        "万元",
        lambda d: d.basic_data.initial_budget.project,
    ),
    FactInfo("income_total", "收入来源小计", "万元", lambda d: d.basic_data.income.total),
    FactInfo("prior_year_balance", "上年结余", "万元", lambda d: d.basic_data.income.prior_year_balance),
    FactInfo("basic_spending", "实际支出·基本支出小计", "万元", lambda d: d.basic_data.basic_spending.total),
    FactInfo("project_spending", "实际支出·项目支出合计", "万元", _project_spending),
    FactInfo("actual_spending", "实际支出数（预算完成数）", "万元", _actual_or_undivided),
    FactInfo("balance_total", "结转结余总额", "万元", lambda d: d.basic_data.balance.total),
    FactInfo(
        "adjustment_total",
        "预算调整总额（追加、追减、结构调整之和）",
        "万元",
        lambda d: _adjustments(d, ("追加", "追减", "结构调整")),
    ),
    FactInfo("adjustment_increase", "本年追加预算", "万元", lambda d: _adjustments(d, ("追加",))),
    FactInfo("adjustment_decrease", "本年追减预算", "万元", lambda d: _adjustments(d, ("追减",))),
    FactInfo("final_budget", "全年预算数（调整后）", "万元", _final_budget),
    FactInfo("function_spending_total", "按功能科目支出合计", "万元", _function_total),
    FactInfo("sangong_budget", "本年度“三公经费”预算数", "万元", lambda d: d.sangong.budget.total),
    FactInfo("sangong_prior_budget", "上年度“三公经费”预算数", "万元", lambda d: d.sangong.prior_year_budget.total),
    FactInfo("sangong_actual", "“三公经费”实际支出数", "万元", lambda d: d.sangong.actual.total),
    FactInfo("sangong_prior_actual", "上年度“三公经费”实际支出数", "万元", lambda d: d.sangong.prior_year_actual.total),
    FactInfo("fiscal_appropriation", "财政拨款收入", "万元", lambda d: d.basic_data.income.fiscal_appropriation),
    FactInfo("retired_staff", "离退休人数", "人", lambda d: _count(d.staff.retired)),
]


def _count(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _cost(item: str, column: str) -> Callable[[Department], Decimal | None]:
    def get(d: Department) -> Decimal | None:
        row = getattr(d.cost_items, item)
        return None if row is None else getattr(row, column)

    return get


def _sangong_part(column: str, part: str) -> Callable[[Department], Decimal | None]:
    return lambda d: getattr(getattr(d.sangong, column), part)


# “三公”经费的各项，按栏: sangong_actual_reception (本年度实际支出·公务接待费) …
_SANGONG_COLUMNS = {
    "budget": ("budget", "本年度预算"),
    "prior_budget": ("prior_year_budget", "上年度预算"),
    "actual": ("actual", "本年度实际支出"),
    "prior_actual": ("prior_year_actual", "上年度实际支出"),
}
_SANGONG_PARTS = {
    "overseas_travel": "因公出国（境）费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
    "reception": "公务接待费",
}
_DERIVED += [
    FactInfo(f"sangong_{key}_{part}", f"“三公”经费·{label}·{part_label}", "万元", _sangong_part(column, part))
    for key, (column, label) in _SANGONG_COLUMNS.items()
    for part, part_label in _SANGONG_PARTS.items()
]

_REPORTED = [
    FactInfo("authorized_staff", "编制数", "人"),  # (fallback set below: from the staff lines)
    FactInfo("actual_staff", "在职人员数", "人", fallback=lambda d: _count(d.staff.in_post)),
    FactInfo("key_spending_budget", "预算安排的重点项目（重点支出）资金总额", "万元"),
    FactInfo("key_spending_actual", "实际重点支出资金总额", "万元"),
    FactInfo("payment_progress_actual", "实际支付进度", "%"),
    FactInfo("payment_progress_planned", "既定支付进度", "%"),
    FactInfo("public_funds_budget", "预算安排公用经费总额", "万元"),
    FactInfo("public_funds_actual", "实际支出公用经费总额", "万元"),
    FactInfo("procurement_budget", "政府采购预算数", "万元", fallback=_cost("procurement", "budget")),
    FactInfo("procurement_actual", "实际政府采购金额", "万元", fallback=_cost("procurement", "actual")),
    FactInfo("fixed_assets_in_use", "实际在用固定资产总额", "万元"),
    FactInfo("fixed_assets_total", "所有固定资产总额", "万元"),
    FactInfo("tasks_planned", "计划工作数", "项"),
    FactInfo("tasks_completed", "实际完成工作数", "项"),
    FactInfo("tasks_on_time", "及时完成工作数", "项"),
    FactInfo("tasks_up_to_standard", "质量达标工作数", "项"),
    FactInfo("key_tasks_assigned", "重点工作交办或下达数", "项"),
    FactInfo("key_tasks_completed", "重点工作实际完成数", "项"),
    FactInfo("satisfaction", "服务对象满意度", "%"),
    # 自评表 表头（预算执行情况）：年初预算数 / 全年预算数 / 全年执行数，按资金来源，如表格所印
    FactInfo("budget_initial_total", "年初预算数·年度资金总额（自评表）", "万元"),
    FactInfo("budget_initial_fiscal", "年初预算数·财政拨款（自评表）", "万元"),
    FactInfo("budget_initial_other", "年初预算数·其他资金（自评表）", "万元"),
    FactInfo("budget_full_year_total", "全年预算数·年度资金总额（自评表）", "万元"),
    FactInfo("budget_full_year_fiscal", "全年预算数·财政拨款（自评表）", "万元"),
    FactInfo("budget_full_year_other", "全年预算数·其他资金（自评表）", "万元"),
    FactInfo("executed_total", "全年执行数·年度资金总额（自评表）", "万元"),
    FactInfo("executed_fiscal", "全年执行数·财政拨款（自评表）", "万元"),
    FactInfo("executed_other", "全年执行数·其他资金（自评表）", "万元"),
]

CATALOGUE: dict[str, FactInfo] = {f.name: f for f in _DERIVED + _REPORTED}


def catalogue_for(rubric_facts: Mapping[str, Any]) -> dict[str, FactInfo]:
    """The built-in catalogue plus a rubric's own declared facts."""
    if not rubric_facts:
        return CATALOGUE
    merged = dict(CATALOGUE)
    for name, decl in rubric_facts.items():
        merged[name] = FactInfo(name, decl.label, decl.unit)
    return merged


def fact_values(
    dept: Department, catalogue: dict[str, FactInfo], staff_basis: tuple[str, ...] | None = None
) -> dict[str, Decimal | None]:
    """Every catalogued fact's value for this department, in the catalogue's unit (amounts in 万元, a
    file in 元 converted exactly); ``None`` where not reported. A reported fact the file leaves out is
    taken from its tables where they give it (编制数 from the staff lines, by ``staff_basis``)."""
    values: dict[str, Decimal | None] = {}
    in_yuan = dept.amount_unit == "元"
    for name, info in catalogue.items():
        if info.derive is not None:
            value = info.derive(dept)
        else:
            value = dept.facts.get(name)
            if value is None and name == "authorized_staff":
                value = authorized_staff(dept, staff_basis)
            elif value is None and info.fallback is not None:
                value = info.fallback(dept)
        if in_yuan and value is not None and info.unit == "万元":
            value = value / WAN
        values[name] = value
    return values


def negative_facts(dept: Department, catalogue: dict[str, FactInfo]) -> list[FactInfo]:
    """The facts reported under ``facts:`` whose unit is a count or an amount (人, 万元, 项 …) and
    whose value is negative: the built-in ones and a rubric's own (``catalogue_for(rubric.facts)``)."""
    return [
        info
        for name, value in dept.facts.items()
        if (info := catalogue.get(name)) is not None and value < 0 and must_not_be_negative(info.unit)
    ]
