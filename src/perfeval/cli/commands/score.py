"""`perfeval score`: one department's breakdown."""

from __future__ import annotations

import json
from pathlib import Path

from perfeval.core.problems import ExitCode, InputError, Problem


def out_of_range_problems(loaded, result) -> list[Problem]:
    """A self-score (or a reviewer's score) outside [0, 分值] makes the file invalid for scoring."""
    from perfeval.core.decimals import fmt_points
    from perfeval.core.engine import Status

    problems = []
    for n in result.leaves():
        if n.reviewed is not None and not (0 <= n.reviewed <= n.weight):
            problems.append(
                Problem(
                    "score-out-of-range",
                    f"{n.id}（{n.name}）的审核得分 {fmt_points(n.reviewed)} 超出分值范围 [0, {fmt_points(n.weight)}]；"
                    f"请改为 0 到 {fmt_points(n.weight)} 之间的分数",
                    loaded.source.locate(("self_assessment", "scores", n.id, "reviewed")),
                )
            )
        bad_items = [i for i in n.items if i.status is Status.OUT_OF_RANGE]
        if n.status is not Status.OUT_OF_RANGE and not bad_items:  # an item is checked even when others are blank
            continue
        where = n.source_path or ("self_assessment", "scores", n.id)
        if bad_items:
            for i in bad_items:
                problems.append(
                    Problem(
                        "score-out-of-range",
                        f"{n.id}（{n.name}）评分要点 {i.id} 的自评得分 {fmt_points(i.self_score)} 超出 [0, {fmt_points(i.points)}]；"
                        f"请改为 0 到 {fmt_points(i.points)} 之间的分数",
                        loaded.source.locate(where + ("items", i.id)),
                    )
                )
        else:
            problems.append(
                Problem(
                    "score-out-of-range",
                    f"{n.id}（{n.name}）的自评得分 {fmt_points(n.self_score)} 超出分值范围 [0, {fmt_points(n.weight)}]；"
                    f"请改为 0 到 {fmt_points(n.weight)} 之间的分数",
                    loaded.source.locate(where),
                )
            )
    return problems


def run(department: Path, rubric: Path | None, fmt: str) -> int:
    from perfeval.cli.app import report_input_error
    from perfeval.cli.gc_tuning import paused_gc, settle_gc
    from perfeval.core.engine import score
    from perfeval.pipeline import load

    settle_gc()
    try:
        with paused_gc():
            loaded = load(department, rubric)
            result = score(loaded.rubric, loaded.department)
        problems = out_of_range_problems(loaded, result)
        if problems:
            raise InputError(problems)
    except InputError as err:
        return report_input_error(err)
    grade = loaded.rubric.grade_of(result.self_total_adjusted)  # after penalties and caps, where any
    if fmt == "json":
        from perfeval.reporting.score_json import score_dict

        doc = score_dict(result, file=str(department), rubric_file=str(loaded.rubric_path), grade=grade)
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return ExitCode.OK
    from perfeval.reporting.score_text import output_console, print_score

    print_score(output_console(), result, file=str(department), levels=loaded.rubric.levels, grade=grade)
    return ExitCode.OK
