"""`perfeval init`: the fill-in workbook and YAML skeleton; openpyxl stays out of start-up."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.decimals import plain
from perfeval.fileio.workbook.layout import fact_rows
from perfeval.pipeline.departments import load
from perfeval.pipeline.rubrics import read_rubric

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"

runner = CliRunner()


def init(output: Path, *extra: str):
    return runner.invoke(app, ["init", "--rubric", str(RUBRIC), "--output", str(output), *extra])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("init") / "填报.xlsx"
    assert init(path).exit_code == 0
    return path


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def test_the_template_has_the_five_sheets(book) -> None:
    assert book.sheetnames == ["填报信息", "基础数据表", "评分表", "指标数据", "其他内容"]
    assert book.active.title == "基础数据表"


def test_basic_data_sheet_is_laid_out_like_annex_1(book) -> None:
    ws = book["基础数据表"]
    # the title names the year 填报信息 gives (a formula), on each of the two printed pages
    assert ws["A1"].value.endswith('&" 年度部门整体支出绩效评价基础数据表"') and "'填报信息'!$B$8" in ws["A1"].value
    assert ws["P1"].value.endswith('基础数据表（续）"')
    labels = [ws.cell(row=6, column=c).value for c in range(1, 27)]
    annex_1 = (ROOT / "tests" / "data" / "annex1-taojiang-2019.tsv").read_text(encoding="utf-8").splitlines()
    assert labels == annex_1[1].split("\t")[:26]  # 附件1's own column labels, in its order
    merged = {str(r) for r in ws.merged_cells.ranges}
    # 实际支出 is cut where the page breaks (after 基本支出), and named on both pages
    assert {"A4:C5", "D4:H5", "I4:O4", "P4:W4", "I5:O5", "P5:W5", "X4:Z5"} <= merged
    assert ws["I4"].value == ws["P4"].value == "实际支出"
    assert [b.id for b in ws.col_breaks.brk] == [15] and ws.print_title_rows == "$1:$6"
    assert ws.freeze_panes == "A8"
    assert ws.row_dimensions[7].hidden  # the key row


def test_score_sheet_rows_follow_annex_2(book) -> None:
    rubric = read_rubric(RUBRIC).rubric
    ws = book["评分表"]
    header = [c.value for c in ws[3]]
    assert header == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标内容",
        "指标说明",
        "分值",
        "自评得分",
        "审核得分",
        "说明",
        "指标标识",
        "要点标识",
        "分值校验",
    ]
    ids = [(ws.cell(row=r, column=10).value, ws.cell(row=r, column=11).value) for r in range(4, ws.max_row + 1)]
    for leaf in rubric.leaves():
        assert (leaf.id, None) in ids
        for item in getattr(leaf.rule, "items", []):
            assert (leaf.id, item.id) in ids
    assert ("（总分）", None) in ids
    assert all(ws.column_dimensions[c].hidden for c in "JKL")
    assert ws.freeze_panes == "A4"
    assert ws["A4"].value == "计划投入（20分）"
    assert "A4:A" in " ".join(str(r) for r in ws.merged_cells.ranges)  # 一级指标 merged down its rows


def test_scores_are_validated_within_zero_and_the_weight(book) -> None:
    ws = book["评分表"]
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for cell in row:
                    rules[cell.coordinate] = (dv.type, dv.operator, dv.formula1, dv.formula2)
    for r in range(4, ws.max_row + 1):
        if ws.cell(row=r, column=10).value and ws.cell(row=r, column=11).value != "（小计）":
            weight = ws.cell(row=r, column=6).value
            assert rules[f"G{r}"] == ("decimal", "between", "0", plain(Decimal(str(weight)))), r
    amount_rules = {(dv.type, dv.operator, dv.formula1) for dv in book["基础数据表"].data_validations.dataValidation}
    assert amount_rules == {("decimal", "greaterThanOrEqual", "0")}


@pytest.mark.parametrize("sheet", ["填报信息", "基础数据表", "评分表", "指标数据"])
def test_every_sheet_prints_on_a4_landscape(book, sheet: str) -> None:
    ws = book[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    if sheet == "基础数据表":  # 27 columns: two pages at a scale that stays legible, not one page at 4 pt
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
        assert 60 <= ws.page_setup.scale <= 100
    else:
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_columns_are_wide_enough_for_chinese_labels(book) -> None:
    ws = book["评分表"]
    assert ws.column_dimensions["D"].width >= 30 and ws.column_dimensions["E"].width >= 30
    info = book["填报信息"]
    assert info.column_dimensions["A"].width >= 2 * len("调整后预算数（全年预算数）")


def test_facts_sheet_lists_the_facts_the_formulas_need_with_units(book) -> None:
    rubric = read_rubric(RUBRIC).rubric
    reported, derived = fact_rows(rubric)
    ws = book["指标数据"]
    rows = {
        ws.cell(row=r, column=5).value: (ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value)
        for r in range(4, ws.max_row + 1)
        if ws.cell(row=r, column=5).value
    }
    assert {"authorized_staff", "actual_staff", "satisfaction", "tasks_planned"} <= set(rows)
    assert rows["authorized_staff"] == ("编制数", "人")
    assert rows["satisfaction"] == ("服务对象满意度", "%")
    assert "final_budget" not in rows  # derived from 基础数据表, not typed in
    assert {fr.info.name for fr in reported} == set(rows) - {"section:derived"}
    assert derived, "the Taojiang rubric uses derived facts too"


def test_an_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    path = tmp_path / "dept.xlsx"
    path.write_bytes(b"keep me")
    result = init(path)
    assert result.exit_code == 2
    assert "已存在" in result.stderr and "--force" in result.stderr
    assert path.read_bytes() == b"keep me"
    assert init(path, "--force").exit_code == 0
    assert openpyxl.load_workbook(path).sheetnames[0] == "填报信息"


@pytest.mark.parametrize("name", ["dept.csv", "dept", "dept.xlsm", "dept.xls"])
def test_an_unknown_output_format_is_refused(tmp_path: Path, name: str) -> None:
    from perfeval.cli.commands.init import check_suffix
    from perfeval.core.problems import InputError

    result = init(tmp_path / name)
    assert result.exit_code == 2
    assert ".xlsx" in result.stderr
    assert not (tmp_path / name).exists()
    with pytest.raises(InputError) as err:
        check_suffix(tmp_path / name)
    [problem] = err.value.problems
    assert (problem.code, problem.location.file) == ("output-format", str(tmp_path / name))
    assert "文件名应以 .xlsx" in problem.message


def test_yaml_skeleton_names_every_indicator_item_and_fact(tmp_path: Path) -> None:
    path = tmp_path / "dept.yaml"
    assert init(path).exit_code == 0
    text = path.read_text(encoding="utf-8")
    rubric = read_rubric(RUBRIC).rubric
    assert text.startswith("# yaml-language-server: $schema=")
    ref = re.search(r"^rubric: (\S+)", text, re.M)[1]
    assert (path.parent / ref).resolve() == RUBRIC.resolve()
    for leaf in rubric.leaves():
        assert re.search(rf"^    {leaf.id}:\s+# {re.escape(leaf.name)}", text, re.M), leaf.id
    assert re.search(r"^  authorized_staff:\s+# 编制数（人）", text, re.M)


def test_a_filled_yaml_skeleton_loads_and_scores(tmp_path: Path) -> None:
    """Fill the skeleton the way its comments say: values after the colons, unknown facts deleted."""
    rubric_copy = tmp_path / "rubric.yaml"
    shutil.copy(RUBRIC, rubric_copy)
    path = tmp_path / "dept.yaml"
    assert runner.invoke(app, ["init", "-r", str(rubric_copy), "-o", str(path)]).exit_code == 0
    lines = []
    in_facts = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("unit:"):
            line = "unit: 某县某局"
        elif line.startswith("year:"):
            line = "year: 2019"
        elif line.startswith("facts:"):
            in_facts = True
            line = "facts:\n  authorized_staff: 54"
        elif in_facts and line.startswith("  ") and not line.lstrip().startswith("#"):
            continue  # facts not known: deleted
        elif re.match(r"^        [a-z_]+:\s+#", line):  # a 评分要点
            line = re.sub(r":(\s+)#", r": 1\1#", line, count=1)
        if not line.startswith("  "):
            in_facts = line.startswith("facts:")
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load(path)
    assert loaded.department.facts == {"authorized_staff": 54}
    assert loaded.rubric_path == rubric_copy or os.path.samefile(loaded.rubric_path, rubric_copy)
    assert loaded.department.self_assessment.scores["target_reasonableness"].items["annual_target_set"] == 1


def test_start_up_does_not_import_openpyxl() -> None:
    code = (
        "import sys, perfeval.cli.app; from typer.testing import CliRunner; "
        "CliRunner().invoke(perfeval.cli.app.app, ['--help']); "
        "print([m for m in sys.modules if m.split('.')[0] == 'openpyxl' or m.startswith('perfeval.fileio.workbook')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_scoring_yaml_does_not_import_openpyxl() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; import perfeval.cli.app; "
        f"r = CliRunner().invoke(perfeval.cli.app.app, ['score', {str(EXAMPLE)!r}]); assert r.exit_code == 0; "
        "print('openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("kind", ["template", "filled", "audit"])
def test_libreoffice_opens_our_workbooks(tmp_path: Path, kind: str) -> None:
    from perfeval.fileio.workbook.write import write_department_workbook
    from perfeval.pipeline.reports import check_file
    from perfeval.reporting.workpaper import write_workpaper

    loaded = load(EXAMPLE)
    path = tmp_path / f"{kind}.xlsx"
    if kind == "audit":
        write_workpaper(path, [check_file(EXAMPLE)], force=False)
    else:
        write_department_workbook(
            path, loaded.rubric, loaded.department if kind == "filled" else None, "rubric.yaml", force=False
        )
    subprocess.run(
        [SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = tmp_path / f"{kind}.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("kind", ["template", "filled"])
def test_merged_ranges_never_overlap(kind: str) -> None:
    """Excel refuses (“repairs”) a workbook whose merged ranges overlap; LibreOffice hides cells."""
    from perfeval.fileio.workbook.write import department_workbook

    loaded = load(EXAMPLE)
    wb = department_workbook(loaded.rubric, loaded.department if kind == "filled" else None, "r.yaml")
    for ws in wb.worksheets:
        seen: dict[tuple[int, int], str] = {}
        for rng in ws.merged_cells.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    assert (row, col) not in seen, f"{ws.title}: {rng} overlaps {seen[(row, col)]}"
                    seen[(row, col)] = str(rng)
        assert len(ws.title) <= 31
