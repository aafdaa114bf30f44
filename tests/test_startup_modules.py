"""Start-up stays at the stack's floor: `perfeval score FILE`, `--help`, `score --help` and `--version` import
only the modules benchmarks/startup-modules.txt allows (issue 17).

Not a timing: the SET of modules imported, compared with the committed list. perfeval's own modules are
compared by name; other modules by their top-level package, so that another patch release of Python or of
a dependency (which may import a different submodule of itself) does not fail it, while a new package on
the start-up path (``json``, ``openpyxl``, ``importlib.metadata`` …) does. benchmarks/run.py times every
module not listed (``python -X importtime``) and fails when one costs more than 2 ms.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LISTED = ROOT / "benchmarks" / "startup-modules.txt"
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"

# what benchmarks/run.py runs too: perfeval, writing the modules it imported to stderr as it exits
MODULES_AT_EXIT = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.__stderr__.write(''.join(f'module: {m}\\n' for m in sorted(sys.modules))))\n"
    "from perfeval.cli.app import main; main()\n"
)


def _allowed() -> set[str]:
    lines = LISTED.read_text(encoding="utf-8").splitlines()
    return {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}


def _imported(*argv: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFEVAL")}
    done = subprocess.run(
        [sys.executable, "-c", MODULES_AT_EXIT, *argv], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {line[len("module: ") :] for line in done.stderr.splitlines() if line.startswith("module: ")}


# The stack itself (typer, pydantic, PyYAML, rich): what importing it brings in this environment is the stack's,
# not perfeval's. Older releases import more at start-up (rich 13.8's console imports getpass, html and
# configparser, its pretty-printer attrs when installed): the lowest versions .ci/run tests must not fail on that.
STACK = "import sys, typer, pydantic, yaml, rich.console, rich.table, rich.text; print(*sorted(sys.modules))"


def _stack_modules() -> set[str]:
    done = subprocess.run([sys.executable, "-c", STACK], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def _not_allowed(imported: set[str], allowed: set[str]) -> list[str]:
    tops = {m.partition(".")[0] for m in allowed}
    return sorted(
        m
        for m in imported
        if (m not in allowed if m.partition(".")[0] == "perfeval" else m.partition(".")[0] not in tops)
    )


@pytest.mark.parametrize("argv", [["score", str(EXAMPLE)], ["--help"], ["score", "--help"], ["--version"]])
def test_start_up_imports_only_the_listed_modules(argv: list[str]) -> None:
    new = _not_allowed(_imported(*argv) - _stack_modules(), _allowed())
    assert not new, (
        f"perfeval {' '.join(argv[:1])} now imports {new} at start-up, not in {LISTED.relative_to(ROOT)}: import it "
        "where it is needed, or (if it must be there) time it with `python benchmarks/run.py --only startup` "
        "and add it with `--write-startup-modules`"
    )


def test_the_comparison_catches_a_new_module() -> None:
    allowed = {"perfeval", "perfeval.cli.app", "typer", "typer.main", "json"}
    assert _not_allowed({"perfeval.cli.app", "typer.core", "json.decoder"}, allowed) == []
    assert _not_allowed({"perfeval.cli.app", "perfeval.pipeline.reports"}, allowed) == ["perfeval.pipeline.reports"]
    assert _not_allowed({"typer", "openpyxl", "openpyxl.cell"}, allowed) == ["openpyxl", "openpyxl.cell"]


def test_what_the_stack_imports_is_not_counted_against_perfeval() -> None:
    stack = _stack_modules()
    assert {"typer", "pydantic", "yaml", "rich.console"} <= stack
    assert not {m for m in stack if m.startswith("perfeval")} and "openpyxl" not in stack


def test_the_list_has_what_start_up_cannot_do_without() -> None:
    allowed = _allowed()
    assert {"perfeval.cli.app", "typer", "pydantic"} <= allowed
    assert "json" not in allowed  # text output needs no JSON
