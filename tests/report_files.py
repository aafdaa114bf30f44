"""Reports as Word files and PDFs, built from a report's text (as a PDF extractor gives it): each line of
running text a paragraph, each run of tab-separated lines a table (a group label of a header row spanning
the columns up to the next label, as merged cells do). The PDF uses reportlab's built-in CID font
STSong-Light: Chinese text without any font file."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

Block = tuple[str, str | list[list[str]]]  # ("p", text) or ("table", rows)


def blocks_of(text: str) -> list[Block]:
    out: list[Block] = []
    table: list[list[str]] | None = None
    for line in text.split("\n"):
        if "\t" in line:
            if table is None:
                table = []
                out.append(("table", table))
            table.append(line.split("\t"))
            continue
        table = None
        if line.strip():
            out.append(("p", line.strip()))
    return out


def _width(rows: list[list[str]]) -> int:
    return max(len(r) for r in rows)


def _spans(rows: list[list[str]]) -> list[tuple[int, int, int]]:
    """(row, first column, last column) of the header labels that span several columns: in the rows
    before the first row with a number, a label followed by empty cells spans them."""
    width = _width(rows)
    out = []
    for r, row in enumerate(rows):
        if any(c.strip().replace(".", "").isdigit() for c in row):
            break
        cells = row + [""] * (width - len(row))
        labels = [i for i, c in enumerate(cells) if c.strip()]
        if len(labels) == width:
            continue
        for n, i in enumerate(labels):
            end = (labels[n + 1] - 1) if n + 1 < len(labels) else width - 1
            if r > 0:  # within the label above it
                above = [(a, b) for rr, a, b in out if rr == r - 1 and a <= i <= b]
                if above:
                    end = min(end, above[0][1])
            if end > i:
                out.append((r, i, end))
    return out


def build_docx(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    for kind, content in blocks_of(text):
        if kind == "p":
            assert isinstance(content, str)
            document.add_paragraph(content)
            continue
        assert isinstance(content, list)
        width = _width(content)
        table = document.add_table(rows=len(content), cols=width)
        for r, row in enumerate(content):
            for c in range(width):
                table.cell(r, c).text = row[c] if c < len(row) else ""
        for r, a, b in _spans(content):
            merged = table.cell(r, a).merge(table.cell(r, b))
            merged.text = content[r][a]
    document.save(str(path))


def build_pdf(text: str, path: Path, *, ruled: bool = True) -> None:
    """``ruled=False``: tables without ruling lines, as many PDFs print them (read from their layout)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10.5, leading=15, wordWrap="CJK", spaceAfter=6)
    small = ParagraphStyle("cell", fontName="STSong-Light", fontSize=5.5, leading=7, wordWrap="CJK")
    page = landscape(A4)
    doc = SimpleDocTemplate(str(path), pagesize=page, leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36)
    flow: list[object] = []
    usable = page[0] - 72
    for kind, content in blocks_of(text):
        if kind == "p":
            assert isinstance(content, str)
            flow.append(Paragraph(escape(content), body))
            continue
        assert isinstance(content, list)
        width = _width(content)
        rows = [[Paragraph(escape(row[c]) if c < len(row) else "", small) for c in range(width)] for row in content]
        if width == 8:  # the score table: names narrow, texts wide
            widths = [0.07, 0.07, 0.09, 0.27, 0.35, 0.05, 0.05, 0.05]
        else:
            widths = [1 / width] * width
        table = Table(rows, colWidths=[usable * w for w in widths], repeatRows=0)
        style: list[tuple[object, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
        if ruled:
            style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        style += [("SPAN", (a, r), (b, r)) for r, a, b in _spans(content)]
        table.setStyle(TableStyle(style))
        flow.append(table)
    doc.build(flow)
