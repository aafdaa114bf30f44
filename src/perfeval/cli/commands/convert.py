"""`perfeval convert A B`: a department file between YAML and a workbook, either way, losslessly.

The input is loaded and validated against its rubric first (a file that does not load is
reported, not converted); the ``rubric:`` path is rewritten relative to the new file.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from perfeval.cli.commands.init import check_suffix, relative_ref
from perfeval.cli.settings import Options
from perfeval.core.problems import ExitCode, InputError
from perfeval.fileio.shipped import looks_like_path
from perfeval.reporting.diagnostics import print_problems


def run(source: Path, target: Path, rubric: str | Path | None, force: bool, options: Options | None = None) -> int:
    """The rubric: ``--rubric``, else the file's ``rubric:``, else the configuration's; the new file names it."""
    from perfeval.cli.runner import make_parent, rubric_option
    from perfeval.cli.settings import make_settings
    from perfeval.fileio.safe_write import write_atomic
    from perfeval.fileio.shipped import is_installed_data, shipped_rubric
    from perfeval.pipeline.departments import load

    try:
        kind = check_suffix(target)
        settings, config = make_settings(replace(options or Options(), rubric=rubric))
        rubric_path, by_id = rubric_option(rubric)
        loaded = load(source, rubric_path, settings.default_rubric, settings.default_rubric_at)
        named = str(rubric) if by_id else loaded.department.rubric
        if named is None and config is not None:  # the configuration's default
            named = config.config.rubric
            by_id = shipped_rubric(named or "") is not None and not looks_like_path(named or "")
        named = named or str(loaded.rubric_path)
        shipped = shipped_rubric(named) if (by_id or is_installed_data(loaded.rubric_path)) else None
        # a shipped rubric named by its id stays so; a path is rewritten relative to the new file
        ref = shipped.key if shipped is not None else relative_ref(loaded.rubric_path, target)
        dept = loaded.department.model_copy(update={"rubric": ref})
        make_parent(target)
        if kind == "xlsx":
            from perfeval.fileio.workbook.write import write_department_workbook

            write_department_workbook(
                target,
                loaded.rubric,
                dept,
                ref,
                force=force,
                inputs=(source, loaded.rubric_path),
                source=loaded.source,  # a field's text a cell cannot hold is located in the input
            )
        else:
            from perfeval.fileio.yaml_write import department_yaml, schema_line

            schema = schema_line(
                target,
                rubric_path=loaded.rubric_path,
                source_path=source if source.suffix.lower() in (".yaml", ".yml") else None,
            )
            text = department_yaml(dept, loaded.rubric, schema=schema, origin=source.name)
            write_atomic(target, text, force=force, inputs=(source, loaded.rubric_path))
    except InputError as err:
        return print_problems(err.problems)
    print(f"已转换：{source} → {target}", file=sys.stderr)
    return ExitCode.OK
