"""Picking units for 重点评价 (抽样): ``check --sample N --by 资金规模|偏差|random --seed S``.

A review firm takes a few of a county's units for a closer look "by 资金规模大" or where the
self-assessment strays most from the audit. Every unit is checked and listed as usual; the sample is a
list of the units picked, each with why (:class:`Pick`), and of those that could not take part
(:class:`Excluded`): a unit that could not be read, or lacks the figure it would be ranked by, is never
silently dropped — and never sampled.

* ``资金规模`` (``size``): the largest 实际支出 (basic + project spending, or the undivided total), in 万元
  (a file in 元 converted exactly); a unit without the figure is excluded — blank is not zero.
* ``偏差`` (``deviation``): the largest 自评 − 审核 (after the rubric's penalties and caps), in points;
  a unit whose self-assessment or audited total is partial is excluded.
* ``random``: each eligible unit, in input order, draws ``random.Random(seed).random()``; the N smallest
  draws are taken. Only ``random()`` is used, whose sequence Python keeps the same for the same seed across
  versions, so a seed gives the same sample wherever it is run on the same files.

Ties keep the input order. Pure: the figures come from the reports.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from perfeval.core.decimals import fmt_amount, fmt_points
from perfeval.core.department import Department
from perfeval.core.facts import CATALOGUE, WAN

SIZE, DEVIATION, RANDOM = "size", "deviation", "random"
BY_NAMES = {"资金规模": SIZE, SIZE: SIZE, "偏差": DEVIATION, DEVIATION: DEVIATION, RANDOM: RANDOM, "随机": RANDOM}
BY_LABELS = {SIZE: "资金规模", DEVIATION: "偏差", RANDOM: "随机"}


@dataclass(frozen=True, slots=True)
class SampleRequest:
    size: int  # N units
    by: str  # size | deviation | random
    seed: int | None = None  # random only

    @property
    def label(self) -> str:
        return BY_LABELS[self.by]


@dataclass(frozen=True, slots=True)
class Candidate:
    """What sampling needs of one file of the batch."""

    index: int  # position in the input, 0-based
    file: str
    unit: str | None
    readable: bool
    spending: Decimal | None  # 实际支出, 万元
    self_score: Decimal | None  # 自评得分 total, after penalties and caps
    audited: Decimal | None  # 审核得分 total, after penalties and caps


@dataclass(frozen=True, slots=True)
class Pick:
    rank: int  # 1-based, in the order of the criterion
    index: int
    file: str
    unit: str | None
    value: Decimal | None  # the figure it was ranked by (万元, points); None for random
    reason: str


@dataclass(frozen=True, slots=True)
class Excluded:
    index: int
    file: str
    unit: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Sample:
    request: SampleRequest
    picked: tuple[Pick, ...]
    excluded: tuple[Excluded, ...]
    eligible: int  # units that could take part
    total: int  # files in the batch

    @property
    def heading(self) -> str:
        how = f"按{self.request.label}"
        if self.request.by == RANDOM:
            how = f"随机（种子 {self.request.seed}）"
        text = f"抽样结果：{how}抽取 {len(self.picked)} 个单位（共 {self.total} 个文件，可参与抽样 {self.eligible} 个）"
        if len(self.picked) < self.request.size:
            text += f"；要求 {self.request.size} 个，可参与的不足，全部抽取"
        return text


def spending_of(dept: Department) -> Decimal | None:
    """实际支出 in 万元 (the fact ``actual_spending``), or None when the file does not give it."""
    derive = CATALOGUE["actual_spending"].derive
    value = derive(dept) if derive is not None else None
    if value is not None and dept.amount_unit == "元":
        value = value / WAN
    return value


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + fmt_points(value)


def draw(request: SampleRequest, candidates: Iterable[Candidate]) -> Sample:
    """The sample of ``candidates`` (one per file, in input order) that ``request`` asks for."""
    if request.size < 1:
        raise ValueError("a sample has at least one unit")
    if request.by not in BY_LABELS:
        raise ValueError(f"unknown sampling criterion {request.by!r}")
    if request.by == RANDOM and request.seed is None:
        raise ValueError("random sampling needs a seed (the command line draws one when none is given)")
    everyone = list(candidates)
    eligible: list[tuple[Candidate, Decimal]] = []
    excluded: list[Excluded] = []
    rng = random.Random(request.seed) if request.by == RANDOM else None
    for c in everyone:
        if not c.readable:
            excluded.append(Excluded(c.index, c.file, c.unit, "无法读取，不参与抽样"))
            continue
        if request.by == SIZE:
            if c.spending is None:
                excluded.append(
                    Excluded(
                        c.index,
                        c.file,
                        c.unit,
                        "未填实际支出（基本支出与项目支出，或实际支出合计），无法按资金规模排序",
                    )
                )
                continue
            eligible.append((c, -c.spending))
        elif request.by == DEVIATION:
            if c.self_score is None or c.audited is None:
                excluded.append(Excluded(c.index, c.file, c.unit, "自评得分或审核得分不全，无法计算偏差"))
                continue
            eligible.append((c, -(c.self_score - c.audited)))
        else:
            assert rng is not None
            eligible.append((c, Decimal(repr(rng.random()))))
    ranked = sorted(eligible, key=lambda pair: (pair[1], pair[0].index))[: request.size]
    picks = []
    for rank, (c, key) in enumerate(ranked, start=1):
        if request.by == SIZE:
            value: Decimal | None = -key
            reason = f"实际支出 {fmt_amount(value)} 万元，{len(eligible)} 个单位中第 {rank} 大"
        elif request.by == DEVIATION:
            value = -key
            assert c.self_score is not None and c.audited is not None
            reason = (
                f"自评 {fmt_points(c.self_score)} 分，审核 {fmt_points(c.audited)} 分，"
                f"偏差 {_signed(value)} 分，{len(eligible)} 个单位中第 {rank} 大"
            )
        else:
            value = None
            reason = f"按种子 {request.seed} 随机抽取（第 {rank} 个抽中）"
        picks.append(Pick(rank, c.index, c.file, c.unit, value, reason))
    return Sample(request, tuple(picks), tuple(excluded), len(eligible), len(everyone))
