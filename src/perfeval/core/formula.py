"""Rubric formulas: parsed into an allow-listed expression tree, evaluated with Decimal.

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
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

FUNCTIONS = frozenset({"min", "max", "abs"})
KEYWORDS = frozenset({"and", "or", "not"})

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
    src = text.translate(_TRANSLATE)
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if m is None:
            raise FormulaError(f"公式中有无法识别的字符 {text[pos]!r}", pos)
        kind = m.lastgroup
        value = m.group()
        if kind == "op":
            value = _OPS.get(value, value)
        if kind != "ws":
            tokens.append((kind, value, pos))  # type: ignore[arg-type]
        pos = m.end()
    tokens.append(("end", "", len(src)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

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
        while self.accept("or"):
            left = Binary("or", left, self.and_())
        return left

    def and_(self) -> Expr:
        left = self.not_()
        while self.accept("and"):
            left = Binary("and", left, self.not_())
        return left

    def not_(self) -> Expr:
        if self.accept("not"):
            return Unary("not", self.not_())
        return self.compare()

    def compare(self) -> Expr:
        first = self.sum()
        operands = [first]
        ops: list[str] = []
        while self.peek()[1] in ("<", "<=", ">", ">=", "==", "!=") and self.peek()[0] == "op":
            ops.append(self.take()[1])
            operands.append(self.sum())
        if not ops:
            return first
        return Compare(tuple(operands), tuple(ops))

    def sum(self) -> Expr:
        left = self.product()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            left = Binary(op, left, self.product())
        return left

    def product(self) -> Expr:
        left = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            left = Binary(op, left, self.unary())
        return left

    def unary(self) -> Expr:
        if self.peek()[0] == "op" and self.peek()[1] in ("-", "+"):
            op = self.take()[1]
            return Unary(op, self.unary())
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
                args = [self.or_()]
                while self.accept(","):
                    args.append(self.or_())
                self.expect(")")
                if val == "abs" and len(args) != 1:
                    raise FormulaError("abs() 只接受一个参数", pos)
                return Call(val, tuple(args))
            return Name(val)
        if kind == "op" and val == "(":
            inner = self.or_()
            self.expect(")")
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
        return _eval(self.tree, facts)


def parse(text: str) -> Formula:
    tree = _Parser(text).parse()
    names: list[str] = []
    _collect(tree, names)
    return Formula(text=text, tree=tree, names=tuple(dict.fromkeys(names)))


def _collect(node: Expr, out: list[str]) -> None:
    if isinstance(node, Name):
        out.append(node.name)
    elif isinstance(node, Unary):
        _collect(node.operand, out)
    elif isinstance(node, Binary):
        _collect(node.left, out)
        _collect(node.right, out)
    elif isinstance(node, Compare):
        for o in node.operands:
            _collect(o, out)
    elif isinstance(node, Call):
        for a in node.args:
            _collect(a, out)


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
        try:
            return a / b
        except (DivisionByZero, InvalidOperation) as exc:  # pragma: no cover - guarded above
            raise EvaluationError(f"无法计算：{exc}") from None
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
