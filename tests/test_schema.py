"""JSON Schemas: the committed copies are what the models generate; shipped files point editors at them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.json_schema import FORMATS, schema_for, schema_text

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_committed_schema_is_current(name: str) -> None:
    committed = (ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(name), (
        f"schema/{name}.schema.json is stale; regenerate it with "
        f"`perfeval schema {name} > schema/{name}.schema.json` and commit it"
    )


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_schema_command_prints_the_schema(name: str) -> None:
    out = runner.invoke(app, ["schema", name])
    assert out.exit_code == 0
    assert out.stdout == schema_text(name)
    doc = json.loads(out.stdout)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["type"] == "object"
    assert doc["additionalProperties"] is False


def test_schema_command_refuses_an_unknown_format() -> None:
    out = runner.invoke(app, ["schema", "report"])
    assert out.exit_code == 2


def test_rubric_schema_knows_every_rule_kind_and_adjustment() -> None:
    defs = schema_for("rubric")["$defs"]
    kinds = {
        d["properties"]["kind"]["const"]
        for d in defs.values()
        if "kind" in d.get("properties", {}) and "const" in d["properties"]["kind"]
    }
    assert kinds == {
        "checklist",
        "proportional",
        "bands",
        "full_marks_if",
        "judged",
        "deduction",
        "elements",
        "execution_rate",
        "penalty",
        "cap",
        "deviation",
    }
    node = defs["Node"]["properties"]
    assert {"optional", "choose_one", "department_rows"} <= set(node)


def test_department_schema_has_the_new_shapes() -> None:
    doc = schema_for("department")
    assert "department_indicators" in doc["properties"]
    assert {"chosen", "not_applicable"} <= set(doc["$defs"]["SelfAssessment"]["properties"])
    assert "present" in doc["$defs"]["IndicatorScore"]["properties"]


SHIPPED = sorted((ROOT / "rubrics").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[f"{p.parent.name}/{p.name}" for p in SHIPPED])
def test_shipped_files_point_editors_at_their_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    kind = "rubric" if path.parent.name == "rubrics" else "department"
    assert first == f"# yaml-language-server: $schema=../schema/{kind}.schema.json"
    assert (path.parent / "../schema" / f"{kind}.schema.json").resolve().is_file()
