"""A report as text — what a PDF extractor gives (``pdftotext``, a copy from a PDF viewer, the
``taojiang-2019-report.txt`` of the reference material). A form feed starts a page. Tables come two ways:

* **tab-separated lines** (a copy from a PDF viewer, a spreadsheet): each run of them a table, its cells
  as the tabs give them;
* **a layout** (``pdftotext -layout``): cells set apart by two or more spaces, the columns where the
  header's words stand. A table starts at a header line (指标 … 分值 … 自评; 年初预算 … 收入 … 支出) and runs
  over the lines that are blank, indented (a wrapped cell) or set out in cells, to the first line of
  running text; each cell goes to the column whose header starts nearest before it, and the header rows
  are those before the first row with a number, aligned on the one with most cells.
"""

from __future__ import annotations

import re

from perfeval.core.report_text import canonical, compact
from perfeval.fileio.extract.document import Block, Document, Paragraph, Table, Where, merge_paragraphs

_CELL = re.compile(r"\S(?: ?\S)*")  # a layout cell: a run with at most single spaces inside
_NUMERIC = re.compile(r"^[-+]?[\d,，.．]+%?$")
_HEADER = re.compile(r"(?:指标.*(?:分值|自评))|(?:(?:年初预算|收入来源).*(?:支出|收入))")
_SLACK = 2  # characters a cell may start before its column's header (pdftotext places by glyph)


def _spans(line: str) -> list[tuple[int, str]]:
    """(offset, text) of a layout line's cells."""
    return [(m.start(), m.group()) for m in _CELL.finditer(line)]


def _laid_out(line: str) -> bool:
    """A line set out in three or more cells (two or more spaces between them)."""
    return len(_spans(line)) >= 3 and re.search(r"\S {2,}\S", line) is not None


class _Reader:
    def __init__(self, lines: list[str], name: str) -> None:
        self.lines = lines
        self.name = name
        self.paged = any("\f" in ln for ln in lines)
        self.pages: list[int] = []
        page = 1
        for ln in lines:
            page += ln.count("\f")
            self.pages.append(page)
        self.blocks: list[Block] = []
        self.count = 0

    def where(self, i: int) -> Where:
        return Where(self.pages[i] if self.paged else None, i + 1)

    def table(self, kind: str) -> Table:
        self.count += 1
        table = Table([], self.count, [], kind)
        self.blocks.append(table)
        return table

    def read(self) -> Document:
        i = 0
        tabbed: Table | None = None
        while i < len(self.lines):
            raw = self.lines[i].replace("\f", "")
            if "\t" in raw and raw.strip():
                if tabbed is None:
                    tabbed = self.table("text")
                tabbed.rows.append([canonical(c) for c in raw.split("\t")])
                tabbed.places.append(self.where(i))
                i += 1
                continue
            tabbed = None
            if _laid_out(raw) and _HEADER.search(compact(raw)):
                i = self.layout(i)
                continue
            line = canonical(raw)
            if line:
                self.blocks.append(Paragraph(line, [0], [self.where(i)]))
            i += 1
        return Document(self.name, "txt", merge_paragraphs(self.blocks))

    def layout(self, start: int) -> int:
        """The layout table whose header line is ``start``; the index of the first line after it."""
        end = start + 1
        while end < len(self.lines):
            raw = self.lines[end].replace("\f", "")
            if raw.strip() and not (raw[:1].isspace() or _laid_out(raw)):
                break  # running text again
            if _laid_out(raw) and _HEADER.search(compact(raw)):
                break  # the header again (a new page): its columns may stand elsewhere
            end += 1
        rows = [(i, _spans(self.lines[i].replace("\f", ""))) for i in range(start, end)]
        rows = [(i, spans) for i, spans in rows if spans]
        numbered = [n for n, (_, s) in enumerate(rows) if any(_NUMERIC.match(t) for _, t in s)]
        first_numbers = numbered[0] if numbered else len(rows)
        header = rows[:first_numbers] or rows[:1]
        widest = max(range(len(header)), key=lambda n: len(header[n][1]))
        anchors = [offset for offset, _ in header[widest][1]]
        table = self.table("layout")
        for n, (i, spans) in enumerate(rows):
            cells = [""] * len(anchors)
            for offset, text in spans:
                column = max([k for k, a in enumerate(anchors) if a <= offset + _SLACK] or [0])
                if cells[column] and _NUMERIC.match(text):
                    # a number never joins another cell's text (a page laid out a little further left):
                    # the next free column, so that the row's numbers stay numbers, in their order
                    free = [k for k in range(column + 1, len(cells)) if not cells[k]]
                    column = free[0] if free else column
                cells[column] = f"{cells[column]} {text}".strip() if cells[column] else text
            cells = [canonical(c) for c in cells]
            if table.rows and (widest < n < first_numbers or _wrapped_digits(table.rows[-1], cells)):
                # a header label wrapped onto the next line (基本支 / 出), or a number (1048.5 / 0): one cell
                table.rows[-1] = [a + b for a, b in zip(table.rows[-1], cells, strict=True)]
                continue
            table.rows.append(cells)
            table.places.append(self.where(i))
        return end


def _wrapped_digits(above: list[str], cells: list[str]) -> bool:
    """A line of one or two digits under numbers cut short in the line above (a narrow cell wrapped them)."""
    given = [(a, c) for a, c in zip(above, cells, strict=True) if c]
    return bool(given) and all(
        re.fullmatch(r"\d{1,2}", c) and re.fullmatch(r"\d+\.\d?", a.replace(",", "")) for a, c in given
    )


def read_text(text: str, name: str) -> Document:
    return _Reader(text.replace("\r\n", "\n").split("\n"), name).read()
