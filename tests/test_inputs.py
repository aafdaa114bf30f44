"""Folders and glob patterns on the command line: ``perfeval check depts/`` checks every department file under
it, in a stable order, skipping — by their content, and saying how many — the files that are not department
files: rubrics, configuration files, Office's ``~$`` lock files, anything neither YAML nor a workbook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.cli.inputs import CONFIG, LOCK, OTHER, kind_of

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"


def department(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE.read_text(encoding="utf-8").replace("rubric: ../rubrics/", f"rubric: {ROOT.as_posix()}/rubrics/")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A county's folder as people keep it: departments in subfolders, and other files beside them."""
    root = tmp_path / "县"
    department(root / "b-财政局.yaml")
    department(root / "a" / "县政府办.yaml")
    department(root / "a" / "z" / "教育局.yml")
    shutil.copy(RUBRIC, root / "评分表.yaml")  # a rubric kept beside the departments
    (root / "settings.yaml").write_text("theme: dark\nwidth: 120\n", encoding="utf-8")  # a configuration file
    (root / "~$县政府办.xlsx").write_bytes(b"\x00lock")  # Excel's lock file while a workbook is open
    (root / "说明.txt").write_text("每个部门一份\n", encoding="utf-8")
    (root / ".git").mkdir()
    department(root / ".git" / "hidden.yaml")  # hidden folders are not walked
    return root


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_a_folder_checks_every_department_under_it_in_path_order(county: Path) -> None:
    result = run("check", str(county), "--format", "json")
    assert result.exit_code == 0, result.output
    files = [Path(f["file"]).relative_to(county).as_posix() for f in json.loads(result.stdout)["files"]]
    assert files == ["a/z/教育局.yml", "a/县政府办.yaml", "b-财政局.yaml"]
    assert "已跳过 4 个不是部门文件的文件" in result.stderr
    for kind in ("评分表 1 个", f"{CONFIG} 1 个", f"{LOCK} 1 个", f"{OTHER} 1 个"):
        assert kind in result.stderr, kind


def test_files_found_in_a_folder_are_sniffed_by_content(county: Path, tmp_path: Path) -> None:
    assert kind_of(county / "评分表.yaml") == "rubric"
    assert kind_of(county / "settings.yaml") == CONFIG
    assert kind_of(county / "~$县政府办.xlsx") == LOCK
    assert kind_of(county / "说明.txt") == OTHER
    renamed = tmp_path / "no-format.yaml"  # a department file without its format: line
    renamed.write_text("unit: 县政府办\nyear: 2019\n", encoding="utf-8")
    assert kind_of(renamed) == "department"


def test_workbooks_in_a_folder_are_taken_by_their_sheets(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "评分表"
    book.save(tmp_path / "部门.xlsx")
    other = openpyxl.Workbook()
    other.active.title = "工资表"
    other.save(tmp_path / "工资.xlsx")
    audit = openpyxl.Workbook()
    audit.active.title = "评分表"
    audit.create_sheet("问题清单")
    audit.save(tmp_path / "审核结果.xlsx")
    assert [kind_of(tmp_path / n) for n in ("部门.xlsx", "工资.xlsx", "审核结果.xlsx")] == [
        "department",
        "审核结果等其他工作簿",
        "审核结果等其他工作簿",
    ]


def test_validate_takes_the_rubrics_in_a_folder_too(county: Path) -> None:
    result = run("validate", str(county), "--format", "json")
    files = sorted(Path(f["file"]).name for f in json.loads(result.stdout)["files"])
    assert files == ["b-财政局.yaml", "县政府办.yaml", "教育局.yml", "评分表.yaml"]
    assert "已跳过 3 个" in result.stderr


def test_a_glob_pattern_is_matched_by_perfeval(county: Path) -> None:
    """On Windows the shell passes `a/*.yaml` as it is: perfeval matches it, in path order."""
    result = run("check", str(county / "**" / "*.y*ml"), "--format", "json")
    files = [f["file"] for f in json.loads(result.stdout)["files"]]
    names = [Path(f).name for f in files]
    assert "教育局.yml" in names and "settings.yaml" in names  # a pattern names files: each is taken
    assert "hidden.yaml" not in names
    assert files == sorted(files, key=Path)


def test_a_folder_without_department_files_is_a_usage_problem(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert "没有部门文件" in result.stderr and "[no-department-files]" in result.stderr


def test_a_pattern_that_matches_nothing_is_a_usage_problem(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "d1*.yaml"))
    assert result.exit_code == 2
    assert "没有与此通配符匹配的文件" in result.stderr and "[no-match]" in result.stderr


def test_a_file_named_on_the_command_line_is_always_taken(county: Path) -> None:
    """Only a folder's contents are sniffed: a rubric named as a department is the pipeline's to refuse."""
    result = run("check", str(county / "评分表.yaml"))
    assert result.exit_code == 2
    assert "已跳过" not in result.stderr
