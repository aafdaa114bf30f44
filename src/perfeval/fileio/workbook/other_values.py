"""The 其他内容 sheet's rows: every value of a department that the workbook's form-like sheets have no cell
for, one row per value, named by its key path (``claims[0].value``, ``sources["basic_data.income.total"].page``).

The form-like sheets (填报信息, 基础数据表, 评分表, 指标数据) hold what the printed forms hold; what a
department file may hold beyond them — 报告所称, 出处, 部门特性指标, 人员编制, 二者择其一 … — is written here
rather than dropped, so that YAML → xlsx → YAML gives back an equal department.

Each row: 内容 (the Chinese names along the path), 值, 值类型 (文字 / 数值 / 是否, or 空列表 / 空映射 / 空值 for
an empty container or an explicit blank), 键路径. The type is written because a cell alone cannot tell the
text "010" from the number 10, nor an empty list from a blank. Pure: no openpyxl here (the sheet is written
by ``write.py`` and read by ``read.py``).
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from perfeval.core.department import Department

Path_ = tuple[str | int, ...]

# What the form-like sheets hold nothing of, by key path ("*" any key of a mapping). Everything under
# these goes to 其他内容; everything else of the department has its cell on the other sheets. ("*": any key of a
# mapping, any item of a list.)
OTHER_PATHS: tuple[tuple[str, ...], ...] = (
    ("basic_data", "income", "carryover_included"),
    ("basic_data", "income", "fiscal_appropriation"),
    ("basic_data", "income", "fiscal_lines"),
    ("basic_data", "income", "by_fund"),
    ("basic_data", "spending"),
    ("sangong", "prior_year_actual"),
    ("staff",),
    ("cost_items",),
    ("tolerance",),
    ("department_indicators", "*", "*", "better"),  # the rest of each row is on 部门特性指标
    ("self_assessment", "scores", "*", "present"),
    ("self_assessment", "chosen"),
    ("self_assessment", "not_applicable"),
    ("self_assessment", "reasons"),
    ("claims",),
    ("review",),
    ("sources",),
    ("accepted",),
    ("narrative",),
)

TEXT, NUMBER, YES_NO, EMPTY_LIST, EMPTY_MAP, BLANK = "文字", "数值", "是否", "空列表", "空映射", "空值"
KINDS = (TEXT, NUMBER, YES_NO, EMPTY_LIST, EMPTY_MAP, BLANK)
HEADERS = ("内容", "值", "值类型", "键路径")
YES, NO = "是", "否"


@dataclass(frozen=True, slots=True)
class OtherRow:
    path: Path_
    label: str  # 内容: the Chinese names along the path
    kind: str  # one of KINDS
    value: str | Decimal | bool | None  # the cell's value (None for the empty kinds)


# --- key paths ------------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def format_path(path: Path_) -> str:
    """``('sources', 'basic_data.income.total', 'page')`` → ``sources["basic_data.income.total"].page``."""
    out = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _NAME.fullmatch(part):
            out.append(("." if out else "") + part)
        else:
            out.append("[" + json.dumps(part, ensure_ascii=False) + "]")
    return "".join(out)


MAX_DEPTH = 10  # parts of a key path; the deepest the model has is 6 (review.scores.<id>.reason …)
_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d{1,6})\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(text: str) -> Path_ | None:
    """The key path written in a 键路径 cell, or None when it is not one (the inverse of :func:`format_path`),
    or is deeper than :data:`MAX_DEPTH` (no path of the model is)."""
    parts: list[str | int] = []
    at = 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None or (at == 0 and m.group(0).startswith(".")) or (at > 0 and m.group(1) and text[at] != "."):
            return None
        name, index, quoted = m.groups()
        if name is not None:
            parts.append(name)
        elif index is not None:
            parts.append(int(index))
        else:
            try:
                key = json.loads(quoted)
            except ValueError:
                return None
            if not isinstance(key, str):
                return None
            parts.append(key)
        at = m.end()
        if len(parts) > MAX_DEPTH:
            return None
    return tuple(parts) or None


# --- the rows of a department -------------------------------------------------------------------


def _default(info: Any) -> Any:
    if info.default_factory is not None:
        return info.default_factory()
    return None if info.default is PydanticUndefined else info.default


def _title(owner: type[BaseModel] | None, name: str) -> str:
    if owner is not None and name in owner.model_fields:
        title = owner.model_fields[name].title
        if title:
            return re.split("[（：，；]", title, maxsplit=1)[0] or name
    return name


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's annotation (Optional, Annotated, list[...] and dict[..., ...] unwrapped)."""
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if origin in (Union, types.UnionType, list, dict) or getattr(annotation, "__metadata__", None) is not None:
        for arg in get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _leaves(
    value: Any, path: Path_, labels: tuple[str, ...], owner: type[BaseModel] | None, names: Mapping[str, str]
) -> Iterator[OtherRow]:
    label = " › ".join(labels)
    if isinstance(value, BaseModel):
        cls = type(value)
        given = False
        for name, info in cls.model_fields.items():
            v = getattr(value, name)
            if v == _default(info):
                continue
            given = True
            yield from _leaves(v, (*path, name), (*labels, _title(cls, name)), _model_of(info.annotation), names)
        if not given:
            yield OtherRow(path, label, EMPTY_MAP, None)
    elif isinstance(value, dict):
        if not value:
            yield OtherRow(path, label, EMPTY_MAP, None)
        for k, v in value.items():
            yield from _leaves(v, (*path, k), (*labels, names.get(str(k), str(k))), owner, names)
    elif isinstance(value, (list, tuple)):
        if not value:
            yield OtherRow(path, label, EMPTY_LIST, None)
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i), (*labels, f"第 {i + 1} 项"), owner, names)
    elif value is None:
        yield OtherRow(path, label, BLANK, None)
    elif isinstance(value, bool):
        yield OtherRow(path, label, YES_NO, YES if value else NO)
    elif isinstance(value, (Decimal, int)):
        yield OtherRow(path, label, NUMBER, Decimal(value))
    else:
        yield OtherRow(path, label, TEXT, str(value))


def _at(
    model: Any, part: str, names: Mapping[str, str]
) -> Iterator[tuple[str | int, Any, type[BaseModel] | None, str]]:
    """(key, value, the model of what is under it, its title) for one step of a path into ``model``."""
    if isinstance(model, BaseModel):
        cls = type(model)
        info = cls.model_fields[part]
        yield part, getattr(model, part), _model_of(info.annotation), _title(cls, part)
    elif isinstance(model, dict):
        for k, v in model.items():
            if part in ("*", k):
                yield k, v, None, names.get(str(k), str(k))
    elif isinstance(model, (list, tuple)) and part == "*":
        for i, v in enumerate(model):
            yield i, v, None, f"第 {i + 1} 项"


def other_rows(dept: Department, names: Mapping[str, str] | None = None) -> list[OtherRow]:
    """The rows of 其他内容 for ``dept``, in the order of :data:`OTHER_PATHS`; none for a value at its default.
    ``names``: the printed names of the rubric's indicators by id, for the 内容 column."""
    names = names or {}
    rows: list[OtherRow] = []

    def walk(model: Any, prefix: tuple[str, ...], path: Path_, labels: tuple[str, ...]) -> None:
        head, *rest = prefix
        for key, value, owner, title in _at(model, head, names):
            if rest:
                walk(value, tuple(rest), (*path, key), (*labels, title))
                continue
            parent = model if isinstance(model, BaseModel) else None
            default = _default(type(parent).model_fields[str(key)]) if parent is not None else None
            if value != default:
                rows.extend(_leaves(value, (*path, key), (*labels, title), owner, names))

    for prefix in OTHER_PATHS:
        walk(dept, prefix, (), ())
    for nid, indicator_rows in dept.department_indicators.items():  # `nid: []`: declared, no rows
        if not indicator_rows:
            title = names.get(nid, nid)
            rows.append(OtherRow(("department_indicators", nid), f"部门特性指标 › {title}", EMPTY_LIST, None))
    for sid, entry in dept.self_assessment.scores.items():  # `sid: {}`: listed, nothing filled (评分表 has no row)
        if not entry.model_dump(exclude_none=True):
            title = names.get(sid, sid)
            rows.append(
                OtherRow(("self_assessment", "scores", sid), f"自评 › 各指标自评得分 › {title}", EMPTY_MAP, None)
            )
    return rows


# --- reading a row back -------------------------------------------------------------------------


class PlaceError(ValueError):
    """Why a row's value cannot go where its key path says (Chinese)."""


def place(data: dict[str, Any], path: Path_, value: Any) -> None:
    """Put ``value`` at ``path`` into the plain data the other sheets were read into (as from YAML).

    A list index must be the next one or an existing one (no gaps); a value already given — on this sheet
    or another — is refused, never overwritten."""
    here: Any = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        nxt = path[i + 1] if not last else None
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            if not isinstance(here, list):
                raise PlaceError(f"{format_path(path[:i]) or '顶层'} 不是列表，不能写 [{part}]")
            if part > len(here):
                raise PlaceError(f"{format_path(path[:i])} 的第 {len(here) + 1} 项还没有写，不能先写第 {part + 1} 项")
            if part == len(here):
                here.append(value if last else empty)
            elif last:
                raise PlaceError(f"{format_path(path)} 写了两次")
            here = here[part]
        else:
            if not isinstance(here, dict):
                raise PlaceError(f"{format_path(path[:i]) or '顶层'} 不是映射，不能写 {part}")
            current = here.get(part)
            if last:
                if current is not None and current != {} and current != []:
                    raise PlaceError(f"{format_path(path)} 已经在工作簿别处或本表上一行填写过")
                here[part] = value
            else:
                if current is None or (isinstance(current, list) and not current and not isinstance(nxt, int)):
                    here[part] = empty
                elif isinstance(current, (Decimal, int, str)) and isinstance(nxt, str):
                    here[part] = {"score": current}  # a bare score given more (present) — the mapping form
                here = here[part]
