"""Loading rubric and department files into models, with every problem located in the file.

The edge between files and the pure core: YAML (or, for workbooks, ``perfeval.fileio.workbook.write``)
→ plain data + source map → pydantic models → cross-checks between the department and
its rubric. Every problem becomes a :class:`~perfeval.core.problems.Problem` with
``file:line:col``, the field or indicator by name, and what would fix it.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from perfeval.core.department import Department
from perfeval.core.facts import CATALOGUE, catalogue_for
from perfeval.core.number_text import NumberError, clip
from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.rubric import Checklist, Elements, Rubric
from perfeval.fileio.yaml_read import SourceMap, dotted, load_file

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


def _field_title(root: type[BaseModel], loc: tuple) -> str | None:
    """The Chinese name of the field a location ends in (a list item: the list's name)."""
    idx = next((i for i in range(len(loc) - 1, -1, -1) if isinstance(loc[i], str)), None)
    if idx is None:
        return None
    models = _models_at(root, loc[:idx])
    return next((t for m in models if (t := _title(m, loc[idx]))), None)


def _path_in_file(loc: tuple, source: SourceMap) -> tuple:
    """Drop discriminator tags and validator names that are not keys of the file."""
    path: tuple = ()
    for part in loc:
        candidate = path + (part,)
        if source.has(candidate):
            path = candidate
    return path


KeyNamer = Callable[[tuple], "str | None"]
"""Names a dict key the models cannot (a fact, an indicator id): path → Chinese name or None."""


def labeller(root: type[BaseModel], key_name: KeyNamer | None = None) -> Callable[[tuple], str]:
    """``basic_data.income.total（小计）`` — a key path with the Chinese name of what it is."""

    def label(path: tuple) -> str:
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


def _kind_of(value: Any) -> str:
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
    exc: ValidationError, source: SourceMap, root: type[BaseModel], what: str, key_name: KeyNamer | None = None
) -> list[Problem]:
    label = labeller(root, key_name)
    errors = exc.errors(include_url=False)
    missing_by_parent: dict[tuple, set[str]] = {}
    for err in errors:
        if err["type"] == "missing" and err["loc"] and isinstance(err["loc"][-1], str):
            missing_by_parent.setdefault(_path_in_file(tuple(err["loc"][:-1]), source), set()).add(err["loc"][-1])
    explained: set[tuple] = set()  # missing fields explained by a misspelt key beside them
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
    problems.sort(key=lambda p: (p.location.line or 0, p.location.col or 0))
    return problems


def _code(err: dict) -> str:
    """A stable kebab-case code: ``not-a-number`` for numbers_in's refusals, else from pydantic's type."""
    if isinstance((err.get("ctx") or {}).get("error"), NumberError):
        return "not-a-number"
    return f"invalid-{err['type'].replace('_', '-')}"


def _translate(err: dict) -> str:
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
            return f"这里应填{wanted}，却是{_kind_of(value)}；请检查缩进，或填写单个值"
        if kind == "string_type":
            return (
                "这里应填文字，却是空的；请填写"
                if value is None
                else f"这里应填文字，却是{_kind_of(value)}；请检查缩进"
            )
    table = {
        "decimal_parsing": f"{shown} 不是数值；请填写数字，如 1295.87",
        "decimal_type": f"{shown} 不是数值；请填写数字，如 1295.87",
        "int_parsing": f"{shown} 不是整数；请填写整数，如 2019",
        "int_type": f"{shown} 不是整数；请填写整数，如 2019",
        "int_from_float": f"{shown} 不是整数；请填写整数，如 2019",
        "string_type": f"这里应填文字，却是{_kind_of(value)}；如需把它当作文字请加引号，如 '{clip(value)}'",
        "bool_type": f"{shown} 不是 true/false；请填写 true 或 false",
        "bool_parsing": f"{shown} 不是 true/false；请填写 true 或 false",
        "dict_type": f"这里应为键值结构（映射），却是{_kind_of(value)}；请检查缩进",
        "model_type": f"这里应为键值结构（映射），却是{_kind_of(value)}；请检查缩进",
        "model_attributes_type": f"这里应为键值结构（映射），却是{_kind_of(value)}；请检查缩进",
        "list_type": f"这里应为列表（每项以 - 开头），却是{_kind_of(value)}",
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
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


# --- files → models ------------------------------------------------------------------------


def _read(path: Path) -> tuple[Any, SourceMap]:
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        try:
            from perfeval.fileio.workbook import write as excel  # only commands that touch a workbook import openpyxl
        except ModuleNotFoundError as exc:
            if exc.name not in ("openpyxl", "perfeval.fileio.workbook.write"):
                raise
            need = (
                "读取 .xlsx 工作簿需要 openpyxl；请安装：pip install 'perfeval[excel]'"
                if exc.name == "openpyxl"
                else "此版本的 perfeval 还不能读取 .xlsx 工作簿；请改用 YAML 部门文件（见 examples/）"
            )
            raise InputError([Problem("workbook-unsupported", need, Location(str(path)))]) from None
        return excel.read_department(path)
    return load_file(path, labeller(Department, _department_key_name(None)))


def _mapping(data: Any, source: SourceMap, what: str) -> dict:
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    "not-a-mapping",
                    f"{what}的顶层应为键值结构（每行一项，如 unit: 桃江县人民政府办公室），而这里是{_kind_of(data)}；"
                    "请对照 examples/ 中的示例",
                    source.locate(()),
                )
            ]
        )
    return data


def _department_key_name(indicators: dict[str, str] | None) -> KeyNamer:
    """Chinese names for the department file's free keys: facts and indicator ids."""

    def name(path: tuple) -> str | None:
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


def _indicator_names(data: dict, source: SourceMap, rubric_path: Path | None) -> dict[str, str] | None:
    """On the error path only: the rubric's indicator names, to name indicators in messages."""
    try:
        if rubric_path is None:
            given = data.get("rubric")
            if not isinstance(given, str):
                return None
            rubric_path = Path(given)
            if not rubric_path.is_absolute():
                rubric_path = Path(source.file).parent / rubric_path
        rubric, _ = load_rubric(rubric_path)
    except (InputError, OSError, ValueError):
        return None
    return {n.id: n.name for n, _ in rubric.walk()}


def _rubric_key_name(data: Any) -> KeyNamer:
    """In a rubric, name a location by the indicator it is in (``预算完成率``)."""

    def name(path: tuple) -> str | None:
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


_RUBRIC_CACHE: dict[Path, tuple[Rubric, SourceMap]] = {}
_RESOLVED: dict[Path | tuple[str, Path], Path] = {}


def load_rubric(path: Path | str) -> tuple[Rubric, SourceMap]:
    """Load and validate a rubric file. Cached per resolved path within one process."""
    p = Path(path)
    # resolve() asks the file system about every component of the path; a batch names the same
    # rubric for every department, so the answer is remembered per (working directory, path)
    spelled = p if p.is_absolute() else (os.getcwd(), p)
    key = _RESOLVED.get(spelled)
    if key is None:
        key = _RESOLVED[spelled] = p.resolve()
    hit = _RUBRIC_CACHE.get(key)
    if hit is not None:
        return hit
    data, source = load_file(p, labeller(Rubric))
    data = _mapping(data, source, "评分表文件")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, source, Rubric, "评分表", _rubric_key_name(data))) from None
    _RUBRIC_CACHE[key] = (rubric, source)
    return rubric, source


def parse_department(data: Any, source: SourceMap, rubric_path: Path | str | None = None) -> Department:
    data = _mapping(data, source, "部门文件")
    try:
        return Department.model_validate(data)
    except ValidationError as exc:
        names = _indicator_names(data, source, Path(rubric_path) if rubric_path is not None else None)
        raise InputError(
            problems_from_validation(exc, source, Department, "部门文件", _department_key_name(names))
        ) from None


def resolve_rubric_path(dept: Department, dept_path: Path, source: SourceMap) -> Path:
    candidate = Path(dept.rubric)
    if not candidate.is_absolute():
        candidate = dept_path.parent / candidate
    try:
        exists = candidate.exists()
    except (OSError, ValueError):  # a name too long, a NUL byte
        exists = False
    if not exists:
        raise InputError(
            [
                Problem(
                    "rubric-not-found",
                    f"rubric（评分表）指向的文件 {dept.rubric!r} 不存在（按本文件所在目录解析为 {candidate}）；"
                    "请改正路径，或用 --rubric 指定评分表",
                    source.locate(("rubric",)),
                )
            ]
        )
    return candidate


def cross_check(rubric: Rubric, dept: Department, source: SourceMap) -> list[Problem]:
    """Problems between a department file and its rubric: unknown indicators, items or facts."""
    problems: list[Problem] = []
    nodes = rubric.nodes_by_id
    leaves = rubric.leaves_by_id
    for sid, entry in dept.self_assessment.scores.items():
        where = ("self_assessment", "scores", sid)
        node = leaves.get(sid)
        if node is None:
            if sid in nodes:
                msg = (
                    f"{sid}（{nodes[sid].name}）是上级指标，其得分由下级汇总；"
                    "请在 self_assessment.subtotals 填写小计，或删去此项"
                )
            else:
                guess = difflib.get_close_matches(sid, list(leaves), n=1)
                hint = f"是否想写 {guess[0]!r}（{leaves[guess[0]].name}）？" if guess else "请对照评分表的指标 id"
                msg = f"评分表 {rubric.id} 中没有指标 {sid!r}；{hint}"
            problems.append(Problem("unknown-indicator", msg, source.locate(where, key=True)))
            continue
        if entry.items is not None:
            if not isinstance(node.rule, Checklist):
                problems.append(
                    Problem(
                        "items-not-checklist",
                        f"{sid}（{node.name}）没有评分要点，不能按要点填写 items；请直接填写 score",
                        source.locate(where + ("items",), key=True),
                    )
                )
                continue
            known = {i.id: i for i in node.rule.items}
            for iid in entry.items:
                if iid not in known:
                    guess = difflib.get_close_matches(iid, list(known), n=1)
                    hint = f"是否想写 {guess[0]!r}？" if guess else f"可用：{', '.join(known)}"
                    problems.append(
                        Problem(
                            "unknown-item",
                            f"{sid}（{node.name}）没有评分要点 {iid!r}；{hint}",
                            source.locate(where + ("items", iid), key=True),
                        )
                    )
    for sid in dept.self_assessment.subtotals:
        if sid not in nodes or nodes[sid].is_leaf:
            problems.append(
                Problem(
                    "unknown-subtotal",
                    f"subtotals 中的 {sid!r} 不是评分表的上级指标；小计只能按一级、二级指标填写",
                    source.locate(("self_assessment", "subtotals", sid), key=True),
                )
            )
    problems.extend(_cross_check_shapes(rubric, dept, source))
    catalogue = catalogue_for(rubric.facts)
    for name in dept.facts:
        info = catalogue.get(name)
        where = ("facts", name)
        if info is None:
            reported = [n for n, fact in catalogue.items() if fact.reported]  # only for the hint
            guess = difflib.get_close_matches(name, reported, n=1)
            hint = (
                f"是否想写 {guess[0]!r}（{catalogue[guess[0]].label}）？" if guess else "事实名称见 README 的事实目录"
            )
            problems.append(Problem("unknown-fact", f"未知的事实 {name!r}；{hint}", source.locate(where, key=True)))
        elif not info.reported:
            problems.append(
                Problem(
                    "derived-fact",
                    f"{name}（{info.label}）由基础数据表计算得出，不能在 facts 中填写；请填写基础数据表的对应栏目",
                    source.locate(where, key=True),
                )
            )
    return problems


def _cross_check_shapes(rubric: Rubric, dept: Department, source: SourceMap) -> list[Problem]:
    """要素、二者择其一、可选项、部门特性指标: the department's entries against the rubric's shapes."""
    problems: list[Problem] = []
    nodes = rubric.nodes_by_id
    for sid, entry in dept.self_assessment.scores.items():
        node = nodes.get(sid)
        if node is None or entry.present is None:
            continue
        where = ("self_assessment", "scores", sid, "present")
        if not isinstance(node.rule, Elements):
            problems.append(
                Problem(
                    "present-not-elements",
                    f"{sid}（{node.name}）不是要素计分指标，不能填写 present（具备的要素）",
                    source.locate(where, key=True),
                )
            )
            continue
        known = [i.id for i in node.rule.items]
        for k, eid in enumerate(entry.present):
            if eid not in known:
                guess = difflib.get_close_matches(eid, known, n=1)
                hint = f"是否想写 {guess[0]!r}？" if guess else f"可用：{', '.join(known)}"
                problems.append(
                    Problem(
                        "unknown-element", f"{sid}（{node.name}）没有要素 {eid!r}；{hint}", source.locate(where + (k,))
                    )
                )
    for gid, cid in dept.self_assessment.chosen.items():
        where = ("self_assessment", "chosen", gid)
        group = nodes.get(gid)
        if group is None or group.choose_one is None:
            groups = [n.id for n in nodes.values() if n.choose_one is not None]
            hint = f"可用：{', '.join(groups)}" if groups else "本评分表没有二者择其一的指标"
            problems.append(
                Problem(
                    "unknown-choice-group", f"{gid!r} 不是二者择其一的指标组；{hint}", source.locate(where, key=True)
                )
            )
        elif cid not in {c.id for c in group.children}:
            options = "、".join(f"{c.id}（{c.name}）" for c in group.children)
            problems.append(
                Problem(
                    "unknown-choice",
                    f"{gid}（{group.name}）{group.choose_one.text}，可选：{options}；没有 {cid!r}",
                    source.locate(where),
                )
            )
    for k, nid in enumerate(dept.self_assessment.not_applicable):
        node = nodes.get(nid)
        if node is None or node.optional is None:
            what = f"{nid}（{node.name}）不是可选项" if node else f"评分表中没有指标 {nid!r}"
            problems.append(
                Problem(
                    "not-optional",
                    f"{what}，不能申报不适用（not_applicable）",
                    source.locate(("self_assessment", "not_applicable", k)),
                )
            )
    seen: dict[str, tuple] = {}
    for nid, rows in dept.department_indicators.items():
        node = nodes.get(nid)
        where = ("department_indicators", nid)
        if node is None or node.department_rows is None:
            targets = [n.id for n in rubric.row_nodes()]
            hint = f"可用：{', '.join(targets)}" if targets else "本评分表没有部门特性指标"
            problems.append(
                Problem("unknown-row-node", f"{nid!r} 不是部门特性指标节点；{hint}", source.locate(where, key=True))
            )
            continue
        for i, row in enumerate(rows):
            if row.id in nodes or row.id in seen:
                problems.append(
                    Problem(
                        "duplicate-row-id",
                        f"部门特性指标 {row.id}（{row.name}）的 id 与{'评分表指标' if row.id in nodes else '另一行'}重复；请换一个 id",
                        source.locate(where + (i, "id")),
                    )
                )
            seen[row.id] = where + (i,)
    return problems


def load(path: Path | str, rubric_path: Path | str | None = None) -> Loaded:
    """Load a department file (YAML or workbook) and its rubric, cross-checked."""
    p = Path(path)
    data, source = _read(p)
    dept = parse_department(data, source, rubric_path)
    rp = Path(rubric_path) if rubric_path is not None else resolve_rubric_path(dept, p, source)
    rubric, rsource = load_rubric(rp)
    problems = cross_check(rubric, dept, source)
    if problems:
        raise InputError(problems)
    return Loaded(rubric, rsource, rp, dept, source, p)
