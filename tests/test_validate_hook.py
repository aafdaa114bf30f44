"""The pre-commit hook offered to rubric and department repositories."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
HOOK = next(h for h in HOOKS if h["id"] == "perfeval-validate")


def test_hook_runs_perfeval_validate() -> None:
    assert HOOK["entry"] == "perfeval validate"
    assert HOOK["language"] == "python"
    assert HOOK.get("pass_filenames", True) is True


@pytest.mark.parametrize(
    "path",
    [
        "rubrics/taojiang-2019.yaml",
        "rubrics/hunan/changsha-2018.yml",
        "examples/taojiang-2019.yaml",
        "examples/illustrative-county-office.yaml",
        "departments/2019/county-office.yaml",
    ],
)
def test_hook_matches_rubric_and_department_files(path: str) -> None:
    assert re.search(HOOK["files"], path), path  # pre-commit uses re.search on repo-relative paths


@pytest.mark.parametrize(
    "path",
    [
        ".pre-commit-hooks.yaml",
        ".github/workflows/ci.yaml",
        "schema/rubric.schema.json",
        "rubrics/README.md",
        "examples/taojiang-2019.yaml.bak",
        "examples/taojiang-2019.xlsx",
        "tests/cases/rules/bands.yaml",
        "tests/fixtures/rubrics/broken.yaml",
        "myrubrics/x.yaml",
        "docs/rubric-format.md",
    ],
)
def test_hook_ignores_other_files(path: str) -> None:
    assert not re.search(HOOK["files"], path), path


def test_every_shipped_rubric_and_example_is_matched() -> None:
    shipped = [p.relative_to(ROOT).as_posix() for d in ("rubrics", "examples") for p in (ROOT / d).iterdir()]
    assert shipped
    assert all(re.search(HOOK["files"], p) for p in shipped if p.endswith((".yaml", ".yml")))


def test_ci_validates_every_shipped_file_after_the_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.index("pytest") < ci.index(".venv/bin/perfeval validate rubrics/*.yaml examples/*.yaml")
