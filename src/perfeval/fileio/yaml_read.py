"""Reading YAML the way a finance table needs: exact numbers, positions, no silent surprises.

The file is composed once into PyYAML's node graph (the C parser when available) and
converted by hand, so that

* every value's position is kept in a :class:`SourceMap` (key path → line, column);
* a duplicate key is an error (PyYAML silently keeps the last one);
* numbers become exact ``Decimal`` (``1295.87`` is never a float), integers ``int``;
* YAML 1.1 surprises are not accepted silently: ``yes``/``no``/``on``/``off`` stay strings,
  dates stay strings, ``010`` (octal in YAML 1.1) and ``.nan``/``.inf`` are refused;
* size, nesting depth and alias expansion are bounded.

Why this module is long: bytes to text (encodings, sizes, devices), YAML to exact values with
positions, and the Chinese wording of every parser error are one reader's job; each part is short.
"""

from __future__ import annotations

import errno
import gc
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from perfeval.core.number_text import clip
from perfeval.core.problems import InputError, Location, Problem

try:  # the C parser when libyaml is present
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_IMPLICIT = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """PyYAML's loader without YAML 1.1 implicit typing: :meth:`_Builder.scalar` reads every plain
    scalar itself (YAML 1.2 style), so the resolver's regular expressions need not run at all."""

    def resolve(self, kind, value, implicit):  # noqa: D102 - called once per node by the composer
        return _IMPLICIT[kind]


MAX_BYTES = 5 * 1024 * 1024  # a department file is a few KB; a rubric a few tens
MAX_DEPTH = 64
MAX_NODES = 200_000  # counts alias expansions too (billion laughs)
MAX_DIGITS = 30  # an unquoted number beyond 10^±30 is refused here, before any field converts it

Path_ = tuple[str | int, ...]

_PLAIN_NUMBER = re.compile(r"[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?")  # an int, or a decimal without exponent
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+(\.[0-9]*)?")
_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_NONFINITE = re.compile(r"[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
_NULL = {"", "~", "null", "Null", "NULL"}
_NUMERIC_START = frozenset("0123456789+-.")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_WORDS = _NULL | _TRUE | _FALSE


@dataclass(slots=True)
class SourceMap:
    """Where each value (and key) of one file is, by key path.

    Positions are read from the composed node graph on demand: a file's values are located
    only when something is reported about them, so loading pays nothing for the map.
    """

    file: str
    root: yaml.Node | None
    # key → (key node, value node) of each mapping looked into, by id of the mapping node (alive
    # as long as ``root``): a file's findings mostly sit under one mapping (self_assessment.scores),
    # so each is indexed once instead of scanned for every finding
    _keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict, repr=False, compare=False)

    def _keys_of(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        keys = self._keys.get(id(node))
        if keys is None:
            keys = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value not in keys:  # the first of duplicates
                    keys[k.value] = (k, v)
            self._keys[id(node)] = keys
        return keys

    def _chain(self, path: Path_) -> list[tuple[yaml.Node | None, yaml.Node]]:
        """(key node, value node) for the root and for each prefix of ``path`` found in the file."""
        node = self.root
        if node is None:
            return []
        chain: list[tuple[yaml.Node | None, yaml.Node]] = [(None, node)]
        for part in path:
            found = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = self._keys_of(node).get(part)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                found = (None, node.value[part])
            if found is None:
                break
            chain.append(found)
            node = found[1]
        return chain

    def has(self, path: Path_) -> bool:
        return len(self._chain(path)) == len(path) + 1

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The position of the longest prefix of ``path`` that exists in the file
        (of its key, with ``key=True``, where it has one)."""
        chain = self._chain(tuple(path))
        if not chain:
            return Location(self.file, 1, 1)
        key_node, value_node = chain[-1]
        line, col = _pos(key_node if key and key_node is not None else value_node)
        return Location(self.file, line, col)


_TOO_DEEP = f"嵌套超过 {MAX_DEPTH} 层；绩效评价文件不需要这么深的结构，请检查缩进和括号"


def _is_null(node: yaml.Node) -> bool:
    """A document that is only ``---`` or ``~``: nothing in it."""
    return isinstance(node, yaml.ScalarNode) and node.style in (None, "") and node.value in _NULL


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


Labeller = Callable[[Path_], str]


def dotted(path: Path_) -> str:
    """``basic_data.projects[0].total`` — a key path as a reader finds it in the file."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Builder:
    def __init__(self, file: str, label: Labeller) -> None:
        self.file = file
        self.label = label
        self.count = 0
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node, code: str, message: str, path: Path_ = ()) -> None:
        line, col = _pos(node)
        where = self.label(path) if path else ""
        self.problems.append(Problem(code, f"{where}：{message}" if where else message, Location(self.file, line, col)))

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            line, col = _pos(node)
            raise InputError(
                [
                    Problem(
                        "too-many-nodes",
                        f"文件展开后超过 {MAX_NODES:,} 个值（可能是锚点/别名的反复引用）；请去掉 & 和 * 引用，直接写出数据",
                        Location(self.file, line, col),
                    )
                ]
            )
        kind = type(node)
        if kind is yaml.ScalarNode:  # most nodes: decide without further checks
            if node.style and node.tag == _STR:
                return node.value  # quoted or block text
            return self.scalar(node, path)
        if depth > MAX_DEPTH:
            line, col = _pos(node)
            raise InputError([Problem("too-deep", _TOO_DEEP, Location(self.file, line, col))])
        if kind is yaml.MappingNode:
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode:
                    self.fail(key_node, "complex-key", "键必须是简单文字（如 total:）；请检查冒号和括号", path)
                    continue
                key = key_node.value
                if key == "<<" and not key_node.style or key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail(key_node, "merge-key", "不支持合并键 '<<'；请直接写出各项", path)
                    continue
                if key in out:
                    first = next(k for k, _ in node.value if type(k) is yaml.ScalarNode and k.value == key)
                    self.fail(
                        key_node,
                        "duplicate-key",
                        f"重复的键 {key!r}（第一次出现在第 {_pos(first)[0]} 行）；同一项只能填写一次，请删除或合并其中一处",
                        path + (key,),
                    )
                    continue
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]

    def scalar(self, node: yaml.ScalarNode, path: Path_ = ()) -> Any:
        text = node.value
        if node.style:  # quoted or block scalar: always text
            return text  # (plain style is None from the Python parser, "" from libyaml)
        if node.tag != _STR and node.tag not in (  # _STR: every plain scalar without an explicit tag
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:null",
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:timestamp",
        ):
            if node.tag.startswith("tag:yaml.org,2002:"):
                return text
            self.fail(node, "yaml-tag", f"不支持 YAML 标签 {node.tag!r}；请去掉它", path)
            return None
        if text and text[0] not in _NUMERIC_START and text not in _WORDS:
            return text  # the common case: a name or a sentence
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if len(text) <= MAX_DIGITS:  # the common numbers, one match: 54, 1048.50
            plain = _PLAIN_NUMBER.fullmatch(text)
            if plain:  # (no leading zero, no exponent: nothing below can object to it)
                return Decimal(text) if plain.group(2) else int(text)
        if _NONFINITE.fullmatch(text):
            self.fail(node, "not-finite", f"{text} 不是有限的数；请填写具体数值，未掌握的数据请删去该项", path)
            return None
        if _LEADING_ZERO.fullmatch(text):
            self.fail(
                node,
                "leading-zero",
                f"{clip(text)} 以 0 开头，含义不明（YAML 1.1 会把它当作八进制）；若是编码请加引号 '{clip(text)}'，若是数值请去掉前导 0",
                path,
            )
            return None
        if _FLOAT.fullmatch(text):  # (an integer of more than MAX_DIGITS digits matches too)
            try:
                number = Decimal(text)
            except InvalidOperation:  # pragma: no cover - regex guards it
                return text
            if number and not -MAX_DIGITS <= number.adjusted() <= MAX_DIGITS:
                # 1e999999999 would take minutes to become an int; no finance table holds it
                self.fail(
                    node,
                    "number-out-of-range",
                    f"{clip(text)} 大得（或小得）不合常理；请检查单位、小数点和指数写法",
                    path,
                )
                return None
            return number
        # everything else (yes/no/on/off, dates, 1:30, 0x1F, 1_000 …) stays the text it is
        return text


def decode(data: bytes, file: str) -> str:
    """Bytes → text: UTF-8 (with or without BOM), else GB18030/GBK when it decodes cleanly."""
    if b"\x00" in data[:8192]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(
                [
                    Problem(
                        "encoding",
                        "文件是 UTF-16 编码；请另存为 UTF-8（记事本：另存为 → 编码选 UTF-8）",
                        Location(file),
                    )
                ]
            )
        raise InputError(
            [
                Problem(
                    "binary-file",
                    "这不是文本文件（含有二进制内容）；请提供 YAML 文本文件或 .xlsx 工作簿",
                    Location(file),
                )
            ]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    line = data[: utf8_error.start].count(b"\n") + 1
    col = len(data[data.rfind(b"\n", 0, utf8_error.start) + 1 : utf8_error.start].decode("utf-8", "replace")) + 1
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    if sum(1 for ch in lenient if ord(ch) >= 0x80 and ch != "\ufffd") >= 4 * broken:
        # mostly UTF-8 Chinese with a damaged character or two: not a GBK file
        raise InputError(
            [
                Problem(
                    "encoding",
                    f"这里有 {broken} 处不是合法的 UTF-8（文件其余部分是 UTF-8，可能是复制或截断时损坏了汉字）；"
                    "请在编辑器中找到该处，删去乱码并重新输入",
                    Location(file, line, col),
                )
            ]
        )
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            [
                Problem(
                    "encoding",
                    f"第 {line} 行起的内容既不是 UTF-8 也不是 GB18030/GBK 编码；{_RESAVE}",
                    Location(file, line),
                )
            ]
        ) from None
    if not _plausible_chinese(text):
        raise InputError(
            [
                Problem(
                    "encoding",
                    f"文件不是 UTF-8（第 {line} 行起），按 GB18030/GBK 读出的又是乱码，可能是 Big5（繁体）或其他编码；{_RESAVE}",
                    Location(file, line),
                )
            ]
        )
    return text


_RESAVE = "请用文本编辑器另存为 UTF-8（记事本：另存为 → 编码选 UTF-8；或 iconv -f 原编码 -t UTF-8）"


def _plausible_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 reads as Chinese rather than mojibake.

    Real GBK/GB18030 files use mostly GB2312's common characters (level 1, rows B0–D7) and
    its punctuation rows (A1–A9); Big5, Shift-JIS or EUC-KR bytes decoded as GB18030 land
    mostly elsewhere. A few rare characters (names, 镕, 堃) are allowed.
    """
    rare = total = 0
    for ch in text:
        if ord(ch) < 0x80:
            continue
        total += 1
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            rare += 1
            continue
        if not (0xA1 <= lead <= 0xA9 or 0xB0 <= lead <= 0xD7):
            rare += 1
    return rare < 3 or rare <= total // 5


def _too_large(file: str, size: int | None) -> InputError:
    told = f"文件有 {size:,} 字节，" if size is not None else "文件"
    return InputError(
        [
            Problem(
                "too-large",
                f"{told}超过上限 {MAX_BYTES:,} 字节；这不像是一份评价文件，请检查路径",
                Location(file),
            )
        ]
    )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing directories, missing files and anything over ``MAX_BYTES``.

    Reads at most ``MAX_BYTES + 1`` bytes, so that a device or pipe that never ends
    (``/dev/zero``) is refused instead of filling memory.
    """
    file = str(path)
    try:
        info = path.stat()  # (one stat for both questions)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(
                [
                    Problem(
                        "is-directory",
                        "这是一个文件夹，不是文件；请给出文件路径（如 部门/桃江县政府办.yaml）",
                        Location(file),
                    )
                ]
            )
        if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):  # would wait for a writer forever
            raise InputError(
                [Problem("not-a-file", "这是管道或套接字，不是文件；请先把内容保存为文件再给出其路径", Location(file))]
            )
        size = info.st_size
        if size > MAX_BYTES:
            raise _too_large(file, size)
        with path.open("rb") as fh:
            # what stat announced, and one byte more to notice a file that grew: asking for
            # MAX_BYTES + 1 outright allocates 5 MB for every small file, which costs more than reading it
            data = fh.read(size + 1)
            if len(data) > size:  # grown, or a device with no size (/dev/zero): on, up to the limit
                data += fh.read(MAX_BYTES + 1 - len(data))
        if len(data) > MAX_BYTES:
            raise _too_large(file, None)
        return data
    except FileNotFoundError:
        raise InputError([Problem("not-found", "文件不存在；请检查路径和文件名", Location(file))]) from None
    except PermissionError:
        raise InputError(
            [
                Problem(
                    "unreadable", "没有读取此文件的权限；请检查文件权限，或把文件复制到自己的目录再试", Location(file)
                )
            ]
        ) from None
    except OSError as exc:
        why = _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
        raise InputError([Problem("unreadable", f"无法读取：{why}；请检查路径", Location(file))]) from None


_OS_ERRORS = {
    errno.ELOOP: "符号链接循环指向自身",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EIO: "磁盘读写出错",
}


_COUNTED = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


def _prescan(text: str, file: str) -> None:
    """Stop a file with far too many values, or nesting far too deep, while it is still a stream
    of parser events — before PyYAML builds the whole node graph (hundreds of MB for a 5 MB
    file of one-character items). Aliases are counted again when expanded (:class:`_Builder`)."""
    if len(text) < 2 * MAX_NODES:  # too short to hold that many values ('1,' each); the builder bounds the rest
        return
    count = depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line, col = event.start_mark.line + 1, event.start_mark.column + 1
                raise InputError([Problem("too-deep", _TOO_DEEP, Location(file, line, col))])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(event, _COUNTED):
            count += 1
            if count > MAX_NODES:
                line, col = event.start_mark.line + 1, event.start_mark.column + 1
                raise InputError(
                    [
                        Problem(
                            "too-many-nodes",
                            f"文件中超过 {MAX_NODES:,} 个值；一份评价文件远没有这么多数据，请检查是否选错了文件",
                            Location(file, line, col),
                        )
                    ]
                )


def load_text(text: str, file: str, label: Labeller = dotted) -> tuple[Any, SourceMap]:
    """Parse YAML text into plain data plus its source map. Raises :class:`InputError`.

    ``label`` names a key path in messages (load.py passes one that adds the Chinese title).
    The cyclic garbage collector is paused meanwhile: parsing allocates tens of thousands of
    small acyclic objects (nodes, marks), and collections triggered by them would make a large
    file cost more than its size.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_text(text, file, label)
    finally:
        if collecting:
            gc.enable()


def _load_text(text: str, file: str, label: Labeller) -> tuple[Any, SourceMap]:
    try:
        _prescan(text, file)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        reason = exc.problem or ""
        if "nesting depth" in reason:  # libyaml's own bound on [[[[…
            raise InputError([Problem("too-deep", _TOO_DEEP, Location(file, line, col))]) from None
        raise InputError(
            [Problem("yaml-syntax", _syntax_message(exc, text, line), Location(file, line, col))]
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (no mark, only a position)
        # libyaml counts bytes, PyYAML characters; the first such character is the one reported
        at = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        where = text[: at if at >= 0 else exc.position]
        line, col = where.count("\n") + 1, len(where) - (where.rfind("\n") + 1) + 1
        raise InputError(
            [
                Problem(
                    "control-character",
                    f"有一个不可见的控制字符 U+{exc.character:04X}；请删去它（常见于从 PDF、网页或 Excel 复制的文字）",
                    Location(file, line, col),
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(
            [Problem("yaml-syntax", f"YAML 语法错误：{exc}；请检查缩进、冒号与引号", Location(file))]
        ) from None
    except RecursionError:
        raise InputError([Problem("too-deep", _TOO_DEEP, Location(file))]) from None
    if node is None or _is_null(node):
        raise InputError(
            [Problem("empty-file", "文件是空的（没有任何数据）；请按示例填写（见 examples/）", Location(file, 1, 1))]
        )
    builder = _Builder(file, label)
    data = builder.build(node, (), 0)
    if builder.problems:
        raise InputError(builder.problems)
    return data, SourceMap(file, node)


_REASONS = {  # libyaml's and PyYAML's reasons, in the reader's language
    "did not find expected key": "这里缺少键，或缩进与上一行对不齐",
    "mapping values are not allowed": "这里不能出现冒号（若冒号是文字的一部分，请给整段文字加引号）",
    "found character that cannot start any token": "出现了不能作为开头的字符",
    "found unexpected end of stream": "文件在一个值写完之前就结束了",
    "did not find expected ',' or ']'": "方括号 [ ] 没有闭合，或各项之间缺少逗号",
    "did not find expected ',' or '}'": "花括号 { } 没有闭合，或各项之间缺少逗号",
    "did not find expected '-' indicator": "列表项应以 - 开头，且与同级各项对齐",
    "did not find expected node content": "这里缺少值",
    "found undefined alias": "引用了未定义的锚点（*名称 之前须有 &名称）",
    "found unknown escape character": "双引号中有无法识别的转义字符（\\）；如需反斜杠请改用单引号",
    "could not find expected ':'": "缺少冒号（键与值之间应为“键: 值”，冒号后有空格）",
    "found unexpected ':'": "多余的冒号；若冒号是文字的一部分，请给整段文字加引号",
    "block sequence entries are not allowed in this context": "列表项 - 不能写在这里；请检查缩进",
}


def _syntax_message(exc: yaml.MarkedYAMLError, text: str, line: int | None) -> str:
    reason = exc.problem or "YAML 语法错误"
    context = exc.context or ""
    said = next((zh for en, zh in _REASONS.items() if reason.startswith(en)), None)
    what = said if said is not None else f"{reason}（YAML 语法错误）"
    hint = "请检查这一行和上一行的缩进、冒号与引号"
    opened = exc.context_mark.line + 1 if exc.context_mark is not None else None
    lines = text.splitlines()
    here = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    if "\t" in reason or "tab" in reason.lower() or "\t" in here[: len(here) - len(here.lstrip())]:
        what, hint = "缩进中有制表符（Tab）", "YAML 只能用空格缩进；请把 Tab 换成空格"
    elif "quoted scalar" in context and ("end of stream" in reason or "document" in reason):
        what = "引号没有闭合" + (f"（引号从第 {opened} 行开始）" if opened else "")
        hint = "请补上结尾的引号"
    elif ("flow sequence" in context or "flow mapping" in context) and (
        "end of stream" in reason or reason.startswith("did not find expected ','")
    ):
        bracket = "[" if "sequence" in context else "{"
        what = f"{bracket} 没有闭合" + (f"（从第 {opened} 行开始）" if opened else "") + "，或各项之间缺少逗号"
        hint = "请补上对应的 ] 或 }，每项之间用逗号隔开"
    return f"YAML 语法错误：{what}。{hint}"


def load_file(path: Path | str, label: Labeller = dotted) -> tuple[Any, SourceMap]:
    p = Path(path)
    text = decode(read_bytes(p), str(p))
    return load_text(text, str(p), label)
