"""TOML files read with positions: :func:`load_toml` gives the data (numbers exact, as ``Decimal``) and a
source map that locates a key path (``("tool", "perfeval", "ignore", 1)``) at its line and column.

The data comes from the standard library's ``tomllib``, which refuses what is not TOML (its message and
position are said in Chinese). ``tomllib`` keeps no positions, so a small scanner walks the text tomllib
has accepted and notes where each key and value starts: tables, arrays of tables, dotted and quoted keys,
inline tables and arrays, on one line or several. It never decides what a value is — tomllib does.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfeval.core.problems import InputError, KeyPath, Location, Problem

MAX_BYTES = 1_000_000  # a configuration file is a few lines; anything larger is not one

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_END = re.compile(r"\s*\(at end of document\)$")

# tomllib's messages (Python 3.11–3.13) → what to do, in Chinese; others are shown as they are
_SYNTAX_HINTS = [
    ("Invalid value", '值写得不对：文字要加双引号，如 rubric = "taojiang-2019"；列表写作 ["a", "b"]'),
    ("Expected '=' after a key", '键后面应有 =，如 format = "json"'),
    ("Invalid initial character for a key part", "键名只能用英文字母、数字、- 和 _，其他文字请加双引号"),
    ("Cannot overwrite a value", "同一个键写了两次；请删去其一"),
    ("Cannot declare", "同一个表写了两次；请把它们合并"),
    ("Unclosed array", "列表缺少右方括号 ]"),
    ("Unclosed inline table", "内联表缺少右花括号 }"),
    ("Unterminated string", "字符串缺少结尾的引号"),
    ("Illegal character", "含有不允许的字符（如控制字符）"),
    ("Expected newline or end of document after a statement", "一行只能写一个键值；多余的内容请换行或删去"),
]


def _syntax_problem(file: str, exc: tomllib.TOMLDecodeError, text: str) -> Problem:
    message = str(exc)
    line = col = None
    found = _POSITION.search(message)
    if found:
        line, col = int(found.group(1)), int(found.group(2))
        message = message[: found.start()]
    elif _END.search(message):
        message = _END.sub("", message)
        line, col = text.count("\n") + 1, len(text) - text.rfind("\n")
    hint = next((h for prefix, h in _SYNTAX_HINTS if message.startswith(prefix)), None)
    said = f"配置文件不是有效的 TOML（{message}）"
    return Problem(
        "toml-syntax", said + (f"：{hint}" if hint else "；请对照 docs/config.md 的示例改正"), Location(file, line, col)
    )


@dataclass(slots=True)
class TomlSourceMap:
    """Where each key path of a TOML file starts: the key (``key=True``) or its value."""

    file: str
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    prefix: KeyPath = ()  # ("tool", "perfeval") in pyproject.toml: paths are given below it

    def below(self, prefix: KeyPath) -> TomlSourceMap:
        return TomlSourceMap(self.file, self.keys, self.values, prefix)

    def has(self, path: KeyPath) -> bool:
        full = self.prefix + tuple(path)
        return full in self.keys or full in self.values

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        full = self.prefix + tuple(path)
        for n in range(len(full), -1, -1):
            at = full[:n]
            where = (self.keys.get(at) or self.values.get(at)) if key else (self.values.get(at) or self.keys.get(at))
            if where is not None:
                return Location(self.file, where[0], where[1])
        return Location(self.file, 1, 1)


class _Scanner:
    """Positions of keys and values in a TOML text tomllib has accepted (a lenient walk, never a judge)."""

    def __init__(self, text: str, into: TomlSourceMap) -> None:
        self.text = text
        self.i = 0
        self.map = into
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.table: KeyPath = ()
        self.arrays: dict[KeyPath, int] = {}  # [[array of tables]] → entries so far

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def peek(self, n: int = 1) -> str:
        return self.text[self.i : self.i + n]

    def skip_blank(self, newlines: bool) -> None:
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.i += 1
            elif ch == "#":
                end = self.text.find("\n", self.i)
                self.i = len(self.text) if end < 0 else end
            else:
                return

    def string(self) -> str:
        quote = self.text[self.i]
        if self.peek(3) == quote * 3:
            end = self.text.find(quote * 3, self.i + 3)
            end = len(self.text) if end < 0 else end + 3
            while end < len(self.text) and self.text[end] == quote:  # """a"""" : quotes just before the end
                end += 1
            body, self.i = self.text[self.i + 3 : end - 3], end
            return body
        j = self.i + 1
        while j < len(self.text) and self.text[j] != quote and self.text[j] != "\n":
            j += 2 if quote == '"' and self.text[j] == "\\" else 1
        start, self.i = self.i, j + 1
        body = self.text[start + 1 : j]
        if quote == '"' and "\\" in body:  # escapes: what tomllib makes of them
            try:
                return str(tomllib.loads("k = " + self.text[start : self.i])["k"])
            except tomllib.TOMLDecodeError:
                return body
        return body

    def key(self) -> list[tuple[str, int]]:
        parts: list[tuple[str, int]] = []
        while True:
            self.skip_blank(False)
            start = self.i
            if self.peek() in "\"'":
                parts.append((self.string(), start))
            else:
                m = _BARE_KEY.match(self.text, self.i)
                if not m:
                    raise ValueError("no key")
                parts.append((m.group(), start))
                self.i = m.end()
            self.skip_blank(False)
            if self.peek() != ".":
                return parts
            self.i += 1

    def note(self, base: KeyPath, parts: list[tuple[str, int]]) -> KeyPath:
        path = base
        for name, start in parts:
            path = path + (name,)
            self.map.keys.setdefault(path, self.pos(start))
        return path

    def value(self, path: KeyPath) -> None:
        self.skip_blank(False)
        self.map.values.setdefault(path, self.pos(self.i))
        ch = self.peek()
        if ch in "\"'":
            self.string()
        elif ch == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_blank(True)
                if self.peek() in ("]", ""):
                    self.i += 1
                    return
                self.value(path + (index,))
                index += 1
                self.skip_blank(True)
                if self.peek() == ",":
                    self.i += 1
        elif ch == "{":
            self.i += 1
            while True:
                self.skip_blank(False)
                if self.peek() in ("}", ""):
                    self.i += 1
                    return
                inner = self.note(path, self.key())
                self.skip_blank(False)
                self.i += 1  # =
                self.value(inner)
                self.skip_blank(False)
                if self.peek() == ",":
                    self.i += 1
        else:
            while self.i < len(self.text) and self.text[self.i] not in ",]}#\n":
                self.i += 1

    def scan(self) -> None:
        while True:
            self.skip_blank(True)
            if self.i >= len(self.text):
                return
            if self.peek(2) == "[[":
                self.i += 2
                parts = self.key()
                table = tuple(name for name, _ in parts)
                n = self.arrays[table] = self.arrays.get(table, -1) + 1
                self.note((), parts)
                self.table = table + (n,)
                self.map.keys.setdefault(self.table, self.pos(parts[-1][1]))
                self.i = self.text.find("]]", self.i) + 2
            elif self.peek() == "[":
                self.i += 1
                self.table = self.note((), self.key())
                self.i = self.text.find("]", self.i) + 1
            else:
                path = self.note(self.table, self.key())
                self.skip_blank(False)
                self.i += 1  # =
                self.value(path)


def _read_text(path: Path) -> str:
    file = str(path)
    try:
        if path.is_dir():
            raise InputError(
                [Problem("is-directory", "给出的是文件夹，而不是配置文件；请给出 .toml 文件", Location(file))]
            )
        if not path.exists():
            raise InputError(
                [
                    Problem(
                        "not-found",
                        "配置文件不存在；请检查路径（或去掉 --config，由 perfeval 自动查找）",
                        Location(file),
                    )
                ]
            )
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                [
                    Problem(
                        "too-large",
                        f"配置文件有 {size:,} 字节，超过 {MAX_BYTES:,} 字节；这不像配置文件",
                        Location(file),
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise InputError([Problem("unreadable", f"配置文件无法读取（{why}）", Location(file))]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            [Problem("encoding", "配置文件不是 UTF-8 编码（TOML 只用 UTF-8）；请用 UTF-8 另存", Location(file))]
        ) from None


def load_toml(path: Path) -> tuple[dict[str, Any], TomlSourceMap]:
    """A TOML file's data (floats as exact ``Decimal``) and its source map. Raises :class:`InputError`."""
    text = _read_text(path)
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([_syntax_problem(str(path), exc, text)]) from None
    source = TomlSourceMap(str(path))
    try:
        _Scanner(text, source).scan()
    except (ValueError, IndexError):  # pragma: no cover - positions are a courtesy; the data is tomllib's
        pass
    return data, source
