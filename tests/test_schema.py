"""JSON Schemas: the committed copies are what the models generate; shipped files point editors at them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.json_schema import FORMATS, schema_for, schema_text
from perfeval.pipeline.rubrics import read_rubric

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


# --- the schemas accept what the tool itself ships and writes, and refuse what it refuses ------------

jsonschema = pytest.importorskip("jsonschema")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
RUBRICS = sorted((ROOT / "rubrics").glob("*.yaml"))


def _errors(schema: dict[str, object], doc: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_validates_against_the_department_schema(path: Path) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _errors(schema_for("department"), doc) == []


@pytest.mark.parametrize("path", RUBRICS, ids=[p.name for p in RUBRICS])
def test_every_shipped_rubric_validates_against_the_rubric_schema(path: Path) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _errors(schema_for("rubric"), doc) == []


@pytest.mark.parametrize("path", RUBRICS, ids=[p.name for p in RUBRICS])
def test_the_skeleton_init_writes_validates(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "dept.yaml"
    result = runner.invoke(app, ["init", "--rubric", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    # the schema and the tool agree: a skeleton lacks only what it asks the department to fill first
    assert sorted(e.split(":")[0] for e in _errors(schema_for("department"), doc)) == ["unit", "year"]
    refused = runner.invoke(app, ["score", str(out)])
    assert refused.exit_code == 2
    assert "unit（单位名称）" in refused.output and "year（评价年度）" in refused.output
    doc.update(unit="某单位", year=2019)
    assert _errors(schema_for("department"), doc) == []


def test_a_converted_workbook_validates(tmp_path: Path) -> None:
    xlsx = tmp_path / "dept.xlsx"
    back = tmp_path / "back.yaml"
    example = ROOT / "examples" / "taojiang-2019.yaml"
    assert runner.invoke(app, ["convert", str(example), str(xlsx)]).exit_code == 0
    assert runner.invoke(app, ["convert", str(xlsx), str(back)]).exit_code == 0
    doc = yaml.safe_load(back.read_text(encoding="utf-8"))
    assert _errors(schema_for("department"), doc) == []


def test_the_per_rubric_schema_refuses_a_fact_the_rubric_does_not_know(tmp_path: Path) -> None:
    rubric = read_rubric(ROOT / "rubrics" / "taojiang-2019.yaml").rubric
    strict = schema_for("department", rubric)
    doc = yaml.safe_load((ROOT / "examples" / "taojiang-2019.yaml").read_text(encoding="utf-8"))
    assert _errors(strict, doc) == []
    doc.setdefault("facts", {})["made_up_fact"] = 1
    assert any("made_up_fact" in e for e in _errors(strict, doc))
    # the generic schema only checks the shape of a fact id, so it lets the same file through
    assert _errors(schema_for("department"), doc) == []


def test_the_schema_refuses_a_negative_amount() -> None:
    doc = yaml.safe_load((ROOT / "examples" / "taojiang-2019.yaml").read_text(encoding="utf-8"))
    doc["basic_data"]["initial_budget"]["total"] = -5
    assert _errors(schema_for("department"), doc) != []
