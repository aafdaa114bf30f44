"""A report as the extractors give it, whatever the file: paragraphs and tables in reading order, each
piece knowing where it came from (page and line of a PDF or a text file, paragraph of a Word file, table
and cell). Texts are canonical (:func:`perfeval.core.report_text.canonical`)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from perfeval.core.report_text import CJK, canonical


@dataclass(frozen=True, slots=True)
class Where:
    """A place in the report: page and line (PDF, text), or paragraph (Word)."""

    page: int | None = None
    line: int | None = None
    paragraph: int | None = None

    def label(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"第 {self.page} 页")
        if self.line is not None:
            parts.append(f"第 {self.line} 行")
        if self.paragraph is not None:
            parts.append(f"第 {self.paragraph} 段")
        return "".join(parts) or "位置不明"


@dataclass(slots=True)
class Paragraph:
    """A paragraph of the narrative: its text and, for each source line it was joined from, the offset
    where that line's text begins (so that a figure's offset gives its page and line)."""

    text: str
    starts: list[int] = field(default_factory=list)
    places: list[Where] = field(default_factory=list)

    def where(self, offset: int = 0) -> Where:
        if not self.places:
            return Where()
        return self.places[max(0, bisect.bisect_right(self.starts, offset) - 1)]


@dataclass(slots=True)
class Table:
    """A table: rows of cell texts ('' for an empty or spanned cell) and where each row is."""

    rows: list[list[str]]
    index: int  # 1-based, in reading order
    places: list[Where] = field(default_factory=list)  # one per row
    # "table" (a Word table, a ruled PDF table), "text" (tab- or space-separated lines of a text file),
    # "layout" (a PDF table without ruling lines, read from where its words stand: wrapped lines are rows)
    kind: str = "table"

    def where(self, row: int) -> Where:
        return self.places[row] if row < len(self.places) else Where()


Block = Paragraph | Table


@dataclass(slots=True)
class Document:
    name: str  # the file's name, as sources name it
    kind: str  # "txt" | "docx" | "pdf"
    blocks: list[Block]

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


# --- joining lines into paragraphs -----------------------------------------------------------------

_TERMINAL = tuple("。！？；：!?;:")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?!\d)|第[一二三四五六七八九十\d]+[章节部分]|附件|附表)"
)
_KEY_VALUE = re.compile(f"^[{CJK}（）() ]{{2,12}}[：:]")  # 填报日期：… · 单位名称（盖章）：…


def is_heading(text: str) -> bool:
    """A short line that opens a part: 一、部门概况 · （一）评价目的 · 附件 1."""
    return len(text) <= 40 and _HEADING.match(text) is not None and not text.endswith(("，", ","))


def is_key_value(text: str) -> bool:
    """A line of the form 填报日期：… · 单位名称（盖章）：…"""
    return _KEY_VALUE.match(text) is not None


def continues(previous: str, following: str) -> bool:
    """Whether ``following`` carries on the paragraph ``previous`` (split by a page break or a line
    wrap in the extraction): ``previous`` is long, does not end a sentence, is not a heading, and
    ``following`` does not open a part of its own."""
    if not previous or not following:
        return False
    if previous.endswith(_TERMINAL) or is_heading(previous) or is_heading(following):
        return False
    if len(previous) < 20 or following.startswith(("-", "•", "●", "注：", "注:")):
        return False
    return not is_key_value(following)


def joined(a: str, b: str) -> str:
    """Two pieces of one paragraph: Chinese runs on without a space; ASCII words keep one."""
    if re.search(r"[A-Za-z]$", a) and re.match(r"[A-Za-z]", b):
        return f"{a} {b}"
    return canonical(a + b)


def merge_paragraphs(blocks: list[Block]) -> list[Block]:
    """The document's blocks with each paragraph that :func:`continues` the one before it (a page break
    or a wrap cut it) joined to it; never across a table. The same rule for every format, so that a
    report gives the same paragraphs from its text, its Word file and its PDF."""
    out: list[Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if isinstance(block, Paragraph) and isinstance(last, Paragraph) and continues(last.text, block.text):
            text = joined(last.text, block.text)
            offset = len(text) - len(block.text)
            last.text = text
            last.starts.extend(offset + s for s in block.starts)
            last.places.extend(block.places)
            continue
        out.append(
            Paragraph(block.text, list(block.starts), list(block.places)) if isinstance(block, Paragraph) else block
        )
    return out
