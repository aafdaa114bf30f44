"""The report's narrative against itself, its tables and other units' reports. Pure.

``perfeval extract`` keeps the narrative paragraph by paragraph (``narrative:``) and writes what it
states as claims, which :mod:`perfeval.core.claims` compares with the tables. What a claim cannot say is
checked here:

* ``count-list-mismatch`` — a count against the list it counts (“设 9 个内设机构：甲、乙 …” naming 8);
* ``rate-from-zero-base`` — a rate of change from a base of 0 (“增长 100%” on 上年 0 万元): no
  percentage describes growth from nothing;
* ``spending-without-carryover`` — more spent than came in, and the narrative never says where the
  rest came from (上年结转, 结余);

and, across a batch of units' reports, :mod:`perfeval.core.copying`.
"""

from __future__ import annotations

import re
from decimal import Decimal

from perfeval.core import formula as fx
from perfeval.core.department import Department
from perfeval.core.engine import ScoreResult
from perfeval.core.problems import ERROR, WARNING, Problem, finding
from perfeval.core.report_sentences import Item, change_base, sentence_items
from perfeval.core.report_text import chinese_count, joined_pair, list_items, sentences
from perfeval.core.sums import DEFAULT_TOLERANCE


def narrative_findings(dept: Department, result: ScoreResult, tolerance: Decimal = DEFAULT_TOLERANCE) -> list[Problem]:
    """What the narrative says that its own lists, its base figures or its income do not bear out."""
    quoted = {c.source.text for c in dept.claims if c.source is not None and c.source.text and c.formula}
    out: list[Problem] = []
    for k, passage in enumerate(dept.narrative):
        out += _counts(passage.text, k)
        out += _zero_bases_in_text(passage.text, k, quoted, dept.year)
    out += _zero_bases_in_claims(dept, result)
    out += _spending_without_carryover(dept, result, tolerance)
    return out


# --- counts against the lists they count ---------------------------------------------------------

_COUNT = re.compile(
    r"(?<![\d.,，])(?P<count>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?P<unit>个|项|名|家|类|所|条|件|支)(?!百分点|月|多|余)"
)
_INTRO = re.compile(r"^(?P<noun>[^，,。；;：:、\d]{1,14}?)(?:[：:]|[，,]?(?:分别是|分别为|包括|即)[：:]?)")
_LEAD = re.compile(r"^(?:以|将|对|把|与|和|在|由|为|是|有|设|下设|设有|包括)")
_TAIL = re.compile(r"(?:共|合计|计|这|此|等)$")
_COUNTED = re.compile(r"\d|[一二两三四五六七八九十]+\s*(?:个|项|名|家|类|所|条|件|支|位)")


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_count(text)


def _clause_end(text: str) -> int:
    """Where the first clause of ``text`` ends: the first 、-free mark (，；。) outside brackets."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "（(〔【《“":
            depth += 1
        elif ch in "）)〕】》”" and depth:
            depth -= 1
        elif depth == 0 and ch in "，,；;。：:":
            return i
    return len(text)


def _clause_start(text: str) -> int:
    """Where the last clause of ``text`` begins (after its last ，；：。 outside brackets)."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in "）)〕】》”":
            depth += 1
        elif ch in "（(〔【《“" and depth:
            depth -= 1
        elif depth == 0 and ch in "，,；;。：:":
            return i + 1
    return 0


def _enumeration(text: str) -> list[str] | None:
    """``甲、乙（丙）、丁`` as its items; None when it is not an enumeration of names, or says it is
    incomplete (等)."""
    text = _LEAD.sub("", text.strip())
    if "、" not in text or re.search(r"等$|等等$", text):
        return None
    items = list_items(text)
    if len(items) < 2 or any(len(i) > 25 or _COUNTED.search(i) for i in items):
        return None  # not names: a list of counted things (“一名班子成员、一名法律服务员”, “取消91项、调整”)
    return items


def _counts(text: str, k: int) -> list[Problem]:
    out: list[Problem] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        for m in _COUNT.finditer(sentence):
            count = _number(m["count"])
            if count is None:
                continue
            rest = sentence[m.end() :]
            intro = _INTRO.match(rest)
            if intro is not None:  # 9个内设机构：甲、乙、……
                body = rest[intro.end() :]
                items = _enumeration(body[: _clause_end(body)])
                if items is not None and not _agrees(count, items):
                    out.append(_count_problem(k, sentence, m.group() + intro["noun"], count, items))
                continue
            before = sentence[: m.start()]
            head = before[_clause_start(before) :]
            if head.endswith("等"):
                continue
            items = _enumeration(_TAIL.sub("", head))  # 甲、乙两个文字组室
            if items is not None and count > 1 and not _agrees(count, items):
                noun = rest[: _clause_end(rest)][:10]
                out.append(_count_problem(k, sentence, m.group() + noun, count, items))
    return out


def _agrees(count: int, items: list[str]) -> bool:
    return count == len(items) or (joined_pair(items[-1]) and count == len(items) + 1)


def _count_problem(k: int, sentence: str, said: str, count: int, items: list[str]) -> Problem:
    listed = "、".join(items)
    if len(listed) > 120:
        listed = listed[:119] + "…"
    n = f"{len(items)} 个" + (f"（若“{items[-1]}”是两个，则 {len(items) + 1} 个）" if joined_pair(items[-1]) else "")
    return finding(
        "count-list-mismatch",
        ERROR,
        f"正文称“{said}”，所列的却是 {n}：{listed}；请核对个数或名目（原文：{_clip(sentence)}）",
        ("narrative", k, "text"),
        amounts={"stated": Decimal(count), "expected": Decimal(len(items)), "difference": Decimal(count - len(items))},
    )


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- rates from a base of zero --------------------------------------------------------------------

_ZERO_WORDS = re.compile(r"上年(?:度)?(?:为零|为0|无此|没有|未发生|未列支)")


def _zero_bases_in_text(text: str, k: int, quoted: set[str], year: int) -> list[Problem]:
    out: list[Problem] = []
    for start, end in sentences(text):
        sentence = text[start:end].strip()
        if sentence in quoted:
            continue  # a claim holds it: checked over the facts
        items = sentence_items(sentence)
        for j, item in enumerate(items):
            if not item.figure.is_percent or (item.change() or 0) <= 0:
                continue
            _, prior = change_base(items, j, year)
            zero = prior is not None and items[prior].figure.value == 0
            if zero or _ZERO_WORDS.search(sentence[: item.figure.start]):
                out.append(_zero_problem(("narrative", k, "text"), _said(item), sentence))
    return out


def _said(item: Item) -> str:
    return f"{item.label}{item.figure.text}"


def _zero_problem(path: tuple[str | int, ...], said: str, sentence: str) -> Problem:
    return finding(
        "rate-from-zero-base",
        ERROR,
        f"报告称“{said}”，而所比的上年数为 0：从零起的增长不能用百分比表示（100% 是翻一番，不是从无到有）；"
        f"请改为写明增加的金额（原文：{_clip(sentence)}）",
        path,
    )


def _walk(tree: fx.Expr) -> list[fx.Expr]:
    out: list[fx.Expr] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, fx.Binary):
            stack += [node.left, node.right]
        elif isinstance(node, fx.Unary):
            stack.append(node.operand)
        elif isinstance(node, fx.Compare):
            stack += list(node.operands)
        elif isinstance(node, fx.Call):
            stack += list(node.args)
    return out


def _denominators(tree: fx.Expr) -> list[fx.Expr]:
    return [node.right for node in _walk(tree) if isinstance(node, fx.Binary) and node.op == "/"]


def _zero_bases_in_claims(dept: Department, result: ScoreResult) -> list[Problem]:
    out: list[Problem] = []
    for k, claim in enumerate(dept.claims):
        if claim.formula is None or claim.value <= 0:
            continue
        try:
            parsed = fx.parse(claim.formula)
        except fx.FormulaError:
            continue
        for part in _denominators(parsed.tree):
            names = tuple(dict.fromkeys(n.name for n in _walk(part) if isinstance(n, fx.Name)))
            try:
                value = fx.Formula("", part, names).evaluate(result.facts)
            except (fx.MissingFacts, fx.EvaluationError):
                continue
            if isinstance(value, Decimal) and value == 0:
                sentence = claim.source.text if claim.source is not None and claim.source.text else ""
                said = f"{claim.name or '所称的量'} {claim.value.scaleb(2).normalize():f}%"
                out.append(_zero_problem(("claims", k, "value"), said, sentence))
                break
    return out


# --- spending above income ------------------------------------------------------------------------

_CARRYOVER_WORDS = re.compile(r"结转|结余|上年结|存量资金|历年结|动用|往年")


def _spending_without_carryover(dept: Department, result: ScoreResult, tolerance: Decimal) -> list[Problem]:
    facts = result.facts
    spent = facts.get("actual_spending")
    incomes = [v for v in (facts.get("income_total"), facts.get("final_budget")) if v is not None]
    if spent is None or not incomes or not dept.narrative:
        return []
    came_in = max(incomes) + (facts.get("prior_year_balance") or Decimal(0))
    if spent <= came_in + tolerance:
        return []
    if any(_CARRYOVER_WORDS.search(p.text) for p in dept.narrative):
        return []
    unit = dept.amount_unit
    scale = Decimal(10000) if unit == "元" else Decimal(1)  # facts are in 万元
    more = (spent - came_in) * scale
    return [
        finding(
            "spending-without-carryover",
            WARNING,
            f"实际支出 {spent * scale:,.2f} {unit}多于收入 {came_in * scale:,.2f} {unit}（多 {more:,.2f} {unit}），"
            "而报告正文没有提到上年结转或结余：多出的支出从何而来，请在正文中说明，或核对收支数",
            ("narrative", 0, "text"),
            amounts={"stated": spent * scale, "expected": came_in * scale, "difference": more},
        )
    ]
