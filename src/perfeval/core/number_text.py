"""Numbers as people type them into finance tables, normalised exactly or refused.

Accepted (and documented in the README): ``1,295.87`` (thousands separators),
``１２９５.８７`` (full-width digits), ``95.10%`` where a ratio is meant (→ 0.951).
Refused with a clear message: anything else that is not a plain decimal, NaN and infinity.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any


class NumberError(ValueError):
    """A value that is not a number as this file format reads numbers (code ``not-a-number``)."""


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％　", "0123456789.,-+% ")
_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
_PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")


MAX_MAGNITUDE = Decimal(10) ** 15  # 千万亿: no amount, count, score or ratio in these files comes near it
MAX_PLACES = 12  # decimal places kept exactly; a ratio needs a few, an amount two
_MAX_INT = 10**15


def clip(value: Any, limit: int = 40) -> str:
    """A value as text short enough for a one-line message."""
    text = str(value)
    return text if len(text) <= limit else f"{text[: limit - 12]}…{text[-8:]}（共 {len(text)} 个字符）"


def _bounded(number: Decimal, shown: Any) -> Decimal:
    """Refuse what no finance table holds, before Decimal arithmetic can overflow on it."""
    if not number.is_finite():
        raise NumberError("NaN 或无穷大不是有效数值；请填写具体数值，未掌握的数据请删去该项")
    if number != 0 and number.adjusted() >= 15:
        raise NumberError(f"“{clip(shown)}”大得不合常理（不小于 10 的 15 次方）；请检查单位和小数点")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        exact = number.quantize(Decimal(1).scaleb(-MAX_PLACES))
        if exact != number:
            raise NumberError(f"“{clip(shown)}”的小数超过 {MAX_PLACES} 位；请四舍五入到合理的位数")
    return number


_EXACT_PLACES = Decimal(1).scaleb(-MAX_PLACES)


def parse_decimal(value: Any, *, percent_ok: bool = False) -> Any:
    """Normalise text to ``Decimal``; leave other types for pydantic to judge."""
    # fast paths for what the YAML reader gives (a file holds dozens of numbers): an int or a
    # Decimal well inside the bounds is returned at once; anything else, and every refusal with
    # its message, goes the long way through _bounded below
    kind = type(value)
    if kind is int and -_MAX_INT < value < _MAX_INT:
        return Decimal(value)
    if (
        kind is Decimal
        and value.is_finite()
        and -MAX_MAGNITUDE < value < MAX_MAGNITUDE
        and value.quantize(_EXACT_PLACES) == value
    ):  # (exact: |value| < 10^15 has room for 12 places)
        return value
    if isinstance(value, bool):
        raise NumberError("这里需要数值，却填了是/否（true/false）")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberError("NaN 或无穷大不是有效数值")
        return _bounded(Decimal(repr(value)), value)
    if isinstance(value, int):
        return _bounded(Decimal(value), value)
    if isinstance(value, Decimal):
        return _bounded(value, value)
    if not isinstance(value, str):
        return value
    text = value.translate(_FULLWIDTH).strip().replace("，", ",")
    is_percent = text.endswith("%")
    if is_percent:
        if not percent_ok:
            raise NumberError(f"“{clip(value)}”是百分数，而这里需要金额或数量；请填写数值，如 1295.87")
        text = text[:-1].strip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN.fullmatch(text):
        raise NumberError(f"“{clip(value)}”不是数值；请只填写数字，如 1295.87 或 1,295.87")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - regex guards it
        raise NumberError(f"“{clip(value)}”不是数值") from None
    return _bounded(number.scaleb(-2) if is_percent else number, value)


def parse_ratio(value: Any) -> Any:
    return parse_decimal(value, percent_ok=True)
