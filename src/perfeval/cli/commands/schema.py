"""`perfeval schema rubric|department`: print the JSON Schema of an input format."""

from __future__ import annotations

import sys

from perfeval.core.problems import ExitCode


def run(name: str) -> int:
    from perfeval.core.json_schema import schema_text

    sys.stdout.write(schema_text(name))
    return ExitCode.OK
