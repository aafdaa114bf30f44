"""Key paths into the department file (``basic_data.income.total``, ``basic_data.projects[0].total``) checked
against the model's shape, so that a misspelt path in ``sources:`` or a claim's ``figure:`` is reported with
what it could have been, instead of quietly naming nothing. Pure.
"""

from __future__ import annotations

import difflib
import re
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

_PART = re.compile(r"[^.\[\]]+|\[\d+\]")


def _unwrap(annotation: Any) -> Any:
    """The model, list or dict behind Optional / Annotated / unions of a model and a scalar."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            inner = _unwrap(arg)
            if (isinstance(inner, type) and issubclass(inner, BaseModel)) or get_origin(inner) in (list, dict):
                return inner
        return annotation
    if origin is not None and getattr(annotation, "__metadata__", None) is not None:  # Annotated
        return _unwrap(get_args(annotation)[0])
    return annotation


def _show(parts: list[str]) -> str:
    return "".join(p if p.startswith("[") or i == 0 else "." + p for i, p in enumerate(parts))


def path_problem(root: type[BaseModel], dotted: str) -> str | None:
    """None when ``dotted`` is a path the model has; else why not, in Chinese, with the nearest field."""
    parts = _PART.findall(dotted)
    if (
        not parts
        or "".join(parts) != dotted.replace(".", "")
        or ".." in dotted
        or dotted.startswith(".")
        or dotted.endswith(".")
    ):
        return f"{dotted!r} 不是键路径（写法如 basic_data.income.total、basic_data.projects[0].total）"
    here: Any = root
    done: list[str] = []
    for part in parts:
        here = _unwrap(here)
        if part.startswith("["):
            if get_origin(here) is not list:
                return f"{_show(done) or '顶层'} 不是列表，不能写 {part}"
            here = get_args(here)[0]
        elif get_origin(here) is dict:
            here = get_args(here)[1]
        elif isinstance(here, type) and issubclass(here, BaseModel):
            fields = here.model_fields
            if part not in fields:
                guess = difflib.get_close_matches(part, list(fields), n=1)
                where = _show(done) or "部门文件顶层"
                hint = f"是否想写 {_show([*done, guess[0]])}（{fields[guess[0]].title or guess[0]}）？" if guess else ""
                return f"{where} 下没有 {part}；{hint}".rstrip("；")
            here = fields[part].annotation
        else:
            return f"{_show(done)} 已是单个数值，其下没有 {part}"
        done.append(part)
    return None
