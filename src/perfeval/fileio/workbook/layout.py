"""What a department workbook holds and where: sheet names, columns, labels, the facts a rubric needs.

Shared by the workbook writer and reader (``perfeval.fileio.workbook.write``) and the YAML skeleton
(``perfeval.fileio.yaml_write``). Plain data only; importing this module does not import openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfeval.core import formula as fx
from perfeval.core.department import ACHIEVEMENT_LABELS, ROW_KIND_LABELS
from perfeval.core.facts import FactInfo, catalogue_for
from perfeval.core.rubric import Node, Rubric

SHEET_INFO = "填报信息"
SHEET_BASIC = "基础数据表"
SHEET_SCORES = "评分表"
SHEET_FACTS = "指标数据"
SHEET_ROWS = "部门特性指标"  # the platform 自评表's own indicators, one row each (department_indicators)
SHEET_OTHER = "其他内容"  # what the form-like sheets have no cell for, by key path (other_values.py)

NONE_MARK = "无"  # written in the first cell of a list section: "reported, and there are none"

# 填报信息 · 基本信息: (key, label, hint)
META_FIELDS: list[tuple[str, str, str]] = [
    ("unit", "单位名称", "必填，单位全称"),
    ("unit_short", "评价单位（盖章名称）", "可不填"),
    ("year", "评价年度", "必填，四位数年份，如 2019"),
    ("rubric", "评分表文件", "评分表 YAML 文件的路径（相对本工作簿所在文件夹）"),
    ("filled_on", "填报日期", "如 2020-11-10"),
    ("amount_unit", "金额单位", "万元 或 元"),
    ("illustrative", "示意数据", "“是”表示示意数据，不是真实单位的填报；一般填“否”"),
    ("source", "数据来源说明", "可不填"),
    ("format", "文件格式", "请勿改动"),
]

# 附件1 基础数据表: the 26 standard columns, then a note column for projects.
# (group, subgroup, label, field path inside basic_data; "projects.*" fields are per project row)
BASIC_COLUMNS: list[tuple[str, str, str, str]] = [
    ("年初预算支出计划", "", "小计", "initial_budget.total"),
    ("年初预算支出计划", "", "基本支出", "initial_budget.basic"),
    ("年初预算支出计划", "", "项目支出", "initial_budget.project"),
    ("收入来源", "", "小计", "income.total"),
    ("收入来源", "", "上年结余", "income.prior_year_balance"),
    ("收入来源", "", "上级财政", "income.superior_finance"),
    ("收入来源", "", "县级财政", "income.county_finance"),
    ("收入来源", "", "其他", "income.other"),
    ("实际支出", "基本支出情况", "小计", "basic_spending.total"),
    ("实际支出", "基本支出情况", "工资福利支出", "basic_spending.wages_welfare"),
    ("实际支出", "基本支出情况", "商品和服务支出", "basic_spending.goods_services"),
    ("实际支出", "基本支出情况", "对个人和家庭补助", "basic_spending.household_subsidies"),
    ("实际支出", "基本支出情况", "资本性支出", "basic_spending.capital"),
    ("实际支出", "基本支出情况", "其他支出", "basic_spending.other"),
    ("实际支出", "基本支出情况", "三公经费支出", "basic_spending.sangong"),
    ("实际支出", "项目支出情况", "项目名称", "projects.name"),
    ("实际支出", "项目支出情况", "小计", "projects.total"),
    ("实际支出", "项目支出情况", "工资福利支出", "projects.wages_welfare"),
    ("实际支出", "项目支出情况", "商品和服务支出", "projects.goods_services"),
    ("实际支出", "项目支出情况", "对个人和家庭补助", "projects.household_subsidies"),
    ("实际支出", "项目支出情况", "资本性支出", "projects.capital"),
    ("实际支出", "项目支出情况", "其他支出", "projects.other"),
    ("实际支出", "项目支出情况", "三公经费支出", "projects.sangong"),
    ("经费结余情况", "", "小计", "balance.total"),
    ("经费结余情况", "", "基本支出", "balance.basic"),
    ("经费结余情况", "", "项目支出", "balance.project"),
    ("项目说明", "", "项目说明", "projects.note"),
]

SANGONG_ROWS: list[tuple[str, str]] = [
    ("budget", "本年度预算"),
    ("prior_year_budget", "上年度预算"),
    ("actual", "本年度实际支出"),
]
SANGONG_COLUMNS: list[tuple[str, str]] = [
    ("total", "合计"),
    ("overseas_travel", "因公出国（境）费"),
    ("vehicle_purchase", "公务用车购置费"),
    ("vehicle_operation", "公务用车运行维护费"),
    ("reception", "公务接待费"),
]

ADJUSTMENT_KINDS = ("追加", "追减", "结构调整")

# 部门特性指标: (field of DepartmentIndicator, header), after 评分表指标 (the node's name); the two id columns
# last (指标 id is the row's own id, to fill in; 指标标识 the rubric node's, hidden). `better` (the older
# spelling of the kind) has no column: it goes to 其他内容.
ROW_NODE_LABEL = "评分表指标"
ROW_COLUMNS: list[tuple[str, str]] = [
    ("name", "指标名称"),
    ("category", "类别"),
    ("kind", "指标类型"),
    ("weight", "分值"),
    ("target", "年度指标值"),
    ("actual", "实际完成值"),
    ("unit", "计量单位"),
    ("achievement", "完成情况"),
    ("score", "自评得分"),
    ("reviewed", "审核得分"),
    ("deviation_reason", "偏差原因分析及改进措施"),
    ("note", "说明"),
    ("id", "指标 id"),
]
ROW_NODE_ID_LABEL = "指标标识"
ROW_NUMBERS = ("weight", "target", "actual", "score", "reviewed")
ROW_KINDS = tuple(ROW_KIND_LABELS.values())  # 正向 反向 等于 定性
ROW_ACHIEVEMENTS = tuple(ACHIEVEMENT_LABELS.values())  # 达成 部分达成 未达成
TEMPLATE_ROWS = 8  # blank rows a fill-in workbook gives each 部门特性指标 node

# 评分表: the columns after the indicator-tier columns, by header label.
SCORE_TAIL = ["指标内容", "指标说明", "分值", "自评得分", "审核得分", "说明", "指标标识", "要点标识", "分值校验"]
# 分值校验 (hidden) repeats each row's 分值: a visible 分值 that no longer matches it means rows were
# shifted against the hidden ids (a pasted table, an inserted row) and the row is refused, not misread.
TOTAL_ID = "（总分）"
SUBTOTAL_MARK = "（小计）"
ITEMS_TOTAL_LABEL = "小计（按评分要点合计，可不填）"


def tier_labels(rubric: Rubric) -> list[str]:
    depth = max(d for _, d in rubric.walk())
    labels = list(rubric.levels[:depth])
    names = "一二三四五六七八九"
    while len(labels) < depth:
        labels.append(f"{names[len(labels)] if len(labels) < 9 else len(labels) + 1}级指标")
    return labels


@dataclass(frozen=True, slots=True)
class FactRow:
    info: FactInfo
    used_by: tuple[str, ...]  # indicator names whose formulas name this fact


def _rule_names(node: Node) -> list[str]:
    rule = node.rule
    texts = []
    measure = getattr(rule, "measure", None)
    if measure is not None:
        texts.append(measure.formula)
    condition = getattr(rule, "condition", None)
    if condition:
        texts.append(condition)
    names: list[str] = []
    for t in texts:
        names.extend(fx.parse(t).names)
    for row in getattr(rule, "header", None) or []:  # 预算执行率: the header block's facts, by fund
        names.extend(name for _, name in row.facts())
    return list(dict.fromkeys(names))


def fact_rows(rubric: Rubric) -> tuple[list[FactRow], list[FactRow]]:
    """(reported facts to fill in, derived facts computed from 基础数据表), in rubric order.

    Reported facts are those the rubric's formulas name plus the rubric's own declared facts.
    """
    catalogue = catalogue_for(rubric.facts)
    used: dict[str, list[str]] = {}
    for node in rubric.leaves():
        for name in _rule_names(node):
            if name in catalogue:
                used.setdefault(name, [])
                if node.name not in used[name]:
                    used[name].append(node.name)
    for name in rubric.facts:
        used.setdefault(name, [])
    reported = [FactRow(catalogue[n], tuple(u)) for n, u in used.items() if catalogue[n].reported]
    derived = [FactRow(catalogue[n], tuple(u)) for n, u in used.items() if not catalogue[n].reported]
    return reported, derived


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count double."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)
