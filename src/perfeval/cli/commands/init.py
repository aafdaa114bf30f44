"""`perfeval init`: a fill-in file for one department, generated from a rubric.

``.xlsx`` gives the workbook (填报信息, 基础数据表 as 附件1, 评分表 as 附件2, 指标数据);
``.yaml`` gives a commented YAML skeleton. Nothing is overwritten without ``--force``.
"""

from __future__ import annotations

import os
from pathlib import Path

from perfeval.core.problems import ExitCode, InputError, Location, Problem
from perfeval.reporting.diagnostics import print_problems

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")


def relative_ref(target: Path, out_path: Path) -> str:
    """``target`` as a path relative to the folder ``out_path`` is in, with forward slashes."""
    return os.path.relpath(target.resolve(), out_path.resolve().parent).replace(os.sep, "/")


def check_suffix(path: Path) -> str:
    """The format an output file name asks for: 'xlsx' or 'yaml'."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in WORKBOOK_SUFFIXES:
        raise InputError(
            [
                Problem(
                    "output-format",
                    f"perfeval 写出的工作簿不含宏，文件名应以 .xlsx 结尾，而不是 {path.suffix}（Excel 不会打开扩展名与内容不符的文件）",
                    Location(str(path)),
                )
            ]
        )
    if suffix in YAML_SUFFIXES:
        return "yaml"
    raise InputError(
        [
            Problem(
                "output-format",
                f"不知道要写成什么格式：输出文件名应以 .xlsx（工作簿）或 .yaml（YAML 文件）结尾，而不是 {path.suffix or '无扩展名'}",
                Location(str(path)),
            )
        ]
    )


def run(rubric: str | Path, output: Path, force: bool) -> int:
    from perfeval.cli.runner import make_parent, rubric_option
    from perfeval.fileio.safe_write import write_atomic
    from perfeval.fileio.shipped import shipped_rubric
    from perfeval.pipeline.rubrics import usable_rubric

    try:
        kind = check_suffix(output)
        rubric_path, by_id = rubric_option(rubric)
        assert rubric_path is not None
        loaded = usable_rubric(rubric_path).rubric
        # a shipped rubric named by its id stays named by its id: the file then works wherever perfeval is installed
        shipped = shipped_rubric(str(rubric)) if by_id else None
        ref = shipped.key if shipped is not None else relative_ref(rubric_path, output)
        make_parent(output)
        if kind == "xlsx":
            from perfeval.fileio.workbook.write import write_department_workbook

            write_department_workbook(output, loaded, None, ref, force=force, inputs=(rubric_path,))
        else:
            from perfeval.fileio.yaml_write import schema_line, skeleton_yaml

            text = skeleton_yaml(loaded, ref, schema=schema_line(output, rubric_path=rubric_path))
            write_atomic(output, text, force=force, inputs=(rubric_path,))
    except InputError as err:
        return print_problems(err.problems)
    import sys

    what = "填报工作簿" if kind == "xlsx" else "填报文件"
    print(f"已生成{what} {output}（评分表：{loaded.name}）", file=sys.stderr)
    return ExitCode.OK
