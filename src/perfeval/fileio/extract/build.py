"""A report file → a department file: read (text, Word, PDF) → the tables and the narrative placed
(:mod:`~perfeval.fileio.extract.basic_table`, :mod:`~perfeval.fileio.extract.score_table`,
:mod:`~perfeval.fileio.extract.narrative`) → a validated :class:`Department` → its YAML, with what was
lost, how artefacts were read and every figure that was not placed listed at the end."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from perfeval.core.department import Department
from perfeval.core.evidence import MAX_PASSAGE, Source
from perfeval.core.problems import InputError, Location, Problem
from perfeval.core.report_text import sentences
from perfeval.core.rubric import Rubric
from perfeval.fileio.extract.basic_table import read_basic_table
from perfeval.fileio.extract.document import Document
from perfeval.fileio.extract.result import Extraction

MAX_REPORT_BYTES = 64 * 1024 * 1024  # a report with its scanned annexes runs to a few MB; a text far less
MAX_TEXT_BYTES = 5 * 1024 * 1024
REPORT_SUFFIXES = (".txt", ".text", ".docx", ".pdf")


def read_report_bytes(path: Path) -> bytes:
    file = str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(
                [Problem("is-directory", "这是一个文件夹，不是报告文件；请给出报告的路径", Location(file))]
            )
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                [Problem("not-a-file", "这不是普通文件；请先把报告保存为文件再给出其路径", Location(file))]
            )
        if info.st_size > MAX_REPORT_BYTES:
            raise InputError(
                [
                    Problem(
                        "report-too-large",
                        f"报告文件有 {info.st_size:,} 字节，超过上限 {MAX_REPORT_BYTES:,}；请检查路径",
                        Location(file),
                    )
                ]
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_REPORT_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem("not-found", "报告文件不存在；请检查路径和文件名", Location(file))]) from None
    except PermissionError:
        raise InputError([Problem("unreadable", "没有读取此文件的权限；请检查文件权限", Location(file))]) from None
    except OSError as exc:
        raise InputError(
            [Problem("unreadable", f"无法读取：{exc.strerror or type(exc).__name__}", Location(file))]
        ) from None
    if len(data) > MAX_REPORT_BYTES:
        raise InputError([Problem("report-too-large", f"报告文件超过上限 {MAX_REPORT_BYTES:,} 字节", Location(file))])
    return data


def _decode(data: bytes, file: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            [
                Problem(
                    "report-too-large",
                    f"文本报告有 {len(data):,} 字节，超过上限 {MAX_TEXT_BYTES:,}；请检查文件",
                    Location(file),
                )
            ]
        )
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:8192]:
        raise InputError(
            [
                Problem(
                    "binary-file", "这不是文本文件，也不是 PDF 或 .docx；请给出报告的 PDF、Word 或文本", Location(file)
                )
            ]
        )
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise InputError(
        [Problem("encoding", "文本报告既不是 UTF-8 也不是 GB18030/GBK 编码；请另存为 UTF-8 后再试", Location(file))]
    )


def read_report(path: Path) -> Document:
    """The report as a :class:`Document`, by what the file is (its first bytes), whatever its name."""
    data = read_report_bytes(path)
    file, name = str(path), path.name
    if data.startswith(b"%PDF-"):
        from perfeval.fileio.extract.read_pdf import read_pdf

        _needs("pdfplumber", file)
        return read_pdf(path, data, name)
    if data.startswith(b"PK\x03\x04"):
        from perfeval.fileio.extract.read_docx import read_docx

        _needs("docx", file)
        return read_docx(path, data, name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            [
                Problem(
                    "unsupported-format",
                    "这是旧版 Word（.doc）或 WPS 文件；请在 Word/WPS 中另存为 .docx 后再提取",
                    Location(file),
                )
            ]
        )
    from perfeval.fileio.extract.read_text import read_text

    return read_text(_decode(data, file), name)


def _needs(module: str, file: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        package = {"pdfplumber": "pdfplumber", "docx": "python-docx"}[module]
        raise InputError(
            [
                Problem(
                    "extract-library-missing",
                    f"读取这种报告需要 {package}，而它没有安装；请运行 pip install 'perfeval[extract]'",
                    Location(file),
                )
            ]
        )


# --- the department's name, year and date, from the report's own words ----------------------------

_ORG = "办公室|委员会|联合会|管理局|服务中心|事务中心|中心|局|院|所|站|队|馆|社|部|处|厅|委|会|办|团|校|学校|医院|政府|协会"
_UNIT_SENTENCE = re.compile(f"^([\u4e00-\u9fff（）()]{{2,40}}?(?:{_ORG}))(?:是|为|系|属|成立于|于\\d|作为|设立于|内设)")
_UNIT_FIELD = re.compile(
    r"(?:单位名称|评价单位|填报单位|部门名称|预算单位)(?:[（(]盖章[)）])?[：:]\s*([^\s，,。：:]{2,40})"
)
_DATE_FIELD = re.compile(r"填报日期[：:]\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YEAR_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?.{0,30}(?:绩效|评价|报告|自评)")
_AMOUNT_UNIT = re.compile(r"金额单位[：:]\s*(万元|元)")


@dataclass(slots=True)
class Meta:
    unit: str | None = None
    unit_short: str | None = None
    year: int | None = None
    filled_on: str | None = None
    amount_unit: str = "万元"


def read_meta(doc: Document, out: Extraction) -> Meta:
    meta = Meta()
    paragraphs = doc.paragraphs()
    for para in paragraphs:
        text = para.text
        if meta.unit_short is None and (m := _UNIT_FIELD.search(text)):
            meta.unit_short = m[1]
            out.sources["unit_short"] = out.source(para.where(m.start(1)), text=text)
        if meta.filled_on is None and (m := _DATE_FIELD.search(text)):
            meta.filled_on = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
            out.sources["filled_on"] = out.source(para.where(m.start(1)), text=text)
        if (m := _AMOUNT_UNIT.search(text)) and m[1] == "元":
            meta.amount_unit = "元"
    for para in paragraphs[:12]:
        if (m := _YEAR_TITLE.search(para.text)) and len(para.text) <= 80:
            meta.year = int(m[1])
            out.sources["year"] = out.source(para.where(m.start(1)), text=para.text)
            break
    for para in paragraphs[:40]:
        for start, end in sentences(para.text)[:3]:
            if m := _UNIT_SENTENCE.match(para.text[start:end]):
                meta.unit = m[1]
                out.sources["unit"] = out.source(para.where(start), text=para.text[start:end])
                break
        if meta.unit is not None:
            break
    if meta.unit is None and meta.unit_short is not None:
        meta.unit = meta.unit_short
        out.notes.append("报告正文没有写出单位全称，单位名称取自表格的“单位名称（盖章）”栏")
    return meta


# --- the rubric, when not given --------------------------------------------------------------------


def score_table_fit(rubric: Rubric, doc: Document) -> int:
    """How many of the rubric's indicators the report's score table names (0: no score table)."""
    from perfeval.fileio.extract.score_table import read_score_table

    return read_score_table(rubric, doc, Extraction(doc)) or 0


# --- the department ----------------------------------------------------------------------------------


def passages(doc: Document) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for para in doc.paragraphs():
        text = para.text
        for start in range(0, len(text), MAX_PASSAGE):
            where = para.where(start)
            entry: dict[str, Any] = {"text": text[start : start + MAX_PASSAGE]}
            for key in ("page", "line", "paragraph"):
                if getattr(where, key) is not None:
                    entry[key] = getattr(where, key)
            out.append(entry)
    return out


def extract(doc: Document, rubric: Rubric, rubric_ref: str) -> tuple[Department, Extraction]:
    """The department file a report gives, and what extraction noted on the way."""
    from perfeval.fileio.extract.narrative import read_narrative
    from perfeval.fileio.extract.score_table import read_score_table

    out = Extraction(doc)
    meta = read_meta(doc, out)
    if not read_basic_table(doc, out):
        out.notes.append("报告中没有找到基础数据表（附件1）；基础数据只取自正文")
    named = read_score_table(rubric, doc, out)
    leaves = len(rubric.leaves())
    if named is None:
        out.notes.append("报告中没有找到评价指标及评分表（附件2）；没有自评得分")
    elif named < leaves / 2:
        out.notes.insert(
            0,
            f"报告评分表中的指标只有 {named} 个与评分表“{rubric.name}”的 {leaves} 个指标同名："
            "是否选错了评分表（--rubric）？",
        )
    read_narrative(doc, rubric, out, meta.year, meta.amount_unit)
    if meta.unit is None:
        raise InputError(
            [
                Problem(
                    "extract-no-unit",
                    "报告中认不出单位名称（正文开头“××是……”一句，或表格的“单位名称（盖章）”栏）；"
                    "请在提取出的文件中填写 unit，或先在报告中补上单位名称",
                    Location(doc.name),
                )
            ]
        )
    if meta.year is None:
        raise InputError(
            [Problem("extract-no-year", "报告中认不出评价年度（标题中的“2019 年度……绩效……报告”）", Location(doc.name))]
        )
    data: dict[str, Any] = {
        "format": "perfeval/department@1",
        "unit": meta.unit,
        "unit_short": meta.unit_short,
        "year": meta.year,
        "rubric": rubric_ref,
        "filled_on": meta.filled_on,
        "amount_unit": meta.amount_unit,
        "source": f"{doc.name}（perfeval extract 提取）",
    }
    data = {k: v for k, v in data.items() if v is not None}
    data.update(out.data)
    if out.claims:
        data["claims"] = out.claims
    data["sources"] = {k: v for k, v in out.sources.items() if _present(out, data, k)}
    data["narrative"] = passages(doc)
    try:
        dept = Department.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            [
                Problem(
                    "invalid-value",
                    f"提取出的数据不合部门文件的要求（{where}：{first['msg']}）；这是 perfeval 提取的缺陷，请报告",
                    Location(doc.name),
                )
            ]
        ) from None
    return dept, out


def _present(out: Extraction, data: dict[str, Any], key: str) -> bool:
    """A source is kept for a value the file holds."""
    if key in ("unit", "unit_short", "year", "filled_on"):
        return key in data
    return out.get(key) is not None


def source_label(src: Source) -> str:
    """A source in a few words, for a comment: 附件1 第 108 行 … · 正文第 2 页第 41 行 · 正文第 12 段."""
    place = "".join(
        f"第 {v} {unit}" for v, unit in ((src.page, "页"), (src.line, "行"), (src.paragraph, "段")) if v is not None
    )
    if src.table:
        return f"{src.table}{place}{(' ' + src.cell) if src.cell else ''}"
    return f"正文{place}"


def with_sources(text: str, dept: Department) -> str:
    """The YAML with each value's source added to the comment on its line (``sources:`` keeps them as
    data): where the written file has the value, found by reading the file back."""
    from perfeval.fileio.yaml_read import load_text
    from perfeval.fileio.yaml_write import comment_text

    data, where = load_text(text, "<extract>")
    lines = text.split("\n")
    notes: dict[int, list[str]] = {}
    for key, src in dept.sources.items():
        path = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", key))
        location = where.locate(path)
        if location.line is not None and where.has(path):
            notes.setdefault(location.line - 1, []).append(source_label(src))
    for index, labels in notes.items():
        note = "出处：" + "；".join(dict.fromkeys(labels))
        line = lines[index]
        lines[index] = f"{line} ← {comment_text(note)}" if " # " in line else f"{line}  # {comment_text(note)}"
    annotated = "\n".join(lines)
    try:  # a comment never changes a value; should one have (a “ # ” inside a quoted text), write none
        same = load_text(annotated, "<extract>")[0] == data
    except InputError:
        same = False
    return annotated if same else text


def trailer(out: Extraction) -> str:
    """The comment block after the YAML: what was lost, how artefacts were read, what was not placed."""
    from perfeval.fileio.yaml_write import comment_text

    lines = ["", "# ---- perfeval extract：提取说明 ----"]
    if out.lost:
        lines.append(f"# 表中丢失或没有的单元格（{len(out.lost)} 处；空白不是零，未填）：")
        lines += [f"#   - {comment_text(x)}" for x in out.lost]
    if out.notes:
        lines.append(f"# 读取说明（{len(out.notes)} 条）：")
        lines += [f"#   - {comment_text(x)}" for x in out.notes]
    lines.append(f"# 报告中出现、未归入任何栏目的数字（{len(out.unplaced)} 个；未作为数据）：")
    for u in out.unplaced:
        lines.append(
            f"#   - {comment_text(u.text)}（{comment_text(u.where)}，{comment_text(u.why)}）：{comment_text(u.context)}"
        )
    return "\n".join(lines) + "\n"


def summary(dept: Department, out: Extraction) -> str:
    scores = dept.self_assessment.scores
    return (
        f"数据与得分 {len(dept.sources)} 项（均注明出处），报告所称 {len(dept.claims)} 条，"
        f"正文 {len(dept.narrative)} 段，自评得分 {len(scores)} 个指标"
        + (f"；表中丢失或缺少 {len(out.lost)} 处（未填）" if out.lost else "")
        + f"；未归入的数字 {len(out.unplaced)} 个（列在文件末尾）"
    )
