"""JSON Schemas of the two input formats, generated from the pydantic models.

Committed copies live in ``schema/`` (a test fails when they are stale), and the shipped YAML
files point editors at them with ``# yaml-language-server: $schema=…`` so that editors validate
and complete as people type.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from perfeval.core.department import DEPARTMENT_FORMAT, Department
from perfeval.core.rubric import RUBRIC_FORMAT, Rubric

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: name → (model, title, format)
FORMATS: dict[str, tuple[type[BaseModel], str, str]] = {
    "rubric": (Rubric, "perfeval 评分表（评价指标及评分表）", RUBRIC_FORMAT),
    "department": (Department, "perfeval 部门文件（基础数据与自评）", DEPARTMENT_FORMAT),
}


_BOUNDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


def _json_bounds(node: Any) -> Any:
    """pydantic writes a bound on a number that may also be text (``1,295.87``) as ``ge`` beside an anyOf,
    which JSON Schema does not know: put it on the number branch as ``minimum`` …, so editors check it."""
    if isinstance(node, list):
        return [_json_bounds(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_bounds(v) for k, v in node.items()}
    bounds = {_BOUNDS[k]: out.pop(k) for k in list(out) if k in _BOUNDS}
    if bounds:
        branches = out.get("anyOf")
        numbers = (
            [b for b in branches if isinstance(b, dict) and b.get("type") in ("number", "integer")] if branches else []
        )
        for b in numbers or ([out] if out.get("type") in ("number", "integer") else []):
            b.update(bounds)
    return out


def _blank_tables(schema: dict[str, Any]) -> None:
    """A table, list or mapping left blank (``by_fund:`` with nothing under it) is read as not written
    (``InputModel``): say so to editors too, so a fill-in skeleton validates as it is written."""
    for definition in [schema, *schema.get("$defs", {}).values()]:
        required = set(definition.get("required", ()))
        for key, prop in definition.get("properties", {}).items():
            if key in required or "default" in prop or "anyOf" in prop:
                continue
            if "$ref" in prop or prop.get("type") in ("object", "array"):
                kept = {k: prop.pop(k) for k in ("title", "description") if k in prop}
                inner = dict(prop)
                prop.clear()
                prop.update(kept)
                prop["anyOf"] = [inner, {"type": "null"}]


def _facts_schema(catalogue: dict[str, Any], strict: bool) -> dict[str, Any]:
    """``facts:``: every catalogued fact by name, with its Chinese label and unit (editors complete them);
    strict (a rubric's own schema): no other name; otherwise a rubric may add names of its own."""
    value = {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}  # blank: not reported
    schema: dict[str, Any] = {
        "type": "object",
        "title": "指标公式所需的其他事实（名称见事实目录）",
        "properties": {
            name: {
                **value,
                "title": info.label,
                "description": f"{info.label}（{info.unit}）" if info.unit else info.label,
            }
            for name, info in catalogue.items()
            if info.reported
        },
        "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
    }
    schema["additionalProperties"] = False if strict else value
    return schema


def schema_for(name: str, rubric: Rubric | None = None) -> dict[str, Any]:
    """The JSON Schema of one input format (``rubric`` or ``department``). For a department with a rubric,
    the strict schema of that rubric's departments: only its facts, only its indicators (by id or name)."""
    from perfeval.core.facts import CATALOGUE, catalogue_for

    model, title, fmt = FORMATS[name]
    body = _json_bounds(model.model_json_schema(mode="validation"))
    suffix = f".{rubric.id}" if rubric is not None else ""
    out = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://perfeval.invalid/schema/{name}{suffix}.schema.json",
        "title": title + (f"：{rubric.name}" if rubric is not None else ""),
        "description": f"{fmt}；由 `perfeval schema {name}{' --rubric ' + rubric.id if rubric else ''}` 生成，请勿手工修改。",
        **{k: v for k, v in body.items() if k not in ("title", "description")},
    }
    if name == "department":
        _blank_tables(out)
        catalogue = catalogue_for(rubric.facts) if rubric is not None else CATALOGUE
        out["properties"]["facts"] = _facts_schema(catalogue, strict=rubric is not None)
        if rubric is not None:
            leaves = [n for n, _ in rubric.walk() if n.is_leaf]
            keys = sorted({n.id for n in leaves} | {n.name for n in leaves})
            scores = out["$defs"]["SelfAssessment"]["properties"]["scores"]
            scores["propertyNames"] = {"enum": keys}
    return out


def schema_text(name: str, rubric: Rubric | None = None) -> str:
    """The schema as committed under ``schema/``: UTF-8 JSON, two-space indent, trailing newline."""
    return json.dumps(schema_for(name, rubric), ensure_ascii=False, indent=2) + "\n"
