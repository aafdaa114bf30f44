"""A report as a PDF, read with pdfplumber (docs/extract.md says why): per page, the ruled tables
(``find_tables``) and the text lines outside them, in order from the top.

Lines become paragraphs by the page's geometry: a line runs on into the next when it reaches the right
edge of the text, the next is not indented and follows at the usual line spacing;
then the rule every format shares joins what a page break cut (:func:`merge_paragraphs`). A line's number
is its place among the page's text lines outside tables, counted from the top. A cell's wrapped lines
are one value. A PDF with no text (a scan) says so: perfeval does not read images.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.report_text import canonical
from perfeval.fileio.extract.document import (
    Block,
    Document,
    Paragraph,
    Table,
    Where,
    is_heading,
    is_key_value,
    joined,
    merge_paragraphs,
)

MAX_PAGES = 500  # a department's report runs to tens of pages
# a page without ruled tables: a score table's or a basic data table's header line, from which its table is
# read by where the words stand
_LAYOUT_HEADER = re.compile(r"(?:指标.{0,30}分值.{0,10}自评)|(?:年初预算.{0,20}收入.{0,20}支出)")
_BY_LAYOUT = {"vertical_strategy": "text", "horizontal_strategy": "text"}


def _layout_tables(page: Any, lines: list[dict[str, Any]], continuing: bool) -> list[Any]:
    """A table without ruling lines, read from where its words stand (pdfplumber's "text" strategy): from
    its header line down — or the whole page when the table runs on from the page before. Only there:
    on running text the strategy finds tables that are not."""
    header = next((ln for ln in lines if _LAYOUT_HEADER.search("".join(ln["text"].split()))), None)
    if header is None and not continuing:
        return []
    top = max(0.0, header["top"] - 1) if header is not None else 0.0
    return list(page.crop((0, top, page.width, page.height)).find_tables(table_settings=_BY_LAYOUT))


def _refuse(file: str, message: str, code: str = "report-unreadable") -> InputError:
    return InputError([Problem(code, message, Location(file))])


def read_pdf(path: Path, content: bytes, name: str) -> Document:
    import pdfplumber  # imported only here, by perfeval extract
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    file = str(path)
    try:
        pdf = pdfplumber.open(io.BytesIO(content))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise _refuse(file, "PDF 设有密码；请提供不加密的 PDF") from None
    except (PDFSyntaxError, Exception):  # pdfminer raises many kinds on a damaged file
        raise _refuse(file, "PDF 已损坏，无法读取；请重新导出 PDF，或提供 Word 文件或文本") from None
    pages: list[
        tuple[int, list[tuple[Any, Any, str]], list[dict[str, Any]]]
    ] = []  # (number, tables, text lines) per page
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise _refuse(
                file, f"PDF 有 {len(pdf.pages):,} 页，超过上限 {MAX_PAGES}；请只给出自评报告本身", "report-too-large"
            )
        chars = 0
        continuing = False  # the page before ended inside a table read from its layout
        for number, page in enumerate(pdf.pages, start=1):
            try:
                found = page.find_tables()
                if found:
                    kind, every, continuing = "table", None, False
                else:  # no ruled table: one read from the layout, below a table's header line or running on
                    every = [ln for ln in page.extract_text_lines(return_chars=True) if ln["text"].strip()]
                    found, kind = _layout_tables(page, every, continuing), "layout"
                    ends = any("总分" in "".join(ln["text"].split()) for ln in every)
                    continuing = bool(found) and not ends
                tables = [(t.bbox, t.extract(), kind) for t in found]
                lines = every if every is not None and not tables else _lines(page, [b for b, _, _ in tables])
            except Exception:  # a damaged content stream on one page
                raise _refuse(file, f"PDF 第 {number} 页已损坏，无法读取；请重新导出 PDF") from None
            chars += len(page.chars)
            pages.append((number, tables, lines))
    if chars == 0:
        raise _refuse(
            file,
            "PDF 中没有可提取的文字（可能是扫描件或图片）；perfeval 不识别图片，请提供可复制文字的 PDF、Word 文件或文本",
            "report-no-text",
        )
    layout = _Layout.of([ln for _, _, lines in pages for ln in lines])
    blocks: list[Block] = []
    count = 0
    for number, tables, lines in pages:
        placed: list[tuple[float, Block]] = []
        for bbox, rows, kind in tables:
            count += 1
            cells = [[_cell(c) for c in row] for row in rows]
            placed.append((bbox[1], Table(cells, count, [Where(page=number) for _ in cells], kind)))
        placed += _paragraphs(lines, number, layout)
        placed.sort(key=lambda item: item[0])
        blocks += [block for _, block in placed]
    return Document(name, "pdf", merge_paragraphs(blocks))


def _lines(page: Any, boxes: list[tuple[float, float, float, float]]) -> list[dict[str, Any]]:
    """The page's text lines outside its tables, from the top."""

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    lines = page.filter(outside).extract_text_lines(return_chars=True)
    return [ln for ln in lines if ln["text"].strip()]


@dataclass(frozen=True, slots=True)
class _Layout:
    """The text block of the document's pages: its left and right edges, a character's width, the
    spacing of lines within a paragraph (the lower quartile of the gaps: paragraphs may be spaced more)."""

    left: float
    right: float
    em: float
    leading: float

    @classmethod
    def of(cls, lines: list[dict[str, Any]]) -> _Layout:
        if not lines:
            return cls(0, 0, 10, 15)
        widths = [c["x1"] - c["x0"] for ln in lines for c in ln["chars"] if c["text"].strip()]
        em = statistics.median(widths) if widths else 10.0
        gaps = sorted(b["top"] - a["top"] for a, b in zip(lines, lines[1:], strict=False) if b["top"] > a["top"])
        leading = gaps[len(gaps) // 4] if gaps else em * 1.5
        return cls(min(ln["x0"] for ln in lines), max(ln["x1"] for ln in lines), em, leading)


def _cell(text: str | None) -> str:
    out = ""
    for piece in (text or "").split("\n"):
        piece = canonical(piece)
        out = joined(out, piece) if out and piece else out or piece
    return out


def _paragraphs(lines: list[dict[str, Any]], page: int, layout: _Layout) -> list[tuple[float, Block]]:
    """The page's lines as paragraphs, by geometry (see the module docstring)."""
    out: list[tuple[float, Block]] = []
    previous: dict[str, Any] | None = None
    current: Paragraph | None = None
    for index, ln in enumerate(lines, start=1):
        text = canonical(ln["text"])
        where = Where(page=page, line=index)
        runs_on = (
            previous is not None
            and current is not None
            and previous["x1"] >= layout.right - 1.5 * layout.em
            and ln["x0"] <= layout.left + 1.5 * layout.em
            and ln["top"] - previous["top"] <= layout.leading * 1.2
            and not is_heading(text)
            and not is_key_value(text)
        )
        if runs_on and current is not None:
            merged = joined(current.text, text)
            current.starts.append(len(merged) - len(text))
            current.places.append(where)
            current.text = merged
        else:
            current = Paragraph(text, [0], [where])
            out.append((ln["top"], current))
        previous = ln
    return out
