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


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of one input format (``rubric`` or ``department``)."""
    model, title, fmt = FORMATS[name]
    body = model.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://perfeval.invalid/schema/{name}.schema.json",
        "title": title,
        "description": f"{fmt}；由 `perfeval schema {name}` 生成，请勿手工修改。",
        **{k: v for k, v in body.items() if k not in ("title", "description")},
    }


def schema_text(name: str) -> str:
    """The schema as committed under ``schema/``: UTF-8 JSON, two-space indent, trailing newline."""
    return json.dumps(schema_for(name), ensure_ascii=False, indent=2) + "\n"
