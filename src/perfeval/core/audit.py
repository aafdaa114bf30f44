"""The audit (审核): findings about a department's self-assessment, from the engine's result.

Pure: no I/O, no printing. Every finding is one :class:`~perfeval.core.problems.Problem` — a stable
kebab-case code, a level (``error`` | ``warning``), a Chinese message naming the indicator
or table cell with the numbers behind it, the key path of the place in the department
file, and the amounts as exact ``Decimal``. The command resolves the key path to
``file:line:col``; every output format (text, JSON, GitHub annotations) is built from
the same record.

What is checked here (the basic data table is :mod:`perfeval.core.reconcile`'s job):

* each indicator's self-score (自评得分) against what its rule allows — 高报, 低报,
  超出分值, 无法核验 (naming the missing facts), 未自评; 主观评分 is listed, not failed;
* checklist items (评分要点) against the indicator score the department states;
* a reviewer's 审核得分 outside [0, 分值];
* the stated total (自评总分) against the sum of the indicator scores;
* the stated tier subtotals (``self_assessment.subtotals``) against their children.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from perfeval.core.consistency import score_range_problems
from perfeval.core.decimals import ZERO, fmt_number, fmt_percent, fmt_points
from perfeval.core.department import Department
from perfeval.core.deviations import deviation_findings
from perfeval.core.engine import NodeResult, ScoreResult, Status
from perfeval.core.facts import FactInfo
from perfeval.core.problems import ERROR, WARNING, KeyPath, Problem, finding
from perfeval.core.staffing import staff_readings

# --- per indicator -----------------------------------------------------------------------------


def _scores_path(node_id: str) -> KeyPath:
    return ("self_assessment", "scores", node_id)


def _pts(value: Decimal | None) -> str:
    return fmt_points(value) if value is not None else "—"


def _allowed_range(n: NodeResult) -> str:
    """The range a rule allows, as a sentence part: '0 到 2 分（不含 2 分）'."""
    text = f"{_pts(n.low)} 到 {_pts(n.high)} 分"
    return text if n.high_closed else text + f"（不含 {_pts(n.high)} 分）"


@dataclass(frozen=True, slots=True)
class Wording:
    """Where a message tells the user to fill something in (填写位置): by YAML keys for a YAML department file,
    by sheet and column for a workbook — a workbook user never sees ``facts:``."""

    reported: str  # {facts}: the missing reported facts
    derived: str  # {facts}: the labels of the missing derived facts
    show_names: bool  # name the facts by their YAML names too: actual_staff（在职人员数）


YAML_WORDING = Wording("在 facts 下填写 {facts}", "填写部门文件中得出{facts}的表格栏目", True)
WORKBOOK_WORDING = Wording(
    "在 指标数据 表的“数值”栏填写 {facts}", "在 基础数据表 或 填报信息 中填写得出{facts}的栏目", False
)


def _fact_hint(names: tuple[str, ...], catalogue: Mapping[str, FactInfo], wording: Wording = YAML_WORDING) -> str:
    """Name the missing facts in Chinese and say where each is filled in."""
    labels, reported, derived = [], [], []
    for name in names:
        info = catalogue.get(name)
        label = info.label if info else name
        labels.append(label)
        if info is None or info.reported:
            reported.append(f"{name}（{label}）" if wording.show_names else label)
        else:
            derived.append(label)
    hints = []
    if reported:
        hints.append(wording.reported.format(facts="、".join(reported)))
    if derived:
        hints.append(wording.derived.format(facts="、".join(derived)))
    return "缺少" + "、".join(labels) + "；如有数据，请" + "，".join(hints)


# the statuses that are findings of their own
_FLAGGED = frozenset(
    {Status.OUT_OF_RANGE, Status.OVER_CLAIMED, Status.UNDER_CLAIMED, Status.UNVERIFIABLE, Status.NOT_SCORED}
)


def _indicator_findings(
    n: NodeResult,
    catalogue: Mapping[str, FactInfo],
    wording: Wording = YAML_WORDING,
    fact_notes: Mapping[str, str] | None = None,
) -> list[Problem]:
    fact_notes = fact_notes or {}
    if not n.items and n.reviewed is None and n.status not in _FLAGGED:
        return []  # most indicators: nothing below could apply, so build nothing
    out: list[Problem] = []
    where = n.source_path or _scores_path(n.id)
    name = n.name

    def add(code: str, level: str, message: str, path: KeyPath = where, **amounts: Decimal | None) -> None:
        out.append(finding(code, level, message, path, n.id, name, {k: v for k, v in amounts.items() if v is not None}))

    # 评分要点 not adding up to the stated indicator score, or left blank (out of range:
    # consistency.score_range_problems, the one check of [0, 分值])
    if n.items and n.stated_items_total is not None:
        scored = [i for i in n.items if i.self_score is not None]
        if len(scored) == len(n.items):
            summed = sum((i.self_score for i in scored if i.self_score is not None), ZERO)
            if summed != n.stated_items_total:
                parts = " + ".join(_pts(i.self_score) for i in n.items)
                add(
                    "items-sum-mismatch",
                    ERROR,
                    f"{name}：填报的自评得分 {_pts(n.stated_items_total)} 与评分要点得分之和 "
                    f"{parts} = {_pts(summed)} 不符，相差 {_pts(abs(n.stated_items_total - summed))} 分",
                    where + ("score",),
                    stated=n.stated_items_total,
                    expected=summed,
                    difference=n.stated_items_total - summed,
                )
    unscored_items = [i for i in n.items if i.self_score is None]
    some_items_blank = bool(n.items and unscored_items and len(unscored_items) < len(n.items))
    if some_items_blank:
        add(
            "items-incomplete",
            WARNING,
            f"{name}：评分要点" + "、".join(f"「{i.text.strip()}」" for i in unscored_items) + "未填自评得分",
            where + ("items",),
        )

    status = n.status
    stated = n.self_score if n.self_score is not None else ZERO  # (a claim's status implies a self-score)
    if status is Status.OUT_OF_RANGE:
        pass  # consistency.score_range_problems
    elif status is Status.OVER_CLAIMED:
        if n.score is not None:
            add(
                "over-claimed",
                ERROR,
                f"{name}：自评 {_pts(n.self_score)} 分，按规则应得 {_pts(n.score)} 分，"
                f"高报 {_pts(stated - n.score)} 分（{n.note}）",
                stated=n.self_score,
                expected=n.score,
                difference=stated - n.score,
            )
        else:
            add(
                "over-claimed",
                ERROR,
                f"{name}：自评 {_pts(n.self_score)} 分，规则只允许 {_allowed_range(n)}，高报（{n.note}）",
                stated=n.self_score,
                low=n.low,
                high=n.high,
            )
    elif status is Status.UNDER_CLAIMED:
        if n.score is not None:
            add(
                "under-claimed",
                WARNING,
                f"{name}：自评 {_pts(n.self_score)} 分，按规则应得 {_pts(n.score)} 分，"
                f"低报 {_pts(n.score - stated)} 分（{n.note}）",
                stated=n.self_score,
                expected=n.score,
                difference=stated - n.score,
            )
        else:
            add(
                "under-claimed",
                WARNING,
                f"{name}：自评 {_pts(n.self_score)} 分，低于规则给出的 {_allowed_range(n)}，低报（{n.note}）",
                stated=n.self_score,
                low=n.low,
                high=n.high,
            )
    elif status is Status.UNVERIFIABLE:
        if n.missing_facts:
            reason = _fact_hint(n.missing_facts, catalogue, wording)
            why = [fact_notes[m] for m in n.missing_facts if m in fact_notes]
            if why:
                reason += "（" + "；".join(why) + "）"
        else:
            reason = n.note
        add("unverifiable", WARNING, f"{name}：自评 {_pts(n.self_score)} 分无法核验，{reason}", stated=n.self_score)
    elif status is Status.NOT_SCORED and not some_items_blank:  # (a half-filled checklist: items-incomplete)
        add(
            "not-self-scored",
            WARNING,
            f"{name}：未填自评得分" + (f"；按规则应得 {_pts(n.score)} 分" if n.score is not None else ""),
            expected=n.score,
        )

    return out


# --- totals ------------------------------------------------------------------------------------


def _tier(levels: list[str], depth: int) -> str:
    return levels[depth - 1] if 0 < depth <= len(levels) else f"第 {depth} 级指标"


def _total_findings(result: ScoreResult) -> list[Problem]:
    stated, summed = result.stated_total, result.self_total
    where: KeyPath = ("self_assessment", "total")
    if stated is None:
        return [
            finding(
                "total-missing",
                WARNING,
                "未填写自评总分" + (f"；各指标自评得分之和为 {_pts(summed)}" if summed is not None else ""),
                ("self_assessment",),
                amounts={} if summed is None else {"expected": summed},
            )
        ]
    if summed is None:
        partial = result.self_known  # what is filled in, the filled 评分要点 of a half-filled checklist too
        return [
            finding(
                "total-unverifiable",
                WARNING,
                f"自评总分 {_pts(stated)} 无法与各指标得分核对：{unfilled_text(result)}未填自评得分"
                f"（已填各项之和 {_pts(partial)}，是部分之和）",
                where,
                amounts={"stated": stated, "partial_sum": partial},
            )
        ]
    if result.has_adjustments and result.self_total_adjusted is not None:
        final = result.self_total_adjusted  # after the rubric's penalties and caps on the total
        if stated != final:
            return [
                finding(
                    "total-mismatch",
                    ERROR,
                    f"自评总分 {_pts(stated)} 与各指标自评得分之和 {_pts(summed)} 经总分扣减、封顶后的 "
                    f"{_pts(final)} 不符，相差 {_pts(abs(stated - final))} 分",
                    where,
                    amounts={"stated": stated, "expected": final, "difference": stated - final},
                )
            ]
        return []
    if stated != summed:
        return [
            finding(
                "total-mismatch",
                ERROR,
                f"自评总分 {_pts(stated)} 与各指标自评得分之和 {_pts(summed)} 不符，"
                f"相差 {_pts(abs(stated - summed))} 分",
                where,
                amounts={"stated": stated, "expected": summed, "difference": stated - summed},
            )
        ]
    return []


def _staff_basis_findings(result: ScoreResult, dept: Department) -> list[Problem]:
    """编制数 the rubric leaves open (the staff lines hold 工勤编制 and the rubric has no staff_basis)."""
    readings = staff_readings(dept)
    if not readings or "authorized_staff" not in result.fact_notes:
        return []
    in_post = result.facts.get("actual_staff")
    shown = []
    for which, count in readings:
        rate = f"，在职人员控制率 {fmt_percent(in_post / count)}" if in_post is not None and count else ""
        shown.append(f"{which} {fmt_number(count)} 人{rate}")
    users = [n.name for n in result.leaves() if "authorized_staff" in n.missing_facts]
    return [
        finding(
            "staff-basis-ambiguous",
            WARNING,
            "编制按类别列出，评分表未规定编制数计哪些类别："
            + "；".join(shown)
            + (f"。{'、'.join(users)}因此无法核验" if users else "")
            + "；请在评分表中写明 staff_basis（计哪些编制类别）",
            ("staff", "authorized"),
            amounts={f"reading_{k + 1}": count for k, (_, count) in enumerate(readings)},
        )
    ]


def unfilled(result: ScoreResult) -> list[str]:
    """What the self-assessment leaves blank, by name: an indicator, or the 评分要点 of a checklist that
    has some filled (目标管理 评分要点「1、…」)."""
    out: list[str] = []
    for n in result.leaves():
        if not n.applicable or n.self_score is not None:
            continue
        blank = [i for i in n.items if i.self_score is None]
        if n.items and len(blank) < len(n.items):
            out.append(f"{n.name}的评分要点" + "、".join(f"「{i.text.strip()}」" for i in blank))
        else:
            out.append(n.name)
    return out


def unfilled_text(result: ScoreResult, limit: int = 8) -> str:
    names = unfilled(result)
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 项" if len(names) > limit else "")


def _subtotal_findings(result: ScoreResult, subtotals: Mapping[str, Decimal], levels: list[str]) -> list[Problem]:
    out: list[Problem] = []
    for n in result.walk():
        if n.is_leaf or n.id not in subtotals:
            continue
        stated = subtotals[n.id]
        where: KeyPath = ("self_assessment", "subtotals", n.id)
        label = f"{_tier(levels, n.depth)}「{n.name}」"
        if n.self_score is None:
            out.append(
                finding(
                    "subtotal-unverifiable",
                    WARNING,
                    f"{label}小计 {_pts(stated)} 无法核对：其下级指标有未填自评得分的",
                    where,
                    n.id,
                    n.name,
                    {"stated": stated},
                )
            )
            continue
        if stated != n.self_score:
            parts = " + ".join(_pts(c.self_score) for c in n.children)
            out.append(
                finding(
                    "subtotal-mismatch",
                    ERROR,
                    f"{label}小计 {_pts(stated)} 与下级指标自评得分之和 {parts} = {_pts(n.self_score)} "
                    f"不符，相差 {_pts(abs(stated - n.self_score))} 分",
                    where,
                    n.id,
                    n.name,
                    {"stated": stated, "expected": n.self_score, "difference": stated - n.self_score},
                )
            )
    return out


def audit(
    result: ScoreResult,
    dept: Department | None = None,
    *,
    subtotals: Mapping[str, Decimal] | None = None,
    levels: list[str] | None = None,
    wording: Wording = YAML_WORDING,
) -> list[Problem]:
    """Every finding about the self-assessment, in the order of the rubric, totals last. With the
    department, also the reasons it must give and did not (偏差原因, 执行率 below the rubric's threshold);
    ``wording`` says where to fill a missing figure in (:data:`WORKBOOK_WORDING` for a workbook)."""
    levels = levels or ["一级指标", "二级指标", "三级指标"]
    findings: list[Problem] = []
    leaves = [n for n in result.leaves() if n.applicable]
    if leaves and all(
        n.status is Status.NOT_SCORED and not any(i.self_score is not None for i in n.items) for n in leaves
    ):
        # no self-assessment at all (a report without its 评分表): one finding, not one per indicator
        computable = [n for n in leaves if n.score is not None]
        findings.append(
            finding(
                "not-self-scored",
                WARNING,
                f"部门文件没有自评得分（{len(leaves)} 项均未填）"
                + (
                    f"；按规则可由数据核算的 {len(computable)} 项："
                    + "、".join(f"{n.name} {_pts(n.score)} 分" for n in computable)
                    if computable
                    else ""
                ),
                ("self_assessment", "scores"),
                amounts={"expected": sum((n.score for n in computable if n.score is not None), ZERO)}
                if computable
                else {},
            )
        )
        leaves = []
    for n in leaves:
        findings.extend(_indicator_findings(n, result.catalogue, wording, result.fact_notes))
    findings.extend(score_range_problems(result))
    if dept is not None:
        findings.extend(deviation_findings(result, dept))
        findings.extend(_staff_basis_findings(result, dept))
    findings.extend(_subtotal_findings(result, subtotals or {}, levels))
    if not result.partial:  # a table that lists only part of its tree has no total to check
        findings.extend(_total_findings(result))
    return findings
