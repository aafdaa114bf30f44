"""A report as a Word file (.docx), read with python-docx: the body's paragraphs and tables in order.

The zip is bounded before python-docx opens it (parts, sizes, compression ratio; no DTD in any XML part),
as the workbook reader bounds a workbook. A merged cell is read once, at its first grid position; the
positions it spans are empty, as a PDF extractor gives them.
"""

from __future__ import annotations

import io
import xml.parsers.expat
import zipfile
import zlib
from pathlib import Path
from typing import Any

from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.report_text import canonical
from perfeval.fileio.extract.document import Block, Document, Paragraph, Table, Where, merge_paragraphs

MAX_PARTS = 2000
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
RATIO_FROM = 1024 * 1024
MAX_PARAGRAPHS = 100_000
MAX_CELLS = 200_000


def _refuse(file: str, message: str, code: str = "report-unreadable") -> InputError:
    return InputError([Problem(code, message, Location(file))])


def check_archive(content: bytes, file: str) -> None:
    """A zip perfeval may hand to python-docx: a bounded number of parts, each bounded when inflated,
    none compressed suspiciously well, no XML part with a DTD (entity bombs, external entities)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(file, "不是有效的 .docx 文件（zip 结构已损坏）；请在 Word/WPS 中打开后另存为 .docx") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(
                file, f"Word 文件内含 {len(infos):,} 个部分，超过上限 {MAX_PARTS:,}；请检查文件", "report-too-large"
            )
        total = 0
        for info in infos:
            ratio = info.file_size / max(1, info.compress_size)
            total += info.file_size
            if (
                info.file_size > MAX_PART_BYTES
                or (info.file_size > RATIO_FROM and ratio > MAX_RATIO)
                or total > MAX_INFLATED_BYTES
            ):
                raise _refuse(
                    file,
                    f"Word 文件中的 {info.filename} 解压后有 {info.file_size:,} 字节（压缩比 {ratio:,.0f} 倍），"
                    "超过上限；这可能是“压缩炸弹”，不予读取",
                    "report-too-large",
                )
        if "word/document.xml" not in zf.namelist():
            raise _refuse(file, "这个 zip 文件不是 Word 文档（没有 word/document.xml）；请给出 .docx 报告")
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")):
                _no_dtd(zf, info, file)


def _no_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> None:
    parser = xml.parsers.expat.ParserCreate()

    def dtd(*_: Any) -> None:
        raise ValueError("dtd")

    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = dtd
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except ValueError:
        raise _refuse(
            file, f"Word 文件中的 {info.filename} 含有 DTD（实体定义）；Word 与 WPS 从不写入这些，不予读取"
        ) from None
    except (xml.parsers.expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _refuse(file, f"Word 文件中的 {info.filename} 已损坏；请在 Word/WPS 中打开后另存为 .docx") from None
    except (NotImplementedError, RuntimeError):
        raise _refuse(file, "Word 文件设有密码或用了不支持的压缩方式；请另存为不设密码的 .docx") from None


def read_docx(path: Path, content: bytes, name: str) -> Document:
    check_archive(content, str(path))
    import docx  # python-docx: imported only here, by perfeval extract
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(content))
    except Exception:  # python-docx raises many kinds on a damaged part
        raise _refuse(str(path), "python-docx 无法读取这个 Word 文件；请在 Word/WPS 中打开后另存为 .docx") from None
    p_tag, tbl_tag, tr_tag, tc_tag = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
    blocks: list[Block] = []
    paragraphs = tables = cells = 0
    for child in document.element.body.iterchildren():
        if child.tag == p_tag:
            paragraphs += 1
            if paragraphs > MAX_PARAGRAPHS:
                raise _refuse(str(path), f"Word 文件有超过 {MAX_PARAGRAPHS:,} 个段落；请检查文件", "report-too-large")
            for piece in _paragraph_text(child).split("\n"):
                text = canonical(piece)
                if text:
                    blocks.append(Paragraph(text, [0], [Where(paragraph=paragraphs)]))
        elif child.tag == tbl_tag:
            tables += 1
            rows: list[list[str]] = []
            for tr in child.iterchildren(tr_tag):
                row: list[str] = []
                for tc in tr.iterchildren(tc_tag):
                    span = int(tc.grid_span or 1)
                    merged = tc.vMerge == "continue"
                    text = "" if merged else _cell_text(tc, p_tag)
                    row.extend([text] + [""] * (span - 1))
                    cells += span
                if cells > MAX_CELLS:
                    raise _refuse(
                        str(path), f"Word 文件的表格超过 {MAX_CELLS:,} 个单元格；请检查文件", "report-too-large"
                    )
                rows.append(row)
            blocks.append(Table(rows, tables, [Where() for _ in rows]))
    return Document(name, "docx", merge_paragraphs(blocks))


def _paragraph_text(p: Any) -> str:
    """A ``w:p``'s text as python-docx gives it (runs and hyperlinks; a line break as a new line)."""
    return str(p.text)


def _cell_text(tc: Any, p_tag: str) -> str:
    """A cell's paragraphs, joined as one text (a wrapped cell is one value)."""
    from perfeval.fileio.extract.document import joined

    text = ""
    for p in tc.iterchildren(p_tag):
        piece = canonical(_paragraph_text(p).replace("\n", ""))
        text = joined(text, piece) if text and piece else text or piece
    return text
