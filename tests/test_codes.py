"""The catalogue of problem codes (perfeval.core.codes) is complete, has no dead entries, and every code
is named by at least one test: a code a user can meet is a code someone checked."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from perfeval.core.codes import CODES
from perfeval.core.problems import Problem

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for p in (ROOT / "src" / "perfeval").rglob("*.py") if p.name != "codes.py"]
# test code and test data; golden files do not count (they record output, they do not ask for it)
TESTS = [
    p
    for p in (ROOT / "tests").rglob("*")
    if p.is_file() and p.suffix in (".py", ".yaml", ".tsv") and "golden" not in p.relative_to(ROOT).parts
]
EMITTERS = {"Problem": 0, "finding": 0, "add": 0, "fail": 0, "problem": 3}  # call name → position of the code


def _name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def emitted_codes() -> dict[str, str]:
    """Every code written as a literal where a problem is made: code → where."""
    found: dict[str, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            at = EMITTERS.get(_name(node.func) or "")
            if at is None or len(node.args) <= at:
                continue
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def literals() -> set[str]:
    out: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
    return out


def test_every_code_the_code_base_emits_is_catalogued() -> None:
    missing = {code: where for code, where in emitted_codes().items() if code not in CODES}
    assert missing == {}


def test_the_catalogue_has_no_dead_codes() -> None:
    used = literals()
    assert sorted(code for code in CODES if code not in used) == []


def test_every_code_has_a_chinese_title() -> None:
    for code, info in CODES.items():
        assert info.title and any("\u4e00" <= ch <= "\u9fff" for ch in info.title), code


def test_a_problem_refuses_a_code_that_is_not_catalogued() -> None:
    with pytest.raises(ValueError, match="not in perfeval.core.codes"):
        Problem("no-such-code", "消息")


@pytest.fixture(scope="module")
def test_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in TESTS if p.name != "test_codes.py")


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_named_by_a_test(code: str, test_text: str) -> None:
    assert code in test_text, f"no test names {code!r} ({CODES[code].title})"
