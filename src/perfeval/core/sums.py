"""A 小计 against its parts, as a finance table states them (分项求和): blank is not zero, and a printed
table's rounding is tolerated — and said. Pure; used by :mod:`perfeval.core.reconcile`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel

from perfeval.core.decimals import ZERO, fmt_amount
from perfeval.core.problems import ERROR, INFO, WARNING, KeyPath, Problem, finding

Part = tuple[str, Decimal]  # (Chinese cell name, amount)


def _title(model: type[BaseModel], name: str) -> str:
    return model.model_fields[name].title or name


class Money:
    """Amount formatting with the file's unit: '1,295.87 万元'."""

    def __init__(self, unit: str) -> None:
        self.unit = unit

    def __call__(self, value: Decimal) -> str:
        return f"{fmt_amount(value)} {self.unit}"

    def sum_text(self, parts: list[Part]) -> str:
        if not parts:
            return "各项均为空"
        if len(parts) == 1:
            return f"{parts[0][0]} {fmt_amount(parts[0][1])}"
        return " + ".join(f"{name} {fmt_amount(v)}" for name, v in parts)


DEFAULT_TOLERANCE = Decimal("0.01")
"""对账容差: a gap of at most one cent of the table's amount unit between a stated total and what its
parts (or the other table) give is what printing each cell rounded to two places produces; it is
reported as information (``rounding-difference``), never silently passed. A rubric or a department
file may state another tolerance."""


@dataclass(frozen=True, slots=True)
class Parts:
    """The parts of a 小计 as the table states them: the filled ones, and the names of the blank ones."""

    filled: list[Part]
    blank: list[str]

    @property
    def total(self) -> Decimal:
        return sum((v for _, v in self.filled), ZERO)


def parts_of(model: BaseModel, names: Iterable[str]) -> Parts:
    cls = type(model)
    filled: list[Part] = []
    blank: list[str] = []
    for name in names:
        value = getattr(model, name)
        if value is not None:
            filled.append((_title(cls, name), value))
        else:
            blank.append(_title(cls, name))
    return Parts(filled, blank)


def total_of(parts: list[Part]) -> Decimal:
    return sum((v for _, v in parts), ZERO)


def within(gap: Decimal, tolerance: Decimal) -> bool:
    return gap != 0 and abs(gap) <= tolerance


def rounding_note(what: str, path: KeyPath, stated: Decimal, expected: Decimal, money: Money) -> Problem:
    return finding(
        "rounding-difference",
        INFO,
        f"{what}：{money(stated)}与 {money(expected)} 相差 {money(abs(stated - expected))}，"
        "在四舍五入的容差之内（各栏分别保留两位小数所致），不作为错误",
        path,
        amounts={"stated": stated, "expected": expected, "difference": stated - expected},
    )


def sum_check(
    table: str,
    stated: Decimal | None,
    parts: Parts | list[Part],
    path: KeyPath,
    money: Money,
    total_name: str = "小计",
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> list[Problem]:
    """A 小计 against the sum of its parts. A blank part is not zero: while blank parts could hold the
    difference, the check is partial and says which parts were not reported."""
    if isinstance(parts, list):
        parts = Parts(parts, [])
    if not parts.filled:
        return []
    summed = parts.total
    shown = money.sum_text(parts.filled)
    if stated is None:
        return [
            finding(
                "subtotal-blank",
                WARNING,
                f"{table}：{total_name}为空，但各项已填（{shown} = {money(summed)}）；"
                f"请填写{total_name}，否则依赖它的指标无法核算",
                path[:-1],
                amounts={"expected": summed},
            )
        ]
    gap = stated - summed
    if gap == 0:
        return []
    if parts.blank and gap > 0:  # the blank parts may hold the rest: a partial sum, said as such
        return [
            finding(
                "sum-partial",
                WARNING,
                f"{table}：{total_name} {money(stated)}，已填各项之和 {shown} = {money(summed)}（部分之和）；"
                f"{'、'.join(parts.blank)}未填，无法完全核对——若已发生，未填各项合计应为 {money(gap)}",
                path,
                amounts={"stated": stated, "partial_sum": summed, "difference": gap},
            )
        ]
    if within(gap, tolerance):
        return [rounding_note(f"{table}：{total_name}与各项之和（{shown}）", path, stated, summed, money)]
    beyond = f"；即使未填的{'、'.join(parts.blank)}为 0，已填各项之和也已超过{total_name}" if parts.blank else ""
    return [
        finding(
            "sum-mismatch",
            ERROR,
            f"{table}：{total_name} {money(stated)}与各项之和不符（{shown} = {money(summed)}），"
            f"相差 {money(abs(gap))}{beyond}",
            path,
            amounts={"stated": stated, "expected": summed, "difference": gap},
        )
    ]
