"""Human output: the three-tier indicator table as a rich table. Free prose, not a contract."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from perfeval.core.decimals import fmt_points
from perfeval.core.engine import NodeResult, ScoreResult, Status

PIPE_WIDTH = 120  # text output to a file or pipe, where there is no terminal to ask for its width


def output_console():
    """The console for text output: the terminal's width, or PIPE_WIDTH to a file or a pipe."""
    import os

    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


STATUS_STYLE = {
    Status.CONSISTENT: "green",
    Status.OVER_CLAIMED: "bold red",
    Status.UNDER_CLAIMED: "yellow",
    Status.OUT_OF_RANGE: "bold red",
    Status.UNVERIFIABLE: "magenta",
    Status.JUDGED: "cyan",
    Status.NOT_SCORED: "bold yellow",
    Status.NOT_APPLICABLE: "dim",
}


def recomputed_cell(n: NodeResult) -> str:
    """核算得分: an exact score, an allowed range, 酌定 (a person decides) or 缺数据."""
    if n.score is not None:
        return fmt_points(n.score)
    if not n.is_leaf:
        return ""
    if n.status is Status.NOT_APPLICABLE:
        return "—"
    if n.low is None:
        return "缺数据"
    if n.status is Status.JUDGED or n.rule_kind in ("judged", "checklist"):
        return "酌定"
    high = fmt_points(n.high)
    return f"{fmt_points(n.low)}–{high}" + ("" if n.high_closed else f"（不含{high}）")


def _status_text(status: Status | None) -> Text:
    if status is None:
        return Text("")
    return Text(status.label, style=STATUS_STYLE[status])


def score_table(result: ScoreResult, levels: list[str], *, audited: bool = False) -> Table:
    table = Table(show_lines=False, header_style="bold", show_footer=True, expand=False, pad_edge=False)
    table.add_column("指标", footer="合计", no_wrap=True)
    table.add_column("分值", justify="right", footer=fmt_points(result.total_weight))
    table.add_column("自评得分", justify="right", footer=fmt_points(result.self_total))
    table.add_column(
        "核算得分",
        justify="right",
        footer=fmt_points(result.recomputed_total) if result.recomputed_total is not None else "",
    )
    if audited:
        table.add_column("审核得分", justify="right", footer=fmt_points(result.audited_total))
    table.add_column("状态", no_wrap=True)
    table.add_column("说明", overflow="fold", ratio=1)

    def row(n: NodeResult, style: str = "") -> None:
        indent = "  " * (n.depth - 1)
        cells = [
            Text(indent + n.name, style=style),
            fmt_points(n.weight),
            fmt_points(n.self_score) if n.self_score is not None else ("未填" if n.is_leaf and n.applicable else "—"),
            recomputed_cell(n),
        ]
        if audited:
            cells.append(fmt_points(n.audited_score))
        cells += [_status_text(n.status), escape(n.note)]
        table.add_row(*cells)
        for c in n.children:
            row(c, "bold" if not c.is_leaf else "")

    for i, top in enumerate(result.nodes):
        if i:
            table.add_section()
        row(top, "bold")
    return table


def leaf_label(result: ScoreResult, levels: list[str]) -> str:
    """What the table calls its leaves: the level name when every leaf sits at one depth."""
    depths = {n.depth for n in result.leaves()}
    if len(depths) == 1 and (d := depths.pop()) <= len(levels):
        return levels[d - 1]
    return "末级指标"


def summary_lines(result: ScoreResult, grade: str | None, leaves: str = "三级指标") -> list[str]:
    counts: dict[Status, int] = {}
    for n in result.leaves():
        counts[n.status] = counts.get(n.status, 0) + 1  # type: ignore[index]
    parts = [f"{s.label} {counts[s]} 项" for s in Status if counts.get(s)]
    lines = [f"{leaves} {len(result.leaves())} 项：" + "，".join(parts)]
    stated = fmt_points(result.stated_total) if result.stated_total is not None else "未填"
    total = f"自评得分合计 {fmt_points(result.self_total)}（单位填报总分 {stated}）"
    if result.has_adjustments:
        lines.append(total)
        for a in result.adjustments:
            lines.append(f"总分调整·{a.note}")
        total = f"调整后自评得分 {fmt_points(result.self_total_adjusted)}"
        if result.recomputed_total is not None:
            total += f"，调整后核算得分 {fmt_points(result.recomputed_total_adjusted)}"
    if grade:
        total += f"，等级：{grade}"
    lines.append(total)
    return lines


def print_score(console: Console, result: ScoreResult, *, file: str, levels: list[str], grade: str | None) -> None:
    title = f"{result.unit} {result.year} 年度 · {result.rubric_name}"
    console.print(Text(title, style="bold"))
    console.print(Text(f"文件：{file}"))
    if result.illustrative:
        console.print(Text("注意：本文件为示意数据，不是真实单位的填报。", style="yellow"))
    console.print(score_table(result, levels))
    for line in summary_lines(result, grade, leaf_label(result, levels)):
        console.print(Text(line))
