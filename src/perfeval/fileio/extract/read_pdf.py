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
import statistics
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
    joined,
    merge_paragraphs,
)

MAX_PAGES = 500  # a department's report runs to tens of pages


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
    blocks: list[Block] = []
    tables = 0
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise _refuse(
                file, f"PDF 有 {len(pdf.pages):,} 页，超过上限 {MAX_PAGES}；请只给出自评报告本身", "report-too-large"
            )
        chars = 0
        for number, page in enumerate(pdf.pages, start=1):
            try:
                found = page.find_tables()
                page_blocks, tables = _page(page, number, found, tables)
            except Exception:  # a damaged content stream on one page
                raise _refuse(file, f"PDF 第 {number} 页已损坏，无法读取；请重新导出 PDF") from None
            chars += len(page.chars)
            blocks.extend(page_blocks)
    if chars == 0:
        raise _refuse(
            file,
            "PDF 中没有可提取的文字（可能是扫描件或图片）；perfeval 不识别图片，请提供可复制文字的 PDF、Word 文件或文本",
            "report-no-text",
        )
    return Document(name, "pdf", merge_paragraphs(blocks))


def _page(page: Any, number: int, found: list[Any], tables: int) -> tuple[list[Block], int]:
    boxes = [t.bbox for t in found]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    lines = [ln for ln in page.filter(outside).extract_text_lines(return_chars=True) if ln["text"].strip()]
    placed: list[tuple[float, Block]] = []
    for table in found:
        tables += 1
        rows = [[_cell(c) for c in row] for row in table.extract()]
        placed.append((table.bbox[1], Table(rows, tables, [Where(page=number) for _ in rows])))
    for top, para in _paragraphs(lines, number):
        placed.append((top, para))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed], tables


def _cell(text: str | None) -> str:
    out = ""
    for piece in (text or "").split("\n"):
        piece = canonical(piece)
        out = joined(out, piece) if out and piece else out or piece
    return out


def _paragraphs(lines: list[dict[str, Any]], page: int) -> list[tuple[float, Paragraph]]:
    """The page's lines as paragraphs, by geometry (see the module docstring)."""
    if not lines:
        return []
    widths = [c["x1"] - c["x0"] for ln in lines for c in ln["chars"] if c["text"].strip()]
    em = statistics.median(widths) if widths else 10.0
    left = min(ln["x0"] for ln in lines)
    right = max(ln["x1"] for ln in lines)
    gaps = [b["top"] - a["top"] for a, b in zip(lines, lines[1:], strict=False) if b["top"] > a["top"]]
    leading = statistics.median(gaps) if gaps else em * 1.5
    out: list[tuple[float, Paragraph]] = []
    previous: dict[str, Any] | None = None
    for index, ln in enumerate(lines, start=1):
        text = canonical(ln["text"])
        where = Where(page=page, line=index)
        runs_on = (
            previous is not None
            and out
            and previous["x1"] >= right - 1.5 * em
            and ln["x0"] <= left + 1.5 * em
            and ln["top"] - previous["top"] <= leading * 1.3
            and not is_heading(text)
        )
        if runs_on:
            para = out[-1][1]
            merged = joined(para.text, text)
            para.starts.append(len(merged) - len(text))
            para.places.append(where)
            para.text = merged
        else:
            out.append((ln["top"], Paragraph(text, [0], [where])))
        previous = ln
    return out
