"""Golden files for the YAML perfeval writes: a converted department and the init skeleton.

Regenerate after an intended change with ``PERFEVAL_UPDATE_GOLDEN=1 pytest tests/test_excel_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perfeval.fileio.yaml_write import department_yaml, skeleton_yaml
from perfeval.pipeline.departments import load

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "data" / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PERFEVAL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with PERFEVAL_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def taojiang():
    return load(ROOT / "examples" / "taojiang-2019.yaml")


def test_converted_taojiang_yaml(taojiang) -> None:
    text = department_yaml(
        taojiang.department,
        taojiang.rubric,
        schema="# yaml-language-server: $schema=../schema/department.schema.json",
        origin="taojiang-2019.xlsx",
    )
    check_golden("taojiang-2019.converted.yaml", text)


def test_taojiang_yaml_skeleton(taojiang) -> None:
    text = skeleton_yaml(
        taojiang.rubric,
        "../rubrics/taojiang-2019.yaml",
        schema="# yaml-language-server: $schema=../schema/department.schema.json",
    )
    check_golden("taojiang-2019.skeleton.yaml", text)
