"""Every problem and finding code perfeval can emit is named by a test that produces it.

The codes are read from the source: the literal first argument of ``Problem(...)``,
``Finding(...)`` and the local ``add(...)`` helpers, the code argument of ``fail(node, code, …)``
and ``problem(ws, row, col, code, …)``, and the literal codes pipeline's ``_code`` returns (the
``invalid-…`` family it builds from pydantic's error types is not listed). A code no test file or case file names is a message
nobody has seen fail. Golden files do not count: they show a code, they do not produce it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "perfeval"
TESTS = ROOT / "tests"

# the position of the code among the positional arguments, by the name of the callee
CODE_ARGUMENT = {"Problem": 0, "Finding": 0, "add": 0, "fail": 1, "problem": 3}
CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# codes no input can produce, with the reason; a test for one of them means it leaves this list
UNREACHABLE = {
    "formula-syntax": "the rubric model refuses a formula that does not parse (invalid-value-error, 公式无法解析) "
    "before the rubric checks run; soundness keeps it for direct callers only",
}


def emitted_codes() -> dict[str, str]:
    """code → the first place (file:line) that emits it."""
    codes: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "_code":  # pipeline: a code chosen for an error
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Constant):
                        codes.setdefault(ret.value.value, f"{path.relative_to(ROOT)}:{ret.lineno}")
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            k = CODE_ARGUMENT.get(name or "")
            if k is None or len(node.args) <= k:
                continue
            arg = node.args[k]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE.match(arg.value):
                codes.setdefault(arg.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return codes


def _test_texts() -> dict[Path, str]:
    out = {}
    for path in sorted(TESTS.rglob("*")):
        if (
            not path.is_file()
            or path.suffix not in (".py", ".yaml")
            or path.name == Path(__file__).name
            or "golden" in path.parts
        ):
            continue
        out[path] = path.read_text(encoding="utf-8", errors="replace")
    return out


def test_the_source_emits_the_codes_we_know_of() -> None:
    codes = emitted_codes()
    # the reader found the call sites: a code of each module that emits them
    for code in ("sum-mismatch", "over-claimed", "band-edges", "yaml-syntax", "scores-row-shifted", "output-exists"):
        assert code in codes
    assert len(codes) > 90


def test_every_code_is_named_by_a_test() -> None:
    texts = _test_texts()
    unnamed = {}
    for code, where in emitted_codes().items():
        named = re.compile(rf"(?<![a-z0-9-]){re.escape(code)}(?![a-z0-9-])")
        if not any(named.search(text) for text in texts.values()):
            unnamed[code] = where
    assert set(unnamed) - set(UNREACHABLE) == set(), f"codes no test names (add a case that produces each): {unnamed}"
    assert set(UNREACHABLE) - set(unnamed) == set(), "a code listed as unreachable is tested: take it off the list"
