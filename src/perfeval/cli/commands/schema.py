"""`perfeval schema rubric|department`: print the JSON Schema of an input format, or where its file is."""

from __future__ import annotations

import sys

from perfeval.core.problems import ExitCode


def run(name: str, *, where: bool = False, rubric: str | None = None) -> int:
    if where:
        from perfeval.fileio.shipped import schema_file

        path = schema_file(name)
        if path is None:
            print(
                f"本安装没有随附 {name}.schema.json；可用 perfeval schema {name} > {name}.schema.json 生成",
                file=sys.stderr,
            )
            return ExitCode.INPUT
        print(path.resolve())
        return ExitCode.OK
    from perfeval.core.json_schema import schema_text

    if rubric is None:
        sys.stdout.write(schema_text(name))
        return ExitCode.OK
    from perfeval.cli.runner import rubric_option
    from perfeval.core.problems import InputError
    from perfeval.pipeline.rubrics import usable_rubric
    from perfeval.reporting.diagnostics import print_problems

    try:
        path, _ = rubric_option(rubric)
        assert path is not None
        rf = usable_rubric(path)
    except InputError as err:
        return print_problems(err.problems)
    sys.stdout.write(schema_text(name, rf.rubric))
    return ExitCode.OK
