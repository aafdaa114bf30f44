"""`perfeval extract REPORT --rubric R --output dept.yaml`: a 绩效自评报告 (PDF, Word or text) read into a
department file, every value with its source, every figure not placed listed at the end.

The rubric maps the score table's rows to its indicators by their printed names; without ``--rubric``
the shipped rubric whose indicators the table names best is used (and said so), or the command asks for
one. The PDF and Word libraries are imported here only, when such a report is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

from perfeval.core.problems import ExitCode, InputError, Location, Problem
from perfeval.reporting.diagnostics import print_problems


def run(report: Path, rubric: str | None, output: Path, force: bool) -> int:
    from perfeval.cli.commands.init import relative_ref
    from perfeval.cli.runner import make_parent, rubric_option
    from perfeval.fileio.extract.build import extract, read_report, summary, trailer, with_sources
    from perfeval.fileio.safe_write import ensure_writable, write_atomic
    from perfeval.fileio.shipped import shipped_rubric
    from perfeval.fileio.yaml_write import department_yaml, schema_line
    from perfeval.pipeline.rubrics import usable_rubric

    try:
        if output.suffix.lower() not in (".yaml", ".yml"):
            raise InputError(
                [
                    Problem(
                        "output-format",
                        f"提取结果写成 YAML 部门文件，输出文件名应以 .yaml 结尾，而不是 {output.suffix or '无扩展名'}"
                        "（要工作簿，可再用 perfeval convert）",
                        Location(str(output)),
                    )
                ]
            )
        rubric_path, by_id = rubric_option(rubric)
        make_parent(output)
        inputs = (report,) + ((rubric_path,) if rubric_path is not None else ())
        ensure_writable(output, force=force, inputs=inputs)
        doc = read_report(report)
        chosen_note = key = None
        if rubric_path is None:
            rubric_path, key, chosen_note = _guess_rubric(doc, report)
        elif by_id and (shipped := shipped_rubric(str(rubric))) is not None:
            key = shipped.key  # a shipped rubric named by its id stays so: the file works wherever perfeval is
        loaded = usable_rubric(rubric_path).rubric
        ref = key if key is not None else relative_ref(rubric_path, output)
        dept, found = extract(doc, loaded, ref)
        if chosen_note:
            found.notes.insert(0, chosen_note)
        written = department_yaml(
            dept, loaded, schema=schema_line(output, rubric_path=rubric_path), origin=report.name, made="提取"
        )
        text = with_sources(written, dept) + trailer(found)
        write_atomic(output, text, force=force, inputs=(report, rubric_path))
    except InputError as err:
        return print_problems(err.problems)
    print(f"已提取 {report} → {output}：{summary(dept, found)}", file=sys.stderr)
    for note in found.notes[:1]:
        if note == chosen_note or "是否选错了评分表" in note:
            print(note, file=sys.stderr)
    return ExitCode.OK


def _guess_rubric(doc: object, report: Path) -> tuple[Path, str, str]:
    """The shipped rubric whose indicators the report's score table names best (at least 60% of them)."""
    from perfeval.fileio.extract.build import score_table_fit
    from perfeval.fileio.extract.document import Document
    from perfeval.fileio.shipped import shipped_rubrics
    from perfeval.pipeline.rubrics import read_rubric

    assert isinstance(doc, Document)
    fits = []
    for shipped in shipped_rubrics():
        try:
            rubric = read_rubric(shipped.path).rubric
        except InputError:
            continue
        leaves = len(rubric.leaves())
        fits.append((score_table_fit(rubric, doc) / max(1, leaves), shipped.key, shipped.path, leaves))
    fits.sort(reverse=True)
    if not fits or fits[0][0] < 0.6 or (len(fits) > 1 and fits[1][0] == fits[0][0]):
        raise InputError(
            [
                Problem(
                    "rubric-not-found",
                    "报告的评分表与 perfeval 自带的评分表都对不上（或对得上不止一个）；"
                    "请用 --rubric 指定评分表（文件路径，或 perfeval rubrics 列出的标识）",
                    Location(str(report)),
                )
            ]
        )
    share, key, path, leaves = fits[0]
    note = f"未指定评分表：报告的评分表按指标名称与自带评分表 {key} 相符（{round(share * leaves)}/{leaves} 个指标），按它提取"
    return path, key, note
