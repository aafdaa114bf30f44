"""What ``perfeval validate`` asks of a usable department file (齐全): every indicator self-scored, 要素
listed, 二者择其一 stated, 部门特性指标 rows present and adding up. A file with no self-assessment at
all is a data file, said once. Pure: problems at the positions the source map gives."""

from __future__ import annotations

from perfeval.core.consistency import who
from perfeval.core.decimals import ZERO, fmt_points
from perfeval.core.department import Department
from perfeval.core.engine import ScoreResult, Status
from perfeval.core.problems import INFO, KeyPath, Locator, Problem
from perfeval.core.rubric import Rubric
from perfeval.core.rules import Elements


def completeness(
    rubric: Rubric, dept: Department, result: ScoreResult, source: Locator, *, workbook: bool = False
) -> list[Problem]:
    """What validate asks of a usable department file: every self-score present, 要素 listed, 二者择其一
    stated, 部门特性指标 rows present and adding up. Scores out of range: :func:`score_range_problems`.
    ``workbook``: say where to fill by sheet and column, not by YAML key."""
    problems: list[Problem] = []
    by_id = {n.id: n for n, _ in rubric.walk()}
    scores = ("self_assessment", "scores")

    def add(code: str, message: str, path: KeyPath, *, key: bool = False) -> None:
        problems.append(Problem(code, message, source.locate(path, key=key)))

    sa = dept.self_assessment
    if not sa.scores and sa.total is None and not dept.department_indicators:
        # the figures of a report without its 评分表 (or an extract awaiting the self-assessment): a data file
        return [
            Problem(
                "missing-score",
                "部门文件还没有自评得分（只有数据）；score 和 check 只核算数据能给出的得分；自评后"
                + ("请在 评分表 的“自评得分”栏填写，" if workbook else "")
                + "再校验是否齐全",
                source.locate(("self_assessment",), key=True),
                INFO,
            )
        ]

    for node in rubric.row_nodes():
        rows = dept.department_indicators.get(node.id) or []
        where: KeyPath = ("department_indicators", node.id)
        assert node.department_rows is not None
        if not rows:
            add(
                "missing-rows",
                f"{who(node)}是部门特性指标（{node.department_rows.text}）；部门文件未填写其指标行，"
                f"请在 department_indicators.{node.id} 下列出各行（id、name、weight …）",
                ("department_indicators",) if dept.department_indicators else (),
                key=True,
            )
            continue
        if len(rows) < node.department_rows.min_rows:
            add(
                "too-few-rows",
                f"{who(node)}至少需要 {node.department_rows.min_rows} 行部门特性指标，只填了 {len(rows)} 行",
                where,
                key=True,
            )
        summed = sum((r.weight for r in rows), ZERO)
        if summed != node.weight:
            parts = "、".join(f"{r.name} {fmt_points(r.weight)}" for r in rows)
            add(
                "rows-weight",
                f"{who(node)}的分值为 {fmt_points(node.weight)}，而部门特性指标各行分值之和为 "
                f"{fmt_points(summed)}（{parts}）",
                where,
                key=True,
            )
        for i, row in enumerate(rows):
            if node.department_rows.scoring == "completion" and row.kind == "positive" and row.target == 0:
                add(
                    "zero-target",
                    f"部门特性指标 {row.id}（{row.name}）的年度指标值为 0，无法计算完成率",
                    where + (i, "target"),
                )

    for r in result.walk():
        if not r.is_leaf or r.status is None:
            continue
        leaf = by_id.get(r.id)
        path = r.source_path or scores + (r.id,)
        label = f"{r.id}（{r.name}）"
        if r.status is Status.NOT_SCORED and r.rule_kind == "department_rows":
            continue  # reported above as missing rows
        if r.status is Status.NOT_SCORED:
            if r.items and any(i.self_score is not None for i in r.items):
                for blank_item in r.items:
                    if blank_item.self_score is None:
                        add(
                            "missing-item-score",
                            f"{label}的评分要点 {blank_item.id}（{blank_item.text.strip()}）缺少自评得分",
                            path + ("items",),
                            key=True,
                        )
            elif r.source_path is not None:
                add("missing-score", f"部门特性指标 {label}缺少自评得分（score）", path[:-1], key=True)
            else:
                add(
                    "missing-score",
                    f"{label}缺少自评得分；"
                    + ("请在 评分表 的“自评得分”栏填写" if workbook else f"请在 self_assessment.scores 下填写 {r.id}"),
                    scores if dept.self_assessment.scores else ("self_assessment",),
                    key=True,
                )
        if leaf is not None and isinstance(leaf.rule, Elements):
            entry = dept.self_assessment.scores.get(leaf.id)
            if entry is not None and entry.present is None:
                add(
                    "missing-present",
                    f"{label}按要素计分（{'、'.join(i.text for i in leaf.rule.items)}）；"
                    + (
                        "工作簿中还不能填写具备哪些要素；请用 perfeval convert 把工作簿转为 YAML，在 present 中列出"
                        if workbook
                        else "请在 present 中列出具备的要素 id"
                    ),
                    path,
                    key=True,
                )

    for node in (n for n, _ in rubric.walk() if n.choose_one is not None):
        assert node.choose_one is not None
        chosen = dept.self_assessment.chosen.get(node.id)
        group = next(r for r in result.walk() if r.id == node.id)
        if all(not c.applicable for c in group.children):
            add(
                "missing-choice",
                f"{who(node)}：{node.choose_one.text}；请在 self_assessment.chosen 中写明 "
                f"{node.id}: 所选指标 id（可选：{'、'.join(c.id for c in node.children)}）",
                ("self_assessment",),
                key=True,
            )
            continue
        for c in group.children:
            if c.applicable:
                continue
            for n in c.walk():
                if n.id in dept.self_assessment.scores:
                    picked = chosen or next(x.id for x in group.children if x.applicable)
                    add(
                        "score-not-chosen",
                        f"{n.id}（{n.name}）未被选用（{node.choose_one.text}，选用的是 {picked}），"
                        "却填写了自评得分；请删去，或改正 chosen",
                        scores + (n.id,),
                        key=True,
                    )
    return problems
