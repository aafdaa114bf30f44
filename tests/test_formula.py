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


# --- bounds: a formula from someone else's rubric can cost nothing unbounded -----------------

from perfeval.core import formula as fx  # noqa: E402


@pytest.mark.parametrize(
    "text, says",
    [
        pytest.param("(" * 150 + "a" + ")" * 150, f"括号和函数的嵌套超过 {fx.MAX_NESTING} 层", id="150-brackets"),
        pytest.param("min(" * 30 + "a" + ")" * 30, "括号和函数的嵌套超过", id="30-calls"),
        pytest.param(" + ".join(["a"] * 2000), "字符，超过上限", id="2000-term-sum-too-long"),
        pytest.param(" + ".join(["a"] * (fx.MAX_TERMS + 1)), f"超过 {fx.MAX_TERMS} 项", id="terms"),
        pytest.param("*".join(["a"] * (fx.MAX_TERMS + 1)), f"超过 {fx.MAX_TERMS} 项", id="factors"),
        pytest.param(" and ".join(["a > 1"] * (fx.MAX_TERMS + 1))[:999], f"超过 {fx.MAX_TERMS} 项", id="ands"),
        pytest.param("<".join(["a"] * (fx.MAX_TERMS + 1)), f"超过 {fx.MAX_TERMS} 项", id="chained-comparison"),
        pytest.param("-" * 5000 + "a", "字符，超过上限", id="5000-signs"),
        pytest.param("-" * (fx.MAX_NESTING + 1) + "a", "连续的正负号", id="signs"),
        pytest.param("not " * (fx.MAX_NESTING + 1) + "a > 1", "连续的 not", id="nots"),
        pytest.param("1" * 1_000_000, "字符，超过上限", id="million-digits"),
        pytest.param("1" * (fx.MAX_DIGITS + 1), f"超过上限 {fx.MAX_DIGITS} 位", id="31-digits"),
        pytest.param("0." + "0" * fx.MAX_DIGITS + "1%", f"超过上限 {fx.MAX_DIGITS} 位", id="tiny-literal"),
        pytest.param("a \x1b]0;x", "U+001B", id="escape-shown-as-code"),
    ],
)
def test_formulas_beyond_the_bounds_are_refused_with_a_chinese_message(text, says):
    with pytest.raises(FormulaError) as err:
        parse(text)
    assert says in err.value.message


def test_the_bounds_are_limits_not_just_stack_size():
    """Just inside every bound parses; the tree depth bound holds what the others allow together."""
    parse("(" * fx.MAX_NESTING + "a" + ")" * fx.MAX_NESTING)
    parse("-" * fx.MAX_NESTING + "a")
    parse(" + ".join(["a"] * fx.MAX_TERMS))
    parse("1" * fx.MAX_DIGITS)
    parse("a" * fx.MAX_LENGTH)


def test_a_tree_deeper_than_max_depth_is_refused(monkeypatch):
    monkeypatch.setattr(fx, "MAX_LENGTH", 10**6)
    deep = "a"
    for _ in range(5):  # 5 nested sums of 60 terms: depth 300 > MAX_DEPTH, each bound kept
        deep = "(" + " + ".join([deep] + ["a"] * 60) + ")"
    with pytest.raises(FormulaError, match=f"层次超过 {fx.MAX_DEPTH} 层"):
        parse(deep)
    shallow = "(" + " + ".join(["a"] * 60) + ")"
    assert parse(shallow).evaluate({"a": D(1)}) == 60


@pytest.mark.parametrize(
    "text, facts, says",
    [
        pytest.param(" * ".join(["a"] * 7), {"a": D(10**15)}, "超出范围", id="product"),
        pytest.param(
            "a / b / b / b / b / b / b / b / b", {"a": D(10**14), "b": D("1e-12")}, "超出范围", id="quotients"
        ),
        pytest.param("a / b", {"a": D(900000000000000), "b": D("0.000000000001")}, None, id="9e26-is-fine"),
    ],
)
def test_evaluation_never_raises_a_decimal_exception(text, facts, says):
    if says is None:
        assert parse(text).evaluate(facts) == D("9E+26")
        return
    with pytest.raises(EvaluationError) as err:
        parse(text).evaluate(facts)
    assert says in err.value.message


def test_evaluation_keeps_28_digits_and_python_default_rounding():
    assert parse("2 / 3").evaluate({}) == D(2) / D(3)
    assert parse("a / 7").evaluate({"a": D("1295.87")}) == D("1295.87") / D(7)


@pytest.mark.parametrize(
    "text, says",
    [
        pytest.param(" * ".join(["9" * 30] * 4), "超出范围", id="product-of-huge-literals"),
        pytest.param("value + 1 / (1 - 1)", "除数为零", id="constant-zero-divisor"),
        pytest.param("value + (1 > 0) * 2", "比较结果", id="constant-boolean-arithmetic"),
    ],
)
def test_a_part_without_facts_that_cannot_be_computed_is_a_rubric_error(text, says):
    """Found by `validate` (the pre-commit hook), not first when a department is scored."""
    with pytest.raises(FormulaError) as err:
        parse(text)
    assert "不含事实的部分无法计算" in err.value.message and says in err.value.message


def test_constant_parts_that_compute_are_fine():
    assert parse("value >= 80% and 1 + 1 == 2").evaluate({"value": D("0.9")}) is True
    assert parse("a * (9 * 9)").evaluate({"a": D(1)}) == 81
