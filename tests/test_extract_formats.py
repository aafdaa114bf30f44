"""The same report as text, as a Word file and as a PDF (built here: python-docx, and reportlab with its
built-in CID font) extracts to the same department file; damaged, hostile or unsuitable report files are
refused with a Chinese message and exit code 2; and the extractor libraries stay out of every other
command's start-up."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.pipeline.departments import load
from report_files import build_docx, build_pdf

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "tests" / "data" / "taojiang-2019-report.txt"
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
EXTRACTORS = ("pdfplumber", "pdfminer", "pypdfium2", "docx", "reportlab", "perfeval.fileio.extract")
BROUGHT_IN = ("lxml", "PIL")  # what the extractors bring in (openpyxl probes them itself when present)
runner = CliRunner()


def extract(report: Path, out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["extract", str(report), "-o", str(out), "-r", str(RUBRIC), *args])
    return result.exit_code, result.stderr


def content(path: Path) -> dict[str, Any]:
    """The department file once loaded, without where each value was found (page, line, paragraph, cell
    differ by format; the values, the claims and the narrative's text do not)."""
    dept = load(path).department
    data = dept.model_dump(mode="json", exclude={"sources", "source"})
    for claim in data["claims"]:
        del claim["source"]
    for passage in data["narrative"]:
        for key in ("page", "line", "paragraph"):
            passage.pop(key)
    return data


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    text = REPORT.read_text(encoding="utf-8")
    build_docx(text, folder / "taojiang.docx")
    build_pdf(text, folder / "taojiang.pdf")
    out = {}
    for name, report in (("txt", REPORT), ("docx", folder / "taojiang.docx"), ("pdf", folder / "taojiang.pdf")):
        target = folder / f"from-{name}.yaml"
        code, err = extract(report, target)
        assert code == 0, (name, err)
        out[name] = target
    return out


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_word_and_pdf_extract_to_the_same_department_file_as_the_text(formats: dict[str, Path], kind: str) -> None:
    expected = content(formats["txt"])
    got = content(formats[kind])
    assert json.dumps(got, ensure_ascii=False, indent=1) == json.dumps(expected, ensure_ascii=False, indent=1)


def test_a_pdf_whose_tables_have_no_ruling_lines_is_read_in_part_and_never_wrongly(
    formats: dict[str, Path], tmp_path: Path
) -> None:
    """Without ruling lines a table is read from where its words stand: what is read is what the text
    gives; what is not is named as missing — never a wrong number, never a zero."""
    report = tmp_path / "unruled.pdf"
    build_pdf(REPORT.read_text(encoding="utf-8"), report, ruled=False)
    out = tmp_path / "unruled.yaml"
    code, err = extract(report, out)
    assert code == 0, err
    got = load(out).department.self_assessment.scores
    want = load(formats["txt"]).department.self_assessment.scores
    assert len(got) >= 20  # most of the table
    for key, entry in got.items():
        if entry.items is not None:
            assert entry.items.items() <= (want[key].items or {}).items(), key
        else:
            assert entry == want[key], key
    text = out.read_text(encoding="utf-8")
    for key in set(want) - set(got):
        name = next(n.name for n, _ in load(out).rubric.walk() if n.id == key)
        assert f"{name}：报告的评分表中没有找到这一指标，未填" in text, name


def test_each_format_says_where_in_it_a_value_is(formats: dict[str, Path]) -> None:
    key = "self_assessment.scores.goal_management.items.major_changes_reviewed"
    txt, docx, pdf = (load(formats[k]).department.sources[key] for k in ("txt", "docx", "pdf"))
    assert (txt.line, txt.page, txt.table) == (163, None, "附件2")
    assert docx.page is None and docx.line is None and docx.cell and "表内" not in docx.cell
    assert pdf.page is not None and pdf.page >= 2 and pdf.cell and "表内第" in pdf.cell
    narrative = "basic_data.basic_spending.wages_welfare"
    claim = next(c for c in load(formats["docx"]).department.claims if c.figure == narrative)
    assert claim.source is not None and claim.source.paragraph is not None  # Word: by paragraph
    claim = next(c for c in load(formats["pdf"]).department.claims if c.figure == narrative)
    assert claim.source is not None and claim.source.page and claim.source.line  # PDF: page and line


def test_the_word_reader_reads_merged_header_cells_once(tmp_path: Path) -> None:
    """A merged header (年初预算支出计划 over three columns) is a Word gridSpan: read at its first column."""
    import docx

    from perfeval.fileio.extract.read_docx import read_docx

    path = tmp_path / "merged.docx"
    build_docx("表\n年初预算支出计划\t\t\t收入来源\n小计\t基本支出\t项目支出\t小计\n1.00\t2.00\t3.00\t4.00\n", path)
    rows = read_docx(path, path.read_bytes(), path.name).tables()[0].rows
    assert rows[0] == ["年初预算支出计划", "", "", "收入来源"]
    assert len(docx.Document(str(path)).tables[0].rows[0].cells) == 4


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _blank_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(100, 100, 200, 200)  # a page with no text: what a scan gives to a text extractor
    c.showPage()
    c.save()


HOSTILE: dict[str, tuple[bytes | None, str, str]] = {
    "damaged-pdf": (b"%PDF-1.7\n" + b"\x00garbage" * 100, "report.pdf", "report-unreadable"),
    "zip-not-word": (_zip({"a.txt": b"x"}), "report.docx", "report-unreadable"),
    "docx-with-dtd": (
        _zip({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'}),
        "report.docx",
        "report-unreadable",
    ),
    "docx-bomb": (None, "bomb.docx", "report-too-large"),  # built when run: 80 MB inflated
    "old-word": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "report.doc", "unsupported-format"),
    "binary": (b"\x01\x02\x00\x00" * 100, "report.txt", "binary-file"),
    "no-unit": ("2019年度部门整体支出绩效自评报告\n\n本年度支出 10.00 万元。\n".encode(), "a.txt", "extract-no-unit"),
    "no-year": ("某某局是县政府工作部门。\n".encode(), "a.txt", "extract-no-year"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_report_that_cannot_be_read_is_refused_by_name(tmp_path: Path, case: str) -> None:
    data, name, code = HOSTILE[case]
    if data is None:
        data = _zip({"word/document.xml": b"<x>" + b" " * (80 * 1024 * 1024) + b"</x>"})
    report = tmp_path / name
    report.write_bytes(data)
    out = tmp_path / "out.yaml"
    exit_code, err = extract(report, out)
    assert exit_code == 2, err
    assert f"[{code}]" in err and "Traceback" not in err
    assert not out.exists()


def test_a_pdf_without_text_says_so(tmp_path: Path) -> None:
    report = tmp_path / "scan.pdf"
    _blank_pdf(report)
    code, err = extract(report, tmp_path / "out.yaml")
    assert code == 2 and "[report-no-text]" in err and "扫描件" in err


def test_a_report_too_large_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from perfeval.fileio.extract import build

    monkeypatch.setattr(build, "MAX_REPORT_BYTES", 1000)
    code, err = extract(REPORT, tmp_path / "out.yaml")
    assert code == 2 and "[report-too-large]" in err


def test_a_missing_library_is_named_with_the_command_that_installs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pdfplumber" else real(name, *a))
    report = tmp_path / "scan.pdf"
    _blank_pdf(report)
    code, err = extract(report, tmp_path / "out.yaml")
    assert code == 2 and "[extract-library-missing]" in err and "perfeval[extract]" in err


def _modules_after(args: list[str], cwd: Path, watched: tuple[str, ...] = EXTRACTORS) -> list[str]:
    code = (
        "import sys\nfrom perfeval.cli.app import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"watched = {watched!r}\n"
        "print(sorted(w for w in watched if any(m == w or m.startswith(w + '.') for m in sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env={**os.environ}, check=False
    )
    return [line for line in done.stderr.strip().splitlines() if line.startswith("[")][-1:]


def test_score_and_check_import_no_extractor_for_yaml_and_workbooks(tmp_path: Path) -> None:
    workbook = tmp_path / "taojiang.xlsx"
    assert runner.invoke(app, ["convert", str(ROOT / "examples" / "taojiang-2019.yaml"), str(workbook)]).exit_code == 0
    for args in (["score", "examples/taojiang-2019.yaml"], ["check", "examples/taojiang-2019.yaml"], ["check", "-h"]):
        assert _modules_after(args, ROOT, EXTRACTORS + BROUGHT_IN) == ["[]"], args
    for args in (["check", str(workbook)], ["score", str(workbook)]):
        assert _modules_after(args, ROOT) == ["[]"], args


def test_extracting_a_text_report_imports_no_pdf_or_word_library(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    libraries = tuple(m for m in EXTRACTORS + BROUGHT_IN if not m.startswith("perfeval"))
    assert _modules_after(["extract", str(REPORT), "-r", str(RUBRIC), "-o", str(out)], ROOT, libraries) == ["[]"]
    assert out.exists()


def test_a_layout_text_s_space_separated_tables(formats: dict[str, Path], tmp_path: Path) -> None:
    """tests/data/taojiang-2019-report-layout.txt is ``pdftotext -layout`` (poppler 22.12) of the PDF these
    tests build: tables as cells set apart by spaces, wrapped cells and numbers on the next line, each page
    laid out a little differently. The basic data come out whole; the scores read are the text's; what is
    not read is named."""
    out = tmp_path / "layout.yaml"
    code, err = extract(ROOT / "tests" / "data" / "taojiang-2019-report-layout.txt", out)
    assert code == 0, err
    got, want = load(out).department, load(formats["txt"]).department
    assert got.basic_data == want.basic_data
    assert got.self_assessment.total == want.self_assessment.total
    scores = got.self_assessment.scores
    assert len(scores) >= 24
    assert all(entry == want.self_assessment.scores[key] for key, entry in scores.items())
    text = out.read_text(encoding="utf-8")
    for key in set(want.self_assessment.scores) - set(scores):
        name = load(out).rubric.nodes_by_id[key].name
        assert f"{name}：报告的评分表中没有找到这一指标，未填" in text, name
