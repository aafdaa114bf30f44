"""Reading YAML the way a finance table needs: exact numbers, positions, no silent surprises.

The file is composed once into PyYAML's node graph (the C parser when available) and
converted by hand, so that

* every value's position is kept in a :class:`SourceMap` (key path → line, column);
* a duplicate key is an error (PyYAML silently keeps the last one);
* numbers become exact ``Decimal`` (``1295.87`` is never a float), integers ``int``;
* YAML 1.1 surprises are not accepted silently: ``yes``/``no``/``on``/``off`` stay strings,
  dates stay strings, ``010`` (octal in YAML 1.1) and ``.nan``/``.inf`` are refused;
* size, nesting depth and alias expansion are bounded;
* U+2028, U+2029 and U+0085 are characters, not line breaks (YAML 1.2; Word pastes U+2028),
  so that every line and column is the one an editor shows;
* every message is Chinese, and what the file is (UTF-16, a workbook, stdin) is named before
  it is read (:func:`input_kind`).

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
from typing import TYPE_CHECKING, Any, Literal

import yaml

from perfeval.core.number_text import clip
from perfeval.core.problems import InputError, Location, Problem

if TYPE_CHECKING:  # mypy is shown one base: both loaders have the parse/compose/resolve used here
    _Base = yaml.SafeLoader
else:
    try:  # the C parser when libyaml is present
        _Base = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on the PyYAML build
        _Base = yaml.SafeLoader

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_IMPLICIT = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


class _Loader(_Base):
    """PyYAML's loader without YAML 1.1 implicit typing: :meth:`_Builder.scalar` reads every plain
    scalar itself (YAML 1.2 style), so the resolver's regular expressions need not run at all."""

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool] | bool) -> str:
        """The node's tag by its kind alone; called once per node by the composer (a collection's
        value is None, its implicit one bool)."""
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
            found: tuple[yaml.Node | None, yaml.Node] | None = None
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
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_MESSAGE = "双引号中的 \\u 转义写出了不成对的代理字符（U+D800–U+DFFF），它不是有效的字符；请改正或删去该转义"


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
        if type(node) is yaml.ScalarNode:  # most nodes: decide without further checks
            if node.style and node.tag == _STR:
                if node.style == '"' and _SURROGATE.search(node.value):
                    self.fail(node, "invalid-character", _SURROGATE_MESSAGE, path)
                    return None
                return node.value  # quoted or block text
            return self.scalar(node, path)
        if depth > MAX_DEPTH:
            line, col = _pos(node)
            raise InputError([Problem("too-deep", _TOO_DEEP, Location(self.file, line, col))])
        if type(node) is yaml.MappingNode:
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode:
                    self.fail(key_node, "complex-key", "键必须是简单文字（如 total:）；请检查冒号和括号", path)
                    continue
                key = key_node.value
                if key_node.style == '"' and _SURROGATE.search(key):
                    self.fail(key_node, "invalid-character", _SURROGATE_MESSAGE, path)
                    continue
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
    """Bytes → text: UTF-8 (with or without BOM), else GB18030/GBK when it decodes cleanly.

    UTF-16 and UTF-32 (with or without BOM), workbooks, PDF and other binary files are
    refused, each by its name."""
    _refuse_other_formats(data, file)
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


_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (b"\x00\x00\xfe\xff", "UTF-32BE"),
    (b"\xff\xfe\x00\x00", "UTF-32LE"),
    (b"\xfe\xff", "UTF-16BE"),
    (b"\xff\xfe", "UTF-16LE"),
)
_MAGIC = (  # what a file is, by its first bytes, when it is not text
    (b"PK\x03\x04", "这是 zip 压缩文件（.xlsx 工作簿即是这种格式），不是 YAML 文本；如是工作簿，请把扩展名改为 .xlsx"),
    (
        b"\xd0\xcf\x11\xe0",
        "这是旧版 .xls（或 WPS .et）工作簿、Word 文档或加密文件，不是 YAML 文本；请在 Excel/WPS 中另存为 .xlsx（不设密码）",
    ),
    (b"%PDF-", "这是 PDF 文件，不是 YAML 文本；请按 examples/ 中的示例填写 YAML 文件，或使用 perfeval init 生成的模板"),
)


def _refuse_other_formats(data: bytes, file: str) -> None:
    """Name what a file that is not UTF-8/GB18030 text is: UTF-16/32 (with or without BOM), a workbook, PDF."""
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise InputError([Problem("binary-file", message, Location(file))])
    found = next(((name, True) for bom, name in _BOMS if data.startswith(bom)), None)
    sample = data[:8192]
    if found is None and b"\x00" in sample:
        found = next(
            ((name, False) for name in ("UTF-32LE", "UTF-32BE", "UTF-16LE", "UTF-16BE") if _reads_as(sample, name)),
            None,
        )
        if found is None:
            raise InputError(
                [
                    Problem(
                        "binary-file",
                        "这不是文本文件（含有二进制内容）；请提供 YAML 文本文件或 .xlsx 工作簿",
                        Location(file),
                    )
                ]
            )
    if found is not None:
        name, bom = found
        raise InputError(
            [
                Problem(
                    "encoding",
                    f"文件是 {name} 编码（{'带' if bom else '无'} BOM）；perfeval 读取 UTF-8 或 GB18030/GBK 文本，"
                    "请另存为 UTF-8（记事本：另存为 → 编码选 UTF-8）",
                    Location(file),
                )
            ]
        )


def _reads_as(sample: bytes, codec: str) -> bool:
    """Whether bytes with NULs in them are text in ``codec``: they decode, and to printable text without NULs."""
    unit = 4 if "32" in codec else 2
    end = len(sample) // unit * unit
    try:
        text = sample[:end].decode(codec)
    except UnicodeDecodeError:
        try:  # the sample may end inside a surrogate pair
            text = sample[: end - unit].decode(codec)
        except UnicodeDecodeError:
            return False
    if not text or "\x00" in text:
        return False
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
    return printable >= 0.95 * len(text)


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


def _event_at(event: yaml.Event, file: str) -> Location:
    """Where a parser event starts (the parser marks every event; without a mark, the file)."""
    mark = event.start_mark
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


# Every node but the root starts after one of these, and none of them starts more than two: "- x" one entry;
# "k: v" a key and its value (the key's only mark is its colon); "[x" or ", x" a flow entry — which may be a
# mapping of one pair and its key ("[k: v]", "{k, j}": a key and its empty value); "? k" a key and its value.
_INTRODUCERS = ",-:[{?"


def _most_nodes(text: str) -> int:
    """An upper bound on the nodes ``text`` can hold, counted in one pass of str.count per character (a
    1.2 MB rubric a hundred times the Taojiang one: 85,000 nodes, a bound of 125,000)."""
    return 1 + 2 * sum(text.count(c) for c in _INTRODUCERS)


def _prescan(text: str, file: str) -> None:
    """Stop a file with far too many values, or nesting far too deep, while it is still a stream
    of parser events — before PyYAML builds the whole node graph (hundreds of MB for a 5 MB
    file of one-character items). Aliases are counted again when expanded (:class:`_Builder`)."""
    if len(text) < 2 * MAX_NODES:  # too short to hold that many values ('1,' each); the builder bounds the rest
        return
    if _most_nodes(text) <= MAX_NODES:  # a large file of ordinary data: parsed once, not twice
        return
    count = depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError([Problem("too-deep", _TOO_DEEP, _event_at(event, file))])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(event, _COUNTED):
            count += 1
            if count > MAX_NODES:
                raise InputError(
                    [
                        Problem(
                            "too-many-nodes",
                            f"文件中超过 {MAX_NODES:,} 个值；一份评价文件远没有这么多数据，请检查是否选错了文件",
                            _event_at(event, file),
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


# U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR and U+0085 NEXT LINE are line breaks to
# PyYAML (YAML 1.1) but not to editors, nor to YAML 1.2: text pasted from Word carries U+2028, and
# every position after it would be a line off. They are swapped for private-use characters the
# file does not contain while it is parsed, and swapped back in every scalar afterwards.
_NOT_BREAKS = "\u2028\u2029\x85"


def _stand_ins(text: str) -> dict[str, str] | None:
    """Private-use stand-ins for the YAML 1.1 line breaks in ``text`` (stand-in → character), or None."""
    present = [ch for ch in _NOT_BREAKS if ch in text]
    if not present:
        return None
    free = (chr(cp) for cp in range(0xF8FF, 0xE000, -1) if chr(cp) not in text)
    return {next(free): ch for ch in present}


def _restore(node: yaml.Node, back: dict[str, str]) -> None:
    """Put the swapped characters back into every scalar of the node graph (aliases visited once)."""
    table = str.maketrans(dict[str, str | int | None](back))
    seen: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.ScalarNode):
            n.value = n.value.translate(table)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))


def _load_text(text: str, file: str, label: Labeller) -> tuple[Any, SourceMap]:
    back = _stand_ins(text)
    if back is not None:
        swap: dict[str, str | int | None] = {ch: stand for stand, ch in back.items()}
        text = text.translate(str.maketrans(swap))
    try:
        _prescan(text, file)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise InputError([_syntax_problem(exc, text, file)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (no mark, only a position)
        # libyaml counts bytes, PyYAML characters; the first such character is the one reported
        at = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        where = text[: at if at >= 0 else exc.position]
        line, col = where.count("\n") + 1, len(where) - (where.rfind("\n") + 1) + 1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "字符"
        raise InputError(
            [
                Problem(
                    "control-character",
                    f"有一个不可见的控制字符 {code}；请删去它（常见于从 PDF、网页或 Excel 复制的文字）",
                    Location(file, line, col),
                )
            ]
        ) from None
    except yaml.YAMLError:  # pragma: no cover - every error PyYAML raises on text is one of the above
        raise InputError([Problem("yaml-syntax", "YAML 语法错误；请检查缩进、冒号与引号", Location(file))]) from None
    except RecursionError:
        raise InputError([Problem("too-deep", _TOO_DEEP, Location(file))]) from None
    if node is None or _is_null(node):
        raise InputError(
            [Problem("empty-file", "文件是空的（没有任何数据）；请按示例填写（见 examples/）", Location(file, 1, 1))]
        )
    if back is not None:
        _restore(node, back)
    builder = _Builder(file, label)
    data = builder.build(node, (), 0)
    if builder.problems:
        raise InputError(builder.problems)
    return data, SourceMap(file, node)


# libyaml's and PyYAML's reasons (``problem``), by how they begin, in the reader's language.
# Every reason either parser gives is here; one not listed reads "YAML 语法错误" with the hint,
# never the English text.
_REASONS = {
    "did not find expected key": "这里缺少键，或缩进与上一行对不齐",
    "expected <block end>": "这里缺少键，或缩进与上一行对不齐",
    "mapping values are not allowed": "这里不能出现冒号（若冒号是文字的一部分，请给整段文字加引号）",
    "mapping keys are not allowed": "这里不能出现 ?（复杂键）；请去掉行首的 ?，或给整段文字加引号",
    "found character that cannot start any token": "出现了不能作为开头的字符（如 @ 或 `）；请给整段文字加引号",
    "found character": "出现了不能作为开头的字符（如 @ 或 `）；请给整段文字加引号",
    "found unexpected end of stream": "文件在一个值写完之前就结束了",
    "did not find expected ',' or ']'": "方括号 [ ] 没有闭合，或各项之间缺少逗号",
    "expected ',' or ']'": "方括号 [ ] 没有闭合，或各项之间缺少逗号",
    "did not find expected ',' or '}'": "花括号 { } 没有闭合，或各项之间缺少逗号",
    "expected ',' or '}'": "花括号 { } 没有闭合，或各项之间缺少逗号",
    "did not find expected '-' indicator": "列表项应以 - 开头，且与同级各项对齐",
    "did not find expected node content": "这里缺少值",
    "expected the node content": "这里缺少值",
    "found undefined alias": "引用了未定义的锚点（*名称 之前须有 &名称）",
    "found duplicate anchor": "锚点名称（&名称）重复了；请删去 & 和 * 引用，直接写出数据",
    "found unknown escape character": "双引号中有无法识别的转义字符（\\）；如需反斜杠请改用单引号",
    "expected escape sequence": "双引号中的 \\x、\\u 或 \\U 转义不完整；如需反斜杠请改用单引号",
    "did not find expected hexdecimal number": "双引号中的 \\x、\\u 或 \\U 转义不完整；如需反斜杠请改用单引号",
    "found invalid Unicode character escape code": "双引号中的 \\u 或 \\U 转义不是有效的字符；请改正或删去该转义",
    "could not find expected ':'": "缺少冒号（键与值之间应为“键: 值”，冒号后有空格）",
    "found unexpected ':'": "多余的冒号；若冒号是文字的一部分，请给整段文字加引号",
    "block sequence entries are not allowed": "列表项 - 不能写在这里；请检查缩进",
    "sequence entries are not allowed": "列表项 - 不能写在这里；请检查缩进",
    "invalid indentation or unclosed": "缩进不对，或 [ 、{ 没有闭合",
    "found a tab character": "缩进中有制表符（Tab）",
    "but found another document": "文件中有不止一份 YAML 文档（--- 开始了第二份）；一个文件只能有一份评价数据，请删去多余的 --- 及其后的内容，或拆成多个文件",
    "expected '<document start>'": "一份文档结束（--- 或 ...）之后还有内容；一个文件只能有一份评价数据，请删去多余的 --- 或 ...",
    "did not find expected <document start>": "一份文档结束（--- 或 ...）之后还有内容；一个文件只能有一份评价数据，请删去多余的 --- 或 ...",
    "found unexpected document": "文字中间出现了 --- 或 ...（文档分隔符）；请给这段文字加引号",
    "expected a comment or a line break": "值之后还有多余的内容；若是一段文字，请给整段加引号",
    "did not find expected comment or line break": "值之后还有多余的内容；若是一段文字，请给整段加引号",
    "expected ' '": "这里缺少空格（冒号、- 或 # 之前后应有空格）",
    "did not find expected whitespace": "这里缺少空格（冒号、- 或 # 之前后应有空格）",
    "expected alphabetic or numeric character": "& 或 * 之后应为锚点名称；若 & 或 * 是文字的一部分，请给整段文字加引号",
    "did not find expected alphabetic or numeric character": "& 或 * 之后应为锚点名称；若 & 或 * 是文字的一部分，请给整段文字加引号",
    "expected chomping or indentation indicators": "块文本标记（| 或 >）之后只能写 +、- 或 1–9；文字请从下一行起缩进书写",
    "expected indentation indicator": "块文本标记（| 或 >）之后只能写 +、- 或 1–9；文字请从下一行起缩进书写",
    "found an indentation indicator equal to 0": "块文本标记（| 或 >）之后只能写 +、- 或 1–9；文字请从下一行起缩进书写",
}
# YAML directives (%YAML, %TAG) and tags (!…): nothing a perfeval file needs
_DIRECTIVE = (
    "YAML 指令（以 % 开头的行）写法不对；perfeval 的文件不需要 % 指令，请删去该行（若 % 是文字，请给整段加引号）"
)
_TAG = "标签（以 ! 开头）写法不对；perfeval 的文件不使用标签，请去掉 !，或给整段文字加引号"
_DIRECTIVE_WORDS = ("directive", "version", "YAML document", "expected a digit")
_TAG_WORDS = ("tag", "URI", "expected '!'", "expected '>'", "the expected '>'", "non-alphabetical", "non-specific")


def _reason(problem: str, context: str = "") -> str | None:
    said = next((zh for en, zh in _REASONS.items() if problem.startswith(en)), None)
    if said is not None:
        return said
    if any(w in problem for w in _DIRECTIVE_WORDS) or "directive" in context:
        return _DIRECTIVE
    if any(w in problem for w in _TAG_WORDS) or "tag" in context:  # (also a tag's %-escapes that are no UTF-8)
        return _TAG
    return None


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    reason = exc.problem or ""
    if "nesting depth" in reason:  # libyaml's own bound on [[[[…
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        return Problem("too-deep", _TOO_DEEP, Location(file, line, col))
    mark = exc.problem_mark or exc.context_mark
    if reason.startswith("could not find expected ':'") and exc.context_mark is not None:
        mark = exc.context_mark  # the key that lacks its colon, not where the scanner gave up
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    code = "several-documents" if reason.startswith("but found another document") else "yaml-syntax"
    return Problem(code, _syntax_message(exc, text, line), Location(file, line, col))


def _syntax_message(exc: yaml.MarkedYAMLError, text: str, line: int | None) -> str:
    reason = exc.problem or ""
    context = exc.context or ""
    said = _reason(reason, context)
    what = said if said is not None else "这里的写法不符合 YAML 语法"
    hint = "请检查这一行和上一行的缩进、冒号与引号"
    opened = exc.context_mark.line + 1 if exc.context_mark is not None else None
    lines = text.split("\n")  # (str.splitlines would also split at U+001C–U+001E, U+000B, U+000C)
    here = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    if reason.startswith("but found another document"):
        return f"YAML 格式错误：{what}"
    if "\t" in reason or "tab" in reason.lower() or "\t" in here[: len(here) - len(here.lstrip())]:
        what, hint = "缩进中有制表符（Tab）", "YAML 只能用空格缩进；请把 Tab 换成空格"
    elif "quoted scalar" in context and ("end of stream" in reason or "document" in reason):
        what = "引号没有闭合" + (f"（引号从第 {opened} 行开始）" if opened else "")
        hint = "请补上结尾的引号"
    elif ("flow sequence" in context or "flow mapping" in context) and (
        "end of stream" in reason or reason.startswith("did not find expected ','") or reason.startswith("expected ','")
    ):
        bracket = "[" if "sequence" in context else "{"
        what = f"{bracket} 没有闭合" + (f"（从第 {opened} 行开始）" if opened else "") + "，或各项之间缺少逗号"
        hint = "请补上对应的 ] 或 }，每项之间用逗号隔开"
    return f"YAML 语法错误：{what}。{hint}"


# --- what a path names, before it is read ------------------------------------------------------

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
Role = Literal["any", "department", "rubric"]

_OTHER_FORMATS = {  # suffix → why perfeval does not read it and what to do instead
    ".xlsb": "这是 Excel 二进制工作簿（.xlsb），perfeval 读不了；请在 Excel 中“另存为” Excel 工作簿（.xlsx）",
    ".xls": "这是旧版 Excel 工作簿（.xls），perfeval 读不了；请在 Excel/WPS 中“另存为” .xlsx",
    ".xlt": "这是旧版 Excel 模板（.xlt），perfeval 读不了；请在 Excel/WPS 中“另存为” .xlsx",
    ".xltx": "这是 Excel 模板（.xltx）；请在 Excel/WPS 中“另存为” .xlsx 工作簿后再给出",
    ".et": "这是 WPS 表格文件（.et），perfeval 读不了；请在 WPS 中“另存为” Excel 工作簿（.xlsx）",
    ".ett": "这是 WPS 表格模板（.ett），perfeval 读不了；请在 WPS 中“另存为” Excel 工作簿（.xlsx）",
    ".ods": "这是 OpenDocument 表格（.ods），perfeval 读不了；请在 LibreOffice/WPS 中“另存为” .xlsx",
    ".numbers": "这是 Numbers 表格，perfeval 读不了；请在 Numbers 中“导出为” Excel（.xlsx）",
    ".csv": "CSV 只能装一张表，装不下一份评价（基础数据表、评分表和指标数据）；请使用 perfeval init 生成的 .xlsx 模板或 YAML 文件",
    ".pdf": "这是 PDF 文件；perfeval 读取 YAML 文件或 .xlsx 工作簿，请按 examples/ 中的示例填写",
    ".doc": "这是 Word 文档；perfeval 读取 YAML 文件或 .xlsx 工作簿，请把数据填入 perfeval init 生成的模板",
    ".docx": "这是 Word 文档；perfeval 读取 YAML 文件或 .xlsx 工作簿，请把数据填入 perfeval init 生成的模板",
}


def input_kind(path: Path | str, *, role: Role = "any") -> Literal["yaml", "workbook"]:
    """How ``path`` is to be read — ``"yaml"`` or ``"workbook"`` — decided by its name before
    anything is opened. Raises :class:`InputError` for what perfeval does not read, with the
    reason and the fix: ``-`` (standard input), ``.xlsb``, ``.xls``, ``.ods``, WPS ``.et``, CSV …;
    and, for ``role="rubric"``, anything that is not a ``.yaml``/``.yml`` file (so that a
    department file's ``rubric: /etc/passwd`` never gets a byte of that file read, let alone quoted).
    """
    file = str(path)
    if file == "-":
        raise InputError(
            [
                Problem(
                    "stdin-unsupported",
                    "perfeval 不从标准输入（-）读取；请先把内容保存为文件再给出其路径（若确有名为 - 的文件，请写 ./-）",
                    Location(file),
                )
            ]
        )
    suffix = Path(file).suffix.lower()
    if role == "rubric":
        if suffix not in YAML_SUFFIXES:
            named = f"“{suffix}”文件" if suffix else "没有扩展名的文件"
            raise InputError(
                [
                    Problem(
                        "wrong-kind-of-file",
                        f"评分表必须是 .yaml 或 .yml 文件，这里给出的是{named}，不予读取；"
                        "请让 rubric:（或 --rubric）指向评分表，如 rubrics/taojiang-2019.yaml",
                        Location(file),
                    )
                ]
            )
        return "yaml"
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    if suffix in _OTHER_FORMATS:
        raise InputError([Problem("unsupported-format", _OTHER_FORMATS[suffix], Location(file))])
    return "yaml"


def load_file(path: Path | str, label: Labeller = dotted, *, role: Role = "any") -> tuple[Any, SourceMap]:
    """Read a YAML file (refusing by name what :func:`input_kind` refuses for ``role``)."""
    p = Path(path)
    if input_kind(p, role=role) == "workbook":
        raise InputError(
            [
                Problem(
                    "wrong-kind-of-file",
                    "这里需要 YAML 文件，给出的却是工作簿（.xlsx）；请给出 YAML 文件",
                    Location(str(p)),
                )
            ]
        )
    text = decode(read_bytes(p), str(p))
    return load_text(text, str(p), label)
