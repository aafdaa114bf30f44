from decimal import Decimal

import pytest

from perfeval.core.formula import EvaluationError, FormulaError, MissingFacts, parse

D = Decimal


@pytest.mark.parametrize(
    "text, facts, expected",
    [
        ("actual_staff / authorized_staff", {"actual_staff": D(50), "authorized_staff": D(54)}, D(50) / D(54)),
        ("(a - b) / b", {"a": D("43.56"), "b": D("40")}, D("0.089")),
        ("a + b * 2", {"a": D(1), "b": D(2)}, D(5)),
        ("-a + 3", {"a": D(1)}, D(2)),
        ("80%", {}, D("0.8")),
        ("min(a, 1) + max(b, 0)", {"a": D(2), "b": D(-1)}, D(1)),
        ("abs(a - b)", {"a": D(1), "b": D(3)}, D(2)),
        ("a × 2 ÷ 4", {"a": D(6)}, D(3)),
        ("0.1 + 0.2", {}, D("0.3")),  # exact, never 0.30000000000000004
    ],
)
def test_arithmetic_is_exact_decimal(text, facts, expected):
    assert parse(text).evaluate(facts) == expected


@pytest.mark.parametrize(
    "text, value, expected",
    [
        ("value <= 1", D(1), True),
        ("value <= 1", D("1.0001"), False),
        ("value >= 80%", D("0.8"), True),
        ("0.7 <= value < 0.8", D("0.75"), True),
        ("0.7 <= value < 0.8", D("0.8"), False),
        ("value ≤ 1 and not value == 0", D("0.5"), True),
        ("value == 0 or value > 2", D(1), False),
    ],
)
def test_comparisons(text, value, expected):
    assert parse(text).evaluate({"value": value}) is expected


def test_names_are_collected_once_in_order():
    assert parse("(a - b) / b + c").names == ("a", "b", "c")


def test_missing_facts_are_all_named():
    with pytest.raises(MissingFacts) as exc:
        parse("tasks_completed / tasks_planned").evaluate({"tasks_completed": None})
    assert exc.value.names == ("tasks_completed", "tasks_planned")


def test_division_by_zero_names_the_divisor():
    with pytest.raises(EvaluationError, match="authorized_staff = 0"):
        parse("actual_staff / authorized_staff").evaluate({"actual_staff": D(3), "authorized_staff": D(0)})


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "a.b",
        "a ** 2",
        "'text'",
        "a[0]",
        "lambda: 1",
        "open(a)",
        "a +",
        "(a",
        "",
        "a b",
        "1 = 1",
    ],
)
def test_anything_outside_the_grammar_is_refused(text):
    with pytest.raises(FormulaError):
        parse(text)


def test_boolean_arithmetic_is_refused():
    with pytest.raises(EvaluationError):
        parse("(a > 1) + 1").evaluate({"a": D(2)})
