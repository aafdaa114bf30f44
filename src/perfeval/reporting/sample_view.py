"""The sample (抽样结果) as every output shows it: lines of text (the terminal, the workpaper's 汇总, the
GitHub format's stderr), the JSON object, and the candidates it is drawn from (a batch's summary rows)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from perfeval.core.decimals import plain
from perfeval.core.sampling import Candidate, Sample, SampleRequest, draw
from perfeval.pipeline.reports import SummaryRow
from perfeval.reporting.visible import visible


def candidates(rows: Iterable[SummaryRow]) -> list[Candidate]:
    """What sampling needs of each file, from the rows a batch keeps (in input order)."""
    return [
        Candidate(r.index, r.file, r.unit, r.readable, r.spending, r.final_self, r.audited_total)
        for r in sorted(rows, key=lambda r: r.index)
    ]


def sample_of(rows: Iterable[SummaryRow], request: SampleRequest) -> Sample:
    return draw(request, candidates(rows))


def _name(unit: str | None, file: str) -> str:
    return f"{visible(unit)}（{visible(file)}）" if unit else visible(file)


def sample_lines(sample: Sample) -> list[str]:
    """``抽样结果：…`` then one line per unit picked (序号 in the input, name, file, why), then those left out."""
    lines = [sample.heading]
    lines += [f"  {p.rank}. 第 {p.index + 1} 个文件 {_name(p.unit, p.file)}：{p.reason}" for p in sample.picked]
    if sample.excluded:
        lines.append(f"未参与抽样 {len(sample.excluded)} 个：")
        lines += [f"  第 {e.index + 1} 个文件 {_name(e.unit, e.file)}：{e.reason}" for e in sample.excluded]
    return lines


def sample_dict(sample: Sample) -> dict[str, Any]:
    """The JSON ``sample`` object of ``perfeval/check@2``."""
    r = sample.request
    return {
        "by": r.by,
        "by_label": r.label,
        "size": r.size,
        "seed": r.seed,
        "files": sample.total,
        "eligible": sample.eligible,
        "units": [
            {
                "rank": p.rank,
                "index": p.index,
                "file": p.file,
                "unit": p.unit,
                "value": plain(p.value),
                "reason": p.reason,
            }
            for p in sample.picked
        ],
        "excluded": [{"index": e.index, "file": e.file, "unit": e.unit, "reason": e.reason} for e in sample.excluded],
    }
