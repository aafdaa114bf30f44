"""附件2 评价指标及评分表 as the report prints it, mapped onto the rubric's indicators by their printed names.

What real tables do, and what is done about it:

* **split across pages**, the header repeated on each (a repeated header row is skipped; a table without
  a header that follows the score table with as many columns continues it);
* **header cells that are per-page subtotals** (“实施过程 (6分)” on one page, “(22分)” on the next): a
  name cell is matched by its name alone, the printed points are not taken for the indicator's weight;
  a tier printed above an indicator that is not its parent in the rubric (“工作效果 / 完成指标 /
  重点工作办结率”) is noted, the indicator read where its name is;
* **a name that two indicators share** (二级 目标管理 and 三级 目标管理): the one whose place fits the row —
  a name followed by another indicator's name in the row is the parent; otherwise the leaf;
* **rows whose cells have shifted** (a lost cell moves the rest left or right): a row's numbers are read
  by the header's columns when they sit there, else in order after the row's last text
  (分值, 自评得分, 审核得分); a number that cannot be told apart is listed, not placed;
* **a lost cell**: an indicator or 评分要点 whose row has no numbers is named as lost, never filled.

Each 评分要点 (checklist item) is matched by its text (numbering and punctuation aside), else by its
number when the text is close; a self-score is read for a checklist leaf by item.

Why this module is long: the shapes above are one reader's cases, each a short method, sharing the state of
the rows read so far (the current indicator and 评分要点, what was read, where the table ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from perfeval.core.decimals import fmt_points
from perfeval.core.report_text import compact
from perfeval.core.rubric import Node, Rubric
from perfeval.core.rules import Checklist
from perfeval.fileio.extract.basic_table import number, title_before
from perfeval.fileio.extract.document import Document, Table
from perfeval.fileio.extract.result import Extraction, Unplaced

_POINTS_SUFFIX = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]?$")  # the bracket may be cut off
_PUNCT = re.compile(r"[\s，,。.；;：:、！!？?“”\"'‘’（）()\[\]【】《》〈〉—\-…·]")
_ITEM_NUMBER = re.compile(r"^\s*[（(]?(\d{1,2})[)）]?\s*[、.．,，]")
_TOTAL_ROW = re.compile(r"^(?:总分|合计|总计|得分合计|总得分)$")


def name_key(text: str) -> str:
    """An indicator's name as matched: no spaces, quotes or “(4 分)”."""
    return _POINTS_SUFFIX.sub("", compact(text)).strip()


def item_key(text: str) -> str:
    return _PUNCT.sub("", _ITEM_NUMBER.sub("", compact(text)))


@dataclass(slots=True)
class Columns:
    """What each column of the score table's header is."""

    weight: int | None = None  # 分值
    self: int | None = None  # 自评得分
    reviewed: int | None = None  # 审核得分
    width: int = 0

    @property
    def numeric(self) -> list[int]:
        return [c for c in (self.weight, self.self, self.reviewed) if c is not None]


def header_columns(row: list[str]) -> Columns | None:
    """The header row's columns, or None when ``row`` is not a score table's header."""
    keys = [compact(c) for c in row]
    cols = Columns(width=len(row))
    for i, k in enumerate(keys):
        if k in ("分值", "标准分值", "标准分", "权重", "分数") and cols.weight is None:
            cols.weight = i
        elif ("自评" in k or k in ("得分", "评分")) and cols.self is None:
            cols.self = i
        elif any(w in k for w in ("审核", "复核", "评审", "核定")) and cols.reviewed is None:
            cols.reviewed = i
    if cols.weight is None or cols.self is None:
        return None
    if not any("指标" in k for k in keys):
        return None
    return cols


@dataclass(slots=True)
class _State:
    leaf: Node | None = None
    item: str | None = None
    seen_items: dict[str, set[str]] = field(default_factory=dict)


class ScoreReader:
    def __init__(self, rubric: Rubric, doc: Document, out: Extraction) -> None:
        self.rubric = rubric
        self.doc = doc
        self.out = out
        self.by_name: dict[str, list[Node]] = {}
        self.parent: dict[str, str | None] = {}
        for node, _ in rubric.walk():
            self.by_name.setdefault(name_key(node.name), []).append(node)
            for child in node.children:
                self.parent[child.id] = node.id
        self.state = _State()
        self.scores: dict[str, dict[str, object]] = {}
        self.seen: set[str] = set()
        self.reviewed_items: dict[str, dict[str, tuple[Decimal, object]]] = {}
        self.ended = False  # the 总分 row read: the table ends there
        self.name = "附件2"

    # --- the tree -----------------------------------------------------------------------------

    def ancestors(self, node_id: str) -> list[str]:
        out = []
        current = self.parent.get(node_id)
        while current is not None:
            out.append(current)
            current = self.parent.get(current)
        return out

    def resolve(self, names: list[tuple[int, str]], row: list[str]) -> tuple[Node | None, list[str]]:
        """The deepest indicator a row names, and notes on tiers printed above it that are not its parents."""
        if not names:
            return None, []
        notes: list[str] = []
        last_col, last = names[-1]
        candidates = self.by_name[last]
        others = " ".join(item_key(c) for i, c in enumerate(row) if i > last_col)
        leaves = [n for n in candidates if n.is_leaf]
        if len(candidates) == 1:
            chosen = candidates[0]
        elif leaves and (self._fits(leaves[0], others) or others):
            chosen = leaves[0]
        else:
            chosen = candidates[0]
        above = self.ancestors(chosen.id)
        for _, printed in names[:-1]:
            ids = [n.id for n in self.by_name[printed]]
            if not any(i in above for i in ids):
                notes.append(
                    f"{self.name}中“{self.rubric.nodes_by_id[ids[0]].name}”印在“{chosen.name}”之上，"
                    f"而评分表中{chosen.name}不属于它；按评分表的层级读取"
                )
        return chosen, notes

    def _fits(self, leaf: Node, text: str) -> bool:
        if isinstance(leaf.rule, Checklist):
            return any(item_key(i.text)[:8] in text for i in leaf.rule.items)
        return bool(leaf.content) and item_key(leaf.content or "")[:8] in text

    def match_item(self, leaf: Node, text: str) -> str | None:
        if not isinstance(leaf.rule, Checklist):
            return None
        key = item_key(text)
        if len(key) < 4:
            return None
        best, ratio = None, 0.0
        for item in leaf.rule.items:
            r = SequenceMatcher(None, key, item_key(item.text)).ratio()
            if r > ratio:
                best, ratio = item.id, r
        if ratio >= 0.75:
            return best
        m = _ITEM_NUMBER.match(compact(text))
        if m and ratio >= 0.4:
            index = int(m[1]) - 1
            items = leaf.rule.items
            if 0 <= index < len(items) and items[index].id == best:
                return best
        return None

    # --- rows ---------------------------------------------------------------------------------

    def read(self) -> bool:
        tables = self.doc.tables()
        columns: Columns | None = None
        started = False
        for table in tables:
            head = next(((r, c) for r, row in enumerate(table.rows[:3]) if (c := header_columns(row))), None)
            if head is not None:
                if not started:
                    self.name = title_before(self.doc, table, ("评分表", "评价指标"))
                started = True
                columns = head[1]
                first = head[0] + 1
            elif (
                started
                and columns is not None
                and (max(len(r) for r in table.rows) == columns.width or table.kind == "layout")
            ):
                first = 0  # a page of the table without its header (read from the layout: columns vary)
            else:
                if started:
                    break
                continue
            rows = self.unwrapped(table.rows, first) if table.kind == "layout" else list(enumerate(table.rows))[first:]
            for r, row in rows:
                if self.ended:
                    break
                if header_columns(row) is not None:
                    continue
                self.row(table, r, row, columns)
            if self.ended:
                break
        if not started:
            return False
        self.finish()
        return True

    def row(self, table: Table, r: int, row: list[str], cols: Columns) -> None:
        texts = [(i, c) for i, c in enumerate(row) if compact(c) and not _is_number(c)]
        nums = [(i, c) for i, c in enumerate(row) if _is_number(c)]
        where = table.where(r)
        label = self.name + row_label(table, r)
        context = " | ".join(compact(c) for c in row if compact(c))[:120]
        if texts and _TOTAL_ROW.match(compact(texts[0][1])):
            self.total(table, r, nums, cols, label)
            self.ended = True
            return
        names = [(i, name_key(c)) for i, c in texts if name_key(c) in self.by_name]
        node, notes = self.resolve(names, row)
        for note in notes:
            if note not in self.out.notes:
                self.out.notes.append(note)
        if node is not None:
            if not node.is_leaf:
                return  # a tier printed alone
            self.state.leaf, self.state.item = node, None
        leaf = self.state.leaf
        if leaf is None:
            if nums:
                self.out.unplaced.extend(Unplaced(c, label, context, "评分表中认不出属于哪个指标") for _, c in nums)
            return
        item = None
        after = names[-1][0] if names else -1
        if isinstance(leaf.rule, Checklist):
            for i, c in texts:
                if i > after and (found := self.match_item(leaf, c)):
                    item = found
                    break
            if item is None and node is None and nums:
                self.out.unplaced.extend(
                    Unplaced(c, label, context, f"认不出是“{leaf.name}”的哪个评分要点") for _, c in nums
                )
                return
            if item is None and not nums:
                return  # the indicator's name row before its first 评分要点, or a wrapped line of text
        elif node is None:
            if nums:  # an indicator without 评分要点 has its numbers on its own row, not on the rows after it
                self.out.unplaced.extend(
                    Unplaced(c, label, context, f"在“{leaf.name}”之下、却不在它那一行，认不出属于哪个指标")
                    for _, c in nums
                )
            return  # (else a wrapped line of the indicator's text)
        weight, self_score, reviewed, why = self.numbers(row, texts, nums, cols)
        what = leaf.name if item is None else f"{leaf.name}·{_item_text(leaf, item)}"
        expected = leaf.weight if item is None else _item_points(leaf, item)
        key = leaf.id if item is None else f"{leaf.id}.items.{item}"
        if key in self.seen:  # read already: a second set of numbers is not this one's (a wrapped name?)
            self.out.unplaced.extend(
                Unplaced(c, label, context, f"“{what}”已读过一次，这一行的数未读") for _, c in nums
            )
            return
        self.seen.add(key)
        if why is not None:
            self.out.lost.append(f"{what}（{label}）：{why}，未填")
            self.out.unplaced.extend(Unplaced(c, label, context, f"{what}：{why}") for _, c in nums)
            return
        cell_where = f"{what}（{row_label(table, r, within=True)}）" if where.line is None else what
        if weight is not None and expected is not None and weight != expected:
            # not this indicator's row as the rubric has it (another version of the table, or a row the
            # rubric does not have under a name it shares): its numbers are listed, not read
            why = f"印出的分值 {fmt_points(weight)} 与评分表的 {fmt_points(expected)} 不符，自评得分未读"
            self.out.lost.append(f"{what}（{label}）：{why}")
            self.out.unplaced.extend(Unplaced(c, label, context, f"{what}：{why}") for _, c in nums)
            return
        src = self.out.source(where, table=self.name, cell=f"{cell_where}·自评得分")
        path = f"self_assessment.scores.{leaf.id}"
        if self_score is not None:
            if item is None:
                self.out.put(f"{path}.score", self_score, src)
            else:
                self.out.put(f"{path}.items.{item}", self_score, src)
        if reviewed is not None:
            reviewed_src = self.out.source(where, table=self.name, cell=f"{cell_where}·审核得分")
            if item is None:
                self.out.put(f"{path}.reviewed", reviewed, reviewed_src)
            else:
                self.reviewed_items.setdefault(leaf.id, {})[item] = (reviewed, reviewed_src)

    def unwrapped(self, rows: list[list[str]], first: int) -> list[tuple[int, list[str]]]:
        """A table read from the text's layout (no ruling lines): a row without any number that names no
        indicator and opens no 评分要点 (“1、…”) is a wrapped line of the row above it, joined to it."""
        from perfeval.fileio.extract.document import joined

        out: list[tuple[int, list[str]]] = []
        for r in range(first, len(rows)):
            row = rows[r]
            if not any(compact(c) for c in row):
                continue
            opens = any(name_key(c) in self.by_name or _ITEM_NUMBER.match(compact(c)) for c in row if compact(c))
            if out and not opens and not any(_is_number(c) for c in row) and header_columns(row) is None:
                _, above = out[-1]
                above += [""] * (len(row) - len(above))
                for i, c in enumerate(row):
                    if compact(c):
                        above[i] = joined(above[i], c) if above[i] else c
                continue
            out.append((r, list(row)))
        return out

    def numbers(
        self, row: list[str], texts: list[tuple[int, str]], nums: list[tuple[int, str]], cols: Columns
    ) -> tuple[Decimal | None, Decimal | None, Decimal | None, str | None]:
        """分值, 自评得分, 审核得分 of a row, and why they cannot be read (None when they can)."""
        if not nums:
            return None, None, None, "分值和自评得分两格为空（提取时丢失）"
        values = {i: number(c)[0] for i, c in nums}
        if len(row) == cols.width and set(values) <= set(cols.numeric) and cols.self in values:
            return (
                values.get(cols.weight) if cols.weight is not None else None,
                values.get(cols.self),
                values.get(cols.reviewed) if cols.reviewed is not None else None,
                None,
            )
        last_text = max((i for i, _ in texts), default=-1)
        trailing = [values[i] for i, _ in nums if i > last_text]
        if len(trailing) != len(nums) or len(trailing) < 2:
            return None, None, None, "分值与自评得分只剩一格或位置错乱，分不清是哪一格"
        weight, self_score = trailing[0], trailing[1]
        reviewed = trailing[2] if len(trailing) > 2 else None
        return weight, self_score, reviewed, None

    def total(self, table: Table, r: int, nums: list[tuple[int, str]], cols: Columns, label: str) -> None:
        values = [(i, number(c)[0]) for i, c in nums]
        by_col = dict(values)
        stated = by_col.get(cols.self) if cols.self in by_col else (values[1][1] if len(values) >= 2 else None)
        if stated is None:
            if values:
                self.out.unplaced.append(
                    Unplaced(" ".join(c for _, c in nums), label, "总分", "总分行的自评得分认不出")
                )
            return
        where = table.where(r)
        cell = "总分·自评得分" if where.line is not None else f"总分（{row_label(table, r, within=True)}）·自评得分"
        self.out.put("self_assessment.total", stated, self.out.source(where, table=self.name, cell=cell))

    def finish(self) -> None:
        """Name the indicators and 评分要点 of the rubric the table does not show at all; an indicator's
        审核得分 given by 评分要点 is their sum when every one is given."""
        for leaf in self.rubric.leaves():
            if not isinstance(leaf.rule, Checklist):
                if leaf.id not in self.seen:
                    self.out.lost.append(f"{leaf.name}：报告的评分表中没有找到这一指标，未填")
                continue
            shown = [i for i in leaf.rule.items if f"{leaf.id}.items.{i.id}" in self.seen]
            if leaf.id in self.seen:
                continue
            if not shown:
                self.out.lost.append(f"{leaf.name}：报告的评分表中没有找到这一指标，未填")
                continue
            for i in leaf.rule.items:
                if i not in shown:
                    self.out.lost.append(f"{leaf.name}·{_item_text(leaf, i.id)}：报告的评分表中没有这一评分要点，未填")
            given = self.reviewed_items.get(leaf.id, {})
            if given and len(given) == len(leaf.rule.items):
                first = next(iter(given.values()))[1]
                self.out.put(
                    f"self_assessment.scores.{leaf.id}.reviewed",
                    sum((v for v, _ in given.values()), Decimal(0)),
                    first,  # type: ignore[arg-type]
                )
                self.out.notes.append(f"{leaf.name}的审核得分按评分要点给出，记为其和")
            elif given:
                self.out.notes.append(f"{leaf.name}的审核得分只给出部分评分要点，未记（部门文件只记指标的审核得分）")


def row_label(table: Table, r: int, *, within: bool = False) -> str:
    """Where a row of a table is: 第 161 行 (a text file), 第 5 页表内第 3 行 (PDF), 表 3 第 4 行 (Word)."""
    where = table.where(r)
    if where.line is not None:
        return where.label()
    if where.page is not None:
        return ("" if within else where.label()) + f"表内第 {r + 1} 行"
    return f"表 {table.index} 第 {r + 1} 行"


def _is_number(text: str) -> bool:
    return number(text)[0] is not None


def _item_text(leaf: Node, item_id: str) -> str:
    if isinstance(leaf.rule, Checklist):
        for item in leaf.rule.items:
            if item.id == item_id:
                return item.text.rstrip("；;。.")
    return item_id


def _item_points(leaf: Node, item_id: str) -> Decimal | None:
    if isinstance(leaf.rule, Checklist):
        for item in leaf.rule.items:
            if item.id == item_id:
                return item.points
    return None


def read_score_table(rubric: Rubric, doc: Document, out: Extraction) -> int | None:
    """Read the score table into ``out``: how many of the rubric's indicators it names (None: no table)."""
    reader = ScoreReader(rubric, doc, out)
    if not reader.read():
        return None
    return len({key.split(".")[0] for key in reader.seen})
