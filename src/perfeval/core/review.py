"""The reviewer's 复核: per indicator a 复核完成值, a 复核得分 and the reason, kept apart from the unit's 自评 and from
perfeval's 核算.

A finance bureau's 绩效股, or the evaluation firm it hires, reviews each unit's self-assessment and records, per
indicator, what it found (复核完成值), the score it gives (复核得分) and why, citing its 复核口径. The mechanical
parts of a real 复核口径 (``../shared/reference/frameworks.md`` §7) are rules here (:data:`BASES`): no supporting
material → 0, 满意度 without a survey → 0, the same indicator under both 产出 and 效益 → the second 0, not
checkable → −100% / −60% / −30% of the self-score by severity. A score the reviewer writes beside a basis must be
the one the basis gives.

A review is either a section of the department file (``review:``) or a file of its own (``format:
perfeval/review@1``) beside the department's, linked by 单位名称 and 年度. The deviation of 自评 from 复核 is defined
by the rubric (``review: {deviation: relative | points, threshold: …}``, :class:`ReviewRule`); a deviation above
the threshold is flagged.

Pure: the models, the rules and the comparison; the pipeline finds and reads the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from perfeval.core.decimals import ZERO, fmt_percent, fmt_points
from perfeval.core.number_text import parse_decimal, parse_ratio
from perfeval.core.problems import WARNING, KeyPath, Problem

REVIEW_FORMAT = "perfeval/review@1"

Score = Annotated[Decimal, BeforeValidator(parse_decimal), Field(ge=0)]

# basis (复核口径) → (Chinese wording, the share of the self-score that is deducted; None: the score is 0)
BASES: dict[str, tuple[str, Decimal | None]] = {
    "no_evidence": ("无佐证材料", None),
    "unrelated": ("指标与本单位（项目）无关", None),
    "no_survey": ("满意度未开展调查（“无投诉”不能代替调查）", None),
    "duplicate": ("与另一指标重复（产出与效益下同一指标只计一次）", None),
    "payment_not_service": ("数量指标衡量的是资金支付而非服务", None),
    "not_checkable_severe": ("无法核实（严重），扣自评得分的 100%", Decimal(1)),
    "not_checkable_major": ("无法核实（较重），扣自评得分的 60%", Decimal("0.6")),
    "not_checkable_minor": ("无法核实（一般），扣自评得分的 30%", Decimal("0.3")),
}
Basis = Literal[
    "no_evidence",
    "unrelated",
    "no_survey",
    "duplicate",
    "payment_not_service",
    "not_checkable_severe",
    "not_checkable_major",
    "not_checkable_minor",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewEntry(_Model):
    """一个指标的复核：复核完成值、复核得分、原因（引用复核口径）。"""

    value: Annotated[str, BeforeValidator(lambda v: v if v is None else str(v))] | None = Field(
        None, title="复核完成值（按原样，如 98%、36 次、达成）"
    )
    score: Score | None = Field(None, title="复核得分")
    basis: Basis | None = Field(None, title="复核口径（机械规则）：no_evidence 无佐证材料 → 0 分 …")
    duplicate_of: str | None = Field(None, title="与之重复、只计一次的指标（basis: duplicate 时必填）")
    reason: str | None = Field(None, title="复核说明（扣分原因，引用评分规则或复核口径）", max_length=2000)

    @model_validator(mode="after")
    def _duplicate_names_its_twin(self) -> ReviewEntry:
        if self.basis == "duplicate" and not self.duplicate_of:
            raise ValueError("basis: duplicate（重复指标只计一次）须写 duplicate_of：与之重复的指标")
        if self.duplicate_of and self.basis != "duplicate":
            raise ValueError("写了 duplicate_of，却没有写 basis: duplicate")
        return self


def _entry(value: Any) -> Any:
    if isinstance(value, dict) or value is None:
        return value
    return {"score": value}


Entry = Annotated[ReviewEntry, BeforeValidator(_entry, json_schema_input_type=ReviewEntry | Decimal | str)]


class Review(_Model):
    """复核：评审人员（财政局绩效股或受托第三方）对各指标的复核。"""

    reviewer: str | None = Field(None, title="复核人（单位）")
    date: Annotated[str, BeforeValidator(lambda v: v if v is None else str(v))] | None = Field(None, title="复核日期")
    scores: dict[str, Entry] = Field(default_factory=dict, title="各指标的复核（按指标 id 或指标名称）")
    reason: str | None = Field(None, title="复核结论与偏差原因（按单位）", max_length=5000)


class ReviewFile(Review):
    """A review kept in a file of its own, beside the department's, linked to it by 单位名称 and 年度."""

    format: Literal["perfeval/review@1"] = Field(title="文件格式：perfeval/review@1")
    unit: str = Field(min_length=1, title="单位名称（与部门文件一致）")
    year: int = Field(title="评价年度（与部门文件一致）")


class ReviewRule(_Model):
    """评分表所定的偏离度：``relative`` (自评 − 复核) / 自评 (undefined when 自评 is 0), or ``points`` 自评 − 复核;
    flagged when its size exceeds ``threshold`` (a ratio such as 20% for relative, points for points)."""

    deviation: Literal["relative", "points"] = Field("relative", description="偏离度：relative 相对值；points 分差")
    threshold: Annotated[Decimal, BeforeValidator(lambda v: parse_ratio(v) if isinstance(v, str) else v)] | None = (
        Field(None, ge=0, description="偏离度超过此值时提示；不写时只列出偏离度，不提示")
    )


# --- the reviewer's scores -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reviewed:
    """One indicator's 复核 as it counts: the score (from the basis where one is given) and the reason shown."""

    id: str
    value: str | None
    score: Decimal | None
    reason: str | None


def basis_score(entry: ReviewEntry, self_score: Decimal | None) -> Decimal | None:
    """The score a basis gives: 0, or the self-score less the basis's share; None without a basis, or when the
    share is of a self-score the unit did not give."""
    if entry.basis is None:
        return None
    share = BASES[entry.basis][1]
    if share is None:
        return ZERO
    if self_score is None:
        return None
    return self_score - self_score * share


def reviewed_scores(
    review: Review,
    self_scores: dict[str, Decimal | None],
    weights: dict[str, Decimal],
    names: dict[str, str],
    at: KeyPath,
) -> tuple[list[Reviewed], list[Problem]]:
    """Each reviewed indicator's 复核得分 and reason, with what is wrong in the review: a score outside
    [0, 分值], a score that is not the one its basis gives, a duplicate that names no other reviewed
    indicator, a changed score without a reason. ``at`` is the key path of the review's ``scores``."""
    out: list[Reviewed] = []
    problems: list[Problem] = []
    for iid, entry in review.scores.items():
        where = at + (iid,)
        who = f"{iid}（{names.get(iid, iid)}）"
        self_score = self_scores.get(iid)
        mechanical = basis_score(entry, self_score)
        score = entry.score if entry.score is not None else mechanical
        if entry.basis is not None and mechanical is None:
            problems.append(
                Problem(
                    "review-basis-needs-self-score",
                    f"{who}：复核口径“{BASES[entry.basis][0]}”按自评得分的比例扣分，而单位没有自评得分；"
                    "请直接填写复核得分（score）",
                    path=where + ("basis",),
                )
            )
        if entry.score is not None and mechanical is not None and entry.score != mechanical:
            problems.append(
                Problem(
                    "review-basis-contradicted",
                    f"{who}：复核得分 {fmt_points(entry.score)} 与所引复核口径“{BASES[entry.basis or ''][0]}”"
                    f"给出的 {fmt_points(mechanical)} 分不符；请改正得分或口径",
                    path=where + ("score",),
                    amounts={"stated": entry.score, "expected": mechanical},
                )
            )
        weight = weights.get(iid)
        if score is not None and weight is not None and score > weight:
            problems.append(
                Problem(
                    "review-out-of-range",
                    f"{who}：复核得分 {fmt_points(score)} 超出分值 {fmt_points(weight)}；请改正",
                    path=where + ("score",),
                    amounts={"stated": score, "weight": weight},
                )
            )
        if entry.duplicate_of is not None and (
            entry.duplicate_of == iid or entry.duplicate_of not in weights or _zeroed_twin(review, entry.duplicate_of)
        ):
            problems.append(
                Problem(
                    "review-duplicate-unsound",
                    f"{who}：duplicate_of {entry.duplicate_of!r} 应是另一个照常计分的指标"
                    "（重复的两项只计一项：另一项不能也按重复计 0）；请改正",
                    path=where + ("duplicate_of",),
                )
            )
        reason = _reason(entry)
        if score is not None and self_score is not None and score != self_score and not reason:
            problems.append(
                Problem(
                    "review-reason-missing",
                    f"{who}：复核得分 {fmt_points(score)} 与自评得分 {fmt_points(self_score)} 不同，却没有写原因；"
                    "请在 reason 中说明所据的评分规则或复核口径（或写 basis）",
                    path=where,
                    level=WARNING,
                )
            )
        out.append(Reviewed(iid, entry.value, score, reason))
    return out, problems


def _zeroed_twin(review: Review, twin: str) -> bool:
    other = review.scores.get(twin)
    return other is not None and other.basis == "duplicate"


def _reason(entry: ReviewEntry) -> str | None:
    parts = []
    if entry.basis is not None:
        rule = BASES[entry.basis][0]
        parts.append(f"复核口径：{rule}" + (f"（与 {entry.duplicate_of} 重复）" if entry.duplicate_of else ""))
    if entry.reason:
        parts.append(entry.reason.strip())
    return "；".join(parts) or None


# --- deviation ---------------------------------------------------------------------------------------------


def deviation(rule: ReviewRule, self_score: Decimal | None, reviewed: Decimal | None) -> Decimal | None:
    """偏离度 as the rubric defines it; None when either score is blank or, for the relative measure, when the
    self-score is 0 (a ratio to nothing is not defined)."""
    if self_score is None or reviewed is None:
        return None
    if rule.deviation == "points":
        return self_score - reviewed
    if self_score == ZERO:
        return None
    return (self_score - reviewed) / self_score


def fmt_deviation(measure: str, value: Decimal | None) -> str:
    """偏离度 as printed: a percentage (``relative``) or points (``points``); blank when undefined."""
    if value is None:
        return ""
    return fmt_percent(value) if measure == "relative" else f"{fmt_points(value)} 分"


def over_threshold(rule: ReviewRule, value: Decimal | None, threshold: Decimal | None = None) -> bool:
    """Whether a deviation is flagged: its size above the threshold (the config's, else the rubric's)."""
    limit = threshold if threshold is not None else rule.threshold
    return value is not None and limit is not None and abs(value) > limit
