"""The PDF libraries ``perfeval extract`` could use, measured on a multi-page Chinese report.

    python benchmarks/extract_pdf.py [--copies 10] [--repeat 5]

Builds a PDF of the Taojiang report (tests/data/taojiang-2019-report.txt, its narrative and its two annex
tables) repeated ``--copies`` times, with reportlab's built-in CID font, then measures, as medians of
``--repeat`` runs:

* **text**: every page's text — pdfplumber (``extract_text``), pypdfium2 (``get_text_range``);
* **text with positions**: every character with its box, what paragraphs and lines are rebuilt from —
  pdfplumber (``extract_text_lines``), pypdfium2 (``get_charbox`` for each character);
* **tables**: pdfplumber's ``find_tables`` + ``extract`` (pypdfium2 has no table finder: its tables would
  have to be rebuilt from the page's ruling paths and character boxes);
* **perfeval extract** of the whole PDF, in-process (reading, tables, narrative, department file);

and, for Word, python-docx against reading ``word/document.xml`` with the standard library (paragraph
texts only); and the quality of each: the characters of the narrative each library gives against the report's own
(after :func:`perfeval.core.report_text.canonical`), and the tables pdfplumber finds against the tables
the PDF was built from, cell by cell. Needs the ``extract`` and ``test`` extras (reportlab).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from perfeval.core.report_text import canonical  # noqa: E402
from report_files import blocks_of, build_pdf  # noqa: E402

REPORT = ROOT / "tests" / "data" / "taojiang-2019-report.txt"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plumber_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def plumber_lines(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return sum(len(page.extract_text_lines(return_chars=True)) for page in pdf.pages)


def plumber_tables(path: Path) -> list[list[list[str]]]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [t.extract() for page in pdf.pages for t in page.find_tables()]


def pdfium_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def pdfium_boxes(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    count = 0
    try:
        for i in range(len(pdf)):
            text = pdf[i].get_textpage()
            for c in range(text.count_chars()):
                text.get_charbox(c)
                count += 1
    finally:
        pdf.close()
    return count


def extract_all(path: Path) -> None:
    from perfeval.fileio.extract.build import extract, read_report
    from perfeval.pipeline.rubrics import read_rubric

    rubric = read_rubric(ROOT / "rubrics" / "taojiang-2019.yaml").rubric
    extract(read_report(path), rubric, "taojiang-2019")


def docx_python_docx(path: Path) -> int:
    import docx

    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return len(texts)


def docx_stdlib(path: Path) -> int:
    import zipfile
    from xml.etree import ElementTree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("word/document.xml"))
    return len(["".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p")])


def squeeze(text: str) -> str:
    return "".join(canonical(text).split())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = REPORT.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        build_pdf("\n".join([text] * args.copies), path)
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
        print(f"PDF: {pages} pages, {path.stat().st_size:,} bytes ({args.copies} copies of the Taojiang report)")
        from importlib.metadata import version

        print(
            f"pdfplumber {version('pdfplumber')} (pdfminer.six {version('pdfminer.six')}), pypdfium2 {version('pypdfium2')}"
        )
        rows = [
            ("text: pdfplumber extract_text", lambda: plumber_text(path)),
            ("text: pypdfium2 get_text_range", lambda: pdfium_text(path)),
            ("positions: pdfplumber extract_text_lines", lambda: plumber_lines(path)),
            ("positions: pypdfium2 get_charbox", lambda: pdfium_boxes(path)),
            ("tables: pdfplumber find_tables + extract", lambda: plumber_tables(path)),
            ("perfeval extract (in-process)", lambda: extract_all(path)),
        ]
        for label, fn in rows:
            seconds = median_time(fn, args.repeat)
            print(f"  {label:45} {seconds:7.3f} s   {seconds / pages * 1000:6.1f} ms/page")
        from report_files import build_docx

        word = Path(tmp) / "report.docx"
        build_docx("\n".join([text] * args.copies), word)
        for label, fn in (
            ("Word: python-docx (paragraphs, tables)", lambda: docx_python_docx(word)),
            ("Word: zipfile + ElementTree (texts only)", lambda: docx_stdlib(word)),
            ("perfeval extract of the Word file", lambda: extract_all(word)),
        ):
            seconds = median_time(fn, args.repeat)
            print(f"  {label:45} {seconds:7.3f} s")

        # quality: each paragraph of the narrative, found whole (whitespace aside) in the library's text
        paragraphs = [squeeze(c) for kind, c in blocks_of(text) if kind == "p" and isinstance(c, str)]
        for label, got in (("pdfplumber", plumber_text(path)), ("pypdfium2", pdfium_text(path))):
            flat = squeeze(got)
            whole = sum(p in flat for p in paragraphs)
            print(f"  narrative paragraphs found whole, {label}: {whole}/{len(paragraphs)}")
        # quality: the tables' rows, cell by cell (reportlab's tables may touch: pdfplumber then sees one grid)
        expected = [tuple(squeeze(c) for c in row) for kind, rows in blocks_of(text) if kind == "table" for row in rows]
        found = [tuple(squeeze(c or "") for c in row) for table in plumber_tables(path) for row in table]
        width = {len(r) for r in expected}
        padded = {tuple(list(r) + [""] * (max(width) - len(r))) for r in found}
        same = sum(tuple(list(r) + [""] * (max(width) - len(r))) in padded for r in expected)
        print(
            f"  table rows pdfplumber gives cell for cell: {same}/{len(expected)} "
            f"(in {len(plumber_tables(path))} tables); pypdfium2: no table finder"
        )


if __name__ == "__main__":
    main()
