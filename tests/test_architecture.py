"""The layout is the architecture: the core does no I/O, layers import downwards only, no import cycles
(not even inside functions), and no module grows past ~400 lines without saying why at its top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "perfeval"
MODULES = sorted(PACKAGE.rglob("*.py"))

# what each layer may import, from the bottom up (a module may always import its own layer)
LAYERS = ["core", "fileio", "pipeline", "reporting", "cli"]
IO_MODULES = {"os", "io", "pathlib", "shutil", "tempfile", "subprocess", "socket", "sys", "openpyxl", "rich", "typer"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function (resolved to full names)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import module`
    return found


def graph() -> dict[str, set[str]]:
    names = {module_name(p) for p in MODULES}
    edges: dict[str, set[str]] = {}
    for path in MODULES:
        targets = set()
        for imported in imports_of(path):
            while imported and imported not in names:  # `from x import function`: the module x
                imported = imported.rpartition(".")[0]
            if imported and imported != module_name(path):
                targets.add(imported)
        edges[module_name(path)] = targets
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_even_inside_functions() -> None:
    assert _cycles(graph()) == []


def test_the_cycle_finder_finds_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_layers_import_downwards_only() -> None:
    wrong = []
    for module, targets in graph().items():
        mine = _layer(module)
        if mine is None:
            continue
        wrong += [f"{module} → {t}" for t in sorted(targets) if (theirs := _layer(t)) is not None and theirs > mine]
    assert wrong == []


def test_the_core_does_no_io() -> None:
    found = []
    for path in (PACKAGE / "core").rglob("*.py"):
        for imported in imports_of(path):
            if imported.split(".")[0] in IO_MODULES:
                found.append(f"{module_name(path)} imports {imported}")
    assert found == []


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_no_module_is_long_without_a_reason(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) <= 400:
        return
    head = "\n".join(lines[:40])
    assert "Why this module is long:" in head, f"{len(lines)} lines; split it, or say why at its top"
