"""附件1 基础数据表 as the report prints it: found by its headers, its columns mapped to the department
file by their printed names, one data row (and a row per further project).

The header has up to three rows (年初预算支出计划 / 收入来源 / 实际支出 / 经费结余情况 over 基本支出情况 /
项目支出情况 over the columns); a label covers the columns up to the next label of its row, within its
parent's. A column whose header is not recognised, or a data cell that is not a number (“—”, “/”), is
listed, never read as zero.
"""

from __future__ import annotations

import re
from decimal import Decimal

from perfeval.core.report_text import clean_float, compact
from perfeval.fileio.extract.document import Document, Paragraph, Table
from perfeval.fileio.extract.result import Extraction, Unplaced

_HEADER_WORDS = ("年初预算", "收入", "实际支出", "基本支出", "项目支出", "结余", "工资福利", "商品和服务", "小计")
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")

# the last header word of a column → the field, by block
_TOTAL = re.compile(r"^(?:小计|合计|总计|计)$")
_ECONOMIC = [
    (re.compile(r"工资福利"), "wages_welfare"),
    (re.compile(r"商品和服务|商品服务"), "goods_services"),
    (re.compile(r"对个人和家庭|个人家庭"), "household_subsidies"),
    (re.compile(r"资本性"), "capital"),
    (re.compile(r"三公"), "sangong"),
    (re.compile(r"^其他(?:支出)?$"), "other"),
]
_INCOME = [
    (re.compile(r"上年(?:结余|结转)|年初结(?:余|转)"), "prior_year_balance"),
    (re.compile(r"上级"), "superior_finance"),
    (re.compile(r"(?:本级|县级|市级|区级|旗级|同级|乡镇|县|市|区)财政"), "county_finance"),
    (re.compile(r"财政拨款"), "fiscal_appropriation"),
    (re.compile(r"^其他"), "other"),
]
_SPLIT = [(re.compile(r"基本"), "basic"), (re.compile(r"项目"), "project")]


def number(text: str) -> tuple[Decimal | None, str | None]:
    """A cell as a number: ``1,048.50``, ``1048.5``, a spreadsheet float; (None, None) when blank."""
    cleaned = re.sub(r"\s", "", text)
    if not cleaned:
        return None, None
    if not _NUMBER.match(cleaned):
        return None, None
    return clean_float(cleaned.replace(",", ""))


def is_numeric(text: str) -> bool:
    return number(text)[0] is not None


def looks_like_basic_table(table: Table) -> bool:
    head = " ".join(compact(c) for row in table.rows[:4] for c in row)
    return sum(word in head for word in _HEADER_WORDS) >= 4 and "分值" not in head


def _header_rows(table: Table) -> int:
    for r, row in enumerate(table.rows):
        if any(is_numeric(c) for c in row):
            return r
    return len(table.rows)


def column_paths(header: list[list[str]], width: int) -> list[list[str]]:
    """Each column's header labels, top to bottom (see the module docstring)."""
    out = []
    for j in range(width):
        lo, hi = 0, width - 1
        path: list[str] = []
        for row in header:
            row = row + [""] * (width - len(row))
            labels = [i for i in range(lo, hi + 1) if compact(row[i])]
            mine = [i for i in labels if i <= j]
            if not mine:
                continue
            i = mine[-1]
            after = [k for k in labels if k > i]
            lo, hi = i, (after[0] - 1 if after else hi)
            path.append(compact(row[i]))
        out.append(path)
    return out


def field_of(path: list[str]) -> tuple[str, str] | None:
    """(block, field) of a column by its header labels, or None when not recognised. Blocks:
    initial_budget, income, basic_spending, project, spending, balance."""
    if not path:
        return None
    top, last = path[0], path[-1]
    rest = path[1:]
    if "年初预算" in top or "预算支出计划" in top:
        block = "initial_budget"
    elif "收入" in top:
        block = "income"
    elif "结余" in top or ("结转" in top and "上年" not in top):
        block = "balance"
    elif "支出" in top:  # 实际支出 · 基本支出情况 / 项目支出情况 (the middle row) · the column
        middle = "".join(rest[:-1])
        block = "project" if "项目" in middle else "basic_spending" if "基本" in middle else "spending"
    else:
        return None
    if len(path) == 1 or _TOTAL.match(last):
        return (block, "total")
    if block in ("initial_budget", "balance"):
        return next(((block, f) for p, f in _SPLIT if p.search(last)), None)
    if block == "income":
        return next(((block, f) for p, f in _INCOME if p.search(last)), None)
    if block == "project" and "名称" in last:
        return (block, "name")
    return next(((block, f) for p, f in _ECONOMIC if p.search(last)), None)


_PATHS = {
    "initial_budget": "basic_data.initial_budget",
    "income": "basic_data.income",
    "basic_spending": "basic_data.basic_spending",
    "spending": "basic_data.spending",
    "balance": "basic_data.balance",
}


def title_before(doc: Document, table: Table, words: tuple[str, ...]) -> str:
    """The table's name from the paragraphs just before it: 附件1 (and its title), else 表 N."""
    index = doc.blocks.index(table)
    annex = title = None
    for block in reversed(doc.blocks[max(0, index - 8) : index]):
        if not isinstance(block, Paragraph):
            break
        if annex is None and (m := re.match(r"^(附件|附表)\s*(\d+)", block.text)):
            annex = f"{m[1]}{m[2]}"
        if title is None and any(w in block.text for w in words) and len(block.text) <= 60:
            title = block.text
    return annex or title or f"表{table.index}"


def read_basic_table(doc: Document, out: Extraction) -> bool:
    """Fill ``basic_data`` from the first table that looks like 附件1; whether one was found."""
    table = next((t for t in doc.tables() if looks_like_basic_table(t)), None)
    if table is None:
        return False
    name = title_before(doc, table, ("基础数据表", "基础数据"))
    heads = _header_rows(table)
    width = max(len(r) for r in table.rows)
    paths = column_paths(table.rows[:heads], width)
    fields = [field_of(p) for p in paths]
    for j, (path, f) in enumerate(zip(paths, fields, strict=True)):
        if f is None and path and j > 0 and len(path) > 1 and fields[j - 1] is not None:
            # a group label printed one column too far right (an extraction artefact): the column belongs
            # with its left neighbour's group when its own label fits there
            moved = paths[j - 1][:-1] + path[-1:]
            if (f := field_of(moved)) is not None:
                fields[j] = f
                out.notes.append(
                    f"{name}第 {j + 1} 列的表头“{'·'.join(path)}”不成立，按左邻的栏目读作“{'·'.join(moved)}”"
                    "（上层表头错位一列）"
                )
                paths[j] = moved
                continue
        if f is None and path:
            out.notes.append(f"{name}第 {j + 1} 列（{'·'.join(path)}）的表头认不出，该列未读")
    project = -1
    for r in range(heads, len(table.rows)):
        row = table.rows[r] + [""] * (width - len(table.rows[r]))
        if not any(row) or compact(row[0]).startswith(("注", "填报", "单位负责人")):
            continue
        cells = [(j, row[j], fields[j]) for j in range(width) if compact(row[j])]
        only_project = all(f is not None and f[0] == "project" for _, _, f in cells)
        if r > heads and not only_project:
            out.unplaced.extend(
                Unplaced(text, f"{name}第 {r + 1} 行第 {j + 1} 列", "·".join(paths[j]), "基础数据表多出的一行，未读")
                for j, text, _ in cells
            )
            continue
        if any(f is not None and f[0] == "project" for _, _, f in cells):
            project += 1
        for j, text, f in cells:
            label = "·".join(paths[j]) or f"第 {j + 1} 列"
            where = table.where(r)
            cell = f"第 {j + 1} 列（{label}）" if where.line is not None else f"第 {r + 1} 行第 {j + 1} 列（{label}）"
            if f is None:
                out.unplaced.append(Unplaced(text, f"{name}{cell}", label, "表头认不出，未读"))
                continue
            block, key = f
            at = f"basic_data.projects[{project}].{key}" if block == "project" else f"{_PATHS[block]}.{key}"
            if key == "name":
                out.put(at, text, out.source(where, table=name, cell=cell))
                continue
            value, note = number(text)
            if value is None:
                out.unplaced.append(Unplaced(text, f"{name}{cell}", label, "不是数值，未读（空白不是零）"))
                continue
            if note:
                out.notes.append(f"{name}{cell}：{note}")
            out.put(at, value, out.source(where, table=name, cell=cell))
    return True
