"""A note never contradicts the score beside it (property tests, hypothesis).

For every rule kind, the numbers a note prints — the measure, the products, the steps — are read back
from the note's text and the rule's arithmetic is redone on them here, independently of the engine:
the result must be the score the note stands beside. Before this held, 79.996% was printed '80.00%'
beside the [0.6, 0.8) band, and '2 × 99.75% = 1.99' stood beside a score of 1.99.

Measures are drawn as ratios of amounts with cents (399.98 / 500.00), which is where long decimals
come from in practice; rubrics are drawn with either rounding mode and with or without scoring on
the printed rate (measure_precision).
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.core.department import Department, DepartmentIndicator, IndicatorScore
from perfeval.core.engine import Policy, evaluate_row, evaluate_rule, score
from perfeval.core.intervals import parse_interval
from perfeval.core.rubric import DepartmentRows, Node, Rubric

SETTINGS = settings(max_examples=300, deadline=None)
CENT = Decimal("0.01")
NUMBER = r"-?[\d,]+(?:\.\d+)?"

amounts = st.integers(min_value=1, max_value=200_000).map(lambda c: Decimal(c) / 100)  # 0.01 … 2,000.00
weights = st.integers(min_value=1, max_value=10_000).map(lambda c: Decimal(c) / 100)  # 0.01 … 100.00


def near(edges: list[str]) -> st.SearchStrategy[tuple[Decimal, Decimal]]:
    """(a, b) with a / b within a few cents of one of ``edges`` (where printing to 0.01% can mislead)."""

    def pair(b: Decimal, edge: str, cents: int) -> tuple[Decimal, Decimal]:
        a = (b * Decimal(edge)).quantize(CENT) + Decimal(cents) / 100
        return (a if a > 0 else CENT), b

    return st.builds(pair, amounts.filter(lambda b: b >= 10), st.sampled_from(edges), st.integers(-3, 3))


def ratios(edges: list[str]) -> st.SearchStrategy[tuple[Decimal, Decimal]]:
    return st.one_of(st.tuples(amounts, amounts), near(edges))


policies = st.builds(
    Policy,
    rounding=st.sampled_from(["half_up", "truncate"]),
    precision=st.sampled_from([None, None, 2, 4, 6]),
)


def num(text: str) -> Decimal:
    """A number as a note prints it: '1,234.5' → 1234.5; '12.50%' → 0.125."""
    text = text.replace(",", "")
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def rnd(value: Decimal, rounding: str) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP if rounding == "half_up" else ROUND_DOWN)


def measure_in(note: str, name: str) -> Decimal:
    """The measure a note prints right after its name ('预算完成率 99.745%')."""
    m = re.search(re.escape(name) + rf" ({NUMBER}%?)", note)
    assert m, note
    return num(m.group(1))


def result_of(note: str, raw: Decimal, rounding: str) -> Decimal:
    """What the note says became of a raw result: '= 7.5', '= 1.995，四舍五入为 2', '，满分为止，计 10'
    (read after the last '= RAW' that is not a percent)."""
    found = [m.end() for m in re.finditer(re.escape(f"= {fmt_raw(raw)}") + r"(?![\d.%])", note)]
    assert found, note
    tail = note[found[-1] :]
    if m := re.match(rf"，满分为止，计 ({NUMBER})", tail):
        return num(m.group(1))
    if m := re.match(rf"，(四舍五入|截尾)为 ({NUMBER})", tail):
        assert {"四舍五入": "half_up", "截尾": "truncate"}[m.group(1)] == rounding, note
        assert num(m.group(2)) == rnd(raw, rounding), note
        return num(m.group(2))
    if m := re.match(rf"，最低计 ({NUMBER})", tail):
        return num(m.group(1))
    if tail.startswith("，扣完为止，计 0"):
        return Decimal(0)
    return raw


def fmt_raw(raw: Decimal) -> str:
    text = f"{raw.normalize():f}"
    return text


def product(note: str, pattern: str) -> tuple[Decimal, Decimal, Decimal]:
    """'W × R% = RAW' (after ``pattern``): the three numbers, with RAW checked to be W × R exactly."""
    m = re.search(pattern + rf"({NUMBER}) × ({NUMBER}%) = ({NUMBER})", note)
    assert m, note
    w, r, raw = num(m.group(1)), num(m.group(2)), num(m.group(3))
    assert raw == w * r, f"{w} × {r} ≠ {raw}：{note}"
    return w, r, raw


def node(rule: dict, weight: Decimal) -> Node:
    return Node.model_validate({"id": "x", "name": "指标", "weight": weight, "content": "c", "rule": rule})


# --- proportional and 预算执行率 ---------------------------------------------------------------------


@SETTINGS
@given(weight=weights, ab=ratios(["1", "0.9975", "0.5"]), target=st.sampled_from(["1", "0.9", "0.85"]), policy=policies)
def test_proportional(weight, ab, target, policy):
    a, b = ab
    rule = {"kind": "proportional", "measure": {"name": "完成率", "formula": "a / b"}, "target": target}
    o = evaluate_rule(node(rule, weight), {"a": a, "b": b}, policy=policy)
    w, r, raw = product(o.note, "按比例 ")
    assert w == weight
    score = result_of(o.note, raw, policy.rounding)
    assert score == o.score == rnd(min(weight, max(Decimal(0), weight * r)), policy.rounding), o.note
    m, t = measure_in(o.note, "完成率"), Decimal(target)
    assert rnd(min(weight, max(Decimal(0), weight * m / t)), policy.rounding) == o.score, o.note  # the measure too


@SETTINGS
@given(weight=weights, ab=ratios(["0.9", "1", "0.75"]), cap=st.booleans(), policy=policies)
def test_execution_rate(weight, ab, cap, policy):
    a, b = ab
    rule = {"kind": "execution_rate", "executed": "a", "budget": "b", "cap": cap, "reason_below": "90%"}
    o = evaluate_rule(node(rule, weight), {"a": a, "b": b}, policy=policy)
    m = re.search(rf"预算执行率 = \S+ ({NUMBER}) ÷ \S+ ({NUMBER}) = ({NUMBER}%)", o.note)
    assert m, o.note
    assert (num(m.group(1)), num(m.group(2))) == (a, b)
    rate = num(m.group(3))
    w, r, raw = product(o.note, "；")
    assert w == weight and r == rate
    score = result_of(o.note, raw, policy.rounding)
    assert score == o.score, o.note
    expected = weight * rate if not cap else min(weight, weight * rate)
    assert o.score == rnd(expected, policy.rounding), o.note
    assert ("须说明原因" in o.note) is (rate < Decimal("0.9")) is o.reason_required, o.note


# --- bands, caps and full marks on a condition ----------------------------------------------------

BANDS = [("[0.8, inf)", 4), ("[0.6, 0.8)", 3), ("[0.4, 0.6)", 2), ("[0, 0.4)", 1)]


@SETTINGS
@given(ab=ratios(["0.4", "0.6", "0.8"]), policy=policies)
def test_bands(ab, policy):
    a, b = ab
    rule = {
        "kind": "bands",
        "measure": {"name": "安排率", "formula": "a / b"},
        "bands": [{"range": r, "points": p} for r, p in BANDS],
    }
    o = evaluate_rule(node(rule, Decimal(4)), {"a": a, "b": b}, policy=policy)
    m = re.search(rf"安排率 ({NUMBER}%)(?:（[^）]*）)?，落在 (\S+, \S+) 档，得 ({NUMBER}) 分", o.note)
    assert m, o.note
    value, band, points = num(m.group(1)), m.group(2), num(m.group(3))
    assert value in parse_interval(band), o.note
    assert [p for r, p in BANDS if value in parse_interval(r)] == [points] == [o.score], o.note


@SETTINGS
@given(ab=ratios(["1"]), policy=policies)
def test_full_marks_if(ab, policy):
    a, b = ab
    rule = {"kind": "full_marks_if", "measure": {"name": "控制率", "formula": "a / b"}, "condition": "value <= 1"}
    o = evaluate_rule(node(rule, Decimal(4)), {"a": a, "b": b}, policy=policy)
    value = measure_in(o.note, "控制率")
    assert ("，满足满分条件" in o.note) is (value <= 1) is (o.score == 4), o.note


# --- deductions: the three readings of a partial step ---------------------------------------------


@SETTINGS
@given(
    weight=st.sampled_from([Decimal(1), Decimal(5), Decimal(8), Decimal("2.5")]),
    ab=ratios(["1", "1.01", "0.99", "1.05", "0.95", "0.9", "1.1", "1.005"]),
    direction=st.sampled_from(["above", "below"]),
    per=st.sampled_from(["1%", "5%", "0.5%"]),
    points=st.sampled_from(["0.5", "2", "0.8", "0.25"]),
    partial=st.sampled_from(["proportional", "whole_steps", "started_steps"]),
    floor=st.sampled_from(["0", "0.5"]),
    policy=policies,
)
def test_deduction(weight, ab, direction, per, points, partial, floor, policy):
    a, b = ab
    rule = {
        "kind": "deduction",
        "measure": {"name": "控制率", "formula": "a / b"},
        "direction": direction,
        "threshold": "100%",
        "per": per,
        "points": points,
        "partial": partial,
        "floor": floor,
    }
    o = evaluate_rule(node(rule, weight), {"a": a, "b": b}, policy=policy)
    value = measure_in(o.note, "控制率")
    per_, pts, floor_ = num(per), Decimal(points), Decimal(floor)
    deviation = value - 1 if direction == "above" else 1 - value
    if "计满分" in o.note and "共" not in o.note:
        assert o.score == weight, o.note
        assert deviation <= 0 or (partial == "whole_steps" and deviation < per_), o.note
        return
    m = re.search(rf"共 ({NUMBER}) 档.*扣 ({NUMBER}) × ({NUMBER}) = ({NUMBER}) 分，得 ({NUMBER}) − ({NUMBER})", o.note)
    assert m, o.note
    steps, s2, p, deducted, w, d2 = (num(g) for g in m.groups())
    assert steps == s2 and p == pts and deducted == steps * pts == d2 and w == weight, o.note
    raw = weight - deducted
    score = result_of(o.note, raw, policy.rounding)
    assert score == o.score == rnd(min(weight, max(floor_, raw)), policy.rounding), o.note
    exact_steps = deviation / per_
    if partial == "whole_steps":
        assert steps == exact_steps.to_integral_value(rounding=ROUND_FLOOR), o.note
    elif partial == "started_steps":
        assert steps == exact_steps.to_integral_value(rounding=ROUND_CEILING), o.note
    else:  # the measure printed reproduces the score as well as the steps printed
        assert rnd(min(weight, max(floor_, weight - exact_steps * pts)), policy.rounding) == o.score, o.note


# --- elements ----------------------------------------------------------------------------------------


@SETTINGS
@given(n=st.integers(1, 5), present=st.sets(st.integers(0, 4)), each=st.sampled_from(["1", "0.5", "0.25"]))
def test_elements(n, present, each):
    items = [{"id": f"e{i}", "text": f"要素{i}"} for i in range(n)]
    weight = Decimal(each) * n
    rule = {"kind": "elements", "points_each": each, "items": items}
    o = evaluate_rule(node(rule, weight), {}, IndicatorScore(present=[f"e{i}" for i in present]))
    m = re.search(rf"具备 (\d+)/(\d+) 项要素(?:.*每少一项扣 ({NUMBER}) 分)?，得 ({NUMBER}) 分", o.note)
    assert m, o.note
    k, total, e, s = int(m.group(1)), int(m.group(2)), m.group(3), num(m.group(4))
    assert total == n and s == o.score == weight - (Decimal(e) if e else 0) * (n - k), o.note


# --- department rows: 正向 / 反向 (both formulas) / 等于 / 定性 --------------------------------------


@SETTINGS
@given(
    weight=weights,
    t=amounts,
    a=st.one_of(amounts, st.just(Decimal(0))),
    kind=st.sampled_from(["positive", "negative", "equal"]),
    negative=st.sampled_from(["linear", "reciprocal"]),
    tolerance=st.sampled_from(["0", "5%"]),
    policy=policies,
)
def test_rows(weight, t, a, kind, negative, tolerance, policy):
    rows = DepartmentRows(text="行", scoring="completion", negative=negative, equal={"tolerance": tolerance})
    row = DepartmentIndicator(id="r", name="行", weight=weight, kind=kind, target=t, actual=a)
    o = evaluate_row(row, rows, policy)
    note = o.note
    got = re.search(rf"实际完成值 ({NUMBER})，年度指标值 ({NUMBER})", note)
    assert got and (num(got.group(1)), num(got.group(2))) == (a, t), note
    zero = Decimal(0)
    if "计满分" in note and "按比例" not in note:
        assert o.score == weight, note
        if kind == "positive" or "按正向" in note:
            assert a >= t, note
        elif kind == "negative":
            assert a <= t, note
        else:
            assert abs(a - t) <= num(tolerance) * t, note
        return
    if "不得分" in note:
        assert o.score == 0, note
        if kind == "negative" and negative == "linear":
            assert measure_in(note, "为指标值的") >= 2, note
        return
    if kind == "negative" and negative == "linear":
        m = re.search(
            rf"为指标值的 ({NUMBER}%)(?:（[^）]*）)?，超出 ({NUMBER}%)，按 ({NUMBER}) × \(1 − ({NUMBER}%)\) = ({NUMBER})",
            note,
        )
        assert m, note
        q, e, w, e2, raw = (num(g) for g in m.groups())
        assert e == e2 == q - 1 and w == weight and raw == weight * (1 - e), note
        assert result_of(note, raw, policy.rounding) == o.score == rnd(max(zero, weight * (2 - q)), policy.rounding)
        return
    pattern = "指标值 ÷ 完成值 = [^，]*，" if kind == "negative" else "按比例 "
    w, r, raw = product(note, pattern)
    assert w == weight and zero <= r <= 1, note
    assert result_of(note, raw, policy.rounding) == o.score == rnd(weight * r, policy.rounding), note


@SETTINGS
@given(
    weight=weights,
    achievement=st.sampled_from(["achieved", "partly_achieved", "not_achieved"]),
    style=st.sampled_from([("[80%, 100%]", "[60%, 80%)", "[0, 60%)"), ("(80%, 100%]", "(60%, 80%]", "[0, 60%]")]),
)
def test_qualitative_rows(weight, achievement, style):
    ranges = dict(zip(("achieved", "partly_achieved", "not_achieved"), style, strict=True))
    rows = DepartmentRows(text="行", scoring="completion", qualitative=ranges)
    row = DepartmentIndicator(id="r", name="行", weight=weight, kind="qualitative", achievement=achievement)
    o = evaluate_row(row, rows)
    m = re.search(rf"得分区间 ([\[(])({NUMBER}), ({NUMBER})([\])])", o.note)
    assert m, o.note
    share = parse_interval(ranges[achievement])
    lo, hi = num(m.group(2)), num(m.group(3))
    assert (lo, hi) == (o.low, o.high), o.note
    assert lo == (weight * (share.low or 0)).quantize(CENT, rounding=ROUND_CEILING), o.note
    assert hi == (weight * share.high).quantize(CENT, rounding=ROUND_FLOOR), o.note
    assert (m.group(1) == "[") is o.low_closed and (m.group(4) == "]") is o.high_closed, o.note


# --- adjustments on the total: caps by 执行率, 指标偏离 ----------------------------------------------

CAPS = [("[0.8, inf)", None), ("[0.7, 0.8)", 89), ("[0.6, 0.7)", 79), ("[0.5, 0.6)", 69), ("[0, 0.5)", 59)]


def _scored(rubric: dict, department: dict, policy: Policy):
    rubric = {
        "id": "case",
        "name": "评分表",
        "rounding": policy.rounding,
        "measure_precision": policy.precision,
        **rubric,
    }
    r = Rubric.model_validate(rubric)
    return score(r, Department.model_validate({"unit": "单位", "year": 2021, "rubric": "r.yaml", **department}))


@SETTINGS
@given(ab=ratios(["0.5", "0.6", "0.7", "0.8"]), policy=policies)
def test_cap(ab, policy):
    a, b = ab
    result = _scored(
        {
            "indicators": [{"id": "work", "name": "工作", "weight": 100, "content": "c", "rule": {"kind": "judged"}}],
            "adjustments": [
                {
                    "kind": "cap",
                    "id": "cap",
                    "name": "执行率封顶",
                    "text": "执行率为70%至80%的，不超过89分",
                    "measure": {"name": "执行率", "formula": "executed_total / budget_full_year_total"},
                    "caps": [{"range": r, "max": m} for r, m in CAPS],
                }
            ],
        },
        {"facts": {"executed_total": a, "budget_full_year_total": b}},
        policy,
    )
    (cap,) = result.adjustments
    value = measure_in(cap.note, "执行率")
    (band,) = [m for r, m in CAPS if value in parse_interval(r)]
    if band is None:
        assert cap.applies is False and "不设上限" in cap.note, cap.note
    else:
        assert cap.cap == band and f"总分不超过 {band} 分" in cap.note, cap.note


@SETTINGS
@given(
    rows=st.lists(st.one_of(st.tuples(amounts, amounts), near(["1.3"]).map(lambda ab: (ab[1], ab[0]))), min_size=1),
    inclusive=st.booleans(),
)
def test_deviation(rows, inclusive):
    result = _scored(
        {
            "indicators": [
                {
                    "id": "output",
                    "name": "产出",
                    "weight": 100,
                    "content": "c",
                    "department_rows": {"text": "产出", "scoring": "completion"},
                }
            ],
            "adjustments": [
                {
                    "kind": "deviation",
                    "id": "dev",
                    "name": "指标偏离",
                    "text": "完成值超过指标值30%及以上的，减2分",
                    "rows_of": ["output"],
                    "over": "30%",
                    "inclusive": inclusive,
                    "points": 2,
                }
            ],
        },
        {
            "department_indicators": {
                "output": [
                    {"id": f"r{i}", "name": f"行{i}", "weight": 1, "target": t, "actual": a}
                    for i, (t, a) in enumerate(rows)
                ]
            }
        },
        Policy(),
    )
    (dev,) = result.adjustments
    listed = re.findall(rf"(行\d+) 完成值为指标值的 ({NUMBER}%)（([≥>]) ({NUMBER}%)）", dev.note)
    assert [name for name, *_ in listed] == [f"行{i[1:]}" for i in dev.rows], dev.note
    for _, ratio, sign, bound in listed:
        assert sign == ("≥" if inclusive else ">") and bound == "130.00%", dev.note
        assert num(ratio) >= Decimal("1.3") if inclusive else num(ratio) > Decimal("1.3"), dev.note
    assert dev.points == 2 * len(dev.rows)
