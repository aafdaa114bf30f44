"""The reviewer's 复核 (issue 15): YAML cases in tests/cases/reviews/, and the command line around them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.pipeline.reports import check_file

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
SMALL = {
    "indicators": [
        {
            "id": "work",
            "name": "工作",
            "weight": 10,
            "children": [
                {"id": "a", "name": "指标甲", "weight": 6, "description": "酌情评分", "rule": {"kind": "judged"}},
                {"id": "b", "name": "指标乙", "weight": 4, "description": "酌情评分", "rule": {"kind": "judged"}},
            ],
        }
    ],
    "total": 10,
    "grades": [],
    "adjustments": [],
}
CASES = [
    (f"{path.stem}/{case['id']}", case)
    for path in sorted((Path(__file__).parent / "cases" / "reviews").glob("*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))
]


def _write(case: dict, tmp_path: Path) -> Path:
    rubric = RUBRIC
    if "rubric_patch" in case or case.get("small"):
        data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
        if case.get("small"):
            data.update(SMALL)
        data.update(case.get("rubric_patch", {}))
        rubric = tmp_path / "rubric.yaml"
        rubric.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = {"format": "perfeval/department@1", "unit": "测试单位", "year": 2019, "rubric": str(rubric)}
    doc.update(case["department"])
    if "review_file" in case:
        text = yaml.safe_dump(case["review_file"], allow_unicode=True, sort_keys=False)
        (tmp_path / "复核.review.yaml").write_text(text, encoding="utf-8")
    path = tmp_path / "dept.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_review_case(case: dict, tmp_path: Path) -> None:
    report = check_file(_write(case, tmp_path))
    if "refused" in case:
        assert not report.readable and report.exit_code() == 2
        for want in case["refused"]:
            found = [p for p in report.problems if p.code == want["code"]]
            assert len(found) == want.get("count", 1), [(p.code, p.message) for p in report.problems]
            assert found[0].location is not None and found[0].location.line is not None, found[0]
            for words in want["contains"]:
                assert words in found[0].message, found[0].message
        return
    assert report.readable, [(p.code, p.message) for p in report.problems]
    if case.get("no_review"):
        assert report.review is None
    rows = {r.id: r for r in report.indicators}
    for iid, want in case.get("rows", {}).items():
        row = rows[iid]
        for key, attr in (("self", "self_score"), ("recomputed", "score"), ("reviewed", "reviewed")):
            if key in want:
                assert getattr(row, attr) == _decimal(want[key]), (iid, key, getattr(row, attr))
        if "audited" in want:
            assert row.audited_score == _decimal(want["audited"]) and row.audited_basis == "reviewer"
        if "deviation" in want:
            assert row.deviation == _decimal(want["deviation"]), (iid, row.deviation)
        if "value" in want:
            assert row.review_value == want["value"]
        if "reason" in want:
            assert row.review_reason is not None and want["reason"] in row.review_reason, row.review_reason
    if "review" in case:
        summary = report.review
        assert summary is not None
        for key, value in case["review"].items():
            got = getattr(summary, key)
            if key == "file":
                assert got is not None and Path(got).name == value
            elif key in ("total", "deviation"):
                assert got == _decimal(value), (key, got)
            else:
                assert got == value, (key, got)
    for want in case.get("expect", []):
        found = [p for p in report.problems if p.code == want["code"]]
        assert found, [(p.code, p.message) for p in report.problems]
        hit = [p for p in found if all(w in p.message for w in want["contains"])]
        assert len(hit) == 1, [p.message for p in found]
        assert hit[0].level == want["level"] and hit[0].location is not None and hit[0].location.line is not None
    for iid in case.get("not_flagged", []):
        assert not [p for p in report.problems if p.code == "review-deviation" and p.indicator_id == iid]
    assert report.exit_code() == case["exit"], [(p.code, p.message) for p in report.problems]


# --- the command line --------------------------------------------------------------------------------------

runner = CliRunner()
REVIEWED = next(c for i, c in CASES if i.endswith("/three-columns-kept-apart"))


def test_check_shows_the_three_columns_and_the_review_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_write(REVIEWED, tmp_path))])
    header = next(line for line in result.stdout.splitlines() if "核算得分" in line)
    assert header.index("自评得分") < header.index("核算得分") < header.index("复核得分") < header.index("偏离度")
    row = next(line for line in result.stdout.splitlines() if "预算完成率" in line)
    assert "1.9" in row and "5.00%" in row
    assert "复核：某县财政局绩效股复核 1/27 项" in result.stdout


def test_json_carries_the_review(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_write(REVIEWED, tmp_path)), "-f", "json"])
    doc = json.loads(result.stdout)["files"][0]
    assert doc["review"]["reviewer"] == "某县财政局绩效股" and doc["review"]["deviation_measure"] == "relative"
    row = next(i for i in doc["indicators"] if i["id"] == "budget_completion_rate")
    assert (row["self_score"], row["score"], row["reviewed"], row["deviation"]) == ("2", "1.9", "1.9", "0.05")
    assert row["review"]["value"] == "94.85%"


def test_the_workpaper_has_the_reviewers_columns(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "review.xlsx"
    result = runner.invoke(app, ["check", str(_write(REVIEWED, tmp_path)), "-o", str(out)])
    assert out.exists(), result.output
    ws = load_workbook(out)["指标明细"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(r for r in rows if "复核完成值" in r)
    row = next(r for r in rows if "预算完成率" in r)
    cell = dict(zip(header, row, strict=True))
    assert cell["复核完成值"] == "94.85%" and cell["复核得分"] == 1.9 and cell["偏离度"] == 0.05
    assert "复核：按全年执行数" in cell["备注"]


def test_an_unused_review_file_is_reported(tmp_path: Path) -> None:
    case = next(c for i, c in CASES if i.endswith("/a-review-file-of-another-year-is-not-taken"))
    _write(case, tmp_path)
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert "复核.review.yaml:2:7: 警告：复核文件没有被使用" in result.stderr and "[review-unmatched]" in result.stderr


def test_an_unreadable_review_file_in_the_folder_is_reported_not_dropped(tmp_path: Path) -> None:
    case = next(c for i, c in CASES if i.endswith("/a-review-file-of-another-year-is-not-taken"))
    _write(case, tmp_path)
    (tmp_path / "坏.review.yaml").write_text("format: perfeval/review@1\nunit: [x\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "坏.review.yaml" in result.stderr and "YAML 语法错误" in result.stderr


def test_two_review_files_for_one_unit_are_not_chosen_between(tmp_path: Path) -> None:
    case = next(c for i, c in CASES if i.endswith("/a-review-file-beside-the-department-by-unit-and-year"))
    path = _write(case, tmp_path)
    (tmp_path / "another.review.yaml").write_text((tmp_path / "复核.review.yaml").read_text("utf-8"), "utf-8")
    report = check_file(path)
    assert not report.readable
    assert [p.code for p in report.problems] == ["review-ambiguous"]
    assert "another.review.yaml、复核.review.yaml" in report.problems[0].message


def test_a_review_file_that_is_not_one(tmp_path: Path) -> None:
    case = dict(REVIEWED, department={**REVIEWED["department"], "review": "other.review.yaml"})
    path = _write(case, tmp_path)
    (tmp_path / "other.review.yaml").write_text("unit: 测试单位\nyear: 2019\n", encoding="utf-8")
    report = check_file(path)
    assert [p.code for p in report.problems] == ["review-unreadable", "not-a-review"]
