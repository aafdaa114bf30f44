"""Loading rubric and department files into models, with every problem located in the file.

The edge between files and the pure core: YAML (or, for workbooks, ``perfeval.excel``)
→ plain data + source map → pydantic models → cross-checks between the department and
its rubric. Every problem becomes a :class:`~perfeval.problems.Problem` with
``file:line:col``, the field or indicator by name, and what would fix it.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from perfeval.department import Department
from perfeval.facts import catalogue_for
from perfeval.problems import InputError, Location, Problem
from perfeval.rubric import Checklist, Elements, Rubric
from perfeval.yamlsource import SourceMap, load_file

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(slots=True)
class Loaded:
    rubric: Rubric
    rubric_source: SourceMap | None
    rubric_path: Path
    department: Department
    source: SourceMap
    path: Path


# --- pydantic errors → located, Chinese messages ------------------------------------------


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


def _models_at(root: type[BaseModel], loc: tuple) -> list[type[BaseModel]]:
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
            tagged = [m for m in _all_models(current) if _tag(m) == part]
            if tagged:
                current = tagged
    return current


def _all_models(models: list[type[BaseModel]]) -> list[type[BaseModel]]:
    return models


def _tag(model: type[BaseModel]) -> str | None:
    f = model.model_fields.get("kind")
    if f is None:
        return None
    args = typing.get_args(f.annotation)
    return args[0] if args else None


def _title(model: type[BaseModel], name: str) -> str | None:
    f = model.model_fields.get(name)
    return f.title if f is not None else None


def _path_in_file(loc: tuple, source: SourceMap) -> tuple:
    """Drop discriminator tags and validator names that are not keys of the file."""
    path: tuple = ()
    for part in loc:
        candidate = path + (part,)
        if candidate in source.values or candidate in source.keys:
            path = candidate
    return path


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from_validation(exc: ValidationError, source: SourceMap, root: type[BaseModel],
                             what: str) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _path_in_file(loc, source)
        kind = err["type"]
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), None)
        models = _models_at(root, loc[:-1]) if loc else [root]
        title = next((t for m in models if field_name and (t := _title(m, field_name))), None)
        label = _dotted(path if kind != "missing" else loc) or what
        if title:
            label += f"（{title}）"
        if kind == "extra_forbidden":
            allowed = sorted({k for m in models for k in m.model_fields})
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"是否想写 {guess[0]!r}？" if guess else f"可用的键：{', '.join(allowed)}"
            msg = f"未知的键 {loc[-1]!r}；{hint}"
            location = source.locate(path, key=True)
        elif kind == "missing":
            msg = f"缺少必填项 {label}；请补上"
            location = source.locate(path)
        else:
            msg = f"{label}：{_translate(err)}"
            location = source.locate(path)
        problems.append(Problem(f"invalid-{kind.replace('_', '-')}", msg, location))
    return problems


def _translate(err: dict) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    table = {
        "decimal_parsing": f"{shown} 不是数值；请填写数字，如 1295.87",
        "decimal_type": f"{shown} 不是数值；请填写数字",
        "int_parsing": f"{shown} 不是整数",
        "int_type": f"{shown} 不是整数",
        "int_from_float": f"{shown} 不是整数",
        "string_type": f"{shown} 不是文字；如需文字请加引号",
        "bool_type": f"{shown} 不是 true/false",
        "bool_parsing": f"{shown} 不是 true/false",
        "dict_type": "这里应为键值结构（映射），请检查缩进",
        "model_type": "这里应为键值结构（映射），请检查缩进",
        "model_attributes_type": "这里应为键值结构（映射），请检查缩进",
        "list_type": "这里应为列表（每项以 - 开头）",
        "greater_than_equal": f"{shown} 不能小于 {ctx.get('ge')}",
        "greater_than": f"{shown} 必须大于 {ctx.get('gt')}",
        "less_than_equal": f"{shown} 不能大于 {ctx.get('le')}",
        "literal_error": f"{shown} 不是可选值之一：{ctx.get('expected')}",
        "string_pattern_mismatch": f"{shown} 格式不对（应匹配 {ctx.get('pattern')}）",
        "too_short": "不能为空",
        "string_too_short": "不能为空",
        "union_tag_invalid": f"规则种类 {ctx.get('tag')!r} 不存在；可用：{ctx.get('expected_tags')}",
        "union_tag_not_found": "评分规则缺少 kind（规则种类）",
    }
    if kind in table:
        return table[kind]
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg


# --- files → models ------------------------------------------------------------------------


def _read(path: Path) -> tuple[Any, SourceMap]:
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from perfeval import excel  # only commands that touch a workbook import openpyxl

        return excel.read_department(path)
    return load_file(path)


def _mapping(data: Any, source: SourceMap, what: str) -> dict:
    if not isinstance(data, dict):
        raise InputError([Problem("not-a-mapping", f"{what}的顶层应为键值结构（如 unit: …），而不是 {type(data).__name__}",
                                  source.locate(()))])
    return data


_RUBRIC_CACHE: dict[Path, tuple[Rubric, SourceMap]] = {}


def load_rubric(path: Path | str) -> tuple[Rubric, SourceMap]:
    """Load and validate a rubric file. Cached per resolved path within one process."""
    p = Path(path)
    key = p.resolve()
    hit = _RUBRIC_CACHE.get(key)
    if hit is not None:
        return hit
    data, source = load_file(p)
    data = _mapping(data, source, "评分表文件")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, source, Rubric, "评分表")) from None
    _RUBRIC_CACHE[key] = (rubric, source)
    return rubric, source


def parse_department(data: Any, source: SourceMap) -> Department:
    data = _mapping(data, source, "部门文件")
    try:
        return Department.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, source, Department, "部门文件")) from None


def resolve_rubric_path(dept: Department, dept_path: Path, source: SourceMap) -> Path:
    candidate = Path(dept.rubric)
    if not candidate.is_absolute():
        candidate = dept_path.parent / candidate
    if not candidate.exists():
        raise InputError([Problem(
            "rubric-not-found",
            f"rubric（评分表）指向的文件 {dept.rubric!r} 不存在（按本文件所在目录解析为 {candidate}）；"
            "请改正路径，或用 --rubric 指定评分表",
            source.locate(("rubric",)),
        )])
    return candidate


def cross_check(rubric: Rubric, dept: Department, source: SourceMap) -> list[Problem]:
    """Problems between a department file and its rubric: unknown indicators, items or facts."""
    problems: list[Problem] = []
    nodes = {n.id: n for n, _ in rubric.walk()}
    leaves = {n.id: n for n in rubric.leaves()}
    for sid, entry in dept.self_assessment.scores.items():
        where = ("self_assessment", "scores", sid)
        node = leaves.get(sid)
        if node is None:
            if sid in nodes:
                msg = (f"{sid}（{nodes[sid].name}）是上级指标，其得分由下级汇总；"
                       "请在 self_assessment.subtotals 填写小计，或删去此项")
            else:
                guess = difflib.get_close_matches(sid, list(leaves), n=1)
                hint = f"是否想写 {guess[0]!r}（{leaves[guess[0]].name}）？" if guess else "请对照评分表的指标 id"
                msg = f"评分表 {rubric.id} 中没有指标 {sid!r}；{hint}"
            problems.append(Problem("unknown-indicator", msg, source.locate(where, key=True)))
            continue
        if entry.items is not None:
            if not isinstance(node.rule, Checklist):
                problems.append(Problem(
                    "items-not-checklist",
                    f"{sid}（{node.name}）没有评分要点，不能按要点填写 items；请直接填写 score",
                    source.locate(where + ("items",), key=True)))
                continue
            known = {i.id: i for i in node.rule.items}
            for iid in entry.items:
                if iid not in known:
                    guess = difflib.get_close_matches(iid, list(known), n=1)
                    hint = f"是否想写 {guess[0]!r}？" if guess else f"可用：{', '.join(known)}"
                    problems.append(Problem(
                        "unknown-item",
                        f"{sid}（{node.name}）没有评分要点 {iid!r}；{hint}",
                        source.locate(where + ("items", iid), key=True)))
    for sid in dept.self_assessment.subtotals:
        if sid not in nodes or nodes[sid].is_leaf:
            problems.append(Problem(
                "unknown-subtotal",
                f"subtotals 中的 {sid!r} 不是评分表的上级指标；小计只能按一级、二级指标填写",
                source.locate(("self_assessment", "subtotals", sid), key=True)))
    problems.extend(_cross_check_shapes(rubric, dept, source))
    catalogue = catalogue_for(rubric.facts)
    reported = [n for n, info in catalogue.items() if info.reported]
    for name in dept.facts:
        info = catalogue.get(name)
        where = ("facts", name)
        if info is None:
            guess = difflib.get_close_matches(name, reported, n=1)
            hint = f"是否想写 {guess[0]!r}（{catalogue[guess[0]].label}）？" if guess else "事实名称见 README 的事实目录"
            problems.append(Problem("unknown-fact", f"未知的事实 {name!r}；{hint}", source.locate(where, key=True)))
        elif not info.reported:
            problems.append(Problem(
                "derived-fact",
                f"{name}（{info.label}）由基础数据表计算得出，不能在 facts 中填写；请填写基础数据表的对应栏目",
                source.locate(where, key=True)))
    return problems


def _cross_check_shapes(rubric: Rubric, dept: Department, source: SourceMap) -> list[Problem]:
    """要素、二者择其一、可选项、部门特性指标: the department's entries against the rubric's shapes."""
    problems: list[Problem] = []
    nodes = {n.id: n for n, _ in rubric.walk()}
    for sid, entry in dept.self_assessment.scores.items():
        node = nodes.get(sid)
        if node is None or entry.present is None:
            continue
        where = ("self_assessment", "scores", sid, "present")
        if not isinstance(node.rule, Elements):
            problems.append(Problem("present-not-elements",
                                    f"{sid}（{node.name}）不是要素计分指标，不能填写 present（具备的要素）",
                                    source.locate(where, key=True)))
            continue
        known = [i.id for i in node.rule.items]
        for k, eid in enumerate(entry.present):
            if eid not in known:
                guess = difflib.get_close_matches(eid, known, n=1)
                hint = f"是否想写 {guess[0]!r}？" if guess else f"可用：{', '.join(known)}"
                problems.append(Problem("unknown-element", f"{sid}（{node.name}）没有要素 {eid!r}；{hint}",
                                        source.locate(where + (k,))))
    for gid, cid in dept.self_assessment.chosen.items():
        where = ("self_assessment", "chosen", gid)
        group = nodes.get(gid)
        if group is None or group.choose_one is None:
            groups = [n.id for n in nodes.values() if n.choose_one is not None]
            hint = f"可用：{', '.join(groups)}" if groups else "本评分表没有二者择其一的指标"
            problems.append(Problem("unknown-choice-group", f"{gid!r} 不是二者择其一的指标组；{hint}",
                                    source.locate(where, key=True)))
        elif cid not in {c.id for c in group.children}:
            options = "、".join(f"{c.id}（{c.name}）" for c in group.children)
            problems.append(Problem("unknown-choice",
                                    f"{gid}（{group.name}）{group.choose_one.text}，可选：{options}；没有 {cid!r}",
                                    source.locate(where)))
    for k, nid in enumerate(dept.self_assessment.not_applicable):
        node = nodes.get(nid)
        if node is None or node.optional is None:
            what = f"{nid}（{node.name}）不是可选项" if node else f"评分表中没有指标 {nid!r}"
            problems.append(Problem("not-optional", f"{what}，不能申报不适用（not_applicable）",
                                    source.locate(("self_assessment", "not_applicable", k))))
    seen: dict[str, tuple] = {}
    for nid, rows in dept.department_indicators.items():
        node = nodes.get(nid)
        where = ("department_indicators", nid)
        if node is None or node.department_rows is None:
            targets = [n.id for n in rubric.row_nodes()]
            hint = f"可用：{', '.join(targets)}" if targets else "本评分表没有部门特性指标"
            problems.append(Problem("unknown-row-node", f"{nid!r} 不是部门特性指标节点；{hint}",
                                    source.locate(where, key=True)))
            continue
        for i, row in enumerate(rows):
            if row.id in nodes or row.id in seen:
                problems.append(Problem(
                    "duplicate-row-id",
                    f"部门特性指标 {row.id}（{row.name}）的 id 与{'评分表指标' if row.id in nodes else '另一行'}重复；请换一个 id",
                    source.locate(where + (i, "id"))))
            seen[row.id] = where + (i,)
    return problems


def load(path: Path | str, rubric_path: Path | str | None = None) -> Loaded:
    """Load a department file (YAML or workbook) and its rubric, cross-checked."""
    p = Path(path)
    data, source = _read(p)
    dept = parse_department(data, source)
    rp = Path(rubric_path) if rubric_path is not None else resolve_rubric_path(dept, p, source)
    rubric, rsource = load_rubric(rp)
    problems = cross_check(rubric, dept, source)
    if problems:
        raise InputError(problems)
    return Loaded(rubric, rsource, rp, dept, source, p)
