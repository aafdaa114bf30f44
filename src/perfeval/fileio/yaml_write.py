"""The YAML side of the workbook round trip: a department as a commented YAML file, and the
fill-in YAML skeleton that ``perfeval init --output FILE.yaml`` writes.

Numbers are written exactly as the model holds them (``Decimal`` text, never a float), strings
are quoted whenever the loader (:mod:`perfeval.fileio.yaml_read`) would read them as anything but
that string, and every value carries its Chinese name as a comment.

Why this module is long: a department file has a dozen parts (附件1, 预算调整, 三公经费, 事实, 部门特性指标,
自评 …), each written in file order with its comments, plus the fill-in skeleton; they share the
scalar and comment writers that keep any text from breaking the file.

Text from the input reaches the output in two places, and neither may break the file: a value is
written plain only when the loader reads exactly it back, else double-quoted with every character
YAML could read otherwise (line breaks, U+2028, U+0085, control characters) as an escape; a
comment has such characters written visibly (``\n``, ``\u2028``), so it stays one line.
"""

from __future__ import annotations

import os
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from perfeval.core.decimals import fmt_points
from perfeval.core.department import (
    DEPARTMENT_FORMAT,
    Balance,
    Department,
    DepartmentIndicator,
    Income,
    IndicatorScore,
    InitialBudget,
    SangongBreakdown,
    Spending,
)
from perfeval.core.facts import catalogue_for
from perfeval.core.problems import InputError
from perfeval.core.rubric import Rubric
from perfeval.core.rules import Checklist
from perfeval.fileio.shipped import is_installed_data, schema_file
from perfeval.fileio.workbook.layout import SANGONG_ROWS, display_width, fact_rows
from perfeval.fileio.yaml_read import load_text

COMMENT_COLUMN = 34
_SCHEMA_LINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


# --- scalars ---------------------------------------------------------------------------------


def scalar(value: Any, *, flow: bool = False) -> str:
    """One value as YAML that :mod:`perfeval.fileio.yaml_read` reads back as exactly this value
    (``flow``: inside a ``{…}`` mapping, where ``,`` ``:`` ``}`` mean more)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return _text_scalar(str(value), flow)


@lru_cache(maxsize=4096)
def _text_scalar(text: str, flow: bool) -> str:
    # (a space at either end, U+3000 included, is kept only inside quotes: editors strip it)
    if all(_plain_ok(ch) for ch in text) and not (text[:1].isspace() or text[-1:].isspace()):
        dumped = yaml.safe_dump(text, allow_unicode=True, width=10**9).removesuffix("\n...\n").rstrip("\n")
        if "\n" not in dumped:
            try:
                data, _ = load_text(f"k: {{v: {dumped}}}\n" if flow else f"k: {dumped}\n", "<scalar>")
            except InputError:
                data = None
            if isinstance(data, dict) and (data.get("k", {}).get("v") if flow else data.get("k")) == text:
                return dumped
    return double_quoted(text)


def _plain_ok(ch: str) -> bool:
    """A character that may stand as itself in a file (and in a comment): printable, or a space.
    Not: line breaks of any kind (U+2028, U+0085 …), control, format (U+200B, U+202E) and
    private-use characters."""
    if ch.isprintable():
        return unicodedata.category(ch) not in ("Cf", "Co", "Cs")
    return unicodedata.category(ch) == "Zs"  # U+3000 全角空格, U+00A0: spaces, if not ASCII


_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}


def _escape(ch: str) -> str:
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    if _plain_ok(ch):
        return ch
    cp = ord(ch)
    return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that every YAML loader reads back exactly: only
    printable characters appear as themselves; line breaks, U+2028/U+2029/U+0085, control and
    format characters are escapes (``\\n``, ``\\u2028``, ``\\x1b``)."""
    return '"' + "".join(map(_escape, text)) + '"'


def comment_text(text: str) -> str:
    """Text for a ``# …`` comment: one line whatever it holds, every invisible character shown as
    its escape (a unit name with a line break, U+2028 or ESC in it cannot end the comment)."""
    if all(_plain_ok(ch) for ch in text):
        return text
    return "".join(map(_comment_char, text))


def _comment_char(ch: str) -> str:
    if _plain_ok(ch):
        return ch
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch) or _escape(ch)


_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def yaml_key(name: str) -> str:
    """A mapping key: an identifier as it is, anything else as a scalar the loader reads back."""
    return name if _SIMPLE_KEY.fullmatch(name) else scalar(name)


def flow_list(values: list[str]) -> str:
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"


def amount(value: Decimal | None) -> str:
    """An amount as finance tables write it: at least two decimal places (1048.5 → 1048.50)."""
    if value is not None and value.as_tuple().exponent >= -2:  # type: ignore[operator]
        value = value.quantize(Decimal("0.01"))
    return scalar(value)


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str, comment: str | None = None) -> None:
        line = " " * indent + text
        if comment:
            pad = max(2, COMMENT_COLUMN - display_width(line))
            line = f"{line}{' ' * pad}# {comment_text(comment)}"
        self.lines.append(line.rstrip(" "))

    def comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + "# " + comment_text(text) if text else "#")

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _titled(model_cls: type[BaseModel], name: str) -> str | None:
    f = model_cls.model_fields.get(name)
    return f.title if f is not None else None


# --- schema line -------------------------------------------------------------------------------


def schema_line(out_path: Path, *, rubric_path: Path | None = None, source_path: Path | None = None) -> str | None:
    """The ``# yaml-language-server: $schema=…`` line for a department file written at ``out_path``.

    Taken from the source YAML's own line, else from the rubric's (its sibling
    ``department.schema.json``) when that schema file exists; otherwise — the rubric is the installed copy
    of a shipped one, or its line points nowhere — the schema perfeval ships. Relative to the new file
    when it is in the project that holds the schema, else the schema file's absolute path, so that the
    line resolves from any folder.
    """
    for path, transform in ((source_path, None), (rubric_path, "department")):
        ref = _declared_schema(path, transform)
        if ref is None or path is None:
            continue
        if "://" in ref:
            return f"# yaml-language-server: $schema={ref}"
        target = (path.parent / ref).resolve()
        if target.is_file() and not is_installed_data(target):
            return f"# yaml-language-server: $schema={_reference(target, out_path)}"
    shipped = schema_file("department")
    if shipped is None:
        return None
    return f"# yaml-language-server: $schema={_reference(shipped.resolve(), out_path)}"


def _reference(schema: Path, out_path: Path) -> str:
    """Relative when the new file is in the project that holds the schema (``schema/``'s parent folder,
    as in a repository of rubrics and departments), else the schema file's absolute path."""
    out = out_path.resolve()
    if not is_installed_data(schema) and out.is_relative_to(schema.parent.parent):
        return os.path.relpath(schema, out.parent).replace(os.sep, "/")
    return schema.as_posix()


def _declared_schema(path: Path | None, transform: str | None) -> str | None:
    """The ``$schema`` a YAML file declares in its first lines (a rubric's, turned into the department's)."""
    if path is None or path.suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        with path.open(encoding="utf-8-sig") as f:
            first = [f.readline() for _ in range(3)]
    except (OSError, UnicodeDecodeError):
        return None
    for line in first:
        m = _SCHEMA_LINE.match(line.strip())
        if m and all(_plain_ok(ch) for ch in m[1]):  # a reference the new file's comment can carry as is
            ref = m[1]
            if transform:
                ref = re.sub(r"rubric(\.schema\.json)$", r"department\1", ref)
                if not ref.endswith("department.schema.json"):
                    return None
            return ref
    return None


# --- a department as YAML ------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    """Nothing written: None, or a nested table with nothing in it (a list, even empty, is written)."""
    return value is None or (isinstance(value, BaseModel) and not value.model_dump(exclude_none=True))


Line = tuple[int, str, str | None]  # (indent, text, comment)


def _lines_of(indent: int, key: str | None, value: Any, title: str | None, amounts: bool) -> list[Line]:
    """A field as YAML lines, whatever it holds — a number, text, a table, a list, a mapping — each with
    the Chinese title of what it is as its comment. ``key`` None: a list item's content (no key line).
    ``amounts``: Decimals are amounts, written with two places at least."""
    head = f"{key}:" if key is not None else ""
    if isinstance(value, BaseModel):
        cls = type(value)
        inner = indent if key is None else indent + 2
        body = [
            line
            for name in cls.model_fields
            if not _empty(v := getattr(value, name))
            for line in _lines_of(inner, name, v, _titled(cls, name), amounts)
        ]
        if not body:
            return [(indent, f"{head} {{}}" if key is not None else "{}", title)]
        return ([(indent, head, title)] if key is not None else []) + body
    if isinstance(value, list):
        lines: list[Line] = [(indent, head + (" []" if not value else ""), title)]
        for element in value:
            sub = _lines_of(indent + 2, None, element, None, amounts)
            first_indent, first_text, first_comment = sub[0]
            lines.append((indent, "- " + first_text, first_comment))
            lines.extend(sub[1:])
        return lines
    if isinstance(value, dict):
        lines = [(indent, head + (" {}" if not value else ""), title)]
        for k, v in value.items():
            lines.extend(_lines_of(indent + 2, yaml_key(str(k)), v, None, amounts))
        return lines
    text = amount(value) if amounts and isinstance(value, Decimal) else scalar(value)
    return [(indent, f"{head} {text}" if key is not None else text, title)]


def _emit(out: _Lines, indent: int, key: str, value: Any, title: str | None, *, amounts: bool) -> None:
    for i, text, comment in _lines_of(indent, key, value, title, amounts):
        out.add(i, text, comment)


def _group(out: _Lines, indent: int, key: str, title: str | None, model: BaseModel, cls: type[BaseModel]) -> None:
    if _empty(model):
        return
    _emit(out, indent, key, model, title, amounts=True)


def department_yaml(
    dept: Department, rubric: Rubric, *, schema: str | None = None, origin: str | None = None, made: str = "转换"
) -> str:
    """The department as a commented YAML file that loads back into an equal model (``made``: how it came
    from ``origin`` — 转换 from another department file, 提取 from a report)."""
    out = _Lines()
    if schema:
        out.lines.append(schema)
        out.comment(0, "")
    out.comment(
        0,
        f"{dept.unit} {dept.year} 年度部门整体支出绩效评价填报"
        + (f"（由 perfeval 从 {origin} {made}）" if origin else ""),
    )
    out.add(0, f"format: {DEPARTMENT_FORMAT}")
    for name in ("unit", "unit_short", "year", "rubric", "filled_on", "amount_unit", "illustrative", "source"):
        value = getattr(dept, name)
        if value is None or (name == "illustrative" and value is False):
            continue
        out.add(0, f"{name}: {scalar(value)}", _titled(Department, name))

    bd = dept.basic_data
    out.blank()
    out.comment(0, f"附件1 基础数据表（金额单位：{dept.amount_unit}）")
    out.add(0, "basic_data:")
    _group(out, 2, "initial_budget", "年初预算支出计划", bd.initial_budget, InitialBudget)
    _group(out, 2, "income", "收入来源", bd.income, Income)
    _group(out, 2, "basic_spending", "实际支出·基本支出情况", bd.basic_spending, Spending)
    if bd.projects is not None:
        out.add(2, "projects:" + (" []" if not bd.projects else ""), "实际支出·项目支出情况")
        for p in bd.projects:
            first = True
            for name in ("name", *Spending.model_fields, "note"):
                value = getattr(p, name)
                if value is None:
                    continue
                out.add(
                    4,
                    f"{'- ' if first else '  '}{name}: {scalar(value) if name in ('name', 'note') else amount(value)}",
                    "项目名称" if name == "name" else (_titled(Spending, name) if name != "note" else "说明"),
                )
                first = False
            if first:
                out.add(4, "- {}")
    _group(out, 2, "spending", "实际支出（不分基本、项目）", bd.spending, Spending)
    _group(out, 2, "balance", "经费结余情况", bd.balance, Balance)
    if out.lines[-1] == "basic_data:":
        out.lines[-1] = "basic_data: {}"

    b = dept.budget
    if b.final is not None or b.adjustments is not None:
        out.blank()
        out.add(0, "budget:", "预算调整")
        if b.final is not None:
            out.add(2, f"final: {amount(b.final)}", "调整后预算数（全年预算数）")
        if b.adjustments is not None:
            out.add(
                2,
                "adjustments:" + (" []" if not b.adjustments else ""),
                "预算调整（追加/追减/结构调整）" if b.adjustments else "无调整",
            )
            for a in b.adjustments:
                out.add(4, f"- kind: {scalar(a.kind)}")
                out.add(4, f"  amount: {amount(a.amount)}")
                if a.note is not None:
                    out.add(4, f"  note: {scalar(a.note)}")

    if dept.spending_by_function is not None:
        out.blank()
        out.add(0, "spending_by_function:" + (" []" if not dept.spending_by_function else ""), "按功能科目的支出")
        for f in dept.spending_by_function:
            out.add(
                2,
                f"- {{code: {double_quoted(f.code)}, name: {scalar(f.name, flow=True)}, amount: {amount(f.amount)}}}",
            )

    s = dept.sangong
    rows = [*SANGONG_ROWS, ("prior_year_actual", "上年度实际支出（决算）")]
    parts = [(k, label) for k, label in dict(rows).items() if getattr(s, k).model_dump(exclude_none=True)]
    if parts:
        out.blank()
        out.add(0, "sangong:", "“三公”经费")
        for key, label in parts:
            _group(out, 2, key, label, getattr(s, key), SangongBreakdown)

    for key in ("staff", "cost_items"):  # 人员编制, 按年列出的其他支出项目
        block = getattr(dept, key)
        if not _empty(block):
            out.blank()
            _emit(out, 0, key, block, _titled(Department, key), amounts=True)
    if dept.tolerance is not None:
        out.blank()
        out.add(0, f"tolerance: {scalar(dept.tolerance)}", _titled(Department, "tolerance"))

    nodes = {n.id: n for n, _ in rubric.walk()}
    catalogue = catalogue_for(rubric.facts)
    if dept.facts:
        out.blank()
        out.add(0, "facts:", "指标公式所需的其他事实")
        for name, value in dept.facts.items():
            info = catalogue.get(name)
            out.add(
                2,
                f"{yaml_key(name)}: {scalar(value)}",
                f"{info.label}（{info.unit}）" if info and info.unit else (info.label if info else None),
            )

    if dept.department_indicators:
        out.blank()
        out.add(0, "department_indicators:", "部门特性指标（评分表节点 → 部门自设的指标行）")
        for nid, indicator_rows in dept.department_indicators.items():
            node = nodes.get(nid)
            out.add(2, f"{yaml_key(nid)}:" + (" []" if not indicator_rows else ""), node.name if node else None)
            for row in indicator_rows:
                first = True
                for name, field_info in DepartmentIndicator.model_fields.items():
                    value = getattr(row, name)
                    if name not in row.model_fields_set and value == field_info.default:
                        continue  # a default the file did not write (kind, better)
                    if value is None:
                        continue
                    out.add(4, f"{'- ' if first else '  '}{name}: {scalar(value)}", field_info.title)
                    first = False

    out.blank()
    out.comment(0, "附件2 评价指标及评分表的自评得分")
    sa = dept.self_assessment
    out.add(0, "self_assessment:")
    if sa.total is not None:
        out.add(2, f"total: {scalar(sa.total)}", "自评总分")
    if sa.subtotals:
        out.add(2, "subtotals:", "单位填报的各级小计")
        for sid, value in sa.subtotals.items():
            out.add(4, f"{yaml_key(sid)}: {scalar(value)}", nodes[sid].name if sid in nodes else None)
    if sa.chosen:
        out.add(2, "chosen:", "二者择其一：所选用的指标")
        for gid, cid in sa.chosen.items():
            out.add(4, f"{yaml_key(gid)}: {scalar(cid)}", nodes[cid].name if cid in nodes else None)
    if sa.not_applicable:
        out.add(2, f"not_applicable: {flow_list(sa.not_applicable)}", "不适用的可选项")
    out.add(2, "scores:" + (" {}" if not sa.scores else ""))
    order = [n.id for n in rubric.leaves()]
    for sid in sorted(sa.scores, key=lambda k: order.index(k) if k in order else len(order)):
        entry = sa.scores[sid]
        node = nodes.get(sid)
        heading = f"{node.name}（{fmt_points(node.weight)}分）" if node else None
        given = entry.model_dump(exclude_none=True)
        if set(given) == {"score"}:
            out.add(4, f"{yaml_key(sid)}: {scalar(entry.score)}", heading)
            continue
        out.add(4, f"{yaml_key(sid)}:" + (" {}" if not given else ""), heading)
        for name in IndicatorScore.model_fields:
            value = getattr(entry, name)
            if value is None:
                continue
            if name == "items":
                texts = {i.id: i.text for i in node.rule.items} if node and isinstance(node.rule, Checklist) else {}
                out.add(6, "items:" + (" {}" if not value else ""), "评分要点得分")
                for iid, v in value.items():
                    out.add(8, f"{yaml_key(iid)}: {scalar(v)}", texts.get(iid))
            elif name == "present":
                out.add(6, f"present: {flow_list(value)}", _titled(IndicatorScore, name))
            else:
                out.add(6, f"{name}: {scalar(value)}", _titled(IndicatorScore, name))
    if dept.claims:
        out.blank()
        _emit(out, 0, "claims", dept.claims, _titled(Department, "claims"), amounts=False)
    if dept.sources:
        out.blank()
        _emit(out, 0, "sources", dept.sources, _titled(Department, "sources"), amounts=False)
    if dept.accepted:
        out.blank()
        _emit(out, 0, "accepted", dept.accepted, _titled(Department, "accepted"), amounts=False)
    if dept.narrative:
        out.blank()
        _emit(out, 0, "narrative", dept.narrative, _titled(Department, "narrative"), amounts=False)
    return out.text()


# --- the fill-in skeleton ------------------------------------------------------------------------


def skeleton_yaml(rubric: Rubric, rubric_ref: str, *, schema: str | None = None) -> str:
    """A commented department file to fill in by hand, generated from ``rubric``."""
    out = _Lines()
    if schema:
        out.lines.append(schema)
        out.comment(0, "")
    out.comment(0, f"部门整体支出绩效评价填报文件（按评分表“{rubric.name}”生成，perfeval init）")
    out.comment(0, "在每个冒号后填写。未掌握的数据不要填 0：基础数据表、预算调整、“三公”经费留空即可；")
    out.comment(0, "facts（指标数据）中未掌握的请删去整行——perfeval 会指出哪些指标因此无法核验。")
    out.comment(0, '金额按 amount_unit 的单位填写数字，如 1295.87；百分比可写 95.1%；日期加引号，如 "2020-11-10"。')
    out.add(0, f"format: {DEPARTMENT_FORMAT}")
    out.add(0, "unit:", "单位名称（必填）")
    out.add(0, "unit_short:", "评价单位（盖章名称），可删去")
    out.add(0, "year:", "评价年度（必填），如 2019")
    out.add(0, f"rubric: {scalar(rubric_ref)}", "评分表文件（相对本文件的路径）")
    out.add(0, "filled_on:", '填报日期，如 "2020-11-10"')
    out.add(0, "amount_unit: 万元", "金额单位：万元 或 元")
    out.blank()
    out.comment(0, "附件1 基础数据表")
    out.add(0, "basic_data:")
    for key, title, cls in (
        ("initial_budget", "年初预算支出计划", InitialBudget),
        ("income", "收入来源", Income),
        ("basic_spending", "实际支出·基本支出情况", Spending),
    ):
        out.add(2, f"{key}:", title)
        for name in cls.model_fields:
            out.add(4, f"{name}:", _titled(cls, name))
    out.add(2, "projects:", "实际支出·项目支出情况：每个大额项目一项，照下例复制；确无项目写 projects: []")
    out.add(4, "- name:", "项目名称")
    for name in Spending.model_fields:
        out.add(4, f"  {name}:", _titled(Spending, name))
    out.add(2, "balance:", "经费结余情况")
    for name in Balance.model_fields:
        out.add(4, f"{name}:", _titled(Balance, name))
    out.blank()
    out.add(0, "budget:", "预算调整")
    out.add(2, "final:", "调整后预算数（全年预算数）")
    out.add(2, "adjustments:", "每笔一项，如下行；确无调整写 adjustments: []")
    out.comment(4, "- {kind: 追加, amount: 247.37, note: 年中追加}        # kind：追加 / 追减 / 结构调整")
    out.blank()
    out.add(0, "spending_by_function:", "按功能科目（类-款-项）的支出，每科目一项，如下行")
    out.comment(2, '- {code: "2010301", name: 行政运行, amount: 1091.84}')
    out.blank()
    out.add(0, "sangong:", "“三公”经费")
    for key, label in SANGONG_ROWS:
        out.add(2, f"{key}:", label)
        for name in SangongBreakdown.model_fields:
            out.add(4, f"{name}:", _titled(SangongBreakdown, name))
    reported, derived = fact_rows(rubric)
    out.blank()
    if reported:
        out.add(0, "facts:", "指标公式所需的数据；不掌握的删去整行")
        for fr in reported:
            unit = f"（{fr.info.unit}）" if fr.info.unit else ""
            used = f"，用于 {'、'.join(fr.used_by)}" if fr.used_by else ""
            out.add(2, f"{fr.info.name}:", f"{fr.info.label}{unit}{used}")
    if derived:
        out.comment(0, "以下数据由上面的基础数据表、预算调整和“三公”经费自动计算，无需填写：")
        out.comment(0, "  " + "、".join(fr.info.label for fr in derived))
    out.blank()
    out.comment(0, "附件2 评价指标及评分表：填写自评得分（0 到 分值）")
    out.add(0, "self_assessment:")
    out.add(2, "total:", f"自评总分（满分 {fmt_points(rubric.total)}）")
    out.add(2, "scores:")
    for node in rubric.leaves():
        out.add(4, f"{node.id}:", f"{node.name}（{fmt_points(node.weight)}分）")
        if isinstance(node.rule, Checklist):
            out.add(6, "items:", "按评分要点逐项填写")
            for item in node.rule.items:
                out.add(8, f"{item.id}:", f"{item.text}（{fmt_points(item.points)}分）")
        else:
            out.add(6, "score:", "自评得分")
        out.add(6, "note:", "说明或佐证，可删去")
    return out.text()
