"""A fact written in a unit it does not have: 95 for a rate, 12% for a head count, 3.5 人.

The catalogue (:mod:`perfeval.core.facts`) and a rubric's own ``facts:`` give every fact a unit. A rate (%) may
be written ``95%`` or ``0.95``; a bare number above 1 is ambiguous (95% or 9,500%?) and is refused rather than
guessed. A count (人、项、个、次、件、户) is a whole number without a % sign; an amount (万元、元) has no % sign. The
check reads the values as written (before they become numbers), so that ``95%`` and ``0.95`` stay
distinguishable. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from perfeval.core.facts import FactInfo
from perfeval.core.problems import Problem

RATE_UNITS = frozenset({"%"})
COUNT_UNITS = frozenset({"人", "项", "个", "次", "件", "户", "家", "名"})
AMOUNT_UNITS = frozenset({"万元", "元"})


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        return None


def fact_unit_problems(facts: Mapping[str, Any], catalogue: Mapping[str, FactInfo]) -> list[Problem]:
    """One ``fact-unit`` problem for each fact under ``facts:`` written in a unit it does not have."""
    problems: list[Problem] = []
    for name, raw in facts.items():
        info = catalogue.get(str(name))
        if info is None or raw is None or isinstance(raw, bool):
            continue
        text = format(raw, "f") if isinstance(raw, Decimal) else str(raw).strip()  # as written: 0.5, not 5E-1
        percent = text.endswith(("%", "％"))
        value = _number(text.rstrip("%％")) if isinstance(raw, str) else Decimal(raw)
        if value is None:
            continue  # not a number at all: the model says so
        who = f"facts.{name}（{info.label}，单位：{info.unit}）"
        why = None
        if info.unit in RATE_UNITS and not percent and abs(value) > 1:
            why = (
                f"写的是 {text}：比率应写作百分数（如 {text}%）或小数（如 {value / 100}），"
                "不带 % 的大于 1 的数无法判断是哪一种"
            )
        elif info.unit in COUNT_UNITS and percent:
            why = f"写的是 {text}：人数、项数是整数，不能带 %；请填写{info.label}本身"
        elif info.unit in COUNT_UNITS and value != value.to_integral_value():
            why = f"写的是 {text}：{info.unit}数应为整数"
        elif info.unit in AMOUNT_UNITS and percent:
            why = f"写的是 {text}：金额不能带 %；请填写金额（{info.unit}）"
        if why is not None:
            problems.append(Problem("fact-unit", f"{who}{why}", path=("facts", name)))
    return problems
