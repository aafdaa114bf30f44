"""Finding and reading the configuration file: ``.perfeval.toml``, ``perfeval.toml`` or ``[tool.perfeval]``
in ``pyproject.toml``.

Discovery (as ruff finds its ``ruff.toml``): from the working directory upwards, the first folder that has
one of them gives the configuration, and only that one — files are not merged. In one folder
``.perfeval.toml`` comes before ``perfeval.toml``, which comes before ``pyproject.toml``; a
``pyproject.toml`` without a ``[tool.perfeval]`` table is passed over. The search stops after the first
folder that is a repository's root (it holds ``.git`` or ``.hg``) or the user's home folder, and at the
filesystem's root: a configuration above the repository (or the home folder) is someone else's. Unlike
ruff, there is no user-wide configuration file.

``--config PATH`` names the file instead (any name; a ``pyproject.toml`` is read from its
``[tool.perfeval]``); ``--isolated`` reads none. Paths in the file (``rubric``) are relative to the file's
folder, however it was found.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from perfeval.core.config import ConfigFile
from perfeval.core.problems import InputError, Location, Problem
from perfeval.fileio.model_errors import kind_of, problems_from_validation
from perfeval.fileio.shipped import known_ids, looks_like_path, resolve_rubric
from perfeval.fileio.toml_read import MAX_BYTES, TomlSourceMap, load_toml

CONFIG_NAMES = (".perfeval.toml", "perfeval.toml")
PYPROJECT = "pyproject.toml"
ROOT_MARKERS = (".git", ".hg")
_MENTIONS_US = re.compile(r"""tool\s*\.\s*["']?perfeval\b""")


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A configuration file, validated: where it is, what it says, and its rubric resolved to a file."""

    path: Path
    config: ConfigFile
    source: TomlSourceMap
    rubric: Path | None = None  # the default rubric's file
    rubric_at: Location | None = None  # where the file names it

    @property
    def section(self) -> str:
        return "[tool.perfeval]" if self.source.prefix else ""


def _is_ours(pyproject: Path) -> bool:
    """Whether a ``pyproject.toml`` has a ``[tool.perfeval]`` table. One that cannot be read as TOML is ours
    only if it seems to have the table (then reading it says what is wrong); else it is passed over."""
    try:
        if pyproject.stat().st_size > MAX_BYTES:
            return True  # let the reader say it is too large
        text = pyproject.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False
    if "perfeval" not in text:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _MENTIONS_US.search(text) is not None
    tool = data.get("tool")
    return isinstance(tool, dict) and "perfeval" in tool


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError):
        return None


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in ``start``: see the module's docstring for the rule."""
    try:
        here = start.resolve()
    except OSError:
        return None
    home = _home()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _is_ours(pyproject):
            return pyproject
        if folder == home or any(os.path.lexists(folder / marker) for marker in ROOT_MARKERS):
            return None
    return None


def _section(data: dict[str, Any], source: TomlSourceMap, path: Path) -> tuple[Any, TomlSourceMap]:
    if path.name != PYPROJECT:
        return data, source
    tool = data.get("tool")
    section = tool.get("perfeval") if isinstance(tool, dict) else None
    if section is None:
        raise InputError(
            [
                Problem(
                    "missing-field",
                    "pyproject.toml 中没有 [tool.perfeval] 表；请在其中写 [tool.perfeval]，或改用 perfeval.toml",
                    Location(str(path), 1, 1),
                )
            ]
        )
    return section, source.below(("tool", "perfeval"))


def _default_rubric(text: str, path: Path, source: TomlSourceMap) -> tuple[Path, Location]:
    at = source.locate(("rubric",))
    candidate, by_id = resolve_rubric(text, path.parent)
    try:
        exists = candidate.exists()
    except (OSError, ValueError):
        exists = False
    if not exists:
        if by_id or not looks_like_path(text):
            why = f"{text!r} 既不是文件，也不是 perfeval 自带评分表的标识（自带：{known_ids()}）"
        else:
            why = f"指向的文件 {text!r} 不存在（按配置文件所在目录解析为 {os.path.normpath(candidate)}）"
        raise InputError(
            [
                Problem(
                    "rubric-not-found",
                    f"rubric（默认评分表）{why}；请改正路径或标识（perfeval rubrics 列出自带的）",
                    at,
                )
            ]
        )
    return candidate, at


def _in_toml_words(p: Problem) -> Problem:
    """The model's messages speak YAML where they show a list; a TOML list is written in brackets."""
    if "（每项以 - 开头）" not in p.message:
        return p
    return Problem(p.code, p.message.replace("（每项以 - 开头）", '（写在方括号中，如 ["over-claimed"]）'), p.location)


def load_config(path: Path) -> LoadedConfig:
    """Read and validate the configuration file at ``path``. Raises :class:`InputError`, every problem located."""
    data, source = load_toml(path)
    section, source = _section(data, source, path)
    if not isinstance(section, dict):
        raise InputError(
            [
                Problem(
                    "wrong-type",
                    f"[tool.perfeval] 应为表（键值结构），却是{kind_of(section)}",
                    source.locate(()),
                )
            ]
        )
    try:
        config = ConfigFile.model_validate(section)
    except ValidationError as exc:
        problems = problems_from_validation(exc, source, ConfigFile, "配置文件")
        raise InputError([_in_toml_words(p) for p in problems]) from None
    rubric = at = None
    if config.rubric is not None:
        rubric, at = _default_rubric(config.rubric, path, source)
    return LoadedConfig(path, config, source, rubric, at)
