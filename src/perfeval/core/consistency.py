"""A department file against its rubric (部门文件与评分表的对照). Pure: problems with key paths.

Two kinds of problem, found by two functions:

* :func:`cross_check` — what makes the file unusable with this rubric: an indicator, 评分要点, 要素, fact or
  choice the rubric does not have, a parent indicator scored directly, a row id that clashes. Every
  command refuses such a file (exit code 2).
* :func:`completeness` — what ``perfeval validate`` asks of a department file on top of that: every
  indicator self-scored, 要素 listed, 二者择其一 stated, 部门特性指标 rows present and adding up.

:func:`score_range_problems` is the one check that a self-score (or a reviewer's score, or a 评分要点
score) lies within [0, 分值]: ``score`` refuses the file, ``validate`` reports it, ``check`` reports it as
a finding — with the same message everywhere.
"""

from __future__ import annotations

import difflib

from perfeval.core.decimals import ZERO, fmt_points
from perfeval.core.department import Department
from perfeval.core.engine import NodeResult, ScoreResult, Status
from perfeval.core.facts import catalogue_for, negative_facts
from perfeval.core.key_paths import path_problem
from perfeval.core.problems import ERROR, KeyPath, Locator, Problem
from perfeval.core.rubric import Node, Rubric
from perfeval.core.rules import Checklist, Elements


def who(node: Node | NodeResult) -> str:
    """A node named for a reader: its id and its Chinese name."""
    return f"{node.id}（{node.name}）"


def cross_check(rubric: Rubric, dept: Department, source: Locator) -> list[Problem]:
    """Problems between a department file and its rubric: unknown indicators, items or facts."""
    problems: list[Problem] = []
    nodes = rubric.nodes_by_id
    leaves = rubric.leaves_by_id
    for sid, entry in dept.self_assessment.scores.items():
        where: KeyPath = ("self_assessment", "scores", sid)
        node = leaves.get(sid)
        if node is None:
            if sid in nodes:
                msg = (
                    f"{sid}（{nodes[sid].name}）是上级指标，其得分由下级汇总；"
                    "请在 self_assessment.subtotals 填写小计，或删去此项"
                )
            else:
                guess = difflib.get_close_matches(sid, list(leaves), n=1)
                hint = f"是否想写 {guess[0]!r}（{leaves[guess[0]].name}）？" if guess else "请对照评分表的指标 id"
                msg = f"评分表 {rubric.id} 中没有指标 {sid!r}；{hint}"
            problems.append(Problem("unknown-indicator", msg, source.locate(where, key=True)))
            continue
        if entry.items is not None:
            if not isinstance(node.rule, Checklist):
                problems.append(
                    Problem(
                        "items-not-checklist",
                        f"{sid}（{node.name}）没有评分要点，不能按要点填写 items；请直接填写 score",
                        source.locate(where + ("items",), key=True),
                    )
                )
                continue
            known = {i.id: i for i in node.rule.items}
            for iid in entry.items:
                if iid not in known:
                    guess = difflib.get_close_matches(iid, list(known), n=1)
                    hint = f"是否想写 {guess[0]!r}？" if guess else f"可用：{', '.join(known)}"
                    problems.append(
                        Problem(
                            "unknown-item",
                            f"{sid}（{node.name}）没有评分要点 {iid!r}；{hint}",
                            source.locate(where + ("items", iid), key=True),
                        )
                    )
    for sid in dept.self_assessment.subtotals:
        if sid not in nodes or nodes[sid].is_leaf:
            problems.append(
                Problem(
                    "unknown-subtotal",
                    f"subtotals 中的 {sid!r} 不是评分表的上级指标；小计只能按一级、二级指标填写",
                    source.locate(("self_assessment", "subtotals", sid), key=True),
                )
            )
    for sid in dept.self_assessment.reasons:
        if sid not in nodes:
            guess = difflib.get_close_matches(sid, list(nodes), n=1)
            hint = f"是否想写 {guess[0]!r}（{nodes[guess[0]].name}）？" if guess else "请对照评分表的指标 id"
            problems.append(
                Problem(
                    "unknown-indicator",
                    f"reasons（原因说明）中的 {sid!r} 不是评分表的指标；{hint}",
                    source.locate(("self_assessment", "reasons", sid), key=True),
                )
            )
    problems.extend(_cross_check_shapes(rubric, dept, source))
    catalogue = catalogue_for(rubric.facts)
    for name in dept.facts:
        info = catalogue.get(name)
        where = ("facts", name)
        if info is None:
            reported = [n for n, fact in catalogue.items() if fact.reported]  # only for the hint
            guess = difflib.get_close_matches(name, reported, n=1)
            hint = (
                f"是否想写 {guess[0]!r}（{catalogue[guess[0]].label}）？" if guess else "事实名称见 README 的事实目录"
            )
            problems.append(Problem("unknown-fact", f"未知的事实 {name!r}；{hint}", source.locate(where, key=True)))
        elif not info.reported:
            problems.append(
                Problem(
                    "derived-fact",
                    f"{name}（{info.label}）由基础数据表计算得出，不能在 facts 中填写；请填写基础数据表的对应栏目",
                    source.locate(where, key=True),
                )
            )
    for info in negative_facts(dept, catalogue):  # −100 在职人员 made 在职人员控制率 −185%: full marks
        problems.append(
            Problem(
                "out-of-bounds",
                f"facts.{info.name}（{info.label}）：{dept.facts[info.name]} 不能为负——{info.label}以“{info.unit}”计，"
                "负数没有意义；请填写不小于 0 的数",
                source.locate(("facts", info.name)),
            )
        )
    return problems


def _cross_check_shapes(rubric: Rubric, dept: Department, source: Locator) -> list[Problem]:
    """要素、二者择其一、可选项、部门特性指标: the department's entries against the rubric's shapes."""
    problems: list[Problem] = []
    nodes = rubric.nodes_by_id
    for sid, entry in dept.self_assessment.scores.items():
        node = nodes.get(sid)
        if node is None or entry.present is None:
            continue
        where: KeyPath = ("self_assessment", "scores", sid, "present")
        if not isinstance(node.rule, Elements):
            problems.append(
                Problem(
                    "present-not-elements",
                    f"{sid}（{node.name}）不是要素计分指标，不能填写 present（具备的要素）",
                    source.locate(where, key=True),
                )
            )
            continue
        known = [i.id for i in node.rule.items]
        for k, eid in enumerate(entry.present):
            if eid not in known:
                guess = difflib.get_close_matches(eid, known, n=1)
                hint = f"是否想写 {guess[0]!r}？" if guess else f"可用：{', '.join(known)}"
                problems.append(
                    Problem(
                        "unknown-element", f"{sid}（{node.name}）没有要素 {eid!r}；{hint}", source.locate(where + (k,))
                    )
                )
    for gid, cid in dept.self_assessment.chosen.items():
        where = ("self_assessment", "chosen", gid)
        group = nodes.get(gid)
        if group is None or group.choose_one is None:
            groups = [n.id for n in nodes.values() if n.choose_one is not None]
            hint = f"可用：{', '.join(groups)}" if groups else "本评分表没有二者择其一的指标"
            problems.append(
                Problem(
                    "unknown-choice-group", f"{gid!r} 不是二者择其一的指标组；{hint}", source.locate(where, key=True)
                )
            )
        elif cid not in {c.id for c in group.children}:
            options = "、".join(f"{c.id}（{c.name}）" for c in group.children)
            problems.append(
                Problem(
                    "unknown-choice",
                    f"{gid}（{group.name}）{group.choose_one.text}，可选：{options}；没有 {cid!r}",
                    source.locate(where),
                )
            )
    for k, nid in enumerate(dept.self_assessment.not_applicable):
        node = nodes.get(nid)
        if node is None or node.optional is None:
            what = f"{nid}（{node.name}）不是可选项" if node else f"评分表中没有指标 {nid!r}"
            problems.append(
                Problem(
                    "not-optional",
                    f"{what}，不能申报不适用（not_applicable）",
                    source.locate(("self_assessment", "not_applicable", k)),
                )
            )
    seen: dict[str, KeyPath] = {}
    for nid, rows in dept.department_indicators.items():
        node = nodes.get(nid)
        where = ("department_indicators", nid)
        if node is None or node.department_rows is None:
            targets = [n.id for n in rubric.row_nodes()]
            hint = f"可用：{', '.join(targets)}" if targets else "本评分表没有部门特性指标"
            problems.append(
                Problem("unknown-row-node", f"{nid!r} 不是部门特性指标节点；{hint}", source.locate(where, key=True))
            )
            continue
        for i, row in enumerate(rows):
            if row.id in nodes or row.id in seen:
                problems.append(
                    Problem(
                        "duplicate-row-id",
                        f"部门特性指标 {row.id}（{row.name}）的 id 与{'评分表指标' if row.id in nodes else '另一行'}重复；请换一个 id",
                        source.locate(where + (i, "id")),
                    )
                )
            seen[row.id] = where + (i,)
    for key in dept.sources:  # 出处 by key path: a misspelt path would cite nothing
        why = path_problem(Department, key)
        if why is not None:
            problems.append(
                Problem(
                    "unknown-key-path", f"sources（出处）的键 {key!r}：{why}", source.locate(("sources", key), key=True)
                )
            )
    for k, claim in enumerate(dept.claims):
        if claim.figure is not None and (why := path_problem(Department, claim.figure)) is not None:
            problems.append(
                Problem(
                    "unknown-key-path",
                    f"claims（报告所称的数）的 figure：{why}",
                    source.locate(("claims", k, "figure")),
                )
            )
    return problems


def _scores_path(n: NodeResult) -> KeyPath:
    return n.source_path or ("self_assessment", "scores", n.id)


def score_range_problems(result: ScoreResult) -> list[Problem]:
    """Every self-score, 评分要点 score and reviewer's score outside [0, 分值], as errors with key paths."""
    out: list[Problem] = []
    for n in result.leaves():
        where = _scores_path(n)
        bad_items = [i for i in n.items if i.status is Status.OUT_OF_RANGE]
        for i in bad_items:
            out.append(
                Problem(
                    "score-out-of-range",
                    f"{who(n)}评分要点 {i.id}「{i.text.strip()}」自评 {fmt_points(i.self_score)} 分，"
                    f"超出该要点分值范围 [0, {fmt_points(i.points)}]（超出分值）；"
                    f"请改为 0 到 {fmt_points(i.points)} 之间的分数",
                    None,
                    ERROR,
                    where + ("items", i.id),
                    n.id,
                    n.name,
                    {"stated": i.self_score, "weight": i.points} if i.self_score is not None else {},
                )
            )
        if not bad_items and n.status is Status.OUT_OF_RANGE and n.self_score is not None:
            out.append(
                Problem(
                    "score-out-of-range",
                    f"{who(n)}：自评 {fmt_points(n.self_score)} 分，超出分值范围 [0, {fmt_points(n.weight)}]"
                    f"（超出分值）；请改为 0 到 {fmt_points(n.weight)} 之间的分数",
                    None,
                    ERROR,
                    where,
                    n.id,
                    n.name,
                    {"stated": n.self_score, "weight": n.weight},
                )
            )
        if n.reviewed is not None and not (ZERO <= n.reviewed <= n.weight):
            out.append(
                Problem(
                    "reviewed-out-of-range",
                    f"{who(n)}：审核得分 {fmt_points(n.reviewed)} 超出分值范围 [0, {fmt_points(n.weight)}]；"
                    f"请改为 0 到 {fmt_points(n.weight)} 之间的分数",
                    None,
                    ERROR,
                    (where[:-1] + ("reviewed",)) if n.source_path else where + ("reviewed",),
                    n.id,
                    n.name,
                    {"stated": n.reviewed, "weight": n.weight},
                )
            )
    return out
