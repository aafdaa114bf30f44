"""Exact numbers: the one rounding policy, and how finance tables print numbers.

Policy (applied in :func:`round_points` and nowhere else for scores): a score a rule
produces is rounded to two decimal places — **half-up** by default, as Chinese finance
tables do, or by **truncation** (截尾) where a rubric declares ``rounding: truncate``, as many
published tables do. Measured ratios are kept exact (28 significant digits) and compared
exactly against thresholds, unless a rubric declares ``measure_precision`` (scoring on the
printed rate): then :func:`round_measure`, the one place that does so, rounds the measure
half-up to that many decimal places before it is banded or multiplied. Totals are sums of
rounded scores and therefore exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import Literal

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

MAX_FIXED_DIGITS = 15  # integer digits printed in full; beyond, a number prints as 9.00E+26


def _context(value: Decimal, places: int) -> Context:
    """A context exact enough for ``value`` quantized to ``places``: Python's default of 28
    digits raises InvalidOperation on quantize for |value| ≥ 10^26, which a ratio of two facts
    can reach (0.000000000001 编制 against 900000000000000 在职)."""
    return Context(prec=max(28, value.adjusted() + places + 2), rounding=ROUND_HALF_UP)


Rounding = Literal["half_up", "truncate"]  # 四舍五入 / 截尾: what a rubric may declare
ROUNDING_MODES: dict[str, str] = {
    "half_up": ROUND_HALF_UP,
    "truncate": ROUND_DOWN,
    # the bounds of a range of points (定性: 达成 = 80%–100% of the weight): the low bound rounds
    # up and the high bound down, so that a rounded bound never lies outside the range
    "ceiling": ROUND_CEILING,
    "floor": ROUND_FLOOR,
}
ROUNDING_LABELS: dict[str, str] = {"half_up": "四舍五入", "truncate": "截尾"}


def round_points(value: Decimal, rounding: str = "half_up") -> Decimal:
    """Round points to two places — the project's single rounding policy.

    ``half_up`` (default): 1.995 → 2.00; ``truncate`` (截尾, toward zero): 1.995 → 1.99;
    ``ceiling`` / ``floor`` only for the bounds of a range of points."""
    if not value.is_finite():  # pragma: no cover - no model or formula lets one through
        return value
    return value.quantize(CENT, rounding=ROUNDING_MODES[rounding], context=_context(value, 2))


def round_measure(value: Decimal, places: int | None) -> Decimal:
    """A measure as the table prints it, when the rubric scores on the printed rate
    (``measure_precision``): half-up to ``places`` decimals of the value (4 places of a ratio =
    two decimals of a percent: 0.79996 → 0.8000). ``None`` keeps the value exact."""
    if places is None:
        return value
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_context(value, places))


def _fixed(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), context=_context(value, places))


def _too_wide(value: Decimal) -> bool:
    """Beyond 10^15 (or not finite): no amount, count or ratio of these files; shown in E notation."""
    return not value.is_finite() or (value != 0 and value.adjusted() >= MAX_FIXED_DIGITS)


def _scientific(value: Decimal) -> str:
    return f"{value:.2E}" if value.is_finite() else str(value)


@lru_cache(maxsize=4096)  # a batch prints the same few numbers many times
def fmt_amount(value: Decimal | None) -> str:
    """1295.87 → '1,295.87' (two places, thousands separators)."""
    if value is None:
        return "—"
    if _too_wide(value):
        return _scientific(value)
    return f"{_fixed(value):,}"


@lru_cache(maxsize=4096)  # a batch prints the same few numbers many times
def fmt_percent(value: Decimal | None) -> str:
    """0.235932 → '23.59%'."""
    if value is None:
        return "—"
    percent = value.scaleb(2)  # (× 100 exactly, whatever the context's precision)
    if _too_wide(percent):
        return f"{_scientific(percent)}%"
    return f"{_fixed(percent):,}%"


@lru_cache(maxsize=4096)  # a batch prints the same few numbers many times
def fmt_points(value: Decimal | None) -> str:
    """A score as the table prints it: 98.2 → '98.2', 2 → '2', 1.50 → '1.5'."""
    if value is None:
        return "—"
    if _too_wide(value):
        return _scientific(value)
    q = _fixed(value)
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_number(value: Decimal | None) -> str:
    """A count or plain number: 54 → '54', 12.5 → '12.5'."""
    if value is None:
        return "—"
    return fmt_points(value)


@lru_cache(maxsize=4096)  # a batch prints the same few numbers many times
def plain(value: Decimal | None) -> str | None:
    """Decimal for JSON: a string with no exponent, trailing zeros removed ('98.2')."""
    if value is None:
        return None
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _stripped(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=4096)  # a batch prints the same few numbers many times
def _all_places(value: Decimal, min_places: int) -> str:
    exponent = value.normalize().as_tuple().exponent
    places = max(min_places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return f"{value.quantize(Decimal(1).scaleb(-places)):,}"


@lru_cache(maxsize=4096)  # a batch prints the same few numbers many times
def fmt_exact(value: Decimal, fmt: str = "number") -> str:
    """A number with every digit it has, as ``fmt`` (percent, amount, number) prints it:
    0.00125 → '0.125%', 0.5 → '50.00%', 52.125 → '52.125', 1048.5 → '1,048.50' (amount).

    For rubric constants and reported figures, which are short and must never be shown
    rounded: a threshold of 0.125% printed '0.13%' would be a different rule."""
    scaled = value.scaleb(2) if fmt == "percent" else value
    if _too_wide(scaled):
        return _scientific(scaled) + ("%" if fmt == "percent" else "")
    if fmt == "percent":
        return _all_places(value * HUNDRED, 2) + "%"
    if fmt == "amount":
        return _all_places(value, 2)
    return _stripped(f"{value.normalize():f}")


@lru_cache(maxsize=4096)  # a batch prints the same few numbers many times
def fmt_at(value: Decimal, fmt: str, extra: int) -> tuple[str, Decimal]:
    """``value`` printed with ``extra`` more decimals than ``fmt`` usually shows (percent and
    amount two, number up to two), half-up, and the value that text stands for — what a reader
    recomputing from a note would use."""
    places = 2 + extra
    scaled = value.scaleb(2) if fmt == "percent" else value
    if _too_wide(scaled):  # no figure of these files comes near: E notation, standing for itself
        return _scientific(scaled) + ("%" if fmt == "percent" else ""), value
    if fmt == "percent":
        shown = _fixed(value * HUNDRED, places)
        return f"{shown:,}%", shown / HUNDRED
    shown = _fixed(value, places)
    if fmt == "amount":
        return f"{shown:,}", shown
    return _stripped(f"{shown:f}"), shown


def sum_or_blank(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of ``values``, or None when any of them is blank: blank is not zero, so a sum with a blank
    part is not a sum (a partial sum, where one is wanted, is said as such: :mod:`perfeval.core.sums`)."""
    total = ZERO
    for v in values:
        if v is None:
            return None
        total += v
    return total
