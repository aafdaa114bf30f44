"""Reconciling the basic data table (附件1 基础数据表) and the tables beside it. Pure.

A department's figures must agree with one another before any score built on them can
be trusted. Each check compares two amounts the file states (or one stated and one
summed from stated cells); a finding names the cells in Chinese, gives both amounts as a
finance table prints them (1,295.87), the difference, and the key path of the cell.

A blank cell is absent, never zero — except where a table adds its parts: there a blank
part adds nothing, as it does on paper. A 小计 that is blank is not compared (the
department did not state it); it is reported as a warning when its parts are filled in,
because every figure derived from it is then absent too.

Checks:

* every 小计 against its parts — 年初预算, 收入来源, 基本支出, each 项目支出 row,
  经费结余, each “三公”经费 breakdown, and a 功能科目 row against the rows beneath it;
* 实际支出 (基本支出小计 + 项目支出小计) against spending by function code;
* income including the prior-year balance against 实际支出 + 结余 — a gap that equals the
  budget adjustments (the mid-year addition missing from the income columns) is a
  warning, any other gap an error;
* the 三公经费支出 columns of 附件1 against the 三公 actual total;
* the adjustments (追加 − 追减) against 调整后预算 − 年初预算.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval.core.decimals import ZERO, fmt_amount
from perfeval.core.department import Department
from perfeval.core.problems import ERROR, WARNING, KeyPath, Problem, finding
from perfeval.core.staffing import staff_problems
from perfeval.core.sums import DEFAULT_TOLERANCE, Money, Part, parts_of, rounding_note, sum_check, total_of, within

_SPENDING_PARTS = ("wages_welfare", "goods_services", "household_subsidies", "capital", "other")
_INCOME_PARTS = ("prior_year_balance", "superior_finance", "county_finance", "other")
_SANGONG_PARTS = ("overseas_travel", "vehicle_purchase", "vehicle_operation", "reception")


def _subtotals(d: Department, money: Money, tolerance: Decimal) -> list[Problem]:
    bd = d.basic_data
    out: list[Problem] = []
    b = bd.initial_budget
    out += sum_check(
        "年初预算支出计划",
        b.total,
        parts_of(b, ("basic", "project")),
        ("basic_data", "initial_budget", "total"),
        money,
        tolerance=tolerance,
    )
    i = bd.income
    out += sum_check(
        "收入来源", i.total, parts_of(i, _INCOME_PARTS), ("basic_data", "income", "total"), money, tolerance=tolerance
    )
    s = bd.basic_spending
    out += sum_check(
        "实际支出·基本支出情况",
        s.total,
        parts_of(s, _SPENDING_PARTS),
        ("basic_data", "basic_spending", "total"),
        money,
        tolerance=tolerance,
    )
    for k, p in enumerate(bd.projects or []):
        label = f"实际支出·项目支出情况第 {k + 1} 行" + (f"（{p.name}）" if p.name else "")
        out += sum_check(
            label,
            p.total,
            parts_of(p, _SPENDING_PARTS),
            ("basic_data", "projects", k, "total"),
            money,
            tolerance=tolerance,
        )
    sp = bd.spending
    out += sum_check(
        "实际支出（不分基本、项目）",
        sp.total,
        parts_of(sp, _SPENDING_PARTS),
        ("basic_data", "spending", "total"),
        money,
        tolerance=tolerance,
    )
    if i.fiscal_lines:
        lines = [(line.name, line.amount) for line in i.fiscal_lines]
        out += sum_check(
            "收入来源·财政拨款收入",
            i.fiscal_appropriation,
            lines,
            ("basic_data", "income", "fiscal_appropriation"),
            money,
            total_name="财政拨款收入",
            tolerance=tolerance,
        )
    bal = bd.balance
    out += sum_check(
        "经费结余情况",
        bal.total,
        parts_of(bal, ("basic", "project")),
        ("basic_data", "balance", "total"),
        money,
        tolerance=tolerance,
    )
    for key, table in (
        ("budget", "“三公”经费·本年度预算"),
        ("prior_year_budget", "“三公”经费·上年度预算"),
        ("actual", "“三公”经费·本年度实际支出"),
        ("prior_year_actual", "“三公”经费·上年度实际支出"),
    ):
        sg = getattr(d.sangong, key)
        out += sum_check(
            table,
            sg.total,
            parts_of(sg, _SANGONG_PARTS),
            ("sangong", key, "total"),
            money,
            total_name="合计",
            tolerance=tolerance,
        )
    return out


def _actual_spending(d: Department) -> tuple[Decimal, list[Part]] | None:
    """实际支出 = 基本支出小计 + 各项目支出小计 (or the 小计 of spending given without that split); None
    when a 小计 it needs is blank."""
    bd = d.basic_data
    parts: list[Part] = []
    if bd.basic_spending.total is None and bd.projects is None and bd.spending.total is not None:
        return bd.spending.total, [("实际支出小计", bd.spending.total)]
    if bd.basic_spending.total is None:
        return None
    parts.append(("基本支出小计", bd.basic_spending.total))
    for p in bd.projects or []:
        if p.total is None:
            return None
        parts.append((f"项目支出小计（{p.name}）" if p.name else "项目支出小计", p.total))
    return total_of(parts), parts


def _function_rows(
    d: Department, money: Money, actual: tuple[Decimal, list[Part]] | None, tolerance: Decimal
) -> list[Problem]:
    rows = d.spending_by_function
    if not rows:
        return []
    out: list[Problem] = []
    codes = [r.code for r in rows]
    # a row whose code another row extends (类 201 above 款 20103 above 项 2010301) is a subtotal
    top_level = []
    for k, r in enumerate(rows):
        ancestors = [c for c in codes if c != r.code and r.code.startswith(c)]
        if not ancestors:
            top_level.append(r)
        below = [x for x in rows if x.code != r.code and x.code.startswith(r.code)]
        if not below:
            continue
        # its parts are the rows directly beneath it (no row in between)
        direct = [x for x in below if not any(y.code != x.code and x.code.startswith(y.code) for y in below)]
        parts = [(f"{x.code} {x.name}", x.amount) for x in direct]
        out += sum_check(
            f"按功能科目的支出·{r.code} {r.name}",
            r.amount,
            parts,
            ("spending_by_function", k, "amount"),
            money,
            total_name="金额",
            tolerance=tolerance,
        )
    if actual is None:
        return out
    spent, spent_parts = actual
    function_total = sum((r.amount for r in top_level), ZERO)
    if within(function_total - spent, tolerance):
        out.append(
            rounding_note(
                "按功能科目的支出合计与附件1实际支出", ("spending_by_function",), function_total, spent, money
            )
        )
    elif function_total != spent:
        out.append(
            finding(
                "function-spending-mismatch",
                ERROR,
                f"按功能科目的支出合计 {money(function_total)} 与附件1实际支出 {money(spent)}"
                f"（{money.sum_text(spent_parts)}）不符，相差 {money(abs(function_total - spent))}",
                ("spending_by_function",),
                amounts={"stated": function_total, "expected": spent, "difference": function_total - spent},
            )
        )
    return out


def _income_vs_spending(
    d: Department, money: Money, actual: tuple[Decimal, list[Part]] | None, tolerance: Decimal
) -> list[Problem]:
    """收入（含上年结余）= 实际支出 + 结余; a gap equal to the budget adjustments is explained; a gap a blank
    cell could hold (结余 not reported while income exceeds spending; a blank income source while spending
    exceeds income) cannot be judged and is said so."""
    if actual is None:
        return []
    inc = d.basic_data.income
    sources = parts_of(inc, _INCOME_PARTS)
    path: KeyPath
    income_partial = False
    if inc.total is not None:
        income, income_text, path = inc.total, f"收入来源小计 {money(inc.total)}", ("basic_data", "income", "total")
    elif sources.filled:
        income = sources.total
        income_partial = bool(sources.blank)
        income_text = f"收入来源各项之和 {money(income)}" + ("（部分之和）" if income_partial else "")
        path = ("basic_data", "income")
    else:
        return []
    spent, _ = actual
    balance = d.basic_data.balance.total
    balance_text = f"结余 {money(balance)}" if balance is not None else "结余（空白）"
    uses = spent + (balance if balance is not None else ZERO)
    gap = uses - income
    if gap == 0:
        return []
    amounts = {"stated": income, "expected": uses, "difference": income - uses}
    if within(gap, tolerance):
        return [rounding_note(f"{income_text}与实际支出 + {balance_text}", path, income, uses, money)]
    what = f"{income_text}与实际支出 {money(spent)} + {balance_text} = {money(uses)} 不符，相差 {money(abs(gap))}"
    explained = _explained_by_budget_changes(d, gap, money)
    if explained:
        return [finding("income-spending-gap", WARNING, f"{what}；{explained}", path, amounts=amounts)]
    blank_could_hold_it = (gap < 0 and balance is None) or (gap > 0 and income_partial)
    if blank_could_hold_it:
        which = "经费结余栏为空" if gap < 0 else f"收入来源中{'、'.join(sources.blank)}未填"
        return [
            finding(
                "income-spending-unverifiable",
                WARNING,
                f"{what}；预算调整不能解释这一差额，而{which}，无法判断差额是否在其中；请填写该栏（确无则填 0）",
                path,
                amounts=amounts,
            )
        ]
    return [
        finding(
            "income-spending-mismatch",
            ERROR,
            f"{what}，且预算调整不能解释这一差额；请核对收入来源、实际支出和经费结余各栏",
            path,
            amounts=amounts,
        )
    ]


def _net_adjustments(d: Department) -> Decimal | None:
    adj = d.budget.adjustments
    if adj is None:
        return None
    return sum((a.amount if a.kind == "追加" else -a.amount for a in adj if a.kind in ("追加", "追减")), ZERO)


def _initial(d: Department) -> Decimal | None:
    b = d.basic_data.initial_budget
    if b.total is not None:
        return b.total
    if b.basic is not None and b.project is not None:
        return b.basic + b.project
    return None


def _explained_by_budget_changes(d: Department, gap: Decimal, money: Money) -> str | None:
    """Why the income columns miss ``gap``, if the budget changes say so."""
    net = _net_adjustments(d)
    if net is not None and net != 0 and net == gap:
        kinds = "、".join(sorted({a.kind for a in d.budget.adjustments or [] if a.kind != "结构调整"}))
        direction = "多" if gap > 0 else "少"
        return (
            f"差额等于预算调整中的{kinds} {money(abs(net))}：支出{direction}于收入来源，"
            f"收入来源栏似未计入年中{kinds}，请在收入来源中补填"
        )
    initial, final = _initial(d), d.budget.final
    if initial is not None and final is not None and final - initial == gap:
        return (
            f"差额等于调整后预算 {money(final)} 与年初预算 {money(initial)} 之差：收入来源栏似只填了年初预算，"
            "请在收入来源中补填调整的部分"
        )
    return None


def _sangong_columns(d: Department, money: Money, tolerance: Decimal) -> list[Problem]:
    """附件1 的三公经费支出栏（基本支出 + 各项目）against the 三公 actual total."""
    actual = d.sangong.actual.total
    bd = d.basic_data
    columns: list[Part] = []
    if bd.basic_spending.sangong is not None:
        columns.append(("基本支出·三公经费支出", bd.basic_spending.sangong))
    for p in bd.projects or []:
        if p.sangong is not None:
            columns.append((f"项目支出·三公经费支出（{p.name}）" if p.name else "项目支出·三公经费支出", p.sangong))
    if actual is None or not columns:
        return []
    summed = total_of(columns)
    if summed == actual:
        return []
    if within(actual - summed, tolerance):
        return [
            rounding_note(
                "“三公”经费实际支出合计与附件1 三公经费支出栏", ("sangong", "actual", "total"), actual, summed, money
            )
        ]
    return [
        finding(
            "sangong-spending-mismatch",
            ERROR,
            f"“三公”经费本年度实际支出合计 {money(actual)} 与附件1 三公经费支出栏（{money.sum_text(columns)} = "
            f"{money(summed)}）不符，相差 {money(abs(actual - summed))}",
            ("sangong", "actual", "total"),
            amounts={"stated": actual, "expected": summed, "difference": actual - summed},
        )
    ]


def _adjustments(d: Department, money: Money, tolerance: Decimal) -> list[Problem]:
    """追加 − 追减 = 调整后预算 − 年初预算 (结构调整 moves money, it does not change the total)."""
    net, initial, final = _net_adjustments(d), _initial(d), d.budget.final
    if net is None or initial is None or final is None:
        return []
    change = final - initial
    if change == net:
        return []
    where: KeyPath = ("budget", "adjustments") if d.budget.adjustments else ("budget", "final")
    if within(net - change, tolerance):
        return [rounding_note("预算调整净额与调整后预算 − 年初预算", where, net, change, money)]
    listed = " ".join(f"{a.kind} {fmt_amount(a.amount)}" for a in d.budget.adjustments or []) or "无调整"
    return [
        finding(
            "adjustments-mismatch",
            ERROR,
            f"预算调整（{listed}，净额 {money(net)}）与调整后预算 {money(final)} − 年初预算 {money(initial)} = "
            f"{money(change)} 不符，相差 {money(abs(change - net))}",
            where,
            amounts={"stated": net, "expected": change, "difference": net - change},
        )
    ]


def _carryover_placement(d: Department, money: Money, tolerance: Decimal) -> list[Problem]:
    """上年结转 inside or outside 收入小计: the report says one thing while its figures say the other, or says
    nothing while both readings are open."""
    inc = d.basic_data.income
    total, carry, fiscal = inc.total, inc.prior_year_balance, inc.fiscal_appropriation
    if total is None or carry is None or fiscal is None or carry == 0 or inc.carryover_included is False:
        return []
    if abs(total - fiscal) > tolerance:  # the 财政拨款 is not the whole 小计: room for the 结转 inside it
        return []
    said = "报告称收入小计“其中上年结转”" if inc.carryover_included else "报告未说明上年结转是否含在收入小计中"
    return [
        finding(
            "carryover-placement",
            WARNING,
            f"{said} {money(carry)}，而财政拨款收入 {money(fiscal)} 已等于收入小计 {money(total)}：若结转在小计之内，"
            f"本年财政拨款应为 {money(total - carry)}；若在小计之外，收入应为 {money(total + carry)}。"
            "请核对并写明上年结转的位置",
            ("basic_data", "income", "prior_year_balance"),
            amounts={"stated": total, "expected": fiscal + carry, "difference": total - fiscal - carry},
        )
    ]


def reconcile(d: Department, tolerance: Decimal = DEFAULT_TOLERANCE) -> list[Problem]:
    """Every finding about the department's tables, in the order of 附件1, then the tables beside it.
    ``tolerance`` (in the file's amount unit) is the largest gap read as rounding."""
    money = Money(d.amount_unit)
    actual = _actual_spending(d)
    findings = _subtotals(d, money, tolerance)
    findings += _carryover_placement(d, money, tolerance)
    findings += _income_vs_spending(d, money, actual, tolerance)
    findings += _function_rows(d, money, actual, tolerance)
    findings += _sangong_columns(d, money, tolerance)
    findings += _adjustments(d, money, tolerance)
    findings += staff_problems(d)
    return findings
