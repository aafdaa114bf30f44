"""A report as text — what a PDF extractor gives (``pdftotext``, a copy from a PDF viewer, the
``taojiang-2019-report.txt`` of the reference material): lines; runs of tab-separated lines (or lines of
cells set apart by two or more spaces, as ``pdftotext -layout`` writes them) are tables; a form feed
starts a page."""

from __future__ import annotations

import re

from perfeval.core.report_text import canonical
from perfeval.fileio.extract.document import Block, Document, Paragraph, Table, Where, merge_paragraphs

_SPACED_CELLS = re.compile(r"\S(?: ?\S)*")  # cells of a layout line: runs with at most single spaces inside
_NUMERIC = re.compile(r"^[-+]?[\d,，.．]+%?$")


def _cells(line: str) -> list[str] | None:
    """The cells of a table row, or None when the line is running text."""
    if "\t" in line:
        return [canonical(c) for c in line.split("\t")]
    if "  " not in line.strip():
        return None
    parts = [m.group() for m in _SPACED_CELLS.finditer(line)]
    # a layout row: at least three cells set apart by two or more spaces, one of them a number
    if len(parts) >= 3 and any(_NUMERIC.match(p) for p in parts):
        return [canonical(p) for p in parts]
    return None


def read_text(text: str, name: str) -> Document:
    paged = "\f" in text
    blocks: list[Block] = []
    table: Table | None = None
    page = 1
    count = 0
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        page += raw.count("\f")
        raw = raw.replace("\f", "")
        where = Where(page if paged else None, number)
        cells = _cells(raw)
        if cells is not None and any(cells):
            if table is None:
                count += 1
                table = Table([], count, [], "text")
                blocks.append(table)
            table.rows.append(cells)
            table.places.append(where)
            continue
        line = canonical(raw)
        if line:
            table = None
            blocks.append(Paragraph(line, [0], [where]))
        elif not raw.strip():
            table = None  # a blank line ends a table
    return Document(name, "txt", merge_paragraphs(blocks))
