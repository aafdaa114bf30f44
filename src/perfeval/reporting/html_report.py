"""The review report ``perfeval report DEPT… --output review.html`` writes: one self-contained HTML file.

In Chinese, for a bureau to attach to its review: the grade distribution, each unit's self-score
against its audited (复核) score, a 红黑榜 of the largest deviations, the findings by code and
severity, a table of every unit, and a page per unit with its three-tier table and its findings.
Everything is inline — the style sheet and the charts (SVG drawn in Python,
:mod:`perfeval.reporting.svg_charts`); there is no script and nothing is fetched from the network.
Printed from a browser it gives A4 landscape pages, each unit starting a new page.

Streamed: :meth:`HtmlReport.add` renders a unit's section into a temporary file as its report arrives
and keeps only its summary row (:class:`~perfeval.reporting.review_rows.UnitSummary`) and counts;
:meth:`HtmlReport.write` writes the summary pages, then copies the sections after them.
Every text from an input file is escaped (:func:`~perfeval.reporting.svg_charts.esc`).

Why this module is long: the report's summary pages and a unit's page are laid out here, with the
style sheet they share.
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from perfeval import __version__
from perfeval.core.decimals import HUNDRED, fmt_percent, fmt_points
from perfeval.core.engine import Status
from perfeval.core.problems import Problem
from perfeval.core.sampling import Sample
from perfeval.fileio.safe_write import write_atomic
from perfeval.pipeline.reports import FileReport, IndicatorRow
from perfeval.reporting.review_rows import (
    SEVERITIES,
    SEVERITY_LABELS,
    UnitSummary,
    accepted_note,
    code_title,
    deviation_rate,
    findings_by_indicator,
    severity,
    unit_summary,
)
from perfeval.reporting.svg_charts import (
    BLUE,
    LIGHT,
    ORANGE,
    RED,
    Bar,
    Point,
    Series,
    esc,
    grouped_bars,
    horizontal_bars,
    scatter,
)
from perfeval.reporting.tables import recomputed_cell

LIST_SIZE = 10  # units on each side of the 红黑榜
MARKED = 5  # over-claimers named beside their dot in the scatter
CODES_CHARTED = 15  # problem codes in the chart (every code is in the table)
GRADE_ORDER = ["优", "优秀", "良", "良好", "中", "中等", "合格", "及格", "差", "较差", "不合格", "不及格"]
SEVERITY_COLOR = {"P0": RED, "P1": ORANGE, "P2": BLUE}
STATUS_CLASS = {
    Status.OVER_CLAIMED: "bad",
    Status.OUT_OF_RANGE: "bad",
    Status.UNDER_CLAIMED: "warn",
    Status.UNVERIFIABLE: "warn",
    Status.NOT_SCORED: "warn",
    Status.CONSISTENT: "ok",
}

STYLE = """
:root { --ink:#222; --grey:#666; --line:#bfbfbf; --head:#ddebf7; --bad:#c00000; --warn:#b36b00; --ok:#2e7d32; }
* { box-sizing: border-box; }
body { font-family: 'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 16px 24px; font-size: 14px; line-height: 1.5; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 20px 0 6px; border-bottom: 2px solid #2f6fb0; }
h3 { font-size: 15px; margin: 14px 0 4px; }
.meta, .note { color: var(--grey); font-size: 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid var(--line); border-radius: 4px; padding: 6px 12px; min-width: 120px; }
.card b { display: block; font-size: 20px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.chart { display: block; max-width: 100%; height: auto; border: 1px solid #eee; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 3px 5px; vertical-align: top; }
th { background: var(--head); font-weight: bold; text-align: center; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; white-space: nowrap; }
td.tier { font-weight: bold; background: #f7f7f7; }
td.tier small { display: block; font-weight: normal; color: var(--grey); }
tr.total td { font-weight: bold; background: #ededed; }
.bad { color: var(--bad); font-weight: bold; } .warn { color: var(--warn); } .ok { color: var(--ok); }
td.bad, td.warn { background: #fbe4d8; } td.warn { background: #fff2cc; }
.sev { display: inline-block; min-width: 2.4em; text-align: center; border-radius: 3px; color: #fff;
       font-size: 11px; margin-right: 4px; }
.sev.P0 { background: var(--bad); } .sev.P1 { background: #e69500; } .sev.P2 { background: #2f6fb0; }
.sev.accepted { background: var(--ok); } li.accepted { color: var(--grey); } small.accepted { color: var(--grey); }
.reason { display: block; color: var(--ok); font-size: 12px; }
ol.findings { padding-left: 22px; margin: 4px 0; } ol.findings li { margin: 2px 0; }
.loc { color: var(--grey); font-size: 11.5px; }
.lists { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.illustrative { color: var(--bad); }
a { color: #1f4e8c; text-decoration: none; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11.5px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.unit { break-before: page; }
  section.summary-page { break-after: page; }
  h2, h3 { break-after: avoid; }
  .chart, .card, li { break-inside: avoid; }  /* not tr: a tier's cell spans many rows and must break */
  thead { display: table-header-group; }
  a { color: inherit; }
}
"""


def _pts(value: Decimal | None) -> str:
    return fmt_points(value) if value is not None else "—"


def _pct(value: Decimal | None) -> str:
    return fmt_percent(value) if value is not None else "—"


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + fmt_points(value)


def _rate(score: Decimal | None, weight: Decimal | None) -> Decimal | None:
    if score is None or not weight:
        return None
    return score / weight * HUNDRED


def _problem_item(p: Problem, with_location: bool = True) -> str:
    sev = severity(p)
    where = f' <span class="loc">{esc(str(p.location))}</span>' if with_location and p.location is not None else ""
    if p.accepted is not None:  # shown, marked, with the reason the file gives
        return (
            f'<li class="accepted"><span class="sev {sev}">{sev}</span><span class="sev accepted">已接受</span>'
            f"<b>{esc(code_title(p.code))}</b>：{esc(p.message)}{where}"
            f'<span class="reason">接受理由：{esc(p.accepted)}</span></li>'
        )
    return (
        f'<li class="{sev}"><span class="sev {sev}">{sev}</span>'
        f"<b>{esc(code_title(p.code))}</b>：{esc(p.message)}{where}</li>"
    )


class HtmlReport:
    """The report being built: :meth:`add` each report as it comes, then :meth:`write` the document."""

    def __init__(self, *, strict: bool = False, title: str = "部门整体支出绩效自评复核报告") -> None:
        self.strict, self.title = strict, title
        self.sections: TextIO = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.units: list[UnitSummary] = []
        self.by_code: Counter[tuple[str, str]] = Counter()  # (code, severity) → problems
        self.code_units: Counter[str] = Counter()  # code → units with it
        self.rubrics: Counter[str] = Counter()  # rubric name → units
        self.rubric_files: set[str] = set()  # the rubrics the units named: never to be written over
        self.accepted = 0  # findings the files accept (已接受): shown on the units' pages, not counted
        self.ignored = 0  # findings not reported (--ignore, --select, the configuration)
        self.sample: Sample | None = None  # --sample: the units picked for 重点评价, set before write()

    @property
    def readable(self) -> int:
        return sum(1 for u in self.units if u.readable)

    # --- one unit ----------------------------------------------------------------------------------

    def add(self, report: FileReport) -> None:
        u = unit_summary(report, len(self.units) + 1, self.strict)
        self.units.append(u)
        counted = [p for p in report.problems if p.accepted is None]
        for p in counted:
            self.by_code[(p.code, severity(p))] += 1
        self.code_units.update({p.code for p in counted})
        self.accepted += report.accepted
        self.ignored += report.ignored_total
        if report.rubric_name:
            self.rubrics[report.rubric_name] += 1
        if report.rubric_file:
            self.rubric_files.add(report.rubric_file)
        self.sections.write(unit_section(report, u))

    # --- the document ------------------------------------------------------------------------------

    def write(self, out: TextIO) -> None:
        out.write(
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="perfeval {esc(__version__)}">\n'
            f"<title>{esc(self.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        )
        out.write(self._summary_page())
        out.write(self._index())
        self.sections.seek(0)
        shutil.copyfileobj(self.sections, out)
        out.write("</body>\n</html>\n")

    def close(self) -> None:
        self.sections.close()

    def __enter__(self) -> HtmlReport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _summary_page(self) -> str:
        units, readable = self.units, [u for u in self.units if u.readable]
        today = datetime.date.today().isoformat()
        totals = Counter[str]()
        for u in units:
            totals.update(u.severities)
        over = [u for u in readable if (u.deviation or 0) > 0]
        rubrics = "、".join(esc(name) for name, _ in self.rubrics.most_common())
        parts = [
            '<section class="summary-page">',
            f"<h1>{esc(self.title)}</h1>",
            f'<p class="meta">由 perfeval {esc(__version__)} 生成于 {today}；评分表：{rubrics or "—"}。'
            "得分均为按评分表核算的结果；审核得分已计入评分表规定的扣分与封顶。</p>",
            '<div class="cards">',
            _card("部门文件", f"{len(units)} 个"),
            _card("可审核", f"{len(readable)} 个"),
            _card("无法读取", f"{len(units) - len(readable)} 个"),
            _card("自评高于审核", f"{len(over)} 个"),
            *(_card(SEVERITY_LABELS[s], f"{totals.get(s, 0)} 个") for s in SEVERITIES),
            _card("已接受（不计入）", f"{self.accepted} 个") if self.accepted else "",
            _card("已忽略（未列出）", f"{self.ignored} 个") if self.ignored else "",
            "</div>",
            self._sample(),
            '<div class="charts">',
            self._grade_chart(readable),
            self._scatter(readable),
            "</div>",
            self._lists(readable),
            self._findings(),
            self._warnings(readable),
            "</section>",
        ]
        return "\n".join(p for p in parts if p) + "\n"

    def _sample(self) -> str:
        """抽样结果: the units picked for 重点评价, each linked to its page, with why; then those left out."""
        if self.sample is None:
            return ""
        rows = "".join(
            f'<tr><td class="c">{p.rank}</td><td><a href="#unit-{p.index + 1}">{p.index + 1}. '
            f"{esc(p.unit or p.file)}</a></td><td>{esc(p.reason)}</td></tr>"
            for p in self.sample.picked
        )
        out = (
            f'<h2 id="sample">{esc(self.sample.heading)}</h2>'
            f'<table class="sample"><thead><tr><th>抽样序号</th><th>单位</th><th>抽取理由</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
        if self.sample.excluded:
            out += (
                f"<p>未参与抽样 {len(self.sample.excluded)} 个：</p><ol>"
                + "".join(
                    f"<li>{e.index + 1}. {esc(e.unit or e.file)}：{esc(e.reason)}</li>" for e in self.sample.excluded
                )
                + "</ol>"
            )
        return out

    def _grade_chart(self, readable: list[UnitSummary]) -> str:
        self_grades = Counter(u.self_grade or "无等级" for u in readable)
        audited = Counter(u.audited_grade or "无等级" for u in readable)
        seen = list(dict.fromkeys([*audited, *self_grades]))
        order = sorted(
            seen, key=lambda g: (GRADE_ORDER.index(g) if g in GRADE_ORDER else len(GRADE_ORDER), seen.index(g))
        )
        return grouped_bars(
            "等级分布（单位数）",
            order,
            [
                Series("自评等级", LIGHT, [self_grades[g] for g in order]),
                Series("审核等级", BLUE, [audited[g] for g in order]),
            ],
            kind="grade-chart",
        )

    def _scatter(self, readable: list[UnitSummary]) -> str:
        top = {u.index for u in _over_claimers(readable)[:MARKED]}
        points = []
        for u in readable:
            x, y = _rate(u.audited, u.weight), _rate(u.self_score, u.weight)
            if x is None or y is None:
                continue
            tip = f"{u.index}. {u.name}：自评 {_pts(u.self_score)}，审核 {_pts(u.audited)}，偏差 {_signed(u.deviation)}"
            points.append(Point(str(u.index), tip, x, y, u.index in top))
        return scatter(
            "自评得分与审核得分（占分值 %）",
            points,
            x_label="审核得分（复核后）占分值 %",
            y_label="自评得分占分值 %",
            kind="score-scatter",
        )

    def _lists(self, readable: list[UnitSummary]) -> str:
        black = _over_claimers(readable)[:LIST_SIZE]
        red = sorted(
            (u for u in readable if u.deviation == 0 and u.audited is not None and u.severities["P0"] == 0),
            key=lambda u: (-(_rate(u.audited, u.weight) or 0), u.index),
        )[:LIST_SIZE]
        chart = ""
        if black:
            chart = horizontal_bars(
                "自评高于审核最多的单位（偏差，分）",
                [
                    Bar(f"{u.index}. {u.name}", [("偏差", u.deviation or Decimal(0), RED)], _signed(u.deviation))
                    for u in black
                ],
                kind="deviation-chart",
                unit=" 分",
            )
        return (
            "<h2>红黑榜</h2>"
            '<p class="note">黑榜：自评得分高于审核得分最多的单位（偏差 = 自评 − 审核）。'
            "红榜：自评与审核一致、没有错误的单位中审核得分率最高的。</p>"
            '<div class="lists"><div><h3>黑榜（高报最多）</h3>'
            + _unit_list(black, "没有自评高于审核的单位。")
            + "</div><div><h3>红榜（自评如实）</h3>"
            + _unit_list(red, "没有自评与审核一致且无错误的单位。")
            + "</div></div>"
            + chart
        )

    def _findings(self) -> str:
        codes = sorted({c for c, _ in self.by_code}, key=lambda c: (-sum(self.by_code[(c, s)] for s in SEVERITIES), c))
        if not codes:
            return "<h2>问题分布</h2><p>未发现问题。</p>"
        chart = horizontal_bars(
            "问题分布（按问题类别与级别）",
            [
                Bar(
                    code_title(c),
                    [(SEVERITY_LABELS[s], self.by_code[(c, s)], SEVERITY_COLOR[s]) for s in SEVERITIES],
                )
                for c in codes[:CODES_CHARTED]
            ],
            kind="findings-chart",
            unit=" 个",
        )
        rows = "".join(
            f"<tr><td>{esc(code_title(c))}</td><td><code>{esc(c)}</code></td>"
            + "".join(f'<td class="n">{self.by_code[(c, s)] or ""}</td>' for s in SEVERITIES)
            + f'<td class="n">{sum(self.by_code[(c, s)] for s in SEVERITIES)}</td><td class="n">{self.code_units[c]}</td></tr>'
            for c in codes
        )
        head = "".join(f"<th>{esc(SEVERITY_LABELS[s])}</th>" for s in SEVERITIES)
        return (
            "<h2>问题分布</h2>"
            + chart
            + f"<table><thead><tr><th>问题类别</th><th>代码</th>{head}<th>合计</th><th>涉及单位</th></tr></thead>"
            + f"<tbody>{rows}</tbody></table>"
        )

    def _warnings(self, readable: list[UnitSummary]) -> str:
        flagged = [u for u in readable if u.warnings]
        if not flagged:
            return ""
        rows = "".join(
            f'<tr><td class="c"><a href="#unit-{u.index}">{u.index}</a></td><td>{esc(u.name)}</td><td>'
            + "<br>".join(
                f'<span class="{"bad" if w.color == "red" else "warn"}">{esc(w.label)}</span>' for w in u.warnings
            )
            + "</td></tr>"
            for u in flagged
        )
        return (
            "<h2>平台预警（预算执行率）</h2>"
            '<p class="note">红灯：（指标得分率 − 预算执行率得分率）÷ 指标得分率 超过 5%；黄灯：全年预算数为 0，或预算资金未支出超过 20%。按自评计。</p>'
            f"<table><thead><tr><th>序号</th><th>单位</th><th>预警</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _index(self) -> str:
        head = (
            "<tr><th>序号</th><th>单位</th><th>自评总分</th><th>自评得分</th><th>核算得分</th><th>复核得分</th>"
            "<th>审核得分</th><th>偏差</th><th>偏离度</th><th>审核等级</th>"
            + "".join(f"<th>{s}</th>" for s in SEVERITIES)
            + "<th>结论</th></tr>"
        )
        rows = "".join(_index_row(u) for u in self.units)
        return (
            '<section class="index"><h2>单位一览</h2>'
            '<p class="note">偏差 = 自评得分 − 审核得分；偏离度 = 偏差 ÷ 自评得分。点击序号查看该单位的评分表。</p>'
            f"<table><thead>{head}</thead><tbody>{rows}</tbody></table></section>\n"
        )


def _card(label: str, value: str) -> str:
    return f'<div class="card">{esc(label)}<b>{esc(value)}</b></div>'


def _over_claimers(readable: list[UnitSummary]) -> list[UnitSummary]:
    return sorted(
        (u for u in readable if u.deviation is not None and u.deviation > 0),
        key=lambda u: (-(u.deviation or 0), u.index),
    )


def _unit_list(units: list[UnitSummary], empty: str) -> str:
    if not units:
        return f"<p>{esc(empty)}</p>"
    rows = "".join(
        f'<tr><td class="c"><a href="#unit-{u.index}">{u.index}</a></td><td>{esc(u.name)}</td>'
        f'<td class="n">{_pts(u.self_score)}</td><td class="n">{_pts(u.audited)}</td>'
        f'<td class="n {"bad" if (u.deviation or 0) > 0 else ""}">{_signed(u.deviation)}</td>'
        f'<td class="c">{esc(u.audited_grade or "—")}</td></tr>'
        for u in units
    )
    return (
        "<table><thead><tr><th>序号</th><th>单位</th><th>自评</th><th>审核</th><th>偏差</th><th>等级</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _index_row(u: UnitSummary) -> str:
    if not u.readable:
        return (
            f'<tr><td class="c"><a href="#unit-{u.index}">{u.index}</a></td><td class="bad">{esc(u.file)}（无法读取）</td>'
            + '<td class="n">—</td>' * 8
            + "".join(f'<td class="n">{u.severities[s]}</td>' for s in SEVERITIES)
            + f'<td class="c bad">{esc(u.verdict)}</td></tr>'
        )
    dev = u.deviation
    cls = "bad" if (dev or 0) > 0 else "warn" if (dev or 0) < 0 else ""
    return (
        f'<tr><td class="c"><a href="#unit-{u.index}">{u.index}</a></td><td>{esc(u.name)}</td>'
        f'<td class="n">{_pts(u.stated_total)}</td><td class="n">{_pts(u.self_score)}</td>'
        f'<td class="n">{_pts(u.recomputed)}</td><td class="n">{_pts(u.reviewed)}</td>'
        f'<td class="n">{_pts(u.audited)}</td><td class="n {cls}">{_signed(dev)}</td>'
        f'<td class="n">{_pct(u.deviation_rate)}</td><td class="c">{esc(u.audited_grade or "—")}</td>'
        + "".join(f'<td class="n">{u.severities[s] or ""}</td>' for s in SEVERITIES)
        + f'<td class="c {"bad" if u.verdict != "通过" else "ok"}">{esc(u.verdict)}</td></tr>'
    )


# --- a unit's page -----------------------------------------------------------------------------------------


def unit_section(report: FileReport, u: UnitSummary) -> str:
    """A unit's page: its totals, its three-tier table with each indicator's findings, its other findings."""
    head = f'<section class="unit" id="unit-{u.index}"><h2>{u.index}. {esc(u.name)}</h2>'
    if not report.readable:
        items = "".join(_problem_item(p) for p in report.problems)
        return (
            head + f'<p class="meta">文件：{esc(report.file)}</p><p class="bad">无法读取，未审核：</p>'
            f'<ol class="findings">{items}</ol></section>\n'
        )
    mine, general = findings_by_indicator(report.problems)
    meta = f"{report.year} 年度 · {esc(report.rubric_name or '')} · 文件：{esc(report.file)}"
    if report.illustrative:
        meta += ' · <span class="illustrative">示意数据，不是真实单位的填报</span>'
    figures = (
        '<div class="cards">'
        + _card("自评总分", _pts(u.stated_total))
        + _card("自评得分", _pts(u.self_score))
        + _card("核算得分", _pts(u.recomputed))
        + _card("复核得分", _pts(u.reviewed))
        + _card("审核得分", _pts(u.audited) + (f"（{u.audited_grade}）" if u.audited_grade else ""))
        + _card("偏差（自评−审核）", _signed(u.deviation))
        + _card("结论", u.verdict)
        + "</div>"
    )
    warnings = "".join(
        f'<p class="{"bad" if w.color == "red" else "warn"}">平台预警 · {esc(w.label)}</p>' for w in u.warnings
    )
    stated = ""
    if report.stated_total is not None and report.stated_total != report.self_total:
        stated = (
            f'<p class="bad">单位填报的自评总分为 {_pts(report.stated_total)}，'
            f"与各指标自评得分之和 {_pts(report.self_total)} 不一致。</p>"
        )
    others = ""
    if general:
        others = (
            f'<h3>其他问题（{len(general)}）</h3><ol class="findings">' + "".join(map(_problem_item, general)) + "</ol>"
        )
    return (
        head
        + f'<p class="meta">{meta}</p>'
        + figures
        + warnings
        + stated
        + tier_table(report, mine)
        + others
        + "</section>\n"
    )


def tier_table(report: FileReport, findings: dict[str, list[Problem]]) -> str:
    """The three-tier table (一级/二级/三级 as the rubric names them), a tier's cell spanning its leaves."""
    rows = report.indicators
    depth = max((r.depth for r in rows), default=1)
    levels = list(report.levels)[:depth] + [f"{i + 1}级指标" for i in range(len(report.levels), depth)]
    leaves_under: dict[str, int] = {}
    for r in reversed(rows):  # children come after their parent: count bottom-up
        n = 1 if r.is_leaf else leaves_under.get(r.id, 0)
        leaves_under[r.id] = n
        if r.parent is not None:
            leaves_under[r.parent] = leaves_under.get(r.parent, 0) + n
    head = (
        "<tr>"
        + "".join(f"<th>{esc(level)}</th>" for level in levels)
        + "<th>分值</th><th>自评得分</th><th>核算得分</th><th>复核得分</th><th>审核得分</th><th>偏离度</th>"
        "<th>状态</th><th>核算说明与审核意见</th></tr>"
    )
    body: list[str] = []
    pending: list[str] = []
    for r in rows:
        if not r.is_leaf:
            if leaves_under.get(r.id):
                pending.append(_tier_cell(r, leaves_under[r.id], findings.get(r.id, [])))
            continue
        span = depth - r.depth + 1
        name = f'<td colspan="{span}">{esc(r.name)}</td>' if span > 1 else f"<td>{esc(r.name)}</td>"
        body.append("<tr>" + "".join(pending) + name + _leaf_cells(r, findings.get(r.id, [])) + "</tr>")
        pending = []
    grade = None if report.has_adjustments else report.audited_grade
    body.append(
        _total_row(
            depth, "合计", report.total_weight, report.self_total, report.recomputed_total, report.audited_total, grade
        )
    )
    if report.has_adjustments:
        for a in report.adjustments:
            body.append(
                f'<tr><td colspan="{depth}">总分调整 · {esc(a.name)}</td><td colspan="8">{esc(a.note)}</td></tr>'
            )
        body.append(
            _total_row(
                depth,
                "调整后合计",
                report.total_weight,
                report.self_total_adjusted,
                report.recomputed_total_adjusted,
                report.audited_total_adjusted,
                report.audited_grade,
            )
        )
    return f'<table class="tiers"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _tier_cell(r: IndicatorRow, span: int, found: list[Problem]) -> str:
    figures = f"{fmt_points(r.weight)} 分；自评 {_pts(r.self_score)} / 审核 {_pts(r.audited_score)}"
    notes = "".join(
        f'<small class="{"accepted" if p.accepted is not None else severity(p)}">'
        f"{esc(p.message + accepted_note(p))}</small>"
        for p in found
    )
    return f'<td class="tier" rowspan="{span}">{esc(r.name)}<small>{figures}</small>{notes}</td>'


def _leaf_cells(r: IndicatorRow, found: list[Problem]) -> str:
    status = r.status
    cls = STATUS_CLASS.get(status, "") if status is not None else ""
    differs = r.self_score != r.audited_score and cls in ("bad", "warn")
    self_cell = _pts(r.self_score) if r.self_score is not None else ("未填" if r.applicable else "—")
    mark = f" {cls}" if differs else ""
    explain = f'<span class="note">{esc(r.note)}</span>' if r.note else ""
    if found:
        explain += '<ol class="findings">' + "".join(_problem_item(p, with_location=False) for p in found) + "</ol>"
    return (
        f'<td class="n">{fmt_points(r.weight)}</td><td class="n{mark}">{esc(self_cell)}</td>'
        f'<td class="n">{esc(recomputed_cell(r) or "—")}</td><td class="n">{_pts(r.reviewed)}</td>'
        f'<td class="n{mark}">{_pts(r.audited_score)}</td>'
        f'<td class="n">{_pct(deviation_rate(r.self_score, r.audited_score))}</td>'
        f'<td class="c {cls}">{esc(status.label) if status is not None else ""}</td><td>{explain}</td>'
    )


def _total_row(
    depth: int,
    label: str,
    weight: Decimal | None,
    self_score: Decimal | None,
    recomputed: Decimal | None,
    audited: Decimal | None,
    grade: str | None = None,
) -> str:
    return (
        f'<tr class="total"><td colspan="{depth}">{esc(label)}</td><td class="n">{_pts(weight)}</td>'
        f'<td class="n">{_pts(self_score)}</td><td class="n">{_pts(recomputed)}</td><td class="n"></td>'
        f'<td class="n">{_pts(audited)}</td><td class="n">{_pct(deviation_rate(self_score, audited))}</td>'
        f"<td></td><td>{'等级：' + esc(grade) if grade else ''}</td></tr>"
    )


def write_html_report(
    path: Path | str, reports: Iterable[FileReport], *, force: bool, inputs: tuple[Path, ...] = (), strict: bool = False
) -> int:
    """Write the report of ``reports`` (one per file given, in input order) atomically; the number of units."""
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        with HtmlReport(strict=strict) as doc:
            for report in reports:
                doc.add(report)
            with open(tmp, "w", encoding="utf-8") as out:
                doc.write(out)
            count = len(doc.units)

    write_atomic(Path(path), write, force=force, inputs=inputs)
    return count
