"""Rubric formulas: parsed into an allow-listed expression tree, evaluated with Decimal.

Why this module is long: the tokenizer, the parser with its bounds, the tree and its evaluation are
one grammar; a formula from someone else's rubric is bounded at each step, and the steps share the
tree types and the limits.

Nothing from a file ever reaches ``eval``. The grammar::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)*      # chained: a <= b < c
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | atom
    atom    := NUMBER ["%"] | NAME | FUNC "(" expr ("," expr)* ")" | "(" expr ")"

NUMBER is decimal (``0.8``, ``80%`` = 0.8), NAME a declared fact, FUNC one of
``min max abs``. ``×`` ``÷`` ``≤`` ``≥`` ``≠`` and full-width parentheses are accepted as the
tables print them. Comparisons yield booleans; arithmetic on booleans is refused.

A formula comes from a file someone else wrote, so everything is bounded before it can cost
anything: its length (:data:`MAX_LENGTH` characters), the digits of a number (:data:`MAX_DIGITS`),
nesting of brackets and calls, runs of signs and ``not`` (:data:`MAX_NESTING`), operands in one
chain such as a sum (:data:`MAX_TERMS`) and the depth of the whole tree (:data:`MAX_DEPTH`), so
neither parsing nor evaluation can exhaust Python's stack. Evaluation runs in a local decimal
context: a result beyond 10^:data:`MAX_EXPONENT` or an invalid operation is an
:class:`EvaluationError`, never a ``decimal`` exception.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

FUNCTIONS = frozenset({"min", "max", "abs"})
KEYWORDS = frozenset({"and", "or", "not"})

MAX_LENGTH = 1000  # characters; the longest formula of the shipped rubrics has under 100
MAX_DIGITS = 30  # digits of one number, as the YAML reader bounds numbers
MAX_NESTING = 20  # brackets and calls inside each other, and signs or ``not`` in a row
MAX_TERMS = 100  # operands of one chain: a + b + …, a * b * …, a and b and …, a < b < …
MAX_DEPTH = 200  # depth of the expression tree, which evaluation walks recursively
MAX_EXPONENT = 100  # |value| < 10^100 for every intermediate result; no ratio comes near

# Evaluation: 28 significant digits as Python's default, results bounded, every signal that
# would be a Python exception trapped (and turned into EvaluationError by Formula.evaluate)
_CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=MAX_EXPONENT - 1,
    Emin=-999_999,
    traps=[decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero],
)

_TRANSLATE = str.maketrans(
    {"×": "*", "÷": "/", "（": "(", "）": ")", "，": ",", "≤": "\x01", "≥": "\x02", "≠": "\x03", "％": "%"}
)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?%?|\.\d+%?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|!=|[<>+\-*/(),\x01\x02\x03])
    """,
    re.VERBOSE,
)
_OPS = {"\x01": "<=", "\x02": ">=", "\x03": "!="}


class FormulaError(ValueError):
    """A formula that does not parse. ``position`` is a 0-based offset into the text."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class MissingFacts(LookupError):
    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(", ".join(names))
        self.names = names


class EvaluationError(ArithmeticError):
    """A formula that parses but cannot be evaluated for these facts (e.g. 编制数 is 0)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the expression tree ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-", "+", "not"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / and or
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare:
    operands: tuple[Expr, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Expr, ...]


Expr = Num | Name | Unary | Binary | Compare | Call
Value = Decimal | bool


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"公式有 {len(text):,} 个字符，超过上限 {MAX_LENGTH:,}；评分表的公式不需要这么长，请检查是否粘贴错误", 0
        )
    src = text.translate(_TRANSLATE)
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if m is None:
            raise FormulaError(f"公式中有无法识别的字符 {_visible(text[pos])}", pos)
        kind = m.lastgroup
        value = m.group()
        if kind == "num" and sum(ch.isdigit() for ch in value) > MAX_DIGITS:
            raise FormulaError(
                f"数值有 {sum(ch.isdigit() for ch in value)} 位数字，超过上限 {MAX_DIGITS} 位；请检查是否多写了数字",
                pos,
            )
        if kind == "op":
            value = _OPS.get(value, value)
        if kind != "ws":
            tokens.append((kind, value, pos))  # type: ignore[arg-type]
        pos = m.end()
    tokens.append(("end", "", len(src)))
    return tokens


def _visible(ch: str) -> str:
    """A character for a message: printable ones quoted, others as their code (U+001B)."""
    return repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.nesting = 0  # brackets, calls, signs and ``not`` open around the current position

    def enter(self, pos: int, what: str) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise FormulaError(f"{what}超过 {MAX_NESTING} 层；评分表的公式不需要这么深，请简化", pos)

    def terms(self, count: int, pos: int) -> None:
        if count > MAX_TERMS:
            raise FormulaError(f"一个算式中超过 {MAX_TERMS} 项；请简化公式（或把部分结果作为事实填写）", pos)

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, value: str) -> bool:
        kind, val, _ = self.peek()
        if val == value and kind in ("op", "name"):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            _, val, pos = self.peek()
            found = f"{val!r}" if val else "公式结尾"
            raise FormulaError(f"此处应为 {value!r}，却是 {found}", pos)

    def parse(self) -> Expr:
        if self.peek()[0] == "end":
            raise FormulaError("公式为空", 0)
        expr = self.or_()
        kind, val, pos = self.peek()
        if kind != "end":
            raise FormulaError(f"公式在 {val!r} 处多出内容", pos)
        return expr

    def or_(self) -> Expr:
        left = self.and_()
        count = 1
        while self.accept("or"):
            count += 1
            self.terms(count, self.tokens[self.i - 1][2])
            left = Binary("or", left, self.and_())
        return left

    def and_(self) -> Expr:
        left = self.not_()
        count = 1
        while self.accept("and"):
            count += 1
            self.terms(count, self.tokens[self.i - 1][2])
            left = Binary("and", left, self.not_())
        return left

    def not_(self) -> Expr:
        pos = self.peek()[2]
        if self.accept("not"):
            self.enter(pos, "连续的 not ")
            operand = self.not_()
            self.nesting -= 1
            return Unary("not", operand)
        return self.compare()

    def compare(self) -> Expr:
        first = self.sum()
        operands = [first]
        ops: list[str] = []
        while self.peek()[1] in ("<", "<=", ">", ">=", "==", "!=") and self.peek()[0] == "op":
            ops.append(self.take()[1])
            self.terms(len(ops) + 1, self.tokens[self.i - 1][2])
            operands.append(self.sum())
        if not ops:
            return first
        return Compare(tuple(operands), tuple(ops))

    def sum(self) -> Expr:
        left = self.product()
        count = 1
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op, pos = self.take()[1:]
            count += 1
            self.terms(count, pos)
            left = Binary(op, left, self.product())
        return left

    def product(self) -> Expr:
        left = self.unary()
        count = 1
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            op, pos = self.take()[1:]
            count += 1
            self.terms(count, pos)
            left = Binary(op, left, self.unary())
        return left

    def unary(self) -> Expr:
        if self.peek()[0] == "op" and self.peek()[1] in ("-", "+"):
            op, pos = self.take()[1:]
            self.enter(pos, "连续的正负号 ")
            operand = self.unary()
            self.nesting -= 1
            return Unary(op, operand)
        return self.atom()

    def atom(self) -> Expr:
        kind, val, pos = self.take()
        if kind == "num":
            if val.endswith("%"):
                return Num(Decimal(val[:-1]) / 100)
            return Num(Decimal(val))
        if kind == "name":
            if val in KEYWORDS:
                raise FormulaError(f"此处应为数值，却是关键字 {val!r}", pos)
            if self.peek()[1] == "(" and self.peek()[0] == "op":
                if val not in FUNCTIONS:
                    raise FormulaError(f"不支持函数 {val!r}（可用：{', '.join(sorted(FUNCTIONS))}）", pos)
                self.take()
                self.enter(pos, "括号和函数的嵌套")
                args = [self.or_()]
                while self.accept(","):
                    args.append(self.or_())
                    self.terms(len(args), self.tokens[self.i - 1][2])
                self.expect(")")
                self.nesting -= 1
                if val == "abs" and len(args) != 1:
                    raise FormulaError("abs() 只接受一个参数", pos)
                return Call(val, tuple(args))
            return Name(val)
        if kind == "op" and val == "(":
            self.enter(pos, "括号和函数的嵌套")
            inner = self.or_()
            self.expect(")")
            self.nesting -= 1
            return inner
        found = f"{val!r}" if val else "公式结尾"
        raise FormulaError(f"此处应为数值、事实名称或括号，却是 {found}", pos)


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed formula with the names it reads."""

    text: str
    tree: Expr
    names: tuple[str, ...]

    def evaluate(self, facts: Mapping[str, Decimal | None]) -> Value:
        missing = tuple(n for n in self.names if facts.get(n) is None)
        if missing:
            raise MissingFacts(missing)
        try:
            with decimal.localcontext(_CONTEXT):
                return _eval(self.tree, facts)
        except decimal.Overflow:
            raise EvaluationError(
                f"计算结果超出范围（绝对值达到 10 的 {MAX_EXPONENT} 次方）；请检查事实数值的单位和小数点"
            ) from None
        except decimal.DivisionByZero:  # pragma: no cover - _eval names the divisor first
            raise EvaluationError("除数为零") from None
        except decimal.DecimalException:
            raise EvaluationError("无法计算（数值运算无效）；请检查事实数值") from None


def _children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Compare):
        return node.operands
    if isinstance(node, Call):
        return node.args
    return ()


def _nodes(tree: Expr) -> Iterator[tuple[Expr, int]]:
    """Every node with its depth (the root is 1), without recursion."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in reversed(_children(node)))


def parse(text: str) -> Formula:
    """Parse a formula. Raises :class:`FormulaError` (with the 0-based position) on any problem."""
    tree = _Parser(text).parse()
    names: list[str] = []
    for node, depth in _nodes(tree):
        if depth > MAX_DEPTH:
            raise FormulaError(f"公式的层次超过 {MAX_DEPTH} 层；请简化公式", 0)
        if isinstance(node, Name):
            names.append(node.name)
    _check_constants(tree)
    return Formula(text=text, tree=tree, names=tuple(dict.fromkeys(names)))


def _check_constants(tree: Expr) -> None:
    """Evaluate every largest part of the formula that reads no fact (``999…9 * 999…9``, ``1 / 0``):
    what cannot be computed there cannot be computed for any department, so it is a rubric error,
    found when the rubric is validated rather than when a department is scored."""
    constant: dict[int, bool] = {}
    parent_of: dict[int, Expr | None] = {id(tree): None}
    order = [node for node, _ in _nodes(tree)]
    for node in order:
        for child in _children(node):
            parent_of[id(child)] = node
    for node in reversed(order):  # children before parents
        constant[id(node)] = not isinstance(node, Name) and all(constant[id(c)] for c in _children(node))
    for node in order:
        parent = parent_of[id(node)]
        if not constant[id(node)] or isinstance(node, Num) or (parent is not None and constant[id(parent)]):
            continue
        try:
            Formula("", node, ()).evaluate({})
        except EvaluationError as exc:
            raise FormulaError(f"公式中不含事实的部分无法计算：{exc.message}", 0) from None


def _num(value: Value, what: str) -> Decimal:
    if isinstance(value, bool):
        raise EvaluationError(f"{what} 需要数值，却得到比较结果（真/假）")
    return value


def _bool(value: Value, what: str) -> bool:
    if not isinstance(value, bool):
        raise EvaluationError(f"{what} 需要条件（比较），却得到数值")
    return value


_CMP = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _describe(node: Expr) -> str:
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Num):
        return str(node.value)
    return "表达式"


def _eval(node: Expr, facts: Mapping[str, Decimal | None]) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        value = facts[node.name]
        assert value is not None
        return value
    if isinstance(node, Unary):
        if node.op == "not":
            return not _bool(_eval(node.operand, facts), "not")
        v = _num(_eval(node.operand, facts), node.op)
        return -v if node.op == "-" else v
    if isinstance(node, Binary):
        if node.op in ("and", "or"):
            left = _bool(_eval(node.left, facts), node.op)
            if node.op == "and" and not left:
                return False
            if node.op == "or" and left:
                return True
            return _bool(_eval(node.right, facts), node.op)
        a = _num(_eval(node.left, facts), node.op)
        b = _num(_eval(node.right, facts), node.op)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if b == 0:
            raise EvaluationError(f"除数为零：{_describe(node.right)} = 0")
        return a / b
    if isinstance(node, Compare):
        values = [_num(_eval(o, facts), "比较") for o in node.operands]
        return all(_CMP[op](values[i], values[i + 1]) for i, op in enumerate(node.ops))
    if isinstance(node, Call):
        args = [_num(_eval(a, facts), node.func) for a in node.args]
        if node.func == "min":
            return min(args)
        if node.func == "max":
            return max(args)
        return abs(args[0])
    raise TypeError(node)  # pragma: no cover
