"""`perfeval rubrics`: the rubrics perfeval ships (自带评分表), by the id to name them with."""

from __future__ import annotations

import sys

from perfeval.core.problems import ExitCode


def run(paths: bool = False) -> int:
    from perfeval.cli.help import cells
    from perfeval.fileio.shipped import shipped_rubrics

    found = shipped_rubrics()
    if not found:
        print("本安装没有随附评分表；请用 --rubric 给出评分表文件的路径", file=sys.stderr)
        return ExitCode.OK
    rows = [("标识", "年度", "名称", "来源")] + [(r.key, r.year or "—", r.name, r.source or "—") for r in found]
    widths = [max(cells(row[i]) for row in rows) for i in range(3)]
    out = []
    for k, row in enumerate(rows):
        line = "  ".join(cell + " " * (widths[i] - cells(cell)) for i, cell in enumerate(row[:3])) + "  " + row[3]
        out.append(line.rstrip())
        if paths and k:
            out.append(f"    {found[k - 1].path}")
    print("\n".join(out))
    print("\n用法：perfeval init --rubric 标识 --output 填报.xlsx；部门文件中写 rubric: 标识", file=sys.stderr)
    return ExitCode.OK
