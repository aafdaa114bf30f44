"""What a report claims (报告所称) against what its own figures give. Pure.

A claim names what it is about — a fact (全年执行数), an indicator's measure (预算完成率) or a formula
(三公经费较上年增长率) — and the value as the report prints it. The recomputed value is rounded to the
places the claim was printed with (99.17% to hundredths of a percent, 146% to whole percents) and
compared:

* equal at that precision: nothing to say;
* off by no more than one unit of the last printed place (a rate) or the tolerance (an amount):
  ``claim-rounding`` (info), both figures given;
* otherwise ``claim-contradicted`` (error): the report says X, its figures give Y, the difference, and
  the rule that turns the figure into points when an indicator uses it;
* the figures do not allow the check: ``claim-unverifiable`` (info), naming what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel

from perfeval.core import formula as fx
from perfeval.core.department import Department
from perfeval.core.engine import NodeResult, ScoreResult
from perfeval.core.evidence import Claim
from perfeval.core.facts import FactInfo
from perfeval.core.problems import ERROR, INFO, KeyPath, Problem, finding
from perfeval.core.rubric import Rubric
from perfeval.core.sums import DEFAULT_TOLERANCE

_FORMATS = {"万元": "amount", "元": "amount", "%": "percent"}


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _text(value: Decimal, fmt: str, places: int) -> str:
    """``value`` with the places of a ratio ``places`` (a percent shows two fewer: 0.9917 → 99.17%)."""
    if fmt == "percent":
        return f"{value.scaleb(2):,.{max(0, places - 2)}f}%"
    if fmt == "amount":
        return f"{value:,.{max(2, places)}f}"
    return f"{value:,.{places}f}"


def _indicator(result: ScoreResult, key: str) -> NodeResult | None:
    by_id = {n.id: n for n in result.walk()}
    if key in by_id:
        return by_id[key]
    named = [n for n in result.walk() if n.name == key]
    return named[0] if len(named) == 1 else None


def _label(name: str, catalogue: Mapping[str, FactInfo]) -> str:
    info = catalogue.get(name)
    return info.label if info else name


def claim_findings(
    result: ScoreResult, dept: Department, rubric: Rubric, tolerance: Decimal = DEFAULT_TOLERANCE
) -> list[Problem]:
    """Every claim of the department file compared with what its figures give, in file order."""
    uses: dict[str, list[str]] = {}  # fact → the indicators whose formulas read it
    for node, _ in rubric.walk():
        measure = getattr(node.rule, "measure", None) if node.rule is not None else None
        for name in measure.parsed.names if measure is not None else ():
            uses.setdefault(name, []).append(node.id)
    out: list[Problem] = []
    for k, claim in enumerate(dept.claims):
        out.extend(_one(result, claim, ("claims", k), tolerance, uses, dept))
    return out


def figure_at(dept: Department, dotted: str) -> tuple[Decimal | None, str]:
    """The figure at a key path of the department file (``basic_data.basic_spending.wages_welfare``,
    ``basic_data.projects[0].total``), and its Chinese name from the model's titles."""
    value: Any = dept
    names: list[str] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        elif isinstance(value, BaseModel) and part in type(value).model_fields:
            title = type(value).model_fields[part].title
            names.append(title or part)
            value = getattr(value, part)
        else:
            value = None
        if value is None:
            break
    label = "·".join(n for n in names[-2:]) or dotted
    return (value if isinstance(value, Decimal) else None), label


def _one(
    result: ScoreResult,
    claim: Claim,
    path: KeyPath,
    tolerance: Decimal,
    uses: Mapping[str, list[str]],
    dept: Department,
) -> list[Problem]:
    catalogue = result.catalogue
    node: NodeResult | None = None
    missing: tuple[str, ...] = ()
    recomputed: Decimal | None = None
    how = ""
    if claim.fact is not None:
        subject = _label(claim.fact, catalogue)
        info = catalogue.get(claim.fact)
        fmt = claim.format or _FORMATS.get(info.unit if info else "", "number")
        recomputed = result.facts.get(claim.fact)
        if recomputed is None:
            missing = (claim.fact,)
        users = uses.get(claim.fact, [])
        node = _indicator(result, users[0]) if users else None
    elif claim.figure is not None:
        recomputed, subject = figure_at(dept, claim.figure)
        fmt = claim.format or "amount"
        if recomputed is None:
            missing = (claim.figure,)
    elif claim.indicator is not None:
        node = _indicator(result, claim.indicator)
        subject = node.measure_name or node.name if node is not None else claim.indicator
        fmt = claim.format or (node.measure_format if node is not None and node.measure_format else "percent")
        if node is not None:
            recomputed = node.measure
            missing = node.missing_facts
            how = node.note
    else:
        subject = claim.name or "所称的量"
        fmt = claim.format or "percent"
        try:
            value = fx.parse(claim.formula or "").evaluate(result.facts)
        except fx.MissingFacts as exc:
            missing = exc.names
        except (fx.EvaluationError, fx.FormulaError) as exc:
            how = exc.message
        else:
            if isinstance(value, Decimal):
                recomputed = value
    stated = claim.value
    places = _places(stated)
    if fmt == "amount":  # amounts are printed to the cent whatever the file wrote (519.6 is 519.60)
        places = max(2, places)
    said = _text(stated, fmt, places)
    quote = f"（原文：{claim.source.text}）" if claim.source is not None and claim.source.text else ""
    where = path + ("value",)
    if recomputed is None:
        lacking = "、".join(_label(m, catalogue) for m in missing) if missing else how or "数据不足"
        return [
            finding(
                "claim-unverifiable",
                INFO,
                f"报告称{subject} {said}{quote}；部门文件的数据不足以核对（缺少：{lacking}）",
                where,
                node.id if node else None,
                node.name if node else None,
                {"stated": stated},
            )
        ]
    rounded = recomputed.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == stated:
        return []
    gap = stated - recomputed
    unit = Decimal(1).scaleb(-places)  # one unit of the last printed place
    allowed = tolerance if fmt == "amount" else unit
    data_text = _text(rounded, fmt, places)
    exact = f"（精确值 {_text(recomputed, fmt, places + 2)}）" if fmt == "percent" else ""
    amounts = {"stated": stated, "expected": recomputed, "difference": gap}
    rule = f"；{node.name}据此计分：{how or node.note}" if node is not None and (how or node.note) else ""
    if abs(stated - rounded) <= allowed:
        return [
            finding(
                "claim-rounding",
                INFO,
                f"报告称{subject} {said}{quote}，按数据为 {data_text}{exact}，相差在末位四舍五入之内",
                where,
                node.id if node else None,
                node.name if node else None,
                amounts,
            )
        ]
    diff = (
        _text(abs(gap), fmt, places + 2).replace("%", " 个百分点") if fmt == "percent" else _text(abs(gap), fmt, places)
    )
    return [
        finding(
            "claim-contradicted",
            ERROR,
            f"报告称{subject} {said}{quote}，而部门文件的数据给出 {data_text}{exact}，相差 {diff}{rule}",
            where,
            node.id if node else None,
            node.name if node else None,
            amounts,
        )
    ]
