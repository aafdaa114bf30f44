"""Findings a department file accepts, with a reason (已接受的问题): ``accepted:`` in the department file.

A reviewer who has looked at a finding and accepts it — a 247.37 万元 gap the county's 追加 explains, a
self-score the bureau agreed to — writes it down where the file is, with why::

    accepted:
      - {code: over-claimed, indicator: budget_adjustment_rate, reason: 年中追加经县政府常务会议批准}
      - {code: income-spending-gap, reason: 追加预算未列入收入来源表，已核实}

An accepted finding is still shown — marked 已接受 with its reason, in every output — and no longer counts
for the exit code. ``indicator`` (an id, or the name printed in the 评分表) narrows the acceptance to that
indicator's findings; without it, every finding of the code in the file is accepted. An acceptance that
matches nothing is itself reported (``unused-acceptance``, as ruff reports an unused ``noqa``): the finding
it was written for has been fixed, or the acceptance names the wrong code or indicator.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import AfterValidator, Field

from perfeval.core.codes import title
from perfeval.core.config import CodeName
from perfeval.core.problems import WARNING, Locator, Problem, finding
from perfeval.core.tables import InputModel


def _reason(text: str) -> str:
    if not text.strip():
        raise ValueError("接受理由不能为空；请写明为什么接受这条问题（如“追加预算经县政府批准，已核实”）")
    return text


class Acceptance(InputModel):
    """一条已接受的问题：问题代码、指标（可不写）和接受理由。"""

    code: CodeName = Field(title="问题代码", description="perfeval 输出中方括号里的代码，如 over-claimed")
    indicator: str | None = Field(
        None,
        min_length=1,
        title="指标",
        description="指标 id 或评分表上的名称；不写则接受本文件中这一代码的每一条问题",
    )
    reason: Annotated[str, AfterValidator(_reason)] = Field(min_length=1, title="接受理由")


def _matches(a: Acceptance, p: Problem) -> bool:
    return a.code == p.code and (a.indicator is None or a.indicator == p.indicator_id)


def _what(a: Acceptance, names: dict[str, str]) -> str:
    what = f"{a.code}（{title(a.code)}）"
    if a.indicator is not None:
        what += f"·{names.get(a.indicator, a.indicator)}"
    return what


def accept(problems: Iterable[Problem], accepted: Sequence[Acceptance], names: dict[str, str]) -> list[Problem]:
    """The findings with those the file accepts marked (the reason of the most specific acceptance that
    matches), and an ``unused-acceptance`` warning for each acceptance that matched nothing.

    ``names`` are the rubric's indicator names by id, to say which indicator an unused acceptance names."""
    if not accepted:
        return list(problems)
    used = [False] * len(accepted)
    out: list[Problem] = []
    for p in problems:
        reason: str | None = None
        for i, a in enumerate(accepted):
            if _matches(a, p):
                used[i] = True
                if reason is None or a.indicator is not None:  # an indicator's own acceptance says most
                    reason = a.reason
        out.append(p if reason is None else p.accept(reason))
    for i, a in enumerate(accepted):
        if not used[i]:
            out.append(
                finding(
                    "unused-acceptance",
                    WARNING,
                    f"accepted 第 {i + 1} 条接受 {_what(a, names)}，但本次审核没有这条问题；"
                    "如问题已改正，请删去这一条；否则请核对代码和指标",
                    ("accepted", i),
                )
            )
    return out


def acceptance_problems(accepted: Sequence[Acceptance], names: dict[str, str], source: Locator) -> list[Problem]:
    """Acceptances naming an indicator the rubric does not have (by id or by name, already resolved to ids
    where the name is the rubric's): refused like an unknown indicator under ``scores:``, with the closest."""
    out: list[Problem] = []
    by_name = {name: id_ for id_, name in names.items()}
    for i, a in enumerate(accepted):
        if a.indicator is None or a.indicator in names:
            continue
        guesses = difflib.get_close_matches(a.indicator, [*names, *by_name], n=1, cutoff=0.6)
        hint = ""
        if guesses:
            id_ = by_name.get(guesses[0], guesses[0])
            hint = f"是否想写 {id_}（{names[id_]}）？"
        else:
            hint = "请写评分表中的指标 id 或名称"
        out.append(
            Problem(
                "unknown-indicator",
                f"accepted 第 {i + 1} 条的指标 {a.indicator!r} 不在评分表中；{hint}",
                source.locate(("accepted", i, "indicator")),
            )
        )
    return out
