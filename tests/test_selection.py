"""Choosing what is reported, as ruff does: --select narrows, --ignore removes (repeatable or comma separated,
each code checked against the catalogue); the command line beats the configuration; an ignored finding is
not shown and does not count, and the run says how many were ignored. Findings the department file accepts
(accepted:) are shown as accepted — text, JSON, GitHub, the workpaper, the HTML report — and not counted.
Levels: error / warning / info everywhere, P0 / P1 / P2 in the workpaper, changed per code by [severity]."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from test_check_findings import RUBRIC, mutated

GAP = "income-spending-gap"  # the example's one warning about its tables (8 unverifiable besides)
OVER = [["budget_adjustment_rate: 1.5", "budget_adjustment_rate: 2"], ["  total: 98.2", "  total: 98.7"]]
REASON = "年中追加 247.37 万元经县政府常务会议批准"
ACCEPT_OVER = f"accepted:\n  - {{code: over-claimed, indicator: 预算调整率, reason: {REASON}}}\n"


def run(*args: str):
    return CliRunner().invoke(app, ["check", "--isolated", *args])


def doc_of(*args: str) -> dict:
    return json.loads(run("--format", "json", *args).stdout)


def codes(doc: dict) -> list[str]:
    return [p["code"] for f in doc["files"] for p in f["problems"]]


@pytest.fixture
def over(tmp_path: Path) -> Path:
    """预算调整率 claimed in full: 高报 (an error, exit 1)."""
    return mutated(tmp_path, OVER, "over.yaml")


@pytest.fixture
def accepted(tmp_path: Path) -> Path:
    path = mutated(tmp_path, OVER, "accepted.yaml")
    path.write_text(path.read_text(encoding="utf-8") + ACCEPT_OVER, encoding="utf-8")
    return path


# --- --ignore and --select ------------------------------------------------------------------------------


def test_ignore_removes_the_findings_says_how_many_and_they_no_longer_count(over: Path) -> None:
    assert run(str(over)).exit_code == 1
    result = run("--ignore", "over-claimed", str(over), "--no-table")
    assert result.exit_code == 0
    assert "[over-claimed]" not in result.stdout
    assert "结论：通过（0 个错误，9 个警告；已忽略 1 个（over-claimed 1 个））" in result.stdout
    doc = doc_of("--ignore", "over-claimed", str(over))
    assert "over-claimed" not in codes(doc)
    assert doc["files"][0]["counts"] == {"error": 0, "warning": 9, "info": 0, "accepted": 0, "ignored": 1}
    assert doc["summary"]["ignored"] == 1 and doc["summary"]["exit_code"] == 0


def test_codes_are_repeated_or_comma_separated_and_the_batch_total_says_the_ignored(over: Path, tmp_path) -> None:
    good = mutated(tmp_path, [], "good.yaml")
    result = run("--ignore", f"over-claimed, {GAP}", "--ignore", "unverifiable", str(over), str(good))
    assert result.exit_code == 0, result.output
    assert "共 2 个文件：0 个错误，0 个警告；已忽略 19 个" in result.stderr  # 1 + 2 × (1 + 8)
    github = CliRunner().invoke(app, ["check", "--isolated", "-f", "github", "--ignore", GAP, str(good)])
    assert github.stdout.count("::warning ") == 8 and "已忽略 1 个" in github.stderr


def test_select_narrows_and_ignore_removes_from_the_selection(over: Path) -> None:
    doc = doc_of("--select", f"over-claimed,{GAP}", str(over))
    assert sorted(set(codes(doc))) == [GAP, "over-claimed"]
    assert doc["files"][0]["counts"]["ignored"] == 8  # the unverifiable ones
    doc = doc_of("--select", f"over-claimed,{GAP}", "--ignore", "over-claimed", str(over))
    assert codes(doc) == [GAP] and doc["files"][0]["exit_code"] == 0


def test_the_command_line_beats_the_configuration(over: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "perfeval.toml").write_text(f'select = ["over-claimed", "{GAP}"]\nignore = ["{GAP}"]\n', "utf-8")
    by_file = json.loads(CliRunner().invoke(app, ["check", "-f", "json", over.name]).stdout)
    assert codes(by_file) == ["over-claimed"]
    # --ignore adds to the file's ignore …
    also = json.loads(CliRunner().invoke(app, ["check", "-f", "json", "--ignore", "over-claimed", over.name]).stdout)
    assert codes(also) == [] and also["files"][0]["counts"]["ignored"] == 10
    # … --select starts afresh: the file's select and ignore are dropped
    fresh = json.loads(CliRunner().invoke(app, ["check", "-f", "json", "--select", GAP, over.name]).stdout)
    assert codes(fresh) == [GAP]


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("over-claimd", "'over-claimd' 不是 perfeval 的问题代码；是否想写 over-claimed（高报）"),
        ("income-spending", "是否想写 income-spending-gap（收支差额可由预算调整解释）"),
        ("yaml-syntax", "yaml-syntax（YAML 语法错误）表示文件无法读取或输出无法写出，不能忽略"),
        ("zzz", "问题代码是 perfeval 输出中每条问题末尾方括号里的英文"),
        (",", "--ignore 后应写问题代码"),
    ],
)
def test_an_unknown_code_is_refused_with_the_closest(over: Path, option: str, says: str) -> None:
    result = run("--ignore", option, str(over))
    assert result.exit_code == 2 and result.stdout == ""
    assert says in result.stderr, result.stderr


def test_a_file_that_cannot_be_read_keeps_its_problems(tmp_path: Path) -> None:
    unknown = mutated(tmp_path, [["staff_control_rate: 4 ", "staff_controll_rate: 4 "]], "unknown.yaml")
    result = run("--ignore", "unknown-indicator", str(unknown))
    assert result.exit_code == 2 and "[unknown-indicator]" in result.stderr  # refused input is never chosen away


def test_a_rubric_that_cannot_be_used_is_never_chosen_away(tmp_path: Path) -> None:
    rubric = tmp_path / "unsound.yaml"
    rubric.write_text(RUBRIC.read_text("utf-8").replace("total: 100", "total: 99", 1), encoding="utf-8")
    dept = mutated(tmp_path, [[f"rubric: {RUBRIC.as_posix()}", f"rubric: {rubric.as_posix()}"]], "dept.yaml")
    result = CliRunner().invoke(app, ["validate", "--isolated", "--select", "over-claimed", str(dept)])
    assert result.exit_code == 1 and "[rubric-invalid]" in result.stdout  # what says why the file cannot be checked


def test_validate_takes_select_and_ignore(tmp_path: Path) -> None:
    partial = tmp_path / "rubric.yaml"
    source = (Path(__file__).resolve().parents[1] / "rubrics" / "hunan-county-2019-8pt.yaml").read_text("utf-8")
    partial.write_text(source, encoding="utf-8")
    shown = CliRunner().invoke(app, ["validate", "--isolated", "-f", "json", str(partial)])
    found = [p["code"] for p in json.loads(shown.stdout)["files"][0]["problems"]]
    assert "children-incomplete" in found
    hidden = CliRunner().invoke(app, ["validate", "--isolated", "--ignore", "children-incomplete", str(partial)])
    assert "children-incomplete" not in hidden.stdout and "已忽略" in hidden.stderr


# --- levels: [severity] and --strict ---------------------------------------------------------------------


def test_severity_in_the_configuration_changes_a_code_s_level(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    good = mutated(tmp_path, [], "good.yaml")
    assert CliRunner().invoke(app, ["check", good.name]).exit_code == 0
    (tmp_path / "perfeval.toml").write_text(f'[severity]\n{GAP} = "error"\nunverifiable = "提示"\n', "utf-8")
    result = CliRunner().invoke(app, ["check", "-f", "json", good.name])
    assert result.exit_code == 1
    levels = {p["code"]: p["level"] for p in json.loads(result.stdout)["files"][0]["problems"]}
    assert levels == {GAP: "error", "unverifiable": "info"}


def test_strict_counts_warnings_but_not_accepted_ones(tmp_path: Path) -> None:
    good = mutated(tmp_path, [], "good.yaml")
    assert run("--strict", "--ignore", "unverifiable", str(good)).exit_code == 1  # the gap is a warning
    good.write_text(good.read_text("utf-8") + f"accepted:\n  - {{code: {GAP}, reason: {REASON}}}\n", "utf-8")
    assert run("--strict", "--ignore", "unverifiable", str(good)).exit_code == 0


# --- accepted: shown as accepted, not counted ---------------------------------------------------------------


def test_an_accepted_error_is_shown_as_accepted_in_text_and_does_not_fail(accepted: Path) -> None:
    result = run(str(accepted), "--no-table")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "[over-claimed]" in line)
    assert "错误（已接受）：预算调整率" in line and line.endswith(f"接受理由：{REASON}")
    assert "结论：通过（0 个错误，9 个警告；已接受 1 个（不计入结论））" in result.stdout


def test_an_accepted_finding_in_json_and_github(accepted: Path) -> None:
    doc = doc_of(str(accepted))
    over = next(p for p in doc["files"][0]["problems"] if p["code"] == "over-claimed")
    assert over["accepted"] == {"reason": REASON} and over["level"] == "error"
    assert doc["files"][0]["counts"]["error"] == 0 and doc["files"][0]["counts"]["accepted"] == 1
    assert doc["summary"]["accepted"] == 1 and doc["files"][0]["exit_code"] == 0
    github = CliRunner().invoke(app, ["check", "--isolated", "-f", "github", str(accepted)]).stdout
    line = next(line for line in github.splitlines() if "over-claimed" in line)
    assert line.startswith("::notice ") and "（已接受）" in line and REASON in line


def test_an_accepted_finding_in_the_workpaper_and_the_report(accepted: Path, over: Path, tmp_path: Path) -> None:
    book = tmp_path / "review.xlsx"
    result = run(str(accepted), str(over), "--output", str(book))
    assert result.exit_code == 1  # over.yaml's 高报 is not accepted
    wb = openpyxl.load_workbook(book)
    findings = [[c.value for c in row] for row in wb["问题清单"].iter_rows(min_row=3)]
    over_rows = [r for r in findings if r[4] == "高报"]
    assert [r[3] for r in over_rows] == ["P0 错误（已接受）", "P0 错误"]
    assert over_rows[0][-1].endswith(f"；接受理由：{REASON}")
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows(min_row=3, max_row=4)]
    p0 = [c.value for c in wb["汇总"][2]].index("P0 错误")
    assert [r[p0] for r in summary] == [0, 1]  # the accepted P0 does not count
    notes = [c.value for c in wb["汇总"]["A"] if isinstance(c.value, str)]
    assert any("已接受 1 个（不计入结论）" in n for n in notes), notes
    detail = [[c.value for c in row] for row in wb["指标明细"].iter_rows(min_row=3)]
    assert any(r[-1] and r[-1].startswith("P0 错误（已接受）：预算调整率") for r in detail)
    html = tmp_path / "review.html"
    assert CliRunner().invoke(app, ["report", "--isolated", str(accepted), "-o", str(html)]).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert '<span class="sev accepted">已接受</span>' in page and f"接受理由：{REASON}" in page


def test_an_acceptance_that_matches_nothing_is_a_warning(tmp_path: Path) -> None:
    good = mutated(tmp_path, [], "good.yaml")
    good.write_text(good.read_text("utf-8") + ACCEPT_OVER, "utf-8")
    result = run(str(good), "--no-table")
    assert result.exit_code == 0
    assert "警告：accepted 第 1 条接受 over-claimed（高报）·预算调整率，但本次审核没有这条问题" in result.stdout
    assert "[unused-acceptance]" in result.stdout
    assert run("--strict", "--ignore", f"{GAP},unverifiable", str(good)).exit_code == 1
    assert run("--strict", "--ignore", f"{GAP},unverifiable,unused-acceptance", str(good)).exit_code == 0


def test_accepted_survives_a_conversion_to_yaml_and_to_a_workbook(accepted: Path, tmp_path) -> None:
    again = tmp_path / "again.yaml"
    assert CliRunner().invoke(app, ["convert", "--isolated", str(accepted), str(again)]).exit_code == 0
    assert f"reason: {REASON}" in again.read_text(encoding="utf-8")

    def reasons(path: Path) -> list[tuple[str, str | None]]:
        return [(p["code"], (p["accepted"] or {}).get("reason")) for p in doc_of(str(path))["files"][0]["problems"]]

    assert reasons(again) == reasons(accepted) and ("over-claimed", REASON) in reasons(again)
    book = tmp_path / "a.xlsx"  # the workbook holds them on 其他内容, and `check` applies them as from YAML
    assert CliRunner().invoke(app, ["convert", "--isolated", str(accepted), str(book)]).exit_code == 0
    assert reasons(book) == reasons(accepted)


def test_a_finding_of_the_review_comparison_can_be_accepted_too(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.yaml"  # the rubric flags a 偏离度 above 30%
    rubric.write_text(RUBRIC.read_text("utf-8") + "review: {threshold: 30%}\n", encoding="utf-8")
    dept = mutated(tmp_path, [[f"rubric: {RUBRIC.as_posix()}", f"rubric: {rubric.as_posix()}"]], "dept.yaml")
    dept.write_text(
        dept.read_text("utf-8")
        + "review: {scores: {economic_benefit: {score: 3, reason: 佐证不足}}}\n"
        + "accepted: [{code: review-deviation, indicator: 经济效益, reason: 评审组已与单位当面核对}]\n",
        encoding="utf-8",
    )
    problems = doc_of(str(dept))["files"][0]["problems"]
    flagged = [p for p in problems if p["code"] == "review-deviation"]
    assert len(flagged) == 1 and flagged[0]["accepted"] == {"reason": "评审组已与单位当面核对"}
    assert "unused-acceptance" not in [p["code"] for p in problems]


def test_worker_processes_apply_the_same_choice_and_sample(over: Path, accepted: Path, tmp_path: Path) -> None:
    good = mutated(tmp_path, [], "good.yaml")
    args = ["--ignore", "unverifiable", "--sample", "2", "--by", "偏差", str(over), str(accepted), str(good)]
    assert doc_of("--jobs", "2", *args) == doc_of(*args)
