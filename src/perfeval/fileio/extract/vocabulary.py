"""The words of 部门整体支出绩效 reports that say what an amount is of: 三公 and its parts, 功能科目 lines,
经济分类, 基本/项目支出, 追加/追减, 结转结余, 年初/全年预算, 收入 and its kinds, 公用经费, 支出 — and, for a
figure whose own words are only a year or a stage (“2018 年 10.10 万元”), the thing named before it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from perfeval.core.report_sentences import Item, is_prior

FUNCTION_LINE = re.compile(r"^(\d{3}(?:\d{2}){0,2})\s*([^\d].*)$")

_SANGONG_PARTS = [
    (re.compile(r"因公出国|出国（境）|出国\(境\)|出国境"), "overseas_travel"),
    (re.compile(r"购置及运行|购置和运行|购置及维护|购置和维护"), None),  # 购置及运行维护费: both parts in one
    (re.compile(r"车辆购置|用车购置|购置费"), "vehicle_purchase"),
    (re.compile(r"运行|维护"), "vehicle_operation"),
    (re.compile(r"接待"), "reception"),
]
SANGONG_FACT_COLUMNS = {
    "budget": "budget",
    "prior_year_budget": "prior_budget",
    "actual": "actual",
    "prior_year_actual": "prior_actual",
}
PART_LABELS = {
    None: "“三公”经费",
    "overseas_travel": "因公出国（境）费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
    "reception": "公务接待费",
}
_SANGONG_NAMED = re.compile(r"公务接待|因公出国|公务用车")
_ECONOMIC = [
    (re.compile(r"工资福利"), "wages_welfare"),
    (re.compile(r"商品和服务|商品服务"), "goods_services"),
    (re.compile(r"对个人和家庭|个人和家庭"), "household_subsidies"),
    (re.compile(r"资本性"), "capital"),
]
# what may stand before a whole-unit total (2019年度收入总计, 本年支出合计, 部门整体支出)
_WHOLE = (
    r"(?:(?:19|20)\d{2}年度?|本年度?|全年|当年|年度|部门|单位|整体|本单位|本部门|全局|共|合计|累计|实现|完成|安排)*"
)
_STAGE_BUDGET = re.compile(r"预算|批复|安排计划|计划安排")
_STAGE_ACTUAL = re.compile(r"支出|决算|实际|开支|使用|花费|列支")


@dataclass(slots=True)
class Subject:
    """What an amount is of, as far as the sentence says.

    ``kind``: sangong, function, economic, basic, project, increase, decrease, prior_balance, balance,
    initial, final, income, fiscal_line, fact, spending, included. ``part``: the 三公 part, the economic
    class, the income field, the fact, or a 功能科目's name. ``column``: for sangong its stage (budget |
    actual; the year before when ``prior``), for basic/project budget | actual, for a 功能科目 its code, for
    an economic class the kind of the amount it is a part of. ``label``: the report's words."""

    kind: str
    part: str | None = None
    column: str | None = None
    prior: bool = False
    label: str = ""


def subject_of(
    items: list[Item], k: int, subjects: list[Subject | None], text: str, year: int | None
) -> Subject | None:
    """What ``items[k]`` is of, from its words, its “其中” parent and the figures before it; None when the
    words do not say (the figure is then listed as not placed)."""
    item = items[k]
    s = item.subject
    parent = subjects[item.parent] if item.parent is not None and item.parent < len(subjects) else None
    prior = is_prior(item.label, year)
    if not s or re.fullmatch(r"(?:比|较|与|同)?(?:上年|去年|上年度|上年同期|\d{4}年度?|本年|当年)(?:为|是|的)?", s):
        # a year or stage alone (“2018 年 10.10 万元”): the same thing as the amount before it
        before = next(
            (subjects[j] for j in range(k - 1, -1, -1) if j < len(subjects) and subjects[j] is not None), None
        )
        if before is not None:
            return Subject(before.kind, before.part, stage(s) or before.column, prior, before.label)
        return None
    if item.bracketed and re.match(r"^(?:含|其中|包括)", item.label):
        return Subject("included", label=s)
    if "三公" in s or _SANGONG_NAMED.search(s) or (parent is not None and parent.kind == "sangong"):
        part = None
        for pattern, name in _SANGONG_PARTS:
            if pattern.search(s):
                part = name if name is not None else "combined"
                break
        # the stage (预算 or 支出) from its own words, else its “其中” parent's, else the sentence's before it
        column = stage(s) or (parent.column if parent is not None else None)
        column = column or stage(text[: item.figure.start])
        if parent is not None and parent.kind == "sangong":
            prior = prior or parent.prior
        return Subject("sangong", part, column, prior, s)
    if m := FUNCTION_LINE.match(s):
        return Subject("function", m[2], m[1], label=s)
    for pattern, name in _ECONOMIC:
        if pattern.search(s):
            return Subject("economic", name, parent.kind if parent is not None else None, label=s)
    if "基本支出" in s:
        return Subject("basic", column="budget" if re.search(r"年初预算|预算数|预算安排", s) else "actual", label=s)
    if "项目支出" in s:
        return Subject("project", column="budget" if re.search(r"年初预算|预算数|预算安排", s) else "actual", label=s)
    if re.search(r"追减|调减|核减", s):
        return Subject("decrease", label=s)
    if "追加" in s or "调增" in s:
        return Subject("increase", label=s)
    if "公用经费" in s:
        return Subject("fact", "public_funds_budget" if _STAGE_BUDGET.search(s) else "public_funds_actual", label=s)
    if re.search(r"上年结转|上年结余|年初结转|年初结余|上年度结转", s):
        return Subject("prior_balance", label=s)
    if re.fullmatch(_WHOLE + r"(?:年末|年底)?(?:结转结余|结余结转|结转和结余|结余|结转)(?:资金|总额|合计|数)?", s):
        return Subject("balance", label=s)
    if re.search(r"年初预算|预算批复|年初批复|年初安排|年初下达", s):
        return Subject("initial", label=s)
    if re.fullmatch(_WHOLE + r"(?:调整后预算|全年预算|预算总额|财政预算经费|预算经费|预算数|预算合计)(?:数|总额)?", s):
        return Subject("final", label=s)
    if "收入" in s:
        if "财政拨款" in s:
            return Subject("income", "fiscal_appropriation", label=s)
        if "一般公共预算" in s:
            return Subject("income", "by_fund.general_public_budget", label=s)
        if "政府性基金" in s:
            return Subject("income", "by_fund.government_fund", label=s)
        if re.search(r"上级(?:财政|补助)", s):
            return Subject("income", "superior_finance", label=s)
        if re.fullmatch(_WHOLE + r"其他(?:收入|资金)", s):
            return Subject("income", "other", label=s)
        if re.fullmatch(_WHOLE + r"(?:本年|财政)?收入(?:总计|合计|总额|小计|总数)?", s) or re.search(
            r"收入(?:总计|合计)", s
        ):
            return Subject("income", "total", label=s)
        return None  # 事业收入, 经营收入 …: no field of the department file
    if re.fullmatch(
        _WHOLE + r"(?:财政拨款|一般公共预算)?(?:总支出|支出(?:总计|合计|总额|总数)?|实际支出|决算支出|支出决算数?)", s
    ):
        return Subject("spending", label=s)
    if parent is not None and parent.kind == "income" and parent.part == "fiscal_appropriation":
        return Subject("fiscal_line", label=s)
    return None


def stage(text: str) -> str | None:
    if _STAGE_BUDGET.search(text):
        return "budget"
    if _STAGE_ACTUAL.search(text):
        return "actual"
    return None
