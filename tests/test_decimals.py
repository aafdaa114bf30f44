"""Printing numbers: the one rounding policy, and no number a formula can produce makes printing fail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval.core import formula as fx
from perfeval.core.decimals import fmt_amount, fmt_number, fmt_percent, fmt_points, plain, round_points

D = Decimal


@pytest.mark.parametrize(
    "value, percent, amount, points",
    [
        ("0.235932", "23.59%", "0.24", "0.24"),
        ("1295.87", "129,587.00%", "1,295.87", "1295.87"),
        ("0.8", "80.00%", "0.80", "0.8"),
        ("-0.185185", "-18.52%", "-0.19", "-0.19"),
        # 在职人员 900000000000000 over 编制 0.000000000001: 9E+26, beyond Python's 28-digit quantize
        ("9E+26", "9.00E+28%", "9.00E+26", "9.00E+26"),
        ("-9E+26", "-9.00E+28%", "-9.00E+26", "-9.00E+26"),
        ("1E-900", "0.00%", "0.00", "0"),
    ],
)
def test_numbers_print_as_finance_tables_print_them_and_huge_ones_in_e_notation(value, percent, amount, points):
    v = D(value)
    assert (fmt_percent(v), fmt_amount(v), fmt_points(v)) == (percent, amount, points)


def test_round_points_is_half_up_at_any_size():
    assert round_points(D("1.005")) == D("1.01")
    assert round_points(D("2.675")) == D("2.68")
    assert round_points(D("9E+26")) == D("900000000000000000000000000.00")


finite = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(D(10) ** fx.MAX_EXPONENT), max_value=D(10) ** fx.MAX_EXPONENT
)
tiny = st.builds(lambda m, e: D(m).scaleb(-e), st.integers(-(10**28), 10**28), st.integers(0, 2000))


@given(value=st.one_of(finite, tiny))
def test_no_value_a_formula_can_produce_makes_printing_raise(value):
    for fmt in (fmt_percent, fmt_amount, fmt_points, fmt_number, plain):
        assert isinstance(fmt(value), str)
    assert isinstance(round_points(value), Decimal)
