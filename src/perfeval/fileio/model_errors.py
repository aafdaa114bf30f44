"""pydantic's validation errors → located problems in Chinese, naming each field by its title.

A reader composes a file once and keeps a map from key path to position (``SourceMap`` for YAML,
``WorkbookSourceMap`` for workbooks); here a pydantic error's ``loc`` is resolved to the longest
path that exists in the file, the field is named by the Chinese ``title`` of the model field, and
the refusal is said in words a finance officer can act on.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from perfeval.core.facts import CATALOGUE
from perfeval.core.number_text import NumberError, clip
from perfeval.core.problems import Locator, Problem
from perfeval.core.rubric import Rubric
from perfeval.fileio.yaml_read import dotted


def _unwrap(annotation: Any) -> list[type[BaseModel]]:
    """Model classes reachable from an annotation (Optional, list, dict, Annotated, Union)."""
    out: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict, tuple):
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
    return out


def _models_at(root: type[BaseModel], loc: tuple[Any, ...]) -> list[type[BaseModel]]:
    current = [root]
    for part in loc:
        if not isinstance(part, str):
            continue
        nxt: list[type[BaseModel]] = []
        for model in current:
            f = model.model_fields.get(part)
            if f is not None:
                nxt.extend(_unwrap(f.annotation))
        if nxt:
            current = nxt
        else:
            # a discriminator tag, a dict key: stay on models whose tag it is
            tagged = [m for m in current if _tag(m) == part]
            if tagged:
                current = tagged
    return current


def _tag(model: type[BaseModel]) -> str | None:
    f = model.model_fields.get("kind")
    if f is None:
        return None
    args = typing.get_args(f.annotation)
    return args[0] if args else None


def _title(model: type[BaseModel], name: str) -> str | None:
    """A field's Chinese name: its title, else the first clause of its description."""
    f = model.model_fields.get(name)
    if f is None:
        return None
    if f.title:
        return f.title
    if f.description:
        head = re.split(r"[，；：,;:（(]", f.description, maxsplit=1)[0].strip()
        return head or None
    return None


def _field_title(root: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The Chinese name of the field a location ends in (a list item: the list's name)."""
    idx = next((i for i in range(len(loc) - 1, -1, -1) if isinstance(loc[i], str)), None)
    if idx is None:
        return None
    models = _models_at(root, loc[:idx])
    return next((t for m in models if (t := _title(m, loc[idx]))), None)


def _path_in_file(loc: tuple[Any, ...], source: Locator) -> tuple[Any, ...]:
    """Drop discriminator tags and validator names that are not keys of the file."""
    path: tuple[Any, ...] = ()
    for part in loc:
        candidate = path + (part,)
        if source.has(candidate):
            path = candidate
    return path


KeyNamer = Callable[[tuple[Any, ...]], "str | None"]
"""Names a dict key the models cannot (a fact, an indicator id): path → Chinese name or None."""


def labeller(root: type[BaseModel], key_name: KeyNamer | None = None) -> Callable[[tuple[Any, ...]], str]:
    """``basic_data.income.total（小计）`` — a key path with the Chinese name of what it is."""

    def label(path: tuple[Any, ...]) -> str:
        title = key_name(path) if key_name else None
        if title is None:
            title = _field_title(root, path)
            fields = [i for i, part in enumerate(path) if isinstance(part, str)]
            if title and len(path) >= 3 and len(fields) >= 2:  # 年初预算支出计划·小计
                parent = _field_title(root, path[: fields[-1]])
                if parent and not title.startswith(parent):
                    title = f"{parent}·{title}"
        text = dotted(path)
        return f"{text}（{title}）" if title else text

    return label


def _shown(value: Any) -> str:
    """An input value as a finance officer wrote it (no Python reprs)."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return clip(value)
    if isinstance(value, str):
        return f"“{clip(value)}”"
    if isinstance(value, dict):
        return "键值结构"
    if isinstance(value, list):
        return "列表"
    return type(value).__name__


def kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "键值结构"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, Decimal)):
        return f"数值 {clip(value)}"
    return f"文字 “{clip(value)}”"


def _extra_message(
    key: Any, models: list[type[BaseModel]], parent_label: str, missing: set[str]
) -> tuple[str, str | None]:
    """An unknown key: where it is, and the closest allowed key with its Chinese name.

    Also returns the key meant when it is a required field reported missing beside it (so that
    ``yaer: 2019`` is one problem, not two)."""
    allowed = sorted({k for m in models for k in m.model_fields})
    guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    where = f"{parent_label}中"
    if guess:
        title = next((t for m in models if (t := _title(m, guess[0]))), None)
        named = f"{guess[0]!r}（{title}）" if title else repr(guess[0])
        return f"{where}没有 {key!r} 这一项；是否想写 {named}？", guess[0] if guess[0] in missing else None
    listed = "、".join(
        f"{k}（{t}）" if (t := next((t for m in models if (t := _title(m, k))), None)) else k for k in allowed
    )
    return f"{where}没有 {key!r} 这一项；可以填写的有：{listed}", None


def problems_from_validation(
    exc: ValidationError, source: Locator, root: type[BaseModel], what: str, key_name: KeyNamer | None = None
) -> list[Problem]:
    label = labeller(root, key_name)
    errors = exc.errors(include_url=False)
    missing_by_parent: dict[tuple[Any, ...], set[str]] = {}
    for err in errors:
        if err["type"] == "missing" and err["loc"] and isinstance(err["loc"][-1], str):
            missing_by_parent.setdefault(_path_in_file(tuple(err["loc"][:-1]), source), set()).add(err["loc"][-1])
    explained: set[tuple[Any, ...]] = set()  # missing fields explained by a misspelt key beside them
    problems: list[Problem] = []
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind != "extra_forbidden":
            continue
        parent = _path_in_file(loc[:-1], source)
        models = _models_at(root, loc[:-1]) if loc[:-1] else [root]
        parent_label = label(parent) if parent else what
        msg, meant = _extra_message(loc[-1], models, parent_label, missing_by_parent.get(parent, set()))
        if meant:
            explained.add(parent + (meant,))
        problems.append(Problem("unknown-key", msg, source.locate(parent + (loc[-1],), key=True)))
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            continue
        path = _path_in_file(loc, source)
        if kind == "missing":
            parent = _path_in_file(loc[:-1], source)
            if parent + (loc[-1],) in explained:
                continue
            msg = f"缺少必填项 {label(parent + (loc[-1],))}；请补上"
            location = source.locate(parent + (loc[-1],))  # a workbook has a cell for it; YAML: the parent
        else:
            msg = f"{label(path) or what}：{_translate(err)}"
            location = source.locate(path)
        problems.append(Problem(_code(err), msg, location))
    problems.sort(key=lambda p: (p.location.line or 0, p.location.col or 0) if p.location else (0, 0))
    return problems


# pydantic's error types → the catalogue's codes (perfeval.core.codes)
_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-key",
    "greater_than": "out-of-bounds",
    "greater_than_equal": "out-of-bounds",
    "less_than": "out-of-bounds",
    "less_than_equal": "out-of-bounds",
    "literal_error": "not-an-option",
    "union_tag_invalid": "not-an-option",
    "union_tag_not_found": "missing-field",
    "enum": "not-an-option",
    "string_pattern_mismatch": "bad-format",
    "too_short": "empty-value",
    "string_too_short": "empty-value",
    "decimal_parsing": "not-a-number",
    "int_parsing": "not-a-number",
    "int_from_float": "not-a-number",
    "value_error": "invalid-value",
    "assertion_error": "invalid-value",
    "unknown_code": "unknown-code",  # perfeval.core.config: a problem code the catalogue does not have
    "code_not_selectable": "code-not-selectable",
}


def _code(err: Any) -> str:
    """A stable code of the catalogue: ``not-a-number`` for number_text's refusals, else by pydantic's type."""
    if isinstance((err.get("ctx") or {}).get("error"), NumberError):
        return "not-a-number"
    kind = err["type"]
    if kind in _CODES:
        return _CODES[kind]
    return "wrong-type" if kind.endswith("_type") or kind.endswith("_parsing") else "invalid-value"


def _translate(err: Any) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    shown = _shown(value)
    options = str(ctx.get("expected", "")).replace(" or ", "、").replace(", ", "、")
    if value is None or isinstance(value, (dict, list)):  # a structure (or nothing) where one value is meant
        wanted = {
            "decimal_parsing": "数值",
            "decimal_type": "数值",
            "int_parsing": "整数",
            "int_type": "整数",
            "bool_type": "true 或 false",
            "bool_parsing": "true 或 false",
            "literal_error": f"以下之一：{options}",
        }.get(kind)
        if wanted is not None:
            return f"这里应填{wanted}，却是{kind_of(value)}；请检查缩进，或填写单个值"
        if kind == "string_type":
            return (
                "这里应填文字，却是空的；请填写" if value is None else f"这里应填文字，却是{kind_of(value)}；请检查缩进"
            )
    table = {
        "decimal_parsing": f"{shown} 不是数值；请填写数字，如 1295.87",
        "decimal_type": f"{shown} 不是数值；请填写数字，如 1295.87",
        "int_parsing": f"{shown} 不是整数；请填写整数，如 2019",
        "int_type": f"{shown} 不是整数；请填写整数，如 2019",
        "int_from_float": f"{shown} 不是整数；请填写整数，如 2019",
        "string_type": f"这里应填文字，却是{kind_of(value)}；如需把它当作文字请加引号，如 '{clip(value)}'",
        "bool_type": f"{shown} 不是 true/false；请填写 true 或 false",
        "bool_parsing": f"{shown} 不是 true/false；请填写 true 或 false",
        "dict_type": f"这里应为键值结构（映射），却是{kind_of(value)}；请检查缩进",
        "model_type": f"这里应为键值结构（映射），却是{kind_of(value)}；请检查缩进",
        "model_attributes_type": f"这里应为键值结构（映射），却是{kind_of(value)}；请检查缩进",
        "list_type": f"这里应为列表（每项以 - 开头），却是{kind_of(value)}",
        "greater_than_equal": f"{shown} 不能小于 {ctx.get('ge')}；请填写不小于 {ctx.get('ge')} 的数",
        "greater_than": f"{shown} 必须大于 {ctx.get('gt')}",
        "less_than_equal": f"{shown} 不能大于 {ctx.get('le')}；请填写不大于 {ctx.get('le')} 的数",
        "less_than": f"{shown} 必须小于 {ctx.get('lt')}",
        "literal_error": f"{shown} 不是可选值之一；可选：{options}",
        "string_pattern_mismatch": f"{shown} 格式不对（应匹配 {ctx.get('pattern')}）",
        "too_short": "不能为空",
        "string_too_short": "不能为空；请填写",
        "union_tag_invalid": f"规则种类 {ctx.get('tag')!r} 不存在；可用：{ctx.get('expected_tags')}",
        "union_tag_not_found": "评分规则缺少 kind（规则种类）；请填写，如 kind: proportional",
    }
    if kind in table:
        return table[kind]
    msg: str = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


def department_key_name(indicators: dict[str, str] | None) -> KeyNamer:
    """Chinese names for the department file's free keys: facts and indicator ids."""

    def name(path: tuple[Any, ...]) -> str | None:
        if len(path) == 2 and path[0] == "facts":
            info = CATALOGUE.get(str(path[1]))
            return info.label if info else None
        if len(path) >= 3 and path[:2] == ("self_assessment", "scores") and indicators:
            indicator = indicators.get(str(path[2]))
            if indicator is None:
                return None
            if len(path) == 3:
                return indicator
            if len(path) == 4 and path[3] == "score":
                return f"{indicator} 自评得分"
            if len(path) == 5 and path[3] == "items":
                return f"{indicator} 评分要点 {path[4]}"
        if len(path) == 3 and path[:2] == ("self_assessment", "subtotals") and indicators:
            return indicators.get(str(path[2]))
        return None

    return name


def rubric_key_name(data: Any) -> KeyNamer:
    """In a rubric, name a location by the indicator it is in (``预算完成率``)."""

    def name(path: tuple[Any, ...]) -> str | None:
        node, found = data, None
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict) and isinstance(node.get("name"), str) and "id" in node:
                found = node["name"]
        if found is None or not path:
            return None
        field = _field_title(Rubric, path)
        return f"指标 {found}" + (f" 的{field}" if field and field != "指标名称" else "")

    return name
