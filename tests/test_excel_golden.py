"""Golden files for the YAML perfeval writes: a converted department and the init skeleton.

Regenerated with every golden file (tests/golden/README.md); review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from goldens import check_golden
from perfeval.fileio.yaml_write import department_yaml, skeleton_yaml
from perfeval.pipeline.departments import load

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "data" / "golden"


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
    check_golden(GOLDEN / "taojiang-2019.converted.yaml", text)


def test_taojiang_yaml_skeleton(taojiang) -> None:
    text = skeleton_yaml(
        taojiang.rubric,
        "../rubrics/taojiang-2019.yaml",
        schema="# yaml-language-server: $schema=../schema/department.schema.json",
    )
    check_golden(GOLDEN / "taojiang-2019.skeleton.yaml", text)
