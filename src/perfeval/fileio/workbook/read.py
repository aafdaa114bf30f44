"""Reading a department workbook into the same plain data a department YAML file yields.

Numbers become ``int``/``Decimal`` exactly (numbers stored as text, "1,295.87", are accepted
through :mod:`perfeval.core.number_text`); text stays text; every value keeps its cell
(``评分表!G12``) in a :class:`WorkbookSourceMap`, so the pydantic model and the
cross-checks report problems by sheet and cell, exactly as for YAML by line and column.

Formulas are read by their cached values (what Excel or LibreOffice last computed); a
formula without one is reported, never read as empty.

A workbook is a zip of XML parts written by anyone, so before openpyxl sees it every part is
bounded (:func:`_check_archive`): the number of parts, each part's inflated size as the zip
declares it and the ratio to its compressed size (a zip bomb is refused from its directory,
before a byte is inflated), then each XML part is streamed through expat with a cap — never
inflated whole into memory — which refuses a DTD (entity bombs, external entities) and
malformed XML, naming the part. openpyxl itself parses through defusedxml. Only
visible sheets are read: a workbook whose expected sheet is hidden is refused, naming it.

Why this module is long: the six sheets of a department workbook are read here, each by its
hidden ids and, for workbooks made by other programs, by its printed labels; they share the one cell
reader and the one cell map, which a split would have to pass around.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from perfeval.core.facts import CATALOGUE
from perfeval.core.number_text import parse_decimal
from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.rubric import Node, Rubric
from perfeval.core.rules import Checklist
from perfeval.fileio.workbook import other_values as ov
from perfeval.fileio.workbook.layout import (
    BASIC_COLUMNS,
    META_FIELDS,
    NONE_MARK,
    ROW_COLUMNS,
    ROW_NODE_ID_LABEL,
    ROW_NODE_LABEL,
    ROW_NUMBERS,
    SANGONG_COLUMNS,
    SANGONG_ROWS,
    SHEET_BASIC,
    SHEET_FACTS,
    SHEET_INFO,
    SHEET_OTHER,
    SHEET_ROWS,
    SHEET_SCORES,
    SUBTOTAL_MARK,
    TOTAL_ID,
)

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024  # the file as stored (compressed)
MAX_PARTS = 2000  # files inside the zip; perfeval's own workbook has 12
MAX_DIRECTORY_BYTES = 2 * 1024 * 1024  # the zip's central directory (read whole by zipfile)
MAX_PART_BYTES = 32 * 1024 * 1024  # one part inflated; a department workbook's largest is ~50 KB
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # all parts inflated together
MAX_RATIO = 100  # inflated ÷ compressed, for parts above RATIO_FROM; real sheets compress 4–10×
RATIO_FROM = 1024 * 1024
MAX_CELLS = 200_000  # non-empty cells read from one sheet; a department workbook has ~2,000
_CHUNK = 64 * 1024

Path_ = tuple[str | int, ...]

NOT_FILLED = {"-", "--", "—", "——", "–", "－", "/", "／", "\\"}  # read as an empty number cell


@dataclass(slots=True)
class WorkbookSourceMap:
    """Cells of a workbook by key path; the workbook twin of :class:`perfeval.fileio.yaml_read.SourceMap`."""

    file: str
    values: dict[Path_, str] = field(default_factory=dict)  # path → '评分表!G12'
    keys: dict[Path_, str] = field(default_factory=dict)  # where the name of an entry is written

    def has(self, path: Path_) -> bool:
        return tuple(path) in self.values or tuple(path) in self.keys

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The cell of the longest prefix of ``path`` that the workbook has."""
        p = tuple(path)
        while p:
            if key and p in self.keys:
                return Location(self.file, cell=self.keys[p])
            if p in self.values:
                return Location(self.file, cell=self.values[p])
            p = p[:-1]
        return Location(self.file)


def _norm_label(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


@dataclass(slots=True)
class Sheet:
    """One worksheet's non-empty cells, read once (openpyxl read-only mode is fast but sequential)."""

    title: str
    cells: dict[tuple[int, int], Any]
    formulas: set[tuple[int, int]]  # cells holding a formula
    max_row: int = 0
    max_column: int = 0

    def value(self, row: int, col: int) -> Any:
        return self.cells.get((row, col))


class _CellParser(WorkSheetParser):
    """openpyxl's streaming sheet parser, noting which cells hold a formula (read with its cached value)."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        if element.find(FORMULA_TAG) is not None:
            cell["formula"] = True
        return cell


def _grid(ws: Any, file: str) -> Sheet:
    """One sheet's non-empty cells, from openpyxl's parser directly: only the cells the file has
    (``iter_rows`` would pad every row to its last column: one cell at XFD1 on a million rows is
    sixteen billion empty values), at most :data:`MAX_CELLS` of them."""
    wb = ws.parent
    cells: dict[tuple[int, int], Any] = {}
    formulas: set[tuple[int, int]] = set()
    with ws._get_source() as src:  # (openpyxl ≥ 3.1: the archive member of this sheet)
        parser = _CellParser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for _, row in parser.parse():
            for cell in row:
                at = (cell["row"], cell["column"])
                if cell.get("formula"):
                    formulas.add(at)
                v = cell["value"]
                if v is not None and v != "":
                    cells[at] = v
                    if len(cells) > MAX_CELLS:
                        raise InputError(
                            [
                                Problem(
                                    "sheet-too-large",
                                    f"工作表“{ws.title}”有超过 {MAX_CELLS:,} 个非空单元格；一份评价填报表远没有这么多，"
                                    "请检查是否选错了文件，或删去与评价无关的数据",
                                    Location(file, cell=f"{ws.title}!A1"),
                                )
                            ]
                        )
    return Sheet(
        ws.title, cells, formulas, max((r for r, _ in cells), default=0), max((c for _, c in cells), default=0)
    )


RubricLookup = Callable[[Path], "Rubric | None"]
"""Finds the rubric a workbook's 填报信息 names (a path relative to the workbook), or None."""


class _Reader:
    def __init__(self, file: str, rubric_lookup: RubricLookup | None = None) -> None:
        self.file = file
        self.rubric_lookup = rubric_lookup
        self.source = WorkbookSourceMap(file)
        self.problems: list[Problem] = []

    # --- cells ---------------------------------------------------------------------------

    def ref(self, ws: Sheet, row: int, col: int) -> str:
        return f"{ws.title}!{get_column_letter(col)}{row}"

    def raw(self, ws: Sheet, row: int, col: int) -> Any:
        value = ws.value(row, col)
        if value is None:
            if (row, col) in ws.formulas:
                self.problem(
                    ws,
                    row,
                    col,
                    "formula-without-value",
                    "此单元格是公式，但文件中没有保存计算结果（生成它的程序没有计算公式）；"
                    "请用 Excel 或 WPS 打开后保存一次，或直接填写数值",
                )
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value

    def problem(self, ws: Sheet, row: int, col: int, code: str, message: str) -> None:
        self.problems.append(Problem(code, message, Location(self.file, cell=self.ref(ws, row, col))))

    def text(self, ws: Sheet, row: int, col: int, *, exact: bool = False) -> str | None:
        """The cell as text; ``exact``: a free text (a name, a note) with its outer spaces kept, as typed."""
        value = self.raw(ws, row, col)
        if value is None:
            return None
        if exact and isinstance(value, str):
            written = ws.value(row, col)
            return written if isinstance(written, str) else value
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def number(self, ws: Sheet, row: int, col: int, what: str, *, percent_ok: bool = False) -> Any:
        value = self.raw(ws, row, col)
        if value is None:
            return None
        if isinstance(value, (datetime, date, time)):
            self.problem(
                ws,
                row,
                col,
                "cell-not-a-number",
                f"{what}：这里需要数值，单元格却是日期或时间；请把单元格格式改为“数值”后重新填写",
            )
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value in NOT_FILLED:
            return None  # a dash is how finance tables leave a cell empty; it is not a 0
        try:
            number = parse_decimal(value, percent_ok=percent_ok)
        except ValueError as exc:
            self.problem(ws, row, col, "cell-not-a-number", f"{what}：{exc}")
            return None
        if not isinstance(number, Decimal):
            self.problem(ws, row, col, "cell-not-a-number", f"{what}：{value!r} 不是数值；请只填写数字")
            return None
        return number

    def put(self, path: Path_, ws: Sheet, row: int, col: int, *, key_col: int | None = None) -> None:
        self.source.values.setdefault(path, self.ref(ws, row, col))
        if key_col is not None:
            self.source.keys.setdefault(path, self.ref(ws, row, key_col))

    def rows(self, ws: Sheet, start: int = 1) -> list[int]:
        """Numbers of the rows from ``start`` on that hold anything; blank and formatted-but-empty rows skipped."""
        return sorted({r for r, _ in ws.cells if r >= start})

    def find(self, ws: Sheet, predicate: Callable[[Any], bool], max_rows: int = 60) -> tuple[int, int] | None:
        for r in range(1, min(ws.max_row or 0, max_rows) + 1):
            for c in range(1, (ws.max_column or 0) + 1):
                if predicate(ws.value(r, c)):
                    return r, c
        return None

    def header(self, ws: Sheet, label: str) -> tuple[int, dict[str, int]] | None:
        """The header row holding ``label`` (in the first 20 rows), and its columns by their labels (spaces
        removed; the first of a label written twice)."""
        hit = self.find(ws, lambda v: _norm_label(v) == label, max_rows=20)
        if hit is None:
            return None
        columns: dict[str, int] = {}
        for c in range(1, (ws.max_column or 0) + 1):
            columns.setdefault(_norm_label(ws.value(hit[0], c)), c)
        columns.pop("", None)
        return hit[0], columns


# --- 填报信息 ---------------------------------------------------------------------------------

_META_BY_LABEL = {_norm_label(label): key for key, label, _ in META_FIELDS}
_SANGONG_BY_LABEL = {_norm_label(label): key for key, label in SANGONG_ROWS}
_SECTION_HEADERS = {"项目", "类型", "功能科目编码", "口径"}
_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*$")


def _read_info(rd: _Reader, ws: Sheet, data: dict[str, Any]) -> None:
    hit = rd.find(ws, lambda v: isinstance(v, str) and v.startswith("section:"), max_rows=10)
    key_col = hit[1] if hit else None
    section = "meta"
    budget: dict[str, Any] = {}
    adjustments: list[dict[str, Any]] | None = None
    functions: list[dict[str, Any]] | None = None
    sangong: dict[str, dict[str, Any]] = {}
    for r in rd.rows(ws, 2):
        key = rd.text(ws, r, key_col) if key_col else None
        if key and key.startswith("section:"):
            section = key.removeprefix("section:")
            continue
        first = rd.text(ws, r, 1)
        if _norm_label(first) in _SECTION_HEADERS:
            continue
        if section == "meta":
            name = key or _META_BY_LABEL.get(_norm_label(first))
            if name not in {k for k, _, _ in META_FIELDS}:
                continue
            rd.put((name,), ws, r, 2, key_col=1)
            if name == "year":
                value = rd.raw(ws, r, 2)
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                elif isinstance(value, str) and re.fullmatch(r"\d{4}", value.translate(_FULLWIDTH_DIGITS)):
                    value = int(value.translate(_FULLWIDTH_DIGITS))
            elif name == "illustrative":
                value = rd.raw(ws, r, 2)
                value = {"是": True, "否": False}.get(value, value) if isinstance(value, str) else value
            elif name == "filled_on":
                value = rd.text(ws, r, 2)
                m = _CN_DATE.match(value or "")
                if m:
                    try:
                        value = date(int(m[1]), int(m[2]), int(m[3])).isoformat()
                    except ValueError:
                        pass  # not a date: left as written, for the model to report
            else:
                value = rd.text(ws, r, 2, exact=name in ("unit", "unit_short", "source"))
            if value is not None:
                data[name] = value
        elif section == "budget":
            if key == "budget.final" or _norm_label(first).startswith("调整后预算数"):
                rd.put(("budget", "final"), ws, r, 2)
                value = rd.number(ws, r, 2, "调整后预算数")
                if value is not None:
                    budget["final"] = value
        elif section == "adjustments":
            kind, note = rd.text(ws, r, 1), rd.text(ws, r, 3, exact=True)
            amount = rd.number(ws, r, 2, "预算调整金额")
            if kind is None and amount is None and note is None:
                continue
            if adjustments is None:
                adjustments = []
                rd.put(("budget", "adjustments"), ws, r, 1)
            if kind == NONE_MARK and amount is None and note is None:
                continue
            i = len(adjustments)
            rd.put(("budget", "adjustments", i), ws, r, 1)
            for col, f in ((1, "kind"), (2, "amount"), (3, "note")):
                rd.put(("budget", "adjustments", i, f), ws, r, col)
            entry: dict[str, Any] = {"kind": kind, "amount": amount}
            if note is not None:
                entry["note"] = note
            adjustments.append({k: v for k, v in entry.items() if v is not None})
        elif section == "functions":
            code, name = rd.text(ws, r, 1), rd.text(ws, r, 2, exact=True)
            amount = rd.number(ws, r, 3, "按功能科目的支出金额")
            if code is None and name is None and amount is None:
                continue
            if functions is None:
                functions = []
                rd.put(("spending_by_function",), ws, r, 1)
            if code == NONE_MARK and name is None and amount is None:
                continue
            i = len(functions)
            rd.put(("spending_by_function", i), ws, r, 1)
            for col, f in ((1, "code"), (2, "name"), (3, "amount")):
                rd.put(("spending_by_function", i, f), ws, r, col)
            functions.append({k: v for k, v in {"code": code, "name": name, "amount": amount}.items() if v is not None})
        elif section == "sangong":
            part = (key or "").removeprefix("sangong.") if key else _SANGONG_BY_LABEL.get(_norm_label(first))
            if part not in {k for k, _ in SANGONG_ROWS}:
                continue
            values: dict[str, Any] = {}
            rd.put(("sangong", part), ws, r, 2)
            for j, (f, label) in enumerate(SANGONG_COLUMNS, start=2):
                rd.put(("sangong", part, f), ws, r, j)
                v = rd.number(ws, r, j, f"“三公”经费{label}")
                if v is not None:
                    values[f] = v
            sangong[part] = values
    if adjustments is not None:
        budget["adjustments"] = adjustments
    data["budget"] = budget
    if functions is not None:
        data["spending_by_function"] = functions
    data["sangong"] = sangong


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


# --- 基础数据表 (附件1) ----------------------------------------------------------------------

_BASIC_KEYS = [key for *_, key in BASIC_COLUMNS]
_BASIC_LABELS = {key: (sub or group) + "·" + label for group, sub, label, key in BASIC_COLUMNS}
_STANDARD_NAME_COL = _BASIC_KEYS.index("projects.name") + 1


def _basic_columns(rd: _Reader, ws: Sheet) -> tuple[dict[int, str], int] | None:
    """Column → key, and the first data row. By the hidden key row, else by 附件1's column order."""
    hit = rd.find(ws, lambda v: v == "initial_budget.total", max_rows=20)
    if hit:
        r, _ = hit
        cols = {}
        for c in range(1, (ws.max_column or 0) + 1):
            v = ws.value(r, c)
            if v in _BASIC_KEYS:
                cols[c] = v
        return cols, r + 1
    hit = rd.find(ws, lambda v: _norm_label(v) == "项目名称", max_rows=20)
    if not hit:
        return None
    r, c = hit
    offset = c - _STANDARD_NAME_COL
    if offset < 0:
        return None
    cols = {offset + i: key for i, key in enumerate(_BASIC_KEYS, start=1)}
    if _norm_label(ws.value(r, offset + len(_BASIC_KEYS))) != "项目说明":
        cols.pop(offset + len(_BASIC_KEYS))  # 附件1 proper has no 项目说明 column
    return cols, r + 1


def _read_basic(rd: _Reader, ws: Sheet, data: dict[str, Any]) -> None:
    found = _basic_columns(rd, ws)
    if found is None:
        rd.problems.append(
            Problem(
                "basic-data-header",
                "基础数据表：找不到表头（“项目名称”一栏）；请使用 perfeval init 生成的模板，或保持附件1的栏目顺序",
                Location(rd.file, cell=f"{ws.title}!A1"),
            )
        )
        return
    cols, first = found
    basic: dict[str, Any] = {"initial_budget": {}, "income": {}, "basic_spending": {}, "balance": {}}
    projects: list[dict[str, Any]] | None = None
    seen_first = False
    for r in rd.rows(ws, first):
        lead = rd.text(ws, r, min(cols))
        if lead and (lead.startswith("注") or lead.replace(" ", "").startswith(("填报人", "单位负责人"))):
            break
        filled = {c: key for c, key in cols.items() if ws.value(r, c) not in (None, "")}
        if not filled:
            continue
        project: dict[str, Any] = {}
        for c, key in cols.items():
            part, f = key.split(".")
            label = _BASIC_LABELS[key]
            if part == "projects":
                continue
            if not seen_first:
                rd.put(("basic_data", part), ws, r, c)
                rd.put(("basic_data", part, f), ws, r, c)
                v = rd.number(ws, r, c, f"基础数据表 {label}")
                if v is not None:
                    basic[part][f] = v
            elif c in filled:
                rd.problem(
                    ws,
                    r,
                    c,
                    "basic-data-extra-row",
                    f"基础数据表 {label}：年初预算、收入来源、基本支出和经费结余只填第一行；第二行起只填写项目支出情况",
                )
        if not seen_first:
            rd.put(("basic_data",), ws, r, min(cols))
        seen_first = True
        project_cols = [(c, key.split(".")[1]) for c, key in cols.items() if key.startswith("projects.")]
        if not any(c in filled for c, _ in project_cols):
            continue
        if projects is None:
            projects = []
            rd.put(("basic_data", "projects"), ws, r, project_cols[0][0])
        name_col = next(c for c, f in project_cols if f == "name")
        if rd.text(ws, r, name_col) == NONE_MARK and len([c for c, _ in project_cols if c in filled]) == 1:
            continue
        i = len(projects)
        rd.put(("basic_data", "projects", i), ws, r, name_col)
        for c, f in project_cols:
            rd.put(("basic_data", "projects", i, f), ws, r, c)
            if f in ("name", "note"):
                v = rd.text(ws, r, c, exact=True)
            else:
                v = rd.number(ws, r, c, f"基础数据表 项目支出情况·{_BASIC_LABELS['projects.' + f].split('·')[1]}")
            if v is not None:
                project[f] = v
        projects.append(project)
    if projects is not None:
        basic["projects"] = projects
    data["basic_data"] = basic


# --- 评分表 (附件2) ---------------------------------------------------------------------------


def _row_in_place(rd: _Reader, ws: Sheet, r: int, c_weight: int, c_check: int) -> bool:
    """The visible 分值 still matches the hidden copy written beside the ids."""
    shown, expected = ws.value(r, c_weight), ws.value(r, c_check)
    if shown is None or expected is None:
        return True
    try:
        same: bool = parse_decimal(shown) == parse_decimal(expected)
    except ValueError:
        same = False
    if not same:
        rd.problem(
            ws,
            r,
            c_weight,
            "scores-row-shifted",
            f"此行的分值 {shown} 与模板记录的 {expected} 不一致：行可能已错位（插入、删除或粘贴了行），"
            "或分值被改动；请按评分表恢复此行，粘贴时请整行粘贴",
        )
    return same


def _rows_by_id(
    rd: _Reader, ws: Sheet, header: int, c_id: int, c_item: int | None, c_self: int, c_rev: int | None
) -> list[tuple[int, str, str | None]]:
    """(row, indicator id, item id) from the hidden id columns."""
    out = []
    for r in rd.rows(ws, header + 1):
        sid = rd.text(ws, r, c_id)
        iid = rd.text(ws, r, c_item) if c_item else None
        if not sid:
            if any(c and ws.value(r, c) not in (None, "") for c in (c_self, c_rev)):
                rd.problem(
                    ws,
                    r,
                    c_self,
                    "scores-row-without-id",
                    "此行填了得分，但没有指标标识（隐藏的“指标标识”列为空），无法确定属于哪个指标；"
                    "请不要在表中插入新行，复制时请整行复制",
                )
            continue
        out.append((r, sid, iid))
    return out


_WEIGHT_SUFFIX = re.compile(r"[（(][\d.]+分[)）]$")
_PUNCT = re.compile(r"[\s，,；;。.、：:（）()“”\"'‘’]+")


def _name_key(text: str | None) -> str:
    """指标 names as tables print them: '绩效 目标 合理 性 (4 分)' → '绩效目标合理性'."""
    return _WEIGHT_SUFFIX.sub("", re.sub(r"\s+", "", text or ""))


def _declared_rubric(rd: _Reader, data: dict[str, Any]) -> Rubric | None:
    """The rubric the workbook's 填报信息 names, if it loads; needed only to read a 评分表 by names."""
    ref = data.get("rubric")
    if not isinstance(ref, str) or rd.rubric_lookup is None:
        return None
    path = Path(ref) if Path(ref).is_absolute() else Path(rd.file).parent / ref
    return rd.rubric_lookup(path)


def _rows_by_name(
    rd: _Reader, ws: Sheet, header: int, col: dict[str, int], rubric: Rubric
) -> list[tuple[int, str, str | None]]:
    """(row, indicator id, item id) for a 附件2 table without ids: by 指标 name, then 评分要点 text or order."""

    tier_cols = sorted({c for label, c in col.items() if label.endswith("级指标")}) or list(
        range(1, col.get("指标内容", col["自评得分"]))
    )
    # a leaf is looked for only in its own tier's column: 二级 目标管理 is not 三级 目标管理
    leaves = {(depth, _name_key(n.name)): n for n, depth in rubric.walk() if n.is_leaf}
    c_desc, c_self = col.get("指标说明"), col["自评得分"]
    out: list[tuple[int, str, str | None]] = []
    current: Node | None = None
    order = 0
    for r in rd.rows(ws, header + 1):
        if _name_key(rd.text(ws, r, 1)) in ("总分", "合计", "总计"):
            out.append((r, TOTAL_ID, None))
            current = None
            continue
        if _name_key(rd.text(ws, r, c_self)) == "自评得分":
            continue  # the header repeated on a new page
        for depth in range(len(tier_cols), 0, -1):
            node = leaves.get((depth, _name_key(rd.text(ws, r, tier_cols[depth - 1]))))
            if node is not None:
                current, order = node, 0
                break
        if current is None:
            if ws.value(r, c_self) not in (None, ""):
                rd.problem(
                    ws,
                    r,
                    c_self,
                    "scores-row-unknown",
                    "此行填了得分，但找不到它属于评分表中的哪个指标（按指标名称）；请核对指标名称",
                )
            continue
        if isinstance(current.rule, Checklist):
            text = _PUNCT.sub("", rd.text(ws, r, c_desc) or "") if c_desc else ""
            item = next((i for i in current.rule.items if _PUNCT.sub("", i.text) == text), None)
            if item is None and order < len(current.rule.items):
                item = current.rule.items[order]
            if item is None:
                if ws.value(r, c_self) not in (None, ""):
                    rd.problem(
                        ws,
                        r,
                        c_self,
                        "scores-row-unknown",
                        f"{current.name} 只有 {len(current.rule.items)} 个评分要点，此行多出来了；请核对",
                    )
                continue
            order += 1
            out.append((r, current.id, item.id))
        elif not any(sid == current.id for _, sid, _ in out):
            out.append((r, current.id, None))
    return out


def _read_scores(rd: _Reader, ws: Sheet, data: dict[str, Any]) -> None:
    found = rd.header(ws, "自评得分")
    if not found:
        rd.problems.append(
            Problem(
                "scores-header",
                "评分表：找不到“自评得分”表头；请使用 perfeval init 生成的模板",
                Location(rd.file, cell=f"{ws.title}!A1"),
            )
        )
        return
    header, col = found
    c_self, c_rev, c_note = col["自评得分"], col.get("审核得分"), col.get("说明")
    c_id, c_item = col.get("指标标识"), col.get("要点标识")
    c_weight, c_check = col.get("分值"), col.get("分值校验")
    sa: dict[str, Any] = {}
    rd.put(("self_assessment",), ws, header, c_self)
    rd.put(("self_assessment", "scores"), ws, header, c_self)
    if c_id is not None:
        assigned = _rows_by_id(rd, ws, header, c_id, c_item, c_self, c_rev)
    else:
        rubric = _declared_rubric(rd, data)
        if rubric is None:
            rd.problems.append(
                Problem(
                    "scores-no-ids",
                    "评分表没有“指标标识”列，要按指标名称识别各行，需先在填报信息中填写有效的评分表文件（rubric）；"
                    "或改用 perfeval init 生成的模板",
                    Location(rd.file, cell=rd.ref(ws, header, c_self)),
                )
            )
            return
        assigned = _rows_by_name(rd, ws, header, col, rubric)
    leaves: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[str, Any]] = {}
    item_reviews: dict[str, dict[str, Any]] = {}
    item_notes: dict[str, list[str]] = {}
    subtotals: dict[str, Any] = {}
    seen: dict[tuple[str, str], int] = {}
    for r, sid, iid in assigned:
        where = (sid, iid or "")
        if where in seen:
            rd.problem(
                ws,
                r,
                c_id or c_self,
                "scores-duplicate-row",
                f"指标 {sid}{'的评分要点 ' + iid if iid else ''} 出现了两次（另一处在第 {seen[where]} 行）；"
                "请删去重复的一行",
            )
            continue
        seen[where] = r
        if c_weight and c_check and not _row_in_place(rd, ws, r, c_weight, c_check):
            continue
        if sid == TOTAL_ID:
            rd.put(("self_assessment", "total"), ws, r, c_self)
            v = rd.number(ws, r, c_self, "自评总分")
            if v is not None:
                sa["total"] = v
            continue
        if iid == SUBTOTAL_MARK:
            rd.put(("self_assessment", "subtotals", sid), ws, r, c_self)
            v = rd.number(ws, r, c_self, f"{sid} 的小计")
            if v is not None:
                subtotals[sid] = v
            continue
        base = ("self_assessment", "scores", sid)
        if iid:
            rd.put(base, ws, r, c_self)
            rd.put(base + ("items",), ws, r, c_self)
            rd.put(base + ("items", iid), ws, r, c_self)
            items.setdefault(sid, {})[iid] = rd.number(ws, r, c_self, f"{sid} 评分要点 {iid} 的自评得分")
            if c_rev:
                item_reviews.setdefault(sid, {})[iid] = rd.number(ws, r, c_rev, f"{sid} 评分要点 {iid} 的审核得分")
            note = rd.text(ws, r, c_note, exact=True) if c_note else None
            if note:
                item_notes.setdefault(sid, []).append(note)
            continue
        rd.source.values[base] = rd.ref(ws, r, c_self)
        rd.put(base + ("score",), ws, r, c_self)
        entry: dict[str, Any] = {"score": rd.number(ws, r, c_self, f"{sid} 的自评得分")}
        if c_rev:
            rd.put(base + ("reviewed",), ws, r, c_rev)
            entry["reviewed"] = rd.number(ws, r, c_rev, f"{sid} 的审核得分")
        if c_note:
            rd.put(base + ("note",), ws, r, c_note)
            entry["note"] = rd.text(ws, r, c_note, exact=True)
        leaves[sid] = entry
    scores: dict[str, dict[str, Any]] = {}
    for sid in dict.fromkeys(list(leaves) + list(items)):
        entry = {k: v for k, v in leaves.get(sid, {}).items() if v is not None}
        given = {k: v for k, v in items.get(sid, {}).items() if v is not None}
        if given:
            entry["items"] = given
        reviews = item_reviews.get(sid, {})
        if "reviewed" not in entry and c_rev is not None and any(v is not None for v in reviews.values()):
            if all(v is not None for v in reviews.values()):
                entry["reviewed"] = sum(reviews.values(), Decimal(0))
            else:
                r = seen[(sid, next(i for i, v in reviews.items() if v is None))]
                rd.problem(
                    ws,
                    r,
                    c_rev,
                    "scores-partial-review",
                    f"{sid} 只有部分评分要点填了审核得分；请每个要点都填写，或只在小计行填写该指标的审核得分",
                )
        if sid in item_notes and "note" not in entry:
            entry["note"] = "；".join(item_notes[sid])
        if entry:
            scores[sid] = entry
    if subtotals:
        sa["subtotals"] = subtotals
    sa["scores"] = scores
    data["self_assessment"] = sa


# --- 指标数据 (facts) -------------------------------------------------------------------------

_FACT_BY_LABEL = {_norm_label(info.label): name for name, info in CATALOGUE.items() if info.reported}


def _read_facts(rd: _Reader, ws: Sheet, data: dict[str, Any]) -> None:
    found = rd.header(ws, "数值")
    if not found:
        return
    header, labels = found
    c_value = labels["数值"]
    c_label, c_key = labels.get("数据项", 1), labels.get("标识")
    facts: dict[str, Any] = {}
    for r in rd.rows(ws, header + 1):
        key = rd.text(ws, r, c_key) if c_key else None
        if key == "section:derived":
            break
        label = rd.text(ws, r, c_label)
        name = key or _FACT_BY_LABEL.get(_norm_label(label))
        if not name:
            if ws.value(r, c_value) not in (None, ""):
                rd.problem(
                    ws,
                    r,
                    c_label,
                    "unknown-fact-row",
                    f"指标数据：不认识数据项 {label!r}；请使用模板中的数据项，不要新增行",
                )
            continue
        path = ("facts", name)
        value = rd.number(ws, r, c_value, f"指标数据 {label or name}", percent_ok=True)
        if value is None:
            continue
        if name in facts:
            rd.problem(ws, r, c_value, "duplicate-fact", f"指标数据 {label or name} 填了两次；请只保留一处")
            continue
        rd.put(path, ws, r, c_value, key_col=c_label)
        facts[name] = value
    data["facts"] = facts


# --- 部门特性指标 (the department's own indicator rows) ---------------------------------------------

_ROW_FIELD_BY_LABEL = {_norm_label(label): name for name, label in ROW_COLUMNS}
_ROW_TEXTS = ("name", "category", "unit", "deviation_reason", "note")


def _read_rows(rd: _Reader, ws: Sheet, data: dict[str, Any]) -> None:
    found = rd.header(ws, "指标名称")
    if not found:
        return
    header, labels = found
    c_node, c_node_id = labels.get(_norm_label(ROW_NODE_LABEL)), labels.get(ROW_NODE_ID_LABEL)
    col = {name: labels[label] for label, name in _ROW_FIELD_BY_LABEL.items() if label in labels}
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in rd.rows(ws, header + 1):
        if not any(ws.value(r, c) not in (None, "") for c in col.values()):
            continue  # a template row with only its node: no indicator
        node = (rd.text(ws, r, c_node_id) if c_node_id else None) or (rd.text(ws, r, c_node) if c_node else None)
        if node is None:
            rd.problem(
                ws,
                r,
                c_node or next(iter(col.values())),
                "rows-no-node",
                f"部门特性指标：这一行没有填写{ROW_NODE_LABEL}；请填写它属于评分表的哪一项（名称或 id）",
            )
            continue
        entry: dict[str, Any] = {}
        i = len(rows.setdefault(node, []))
        base = ("department_indicators", node, i)
        what = f"部门特性指标 第 {r} 行"
        for name, c in col.items():
            rd.put((*base, name), ws, r, c)
            if name in ROW_NUMBERS:
                value = rd.number(ws, r, c, f"{what}的{dict(ROW_COLUMNS)[name]}", percent_ok=True)
            else:
                value = rd.text(ws, r, c, exact=name in _ROW_TEXTS)
            if value is not None:
                entry[name] = value
        rd.put(base, ws, r, c_node or c_node_id or 1)
        rd.put(("department_indicators", node), ws, r, c_node or c_node_id or 1)
        rows[node].append(entry)
    if rows:
        data["department_indicators"] = rows


# --- 其他内容 (every other value, by key path) ------------------------------------------------

_OTHER_KIND_BY_LABEL = {_norm_label(k): k for k in ov.KINDS}


def _short(text: str, limit: int = 60) -> str:
    """A cell's text as a message quotes it: at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def _read_other(rd: _Reader, ws: Sheet, data: dict[str, Any]) -> None:
    found = rd.header(ws, "键路径")
    if not found:
        return
    header, labels = found
    c_path = labels["键路径"]
    c_label, c_value, c_kind = labels.get("内容", 1), labels.get("值", 2), labels.get("值类型")
    for r in rd.rows(ws, header + 1):
        written = rd.text(ws, r, c_path)
        if written is None:
            if ws.value(r, c_value) not in (None, ""):
                rd.problem(
                    ws, r, c_path, "other-row-no-path", "其他内容：这一行有值却没有键路径；请填写键路径，或删去这一行"
                )
            continue
        path = ov.parse_path(written)
        if path is None:
            rd.problem(
                ws,
                r,
                c_path,
                "other-row-bad-path",
                f"其他内容：{_short(written)!r} 不是键路径；写法如 claims[0].value、staff.in_post、"
                f'sources["basic_data.income.total"].page（至多 {ov.MAX_DEPTH} 级）',
            )
            continue
        what = f"其他内容 {_short(rd.text(ws, r, c_label) or written)}"
        kind_text = rd.text(ws, r, c_kind) if c_kind else None
        kind = _OTHER_KIND_BY_LABEL.get(_norm_label(kind_text)) if kind_text else None
        if kind_text and kind is None:
            rd.problem(ws, r, c_kind or c_path, "other-row-bad-kind", f"{what}：值类型须是 {'、'.join(ov.KINDS)} 之一")
            continue
        raw = ws.value(r, c_value)  # text exactly as written: outer spaces kept, and a text of spaces alone
        if kind is None:
            kind = ov.NUMBER if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool) else ov.TEXT
        value: Any
        if kind == ov.TEXT:
            value = raw if isinstance(raw, str) else (rd.text(ws, r, c_value) or "")
        elif kind == ov.NUMBER:
            value = rd.number(ws, r, c_value, what, percent_ok=True)
            if value is None:
                if raw in (None, ""):
                    rd.problem(
                        ws, r, c_value, "other-row-blank", f"{what}：值类型是数值，值却是空的；请填写，或删去这一行"
                    )
                continue
        elif kind == ov.YES_NO:
            text = rd.text(ws, r, c_value)
            if text not in (ov.YES, ov.NO):
                rd.problem(ws, r, c_value, "other-row-bad-value", f"{what}：值类型是是否，请填写“是”或“否”")
                continue
            value = text == ov.YES
        else:
            value = {ov.EMPTY_LIST: [], ov.EMPTY_MAP: {}, ov.BLANK: None}[kind]
        try:
            ov.place(data, path, value)
        except ov.PlaceError as exc:
            rd.problem(ws, r, c_path, "other-row-conflict", f"其他内容：{exc}")
            continue
        for i in range(1, len(path) + 1):
            rd.put(path[:i], ws, r, c_value, key_col=c_path)


# --- the workbook ---------------------------------------------------------------------------


def _damaged(file: str, message: str, code: str = "not-a-workbook") -> InputError:
    return InputError([Problem(code, message, Location(file))])


_RESAVE = "请在 Excel/WPS 中打开后另存为 .xlsx"


def _check_directory(content: bytes, file: str) -> None:
    """The zip's end record, before zipfile reads the directory it points to: how many parts and
    how large a directory (zipfile builds an object per entry, trusting neither)."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or len(content) < end + 22:
        return  # not a zip: zipfile says so
    entries = int.from_bytes(content[end + 10 : end + 12], "little")
    size = int.from_bytes(content[end + 12 : end + 16], "little")
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # ZIP64: no department workbook needs it
        entries = MAX_PARTS + 1
    if entries > MAX_PARTS or size > MAX_DIRECTORY_BYTES:
        raise _damaged(
            file,
            f"工作簿内含的文件过多（{entries:,} 个，或目录 {size:,} 字节），超过上限 {MAX_PARTS:,} 个；"
            "这不像是一份评价填报表，请检查文件",
            "workbook-too-large",
        )


def _check_archive(zf: zipfile.ZipFile, file: str) -> None:
    """Bound every part before openpyxl reads any: count, declared inflated size, ratio and total
    (zipfile never inflates a part beyond its declared size), then stream each XML part through
    expat with a cap on the bytes actually inflated."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise _damaged(
            file, f"工作簿内含 {len(infos):,} 个文件，超过上限 {MAX_PARTS:,}；请检查文件", "workbook-too-large"
        )
    total = 0
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FROM and ratio > MAX_RATIO):
            raise _damaged(
                file,
                f"工作簿中的 {info.filename} 解压后有 {info.file_size:,} 字节（压缩比 {ratio:,.0f} 倍），"
                f"超过上限（每部分 {MAX_PART_BYTES:,} 字节、压缩比 {MAX_RATIO} 倍）；这可能是“压缩炸弹”，不予读取",
                "workbook-too-large",
            )
        total += info.file_size
        if total > MAX_INFLATED_BYTES:
            raise _damaged(
                file,
                f"工作簿解压后总计超过 {MAX_INFLATED_BYTES:,} 字节（到 {info.filename} 为止）；"
                "这不像是一份评价填报表，不予读取",
                "workbook-too-large",
            )
    for info in infos:
        if info.is_dir():
            continue
        if info.filename.lower().endswith((".xml", ".rels")):
            _check_xml(zf, info, file)
        else:  # images, VML, printer settings: inflated and discarded, to check the data is whole
            for _ in _chunks(zf, info, file):
                pass


class _RefusedXml(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> Iterator[bytes]:
    read = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                read += len(chunk)
                if read > MAX_PART_BYTES:  # pragma: no cover - zipfile stops at the declared size
                    raise _damaged(file, f"工作簿中的 {info.filename} 解压后超过上限", "workbook-too-large")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _damaged(
            file, f"工作簿中的 {info.filename} 已损坏，无法解压（{type(exc).__name__}）；文件可能不完整。{_RESAVE}"
        ) from None
    except (NotImplementedError, RuntimeError):  # an unknown compression method, a password
        raise _damaged(
            file, f"工作簿中的 {info.filename} 用了 perfeval 不支持的压缩方式或设有密码；{_RESAVE}（不设密码）"
        ) from None


def _check_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> None:
    parser = xml.parsers.expat.ParserCreate()

    def dtd(*_: Any) -> NoReturn:
        raise _RefusedXml(
            "workbook-xml-dtd",
            f"工作簿中的 {info.filename} 含有 DTD（<!DOCTYPE>、实体定义）；Excel 与 WPS 从不写入这些，"
            "它们可用于“实体炸弹”或读取本机文件，不予读取",
        )

    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = dtd
    parser.ExternalEntityRefHandler = dtd
    try:
        for chunk in _chunks(zf, info, file):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _RefusedXml as exc:
        raise _damaged(file, exc.message, exc.code) from None
    except xml.parsers.expat.ExpatError as exc:
        raise _damaged(
            file,
            f"工作簿中的 {info.filename} 不是合法的 XML（第 {exc.lineno} 行第 {exc.offset + 1} 列：{_EXPAT.get(exc.code, '格式错误')}）；"
            f"文件已损坏或被改动过。{_RESAVE}",
            "workbook-xml-malformed",
        ) from None


_EXPAT = {  # expat's error codes → Chinese
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_SYNTAX]: "语法错误",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_NO_ELEMENTS]: "没有内容",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_INVALID_TOKEN]: "无效的字符或标记",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNCLOSED_TOKEN]: "标记没有闭合",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_PARTIAL_CHAR]: "字符不完整",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_TAG_MISMATCH]: "开始与结束标签不匹配",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE]: "属性重复",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: "根元素之后还有内容",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNDEFINED_ENTITY]: "未定义的实体",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNKNOWN_ENCODING]: "未知的编码",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_INCORRECT_ENCODING]: "编码与声明不符",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION]: "CDATA 没有闭合",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_MISPLACED_XML_PI]: "XML 声明的位置不对",
    xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNBOUND_PREFIX]: "未声明的命名空间前缀",
}


def _pick(titles: Mapping[str, str], name: str) -> str | None:
    """The title of the sheet for ``name`` among ``titles`` (title → state): exact, else containing it."""
    if name in titles:
        return name
    return next((title for title in titles if name in title.replace(" ", "")), None)


_STATES = {"hidden": "隐藏", "veryHidden": "深度隐藏（veryHidden，只能在 VBA 中取消）"}


def _open(path: Path) -> tuple[list[str], dict[str, Sheet | None]]:
    """(every sheet's title, {expected sheet name: its cells or None}) — after the bounds above."""
    file = str(path)
    try:
        if path.is_dir():
            raise InputError([Problem("is-directory", "这是一个文件夹，不是文件；请给出工作簿路径", Location(file))])
        size = path.stat().st_size
        if size > MAX_WORKBOOK_BYTES:
            raise InputError(
                [
                    Problem(
                        "too-large",
                        f"工作簿有 {size:,} 字节，超过上限 {MAX_WORKBOOK_BYTES:,}；这不像是一份评价填报表，请检查路径",
                        Location(file),
                    )
                ]
            )
        with path.open("rb") as fh:
            content = fh.read(MAX_WORKBOOK_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem("not-found", "文件不存在；请检查路径和文件名", Location(file))]) from None
    except PermissionError:
        raise InputError([Problem("unreadable", "没有读取此文件的权限", Location(file))]) from None
    except OSError as exc:
        raise InputError([Problem("unreadable", f"无法读取：{exc.strerror or exc}", Location(file))]) from None
    if len(content) > MAX_WORKBOOK_BYTES:
        raise InputError([Problem("too-large", f"工作簿超过上限 {MAX_WORKBOOK_BYTES:,} 字节", Location(file))])
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            [
                Problem(
                    "not-a-workbook",
                    "这是旧版 .xls 格式或加密的工作簿，perfeval 读不了；请在 Excel/WPS 中“另存为” .xlsx（不设密码）",
                    Location(file),
                )
            ]
        )
    _check_directory(content, file)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            _check_archive(zf, file)
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - zipfile's BadZipFile, and whatever else a broken directory raises
        raise _damaged(
            file, "不是有效的 .xlsx 工作簿；文件可能已损坏，或只是改了扩展名。请在 Excel/WPS 中另存为 .xlsx"
        ) from None
    phase = "工作簿结构"
    try:
        with warnings.catch_warnings():  # openpyxl's notes on extensions it drops concern writing, not us
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                states = {ws.title: ws.sheet_state for ws in wb.worksheets}
                visible = {t: s for t, s in states.items() if s == "visible"}
                hidden = {t: s for t, s in states.items() if s != "visible"}
                problems: list[Problem] = []
                picked: dict[str, str | None] = {}
                for name in (SHEET_INFO, SHEET_BASIC, SHEET_SCORES, SHEET_FACTS, SHEET_ROWS, SHEET_OTHER):
                    secret = _pick(hidden, name)
                    if secret is not None:
                        problems.append(
                            Problem(
                                "hidden-sheet",
                                f"工作表“{secret}”是{_STATES.get(hidden[secret], '隐藏')}的；perfeval 只读看得见的工作表，"
                                f"而隐藏的“{name}”可能与看到的内容不一致。请取消隐藏并核对后再提交，或删去不用的那张表",
                                Location(file, cell=f"{secret}!A1"),
                            )
                        )
                    picked[name] = _pick(visible, name)
                if problems:
                    raise InputError(problems)
                sheets: dict[str, Sheet | None] = {}
                for name, title in picked.items():
                    phase = f"工作表“{title}”"
                    sheets[name] = _grid(wb[title], file) if title is not None else None
            finally:
                wb.close()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - anything openpyxl raises on a file is about the file
        raise _damaged(
            file,
            f"不是有效的 .xlsx 工作簿：读取{phase}时出错（{type(exc).__name__}）；文件可能已损坏或由不兼容的程序生成。{_RESAVE}",
        ) from None
    return list(states), sheets


def read_department(
    path: Path | str, rubric_lookup: RubricLookup | None = None
) -> tuple[dict[str, Any], WorkbookSourceMap]:
    """A department workbook → (plain data as from YAML, cell map). Raises :class:`InputError`.

    ``rubric_lookup`` is asked for the rubric only when the 评分表 has no hidden ids and must be read
    by indicator names."""
    p = Path(path)
    all_sheets, sheets = _open(p)
    rd = _Reader(str(p), rubric_lookup)
    if not any(sheets.values()):
        raise InputError(
            [
                Problem(
                    "not-a-department-workbook",
                    f"工作簿中没有 {SHEET_INFO}、{SHEET_BASIC}、{SHEET_SCORES}、{SHEET_FACTS} 中的任何一张表；"
                    f"现有的表：{'、'.join(all_sheets) or '（无）'}。请用 perfeval init 生成填报模板",
                    Location(str(p)),
                )
            ]
        )
    data: dict[str, Any] = {}
    readers = (
        (SHEET_INFO, _read_info),
        (SHEET_BASIC, _read_basic),
        (SHEET_SCORES, _read_scores),
        (SHEET_FACTS, _read_facts),
        (SHEET_ROWS, _read_rows),
        (SHEET_OTHER, _read_other),  # last: its values go into what the others read
    )
    for name, read in readers:
        ws = sheets[name]
        if ws is not None:
            read(rd, ws, data)
    if rd.problems:
        raise InputError(rd.problems)
    return data, rd.source
