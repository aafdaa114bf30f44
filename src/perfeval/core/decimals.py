"""Exact numbers: the one rounding policy, and how finance tables print numbers.

Policy (applied in :func:`round_points` and nowhere else for scores): a score a rule
produces is rounded **half-up to two decimal places**, as Chinese finance tables do.
Measured ratios are kept exact (28 significant digits) and compared exactly against
thresholds; only their printed form is rounded. Totals are sums of rounded scores and
therefore exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

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


def round_points(value: Decimal) -> Decimal:
    """Round a score half-up to two places — the project's single rounding policy."""
    if not value.is_finite():  # pragma: no cover - no model or formula lets one through
        return value
    return value.quantize(CENT, context=_context(value, 2))


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
