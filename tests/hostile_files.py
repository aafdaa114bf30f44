"""Hostile files built at test time: zip bombs, entity bombs, hidden sheets, huge or broken parts.

Nothing here is committed as a file: each is made from perfeval's own Taojiang workbook (or a
YAML text) by the function named in ``tests/hostile/cases.yaml`` (``generate:``), in a temporary
folder, so the repository holds no bomb.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"

_BOOK: bytes | None = None


def taojiang_workbook() -> bytes:
    """perfeval's own workbook of the Taojiang example (rubric: absolute path), built once."""
    global _BOOK
    if _BOOK is None:
        from perfeval.fileio.workbook.write import department_workbook
        from perfeval.pipeline.departments import load

        loaded = load(EXAMPLE)
        buf = io.BytesIO()
        department_workbook(loaded.rubric, loaded.department, str(RUBRIC)).save(buf)
        _BOOK = buf.getvalue()
    return _BOOK


def sheet_part(book: bytes, title: str) -> str:
    """The zip member holding the sheet ``title`` (perfeval writes sheet1.xml … in order)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book), read_only=True)
    index = wb.sheetnames.index(title)
    wb.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


def rezip(book: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The workbook with some parts replaced or added (deflated)."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in add.items():
            dst.writestr(name, data)
    return out.getvalue()


def patch_declared_size(book: bytes, part: str, size: int) -> bytes:
    """Make the zip's directory (and local header) declare ``size`` inflated bytes for ``part``."""
    data = bytearray(book)
    name = part.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:  # central directory entries
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + n] == name:
            struct.pack_into("<I", data, at + 24, size)
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        at += 4
    return bytes(data)


def _sheet_with(book: bytes, title: str, transform: Callable[[bytes], bytes]) -> bytes:
    part = sheet_part(book, title)
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        xml = zf.read(part)
    return rezip(book, {part: transform(xml)})


# --- the generators named in cases.yaml -------------------------------------------------------

BOMB_BYTES = 200 * 1024 * 1024  # inflated; deflates to ~200 KB


def zip_bomb(path: Path) -> None:
    """A sheet whose XML inflates to 200 MB of blanks (an honest directory: refused by the ratio)."""
    book = taojiang_workbook()
    part = sheet_part(book, "评分表")
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        xml = zf.read(part)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open(part, "w", force_zip64=False) as fh:  # streamed: the bomb is never in memory whole
                head, tail = xml.split(b"<sheetData>", 1)
                fh.write(head + b"<sheetData>")
                blank = b" " * (1024 * 1024)
                for _ in range(BOMB_BYTES // len(blank)):
                    fh.write(blank)
                fh.write(tail)
    path.write_bytes(out.getvalue())


def declared_4gb(path: Path) -> None:
    """A sheet whose directory entry says it inflates to 4 GB: refused before a byte is inflated."""
    book = taojiang_workbook()
    path.write_bytes(patch_declared_size(book, sheet_part(book, "评分表"), 0xFFFF_FFF0))


def lying_directory(path: Path) -> None:
    """A sheet that inflates to far more than its directory declares: zipfile stops there (CRC)."""
    book = taojiang_workbook()
    path.write_bytes(patch_declared_size(book, sheet_part(book, "评分表"), 1000))


def many_parts(path: Path) -> None:
    from perfeval.fileio.workbook.read import MAX_PARTS

    path.write_bytes(rezip(taojiang_workbook(), add={f"xl/media/p{i}.bin": b"" for i in range(MAX_PARTS)}))


def many_large_parts(path: Path) -> None:
    """Parts each small enough that no ratio applies (1 MB of zeros, ~1 KB deflated), together beyond the total."""
    from perfeval.fileio.workbook.read import MAX_INFLATED_BYTES, RATIO_FROM

    blob = b"\0" * RATIO_FROM
    count = MAX_INFLATED_BYTES // RATIO_FROM + 1
    path.write_bytes(rezip(taojiang_workbook(), add={f"xl/media/image{i}.png": blob for i in range(count)}))


def _body(xml: bytes) -> bytes:
    """An XML part without its declaration, if it has one."""
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>\n"
)


def billion_laughs(path: Path) -> None:
    """An entity bomb in the sheet XML: 10^9 'lol's if a parser expanded it."""
    path.write_bytes(
        _sheet_with(
            taojiang_workbook(),
            "评分表",
            lambda xml: BILLION_LAUGHS + _body(xml).replace(b"<sheetData>", b"<sheetData>&lol9;", 1),
        )
    )


def external_entity(path: Path) -> None:
    """An external entity that would read /etc/passwd into a shared string."""
    book = taojiang_workbook()
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        strings = zf.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in zf.namelist() else None
    doctype = b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    if strings is None:
        part = sheet_part(book, "填报信息")
        with zipfile.ZipFile(io.BytesIO(book)) as zf:
            xml = zf.read(part)
        path.write_bytes(rezip(book, {part: doctype + _body(xml)}))
        return
    path.write_bytes(rezip(book, {"xl/sharedStrings.xml": doctype + _body(strings)}))


def malformed_sheet(path: Path) -> None:
    """Valid zip, a sheet XML cut in the middle of a tag."""
    path.write_bytes(_sheet_with(taojiang_workbook(), "评分表", lambda xml: xml[: len(xml) // 2] + b"<row r="))


def deep_styles(path: Path) -> None:
    """Well-formed styles.xml nested 30,000 deep (openpyxl recurses once per level)."""
    book = taojiang_workbook()
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        styles = zf.read("xl/styles.xml")
    deep = b"<extLst>" * 30_000 + b"</extLst>" * 30_000  # (under 1 MB: no ratio applies)
    path.write_bytes(rezip(book, {"xl/styles.xml": styles.replace(b"</styleSheet>", deep + b"</styleSheet>")}))


def shared_string_out_of_range(path: Path) -> None:
    """A cell pointing at shared string 99999 of a table that has a few hundred."""

    def point(xml: bytes) -> bytes:
        at = xml.find(b't="s"><v>')
        if at < 0:
            return xml.replace(b"<sheetData>", b'<sheetData><row r="1"><c r="A1" t="s"><v>99999</v></c></row>', 1)
        end = xml.find(b"</v>", at)
        return xml[: at + 9] + b"99999" + xml[end:]

    path.write_bytes(_sheet_with(taojiang_workbook(), "评分表", point))


def far_cell_on_every_row(path: Path) -> None:
    """One cell in column XFD on each of 100,000 rows: padded rows would be 1.6 billion empty cells."""

    def far(xml: bytes) -> bytes:
        rows = b"".join(b'<row r="%d"><c r="XFD%d"/></row>' % (r, r) for r in range(2000, 102_000))
        return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)

    path.write_bytes(_sheet_with(taojiang_workbook(), "指标数据", far))


def too_many_cells(path: Path) -> None:
    from perfeval.fileio.workbook.read import MAX_CELLS

    def many(xml: bytes) -> bytes:
        rows = b"".join(b'<row r="%d"><c r="Z%d"><v>1</v></c></row>' % (r, r) for r in range(5000, 5001 + MAX_CELLS))
        return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)

    path.write_bytes(_sheet_with(taojiang_workbook(), "指标数据", many))


def _hide(path: Path, state: str) -> None:
    """The real 评分表 (98.2) hidden, a visible copy with every self-score 0 in front of the reader."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(taojiang_workbook()))
    real = wb["评分表"]
    copy = wb.copy_worksheet(real)
    copy.title = "评分表(审定)"
    for row in copy.iter_rows():
        for cell in row:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) and cell.column == 7:
                cell.value = 0
    real.sheet_state = state
    wb.active = wb.sheetnames.index(copy.title)
    wb.save(path)


def very_hidden_scores(path: Path) -> None:
    _hide(path, "veryHidden")


def hidden_scores(path: Path) -> None:
    _hide(path, "hidden")


def xlsx_with_control_character(path: Path) -> None:
    """The unit name with Excel's escape of ESC ]0; … BEL (a terminal title change), _x001B_: openpyxl
    reads an inline string's escape as the text it is, so no control character reaches perfeval."""
    unit = "桃江县人民政府办公室".encode()
    path.write_bytes(
        _sheet_with(
            taojiang_workbook(),
            "填报信息",
            lambda xml: xml.replace(unit, "桃江县_x001B_]0;pwned_x0007_人民政府办公室".encode(), 1),
        )
    )


GENERATORS: dict[str, Callable[[Path], None]] = {
    f.__name__: f
    for f in (
        zip_bomb,
        declared_4gb,
        lying_directory,
        many_parts,
        many_large_parts,
        billion_laughs,
        external_entity,
        malformed_sheet,
        deep_styles,
        shared_string_out_of_range,
        far_cell_on_every_row,
        too_many_cells,
        very_hidden_scores,
        hidden_scores,
        xlsx_with_control_character,
    )
}


# --- YAML-side generators (large, or derived from a shipped file) -------------------------------

_STAFF_MEASURE = "{name: 在职人员控制率, formula: actual_staff / authorized_staff}"
_STAFF_CONDITION = "condition: value <= 1"


def _rubric_with(path: Path, *, formula: str | None = None, condition: str | None = None) -> None:
    text = RUBRIC.read_text(encoding="utf-8")
    assert _STAFF_MEASURE in text and _STAFF_CONDITION in text
    if formula is not None:
        text = text.replace(_STAFF_MEASURE, f'{{name: 在职人员控制率, formula: "{formula}"}}', 1)
    if condition is not None:
        text = text.replace(_STAFF_CONDITION, f'condition: "{condition}"', 1)
    path.write_text(text, encoding="utf-8")


def formula_150_brackets(path: Path) -> None:
    _rubric_with(path, formula="(" * 150 + "actual_staff / authorized_staff" + ")" * 150)


def formula_2000_terms(path: Path) -> None:
    _rubric_with(path, formula=" + ".join(["actual_staff"] * 2000))


def formula_120_terms(path: Path) -> None:
    _rubric_with(path, formula="actual_staff" + "+1" * 120)


def formula_5000_signs(path: Path) -> None:
    _rubric_with(path, formula="-" * 5000 + "actual_staff")


def formula_30_nots(path: Path) -> None:
    _rubric_with(path, condition="not " * 30 + "value <= 1")


def formula_million_digits(path: Path) -> None:
    _rubric_with(path, formula="1" * 1_000_000 + " * actual_staff")


def formula_huge_product(path: Path) -> None:
    _rubric_with(path, formula=" * ".join(["9" * 30] * 4) + " * actual_staff / authorized_staff")


def long_source(path: Path) -> None:
    """A department whose 数据来源说明 has 40,000 characters (Excel cuts at 32,767)."""
    text = (ROOT / "tests/bad-inputs/positive/minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("rubric: ../../../rubrics/", f"rubric: {ROOT.as_posix()}/rubrics/")
    path.write_text(text + "source: " + "报" * 40_000 + "\n", encoding="utf-8")


GENERATORS.update(
    {
        f.__name__: f
        for f in (
            formula_150_brackets,
            formula_2000_terms,
            formula_120_terms,
            formula_5000_signs,
            formula_30_nots,
            formula_million_digits,
            formula_huge_product,
            long_source,
        )
    }
)
