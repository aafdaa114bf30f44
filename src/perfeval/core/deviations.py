"""Deviations a self-assessment must explain (偏差原因分析及改进措施): pure checks on a score result.

The rubric says when a reason is required; these functions only say where one is missing, as
:class:`~perfeval.core.problems.Problem` records (stable code, level, Chinese message, key path in the
department file), for the audit to add to its own:

* ``deviation-reason-missing`` — a department row that the rubric's 指标偏离 rule flags
  (完成值超过指标值30%及以上) where the rubric requires a written 偏差原因 (``reason_required``),
  and the row has no ``deviation_reason``;
* ``execution-reason-missing`` — 预算执行率 below the rubric's ``reason_below`` (执行率低于90%的须说明
  原因) with no reason under ``self_assessment.reasons``.

No I/O; the command resolves each key path to ``file:line:col``.
"""

from __future__ import annotations

from perfeval.core.department import Department
from perfeval.core.engine import ScoreResult
from perfeval.core.problems import WARNING, KeyPath, Problem, finding


def _row_paths(dept: Department) -> dict[str, KeyPath]:
    """Row id → its key path in the department file (department_indicators.<node>.<index>)."""
    return {
        row.id: ("department_indicators", node_id, i)
        for node_id, rows in dept.department_indicators.items()
        for i, row in enumerate(rows)
    }


def deviation_findings(result: ScoreResult, dept: Department) -> list[Problem]:
    """Every required reason that is missing, in rubric order (rows of each 指标偏离 rule, then indicators)."""
    out: list[Problem] = []
    paths = _row_paths(dept)
    rows = {n.id: n for n in result.walk() if n.rule_kind == "department_row"}
    for adj in result.adjustments:
        for row_id in adj.unexplained:
            row = rows.get(row_id)
            name = row.name if row is not None else row_id
            amounts = {}
            if row is not None and row.target is not None and row.actual is not None:
                amounts = {"target": row.target, "actual": row.actual}
            out.append(
                finding(
                    "deviation-reason-missing",
                    WARNING,
                    f"{name}：{adj.name}（{adj.text}），须说明偏差原因；请在该行填写 deviation_reason"
                    "（偏差原因分析及改进措施）",
                    paths.get(row_id, ("department_indicators",)) + ("deviation_reason",),
                    row_id,
                    name,
                    amounts,
                )
            )
    for n in result.walk():
        if not n.reason_required or (n.reason or "").strip():
            continue
        out.append(
            finding(
                "execution-reason-missing",
                WARNING,
                f"{n.name}：{n.note}；请在 self_assessment.reasons 下填写 {n.id}: 原因及改进措施",
                ("self_assessment", "reasons", n.id),
                n.id,
                n.name,
                {"measure": n.measure} if n.measure is not None else {},
            )
        )
    return out
