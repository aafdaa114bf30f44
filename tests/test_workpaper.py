"""The reviewer's workpaper `perfeval check … --output review.xlsx` writes: its totals are the terminal's to
the cent, it is written one unit at a time and keeps nothing of a unit once written, it prints on A4
landscape with the header on every page, and it shows what the reviewer needs (偏差, 偏离度, P0/P1/P2,
the platform's 执行率 warnings)."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.decimals import fmt_points
from perfeval.core.problems import Problem
from perfeval.pipeline.reports import FileReport, IndicatorRow, check_file
from perfeval.reporting.review_rows import (
    EXECUTION_RATE_RULE,
    deviation_rate,
    platform_warnings,
    severity_label,
)
from perfeval.reporting.text_width import row_height, text_units, wrapped_lines
from perfeval.reporting.workpaper import DETAIL_COLUMNS, FINDING_COLUMNS, SUMMARY_COLUMNS, Workpaper, write_workpaper

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TAOJIANG = EXAMPLES / "taojiang-2019.yaml"


def department(tmp_path: Path, name: str, edits: list[tuple[str, str]], source: Path = TAOJIANG) -> Path:
    """A copy of an example with ``edits`` (old, new) applied, its rubric path made absolute."""
    text = source.read_text(encoding="utf-8").replace("rubric: ../rubrics/", f"rubric: {ROOT}/rubrics/")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


OVER_CLAIMED = [  # 预算调整率 claimed in full though the rule withholds full marks; a reviewer's 1.5 on 预算完成率
    ("    budget_adjustment_rate: 1.5   # 预算调整率", "    budget_adjustment_rate: 2"),
    ("  total: 98.2", "  total: 98.7"),
    ("    budget_completion_rate: 2     # 预算完成率", "    budget_completion_rate: {score: 2, reviewed: 1.5}"),
    ("unit: 桃江县人民政府办公室", "unit: 某县高报局"),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A county: Taojiang as filed, an over-claimer, a rubric with penalties and caps (project-2020), a
    four-level rubric (Hunan), and a file that cannot be read."""
    tmp = tmp_path_factory.mktemp("county")
    broken = tmp / "broken.yaml"
    broken.write_text("unit: [县政府办\n", encoding="utf-8")
    return [
        department(tmp, "taojiang.yaml", []),
        department(tmp, "over.yaml", OVER_CLAIMED),
        department(tmp, "project.yaml", [], EXAMPLES / "project-2020.yaml"),
        department(tmp, "hunan.yaml", [], EXAMPLES / "hunan-county-2019.yaml"),
        broken,
    ]


@pytest.fixture(scope="module")
def run(batch: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, openpyxl.Workbook, str]:
    """One run of ``check --format json --output``: its JSON document, its workpaper, its stderr."""
    out = tmp_path_factory.mktemp("out") / "review.xlsx"
    result = CliRunner().invoke(app, ["check", "--format", "json", "--output", str(out), *map(str, batch)])
    assert result.exit_code == 2, result.output  # the broken file
    assert f"已写出审核工作底稿 {out}（5 个部门文件）" in result.stderr
    return json.loads(result.stdout), openpyxl.load_workbook(out), result.stderr


def table(ws, columns) -> list[dict]:
    """The rows of a sheet's table (below its title and header), as {header: value}."""
    header = [c.value for c in ws[2]]
    assert header == [c.header for c in columns]
    rows = []
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[0] is None or isinstance(row[0], str) and not row[0].isdigit() and row[1] is None:
            break
        rows.append(dict(zip(header, row, strict=True)))
    return rows


def cents(value: object) -> Decimal | None:
    """A cell's number (or a JSON decimal string) to the cent."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_summary_totals_are_the_terminals_to_the_cent(run) -> None:
    doc, wb, _ = run
    rows = table(wb["汇总"], SUMMARY_COLUMNS)
    assert [r["序号"] for r in rows] == [1, 2, 3, 4, 5]
    for f, row in zip(doc["files"], rows, strict=True):
        assert row["文件"] == f["file"]
        if not f["readable"]:
            assert row["单位"] == "（无法读取）" and row["结论"] == "无法读取"
            assert row["P0 错误"] == f["counts"]["error"] >= 1
            assert row["自评得分"] is None and row["审核得分"] is None
            continue
        adjusted = f.get("adjusted")
        final = adjusted or {"self_score": f["self_score"], "score": f["score"], "audited_score": f["audited_score"]}
        assert cents(row["自评总分"]) == cents(f["stated_total"])
        assert cents(row["自评得分"]) == cents(final["self_score"])
        assert cents(row["核算得分"]) == cents(final["score"])
        assert cents(row["审核得分"]) == cents(final["audited_score"])
        assert row["审核等级"] == f["audited_grade"] and row["自评等级"] == f["self_grade"]
        assert (row["P0 错误"], row["P1 警告"], row["P2 提示"]) == (
            f["counts"]["error"],
            f["counts"]["warning"],
            f["counts"]["info"],
        )
        deviation = Decimal(final["self_score"]) - Decimal(final["audited_score"])
        assert cents(row["偏差（自评−审核）"]) == cents(deviation)
    over = rows[1]
    assert cents(over["偏差（自评−审核）"]) == Decimal("0.51")  # 98.7 − 98.19
    assert over["高报（项）"] == 1 and over["结论"] == "未通过"


def test_the_summary_agrees_with_the_text_summary_of_the_terminal(batch: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "review.xlsx"
    result = CliRunner().invoke(app, ["check", "--no-table", "--output", str(out), *map(str, batch)])
    rows = table(openpyxl.load_workbook(out)["汇总"], SUMMARY_COLUMNS)
    summary = result.stderr.split("汇总（问题最多的在前）")[1]
    for row in rows:
        line = next(x for x in summary.splitlines() if x.startswith(row["文件"] + " "))
        cells = line.split()
        if row["结论"] == "无法读取":
            continue
        stated, _sum, audited = cells[-5], cells[-4], cells[-3]  # 自评总分 得分之和 审核得分 错误 警告
        assert stated == fmt_points(cents(row["自评总分"]))
        assert audited == fmt_points(cents(row["审核得分"]))


def test_every_indicator_row_and_unit_total_is_the_jsons(run) -> None:
    doc, wb, _ = run
    rows = table(wb["指标明细"], DETAIL_COLUMNS)
    readable = [f for f in doc["files"] if f["readable"]]
    by_unit: dict[int, list[dict]] = {}
    for r in rows:
        by_unit.setdefault(r["序号"], []).append(r)
    assert sorted(by_unit) == [1, 2, 3, 4]  # the unreadable file (5) has no indicator rows
    for index, f in enumerate(readable, start=1):
        mine = by_unit[index]
        indicators = [r for r in mine if r["一级指标"] not in ("合计", "总分调整", "调整后合计")]
        assert len(indicators) == len(f["indicators"])
        for r, ind in zip(indicators, f["indicators"], strict=True):
            assert r["单位"] == f["unit"]
            assert cents(r["分值"]) == cents(ind["weight"])
            assert cents(r["审核得分"]) == cents(ind["audited_score"])
            if ind["self_score"] is not None:
                assert cents(r["自评得分"]) == cents(ind["self_score"])
            if ind["score"] is not None:
                assert cents(r["核算得分"]) == cents(ind["score"])
            assert cents(r["复核得分"]) == cents(ind.get("reviewed"))
        total = next(r for r in mine if r["一级指标"] == "合计")
        assert cents(total["自评得分"]) == cents(f["self_score"])
        assert cents(total["审核得分"]) == cents(f["audited_score"])
        if "adjusted" in f:
            after = next(r for r in mine if r["一级指标"] == "调整后合计")
            assert cents(after["自评得分"]) == cents(f["adjusted"]["self_score"])
            assert cents(after["审核得分"]) == cents(f["adjusted"]["audited_score"])
            assert sum(1 for r in mine if r["一级指标"] == "总分调整") == len(f["adjustments"])


def test_an_indicator_row_shows_the_reviewers_layout(run) -> None:
    _, wb, _ = run
    rows = [r for r in table(wb["指标明细"], DETAIL_COLUMNS) if r["单位"] == "某县高报局"]
    adjustment = next(r for r in rows if r["三级指标"] == "预算调整率")
    assert (adjustment["一级指标"], adjustment["二级指标"]) == ("实施过程", "预算执行")
    assert adjustment["自评得分"] == 2 and adjustment["审核得分"] == 1.99
    assert adjustment["核算得分"] == "0–2（不含2）"  # the range the rule allows
    assert adjustment["状态"] == "高报"
    assert cents(adjustment["偏离度"]) == cents(deviation_rate(Decimal(2), Decimal("1.99")))  # (自评−审核)/自评
    assert adjustment["自评完成值"] == pytest.approx(0.2359275154983309)  # the measure, as a percentage
    assert adjustment["备注"].startswith("P0 错误：预算调整率")  # the finding sits beside its indicator
    completion = next(r for r in rows if r["三级指标"] == "预算完成率")
    assert (completion["复核得分"], completion["审核得分"]) == (1.5, 1.5)
    staff = next(r for r in rows if r["三级指标"] == "在职人员控制率")
    assert staff["核算得分"] == "缺数据" and staff["状态"] == "无法核验" and staff["偏离度"] == 0
    tier = next(r for r in rows if r["二级指标"] == "预算执行" and r["三级指标"] is None)
    assert (tier["分值"], tier["自评得分"]) == (15, 14.5)
    hunan = [r for r in table(wb["指标明细"], DETAIL_COLUMNS) if r["序号"] == 4]
    assert any(" / " in (r["三级指标"] or "") for r in hunan)  # a 四级 indicator joins the 三级 column


def test_an_indicator_with_a_blank_self_score_has_no_deviation_rate() -> None:
    assert deviation_rate(None, Decimal(1)) is None
    assert deviation_rate(Decimal(0), Decimal(0)) is None  # 自评 0: no rate, not 0%
    assert deviation_rate(Decimal(4), None) is None
    assert deviation_rate(Decimal(4), Decimal(3)) == Decimal("0.25")


def test_the_findings_sheet_lists_every_problem_with_its_severity(run) -> None:
    doc, wb, _ = run
    rows = table(wb["问题清单"], FINDING_COLUMNS)
    problems = [(i, p) for i, f in enumerate(doc["files"], start=1) for p in f["problems"]]
    assert len(rows) == len(problems)
    for row, (index, p) in zip(rows, problems, strict=True):
        assert row["单位序号"] == index
        assert row["问题"] == p["message"]
        assert row["级别"] == {"error": "P0 错误", "warning": "P1 警告", "info": "P2 提示"}[p["level"]]
    over = next(r for r in rows if r["问题类别"] == "高报")
    assert over["指标"] == "预算调整率（budget_adjustment_rate）" and over["级别"] == "P0 错误"
    assert any(r["单位"] == "（无法读取）" and r["问题类别"] == "YAML 语法错误" for r in rows)


def test_the_summary_ends_with_the_batchs_totals(run) -> None:
    _, wb, _ = run
    text = [c.value for c in wb["汇总"]["A"] if isinstance(c.value, str)]
    assert "共 5 个部门文件，可审核 4 个，无法读取 1 个" in text
    assert any(t.startswith("审核等级：") and "（无法读取） 1 个" in t for t in text)


def test_it_prints_on_a4_landscape_with_the_header_on_every_page(run) -> None:
    _, wb, _ = run
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_title_rows == "$1:$2"
        assert ws.print_options.gridLines  # the grid prints without a border on every cell
        assert 10 <= ws.page_setup.scale <= 100
    detail = wb["指标明细"]
    starts = sorted({b.id for b in detail.row_breaks.brk})
    first_rows = []
    for row in detail.iter_rows(min_row=3):
        if row[0].value is not None and (not first_rows or row[0].value != first_rows[-1][1]):
            first_rows.append((row[0].row, row[0].value))
    # a page break before every unit after the first (openpyxl numbers a break by the row above it)
    assert starts == [r - 1 for r, _ in first_rows[1:]]


def test_a_wrapped_note_gets_a_row_tall_enough_for_its_lines(run) -> None:
    _, wb, _ = run
    ws = wb["指标明细"]
    note_col = [c.header for c in DETAIL_COLUMNS].index("备注")
    width = DETAIL_COLUMNS[note_col].width
    checked = 0
    for row in ws.iter_rows(min_row=3):
        text = row[note_col].value
        if isinstance(text, str) and wrapped_lines(text, width) > 1:
            height = ws.row_dimensions[row[0].row].height
            assert height is not None and height >= 15 * wrapped_lines(text, width)
            checked += 1
    assert checked > 0


def test_the_text_width_model_counts_cjk_as_one_em_and_latin_as_half() -> None:
    assert text_units("abc") == 3
    assert text_units("预算") == 4
    assert text_units("预算 ab") == 7
    assert wrapped_lines("预" * 10, 11) == 2  # 20 units in a column of 10 usable
    assert wrapped_lines("a\nb", 40) == 2
    assert row_height([("短", 20)]) is None
    assert row_height([("预" * 30, 11)]) == 6 * 15 + 2


# --- streaming ---------------------------------------------------------------------------------------------


def test_the_writer_keeps_no_report_after_writing_it(tmp_path: Path) -> None:
    report = check_file(department(tmp_path, "over.yaml", OVER_CLAIMED))
    parts = [report, report.indicators, report.problems, *report.indicators, *report.problems]
    before = [sys.getrefcount(p) for p in parts]
    with Workpaper(tmp_path / "w.xlsx") as wp:
        wp.add(report)
        gc.collect()
        after = [sys.getrefcount(p) for p in parts]
    assert after == before  # not the report, nor its rows, nor its problems


def test_memory_does_not_grow_with_the_units_written(tmp_path: Path) -> None:
    report = check_file(department(tmp_path, "over.yaml", OVER_CLAIMED))
    units = [replace(report, unit=f"第{i}号单位", file=f"d{i}.yaml") for i in range(400)]
    with Workpaper(tmp_path / "w.xlsx") as wp:
        for u in units[:50]:
            wp.add(u)
        gc.collect()
        tracemalloc.start()
        first = tracemalloc.get_traced_memory()[0]
        for u in units[50:]:
            wp.add(u)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - first
        tracemalloc.stop()
    # 350 units of 38 rows: what is kept per unit is a page-break row number, not its rows
    assert grown / 350 < 2_000, f"{grown / 350:.0f} bytes kept per unit"


# --- what the reviewer sees --------------------------------------------------------------------------------


def test_input_text_is_shown_with_its_control_characters_made_visible(tmp_path: Path) -> None:
    path = department(tmp_path, "ctl.yaml", [("unit: 桃江县人民政府办公室", 'unit: "县\\e]0;x\\a办"')])
    out = tmp_path / "w.xlsx"
    write_workpaper(out, [check_file(path)], force=False)
    wb = openpyxl.load_workbook(out)
    assert table(wb["汇总"], SUMMARY_COLUMNS)[0]["单位"] == "县\\x1b]0;x\\x07办"


def test_a_formula_like_text_stays_text(tmp_path: Path) -> None:
    path = department(tmp_path, "eq.yaml", [("unit: 桃江县人民政府办公室", "unit: '=HYPERLINK(\"x\")'")])
    out = tmp_path / "w.xlsx"
    write_workpaper(out, [check_file(path)], force=False)
    cell = openpyxl.load_workbook(out)["汇总"]["B3"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_severity_labels() -> None:
    assert [severity_label(Problem("over-claimed", "x", level=lv)) for lv in ("error", "warning", "info")] == [
        "P0 错误",
        "P1 警告",
        "P2 提示",
    ]


def _with_execution_rate(report: FileReport, rate: Decimal, exec_self: Decimal) -> FileReport:
    """``report`` with its first leaf made a 10-point 预算执行率 block (the rule kind another part adds)."""
    rows = list(report.indicators)
    i = next(k for k, r in enumerate(rows) if r.is_leaf)
    rows[i] = replace(
        rows[i],
        name="预算执行率",
        rule_kind=EXECUTION_RATE_RULE,
        weight=Decimal(10),
        self_score=exec_self,
        measure=rate,
        measure_format="percent",
    )
    return replace(report, indicators=rows)


def test_the_platforms_red_and_yellow_warnings_on_an_execution_rate_block(tmp_path: Path) -> None:
    base = check_file(department(tmp_path, "t.yaml", []))
    assert platform_warnings(base) == []  # no 执行率 block in the Taojiang rubric: no warning
    # other indicators: 94.2 of 96 (98.1%); 执行率 75% scored 7.5 of 10 (75%): red, and 25% unspent: yellow
    low = _with_execution_rate(base, Decimal("0.75"), Decimal("7.5"))
    colors = [w.color for w in platform_warnings(low)]
    assert colors == ["red", "yellow"]
    assert "预算资金未支出 25.00%" in platform_warnings(low)[1].label
    # spent 81%, scored 9.6 of 10 (96%): within 5 points of 98.1%, and under 20% unspent: nothing
    fine = _with_execution_rate(base, Decimal("0.81"), Decimal("9.6"))
    assert platform_warnings(fine) == []
    # the margin is relative to the indicators' rate: 98.125% against 93.2% is 4.925 points apart, but 5.02%
    # of 98.125% — red
    near = _with_execution_rate(base, Decimal("0.932"), Decimal("9.32"))
    assert [w.color for w in platform_warnings(near)] == ["red"]
    assert "相差 5.02%（超过 5%）" in platform_warnings(near)[0].label
    # a budget of 0 is yellow too; a line of other funds at 0 (a unit with none) is not
    header = (("年度资金总额", "全年预算数", "budget_full_year_total", Decimal(0)),)
    others = (("年度资金总额", "全年预算数", "t", Decimal(5)), ("其他资金", "全年预算数", "o", Decimal(0)))
    for head, want in ((header, ["yellow"]), (others, [])):
        zero = _with_execution_rate(base, None, Decimal("9.6"))  # type: ignore[arg-type]
        rows = [replace(r, header=head) if r.rule_kind == EXECUTION_RATE_RULE else r for r in zero.indicators]
        assert [w.color for w in platform_warnings(replace(zero, indicators=rows))] == want
    # a blank 执行率 self-score: the red check cannot be made (blank is not zero); the yellow still can
    blank = _with_execution_rate(base, Decimal("0.5"), None)  # type: ignore[arg-type]
    assert [w.color for w in platform_warnings(blank)] == ["yellow"]
    out = tmp_path / "w.xlsx"
    write_workpaper(out, [low, fine], force=False)
    rows = table(openpyxl.load_workbook(out)["汇总"], SUMMARY_COLUMNS)
    assert rows[0]["平台预警"].startswith("红灯：指标得分率") and "黄灯：" in rows[0]["平台预警"]
    assert rows[1]["平台预警"] is None


def test_a_leaf_row_has_the_fields_the_workpaper_reads() -> None:
    # the workpaper reads these IndicatorRow fields; a rename must fail here, not in a user's batch
    fields = set(IndicatorRow.__dataclass_fields__)
    assert {"measure", "measure_format", "actual", "reviewed", "audited_score", "rule_kind"} <= fields


# --- the command -------------------------------------------------------------------------------------------


def test_a_rubric_the_departments_name_is_never_the_output_even_with_force(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((ROOT / "rubrics" / "taojiang-2019.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "review.xlsx"
    os.link(rubric, out)  # the same file under the output's name
    dept = department(tmp_path, "d.yaml", [(f"rubric: {ROOT}/rubrics/taojiang-2019.yaml", f"rubric: {rubric}")])
    result = CliRunner().invoke(app, ["check", "--no-table", "--output", str(out), "--force", str(dept)])
    assert result.exit_code == 2
    assert "[output-is-input]" in result.stderr
    assert out.read_bytes() == rubric.read_bytes() and os.path.samefile(out, rubric)
    assert not list(tmp_path.glob(".review.xlsx.*"))  # the temporary file is gone too


def test_nothing_is_left_behind_when_no_file_could_be_read(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("unit: [x\n", encoding="utf-8")
    out = tmp_path / "review.xlsx"
    result = CliRunner().invoke(app, ["check", "--output", str(out), str(broken)])
    assert result.exit_code == 2 and "[no-readable-input]" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_the_workpaper_a_unit_to_a_page(batch: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "review.xlsx"
    assert CliRunner().invoke(app, ["check", "--no-table", "--output", str(out), *map(str, batch[:2])]).exit_code == 1
    assert SOFFICE is not None
    subprocess.run(
        [SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = (tmp_path / "review.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    # the page is A4 landscape (842 × 595 points)
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841\.8\d* 595\.\d+", pdf), "not A4 landscape"


def test_the_workpaper_must_be_an_xlsx_file(tmp_path: Path) -> None:
    out = tmp_path / "review.xls"
    result = CliRunner().invoke(app, ["check", "--output", str(out), str(TAOJIANG)])
    assert result.exit_code == 2 and "[output-format]" in result.stderr and not out.exists()


def test_a_failed_run_leaves_no_temporary_files(tmp_path: Path) -> None:
    report = check_file(department(tmp_path, "over.yaml", OVER_CLAIMED))
    out = tmp_path / "w.xlsx"
    with pytest.raises(RuntimeError), Workpaper(out) as wp:
        wp.add(report)
        scratch = Path(wp.scratch.name)
        assert any(scratch.iterdir())  # the sheets' rows, kept by xlsxwriter until the end
        raise RuntimeError("a disk full, a defect")
    assert not scratch.exists()
    with Workpaper(out) as wp:
        wp.add(report)
    assert not Path(wp.scratch.name).exists() and out.exists()


# --- the writer process (check --output on a machine with more than one core) ---------------------------


def cells_of(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def test_the_writer_process_writes_the_same_workpaper_as_one_process(batch: list[Path], tmp_path: Path) -> None:
    from perfeval.cli.workpaper_writer import BackgroundWorkpaper, InProcessWorkpaper

    reports = [check_file(p) for p in batch]
    for name, kind in (("one.xlsx", InProcessWorkpaper), ("two.xlsx", BackgroundWorkpaper)):
        with kind(tmp_path / name, False) as sink:
            for r in reports:
                sink.add(r)
            assert sink.finish() == (5, 4, {str(ROOT / "rubrics" / f) for f in _RUBRICS})
    assert cells_of(tmp_path / "two.xlsx") == cells_of(tmp_path / "one.xlsx")


_RUBRICS = ("taojiang-2019.yaml", "project-2020.yaml", "hunan-county-2019.yaml")


def test_a_failure_of_the_writer_process_is_raised_with_its_error(tmp_path: Path) -> None:
    from perfeval.cli.workpaper_writer import BackgroundWorkpaper

    report = check_file(department(tmp_path, "t.yaml", []))
    with pytest.raises(OSError) as err, BackgroundWorkpaper(tmp_path / "gone" / "w.xlsx", False) as sink:
        sink.add(report)
        sink.finish()
    assert err.value.errno is not None  # the writer's own error (no such folder), not a generic failure


def test_the_writer_process_discards_its_work_when_the_checking_stops(tmp_path: Path) -> None:
    import tempfile

    from perfeval.cli.workpaper_writer import BackgroundWorkpaper

    report = check_file(department(tmp_path, "t.yaml", []))
    scratch = set(Path(tempfile.gettempdir()).glob("perfeval-workpaper-*"))
    with pytest.raises(KeyboardInterrupt), BackgroundWorkpaper(tmp_path / "w.xlsx", False) as sink:
        sink.add(report)
        raise KeyboardInterrupt
    assert not sink.process.is_alive() and sink.process.exitcode == 0
    assert set(Path(tempfile.gettempdir()).glob("perfeval-workpaper-*")) == scratch  # its rows are gone


def test_check_writes_the_same_workpaper_in_one_process(batch: list[Path], tmp_path: Path, monkeypatch) -> None:
    two = tmp_path / "two.xlsx"
    CliRunner().invoke(app, ["check", "--no-table", "--output", str(two), *map(str, batch)])
    monkeypatch.setenv("PERFEVAL_WORKPAPER_IN_PROCESS", "1")
    one = tmp_path / "one.xlsx"
    CliRunner().invoke(app, ["check", "--no-table", "--output", str(one), *map(str, batch)])
    assert cells_of(one) == cells_of(two)


def test_a_file_that_cannot_be_written_is_an_os_error_not_xlsxwriters(tmp_path: Path) -> None:
    report = check_file(department(tmp_path, "t.yaml", []))
    with pytest.raises(OSError), Workpaper(tmp_path / "gone" / "w.xlsx") as wp:
        wp.add(report)  # the file is created when closed: the missing folder shows then


def test_remarks_a_row_cannot_hold_are_counted_and_listed_in_full_on_the_findings_sheet(root: Path, tmp_path) -> None:
    # 益阳's unit-level findings: more than a 409 pt row shows in the 40-wide 备注 column
    example = str(root / "examples" / "yiyang-gsl-2019.yaml")
    found = json.loads(CliRunner().invoke(app, ["check", example, "--format", "json"]).stdout)["files"][0]["problems"]
    assert len(found) == 8 and not any(p.get("indicator") for p in found)
    out = tmp_path / "wp.xlsx"
    result = CliRunner().invoke(app, ["check", example, "--output", str(out)])
    assert out.exists(), result.output
    wb = openpyxl.load_workbook(out)
    remarks = [str(c.value) for row in wb["指标明细"].iter_rows() for c in row if c.value and "另有" in str(c.value)]
    assert len(remarks) == 1
    shown = remarks[0].count("\n")  # the findings shown, then the line that counts the rest
    rest = int(remarks[0].rsplit("另有 ", 1)[1].split(" 条")[0])
    assert remarks[0].endswith("条问题，见“问题清单”") and shown + rest == len(found)
    listed = [r for r in wb["问题清单"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert len(listed) == len(found)  # every finding in full
