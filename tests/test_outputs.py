"""outputs.write_atomic: the one way perfeval writes a file. Never over an input, never over an
existing file without --force, never a half-written file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from perfeval.core.problems import InputError
from perfeval.fileio.safe_write import check_output_path, write_atomic


def codes(err: pytest.ExceptionInfo) -> list[str]:
    return [p.code for p in err.value.problems]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize(
    "content, expected",
    [
        pytest.param("审核报告\n总分 98.2\n", "审核报告\n总分 98.2\n".encode(), id="text-as-utf-8"),
        pytest.param(b"\x00\x01binary", b"\x00\x01binary", id="bytes"),
    ],
)
def test_writes_the_content_exactly(tmp_path, content, expected):
    out = tmp_path / "report.txt"
    write_atomic(out, content, force=False)
    assert out.read_bytes() == expected
    assert leftovers(tmp_path) == []


def test_a_writer_function_gets_a_temporary_path_beside_the_target(tmp_path):
    seen: list[Path] = []

    def save(path: Path) -> None:
        seen.append(path)
        path.write_bytes(b"PK workbook")

    out = tmp_path / "audit.xlsx"
    write_atomic(out, save, force=False)
    assert out.read_bytes() == b"PK workbook"
    assert seen[0].parent == tmp_path and seen[0] != out
    assert leftovers(tmp_path) == []


def test_an_existing_output_is_kept_without_force(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("earlier run", encoding="utf-8")
    with pytest.raises(InputError) as err:
        write_atomic(out, "new", force=False)
    assert codes(err) == ["output-exists"]
    assert "--force" in err.value.problems[0].message
    assert out.read_text(encoding="utf-8") == "earlier run"
    assert leftovers(tmp_path) == []


def test_force_replaces_an_existing_output_and_keeps_its_permissions(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("earlier run", encoding="utf-8")
    out.chmod(0o640)
    write_atomic(out, "new", force=True)
    assert out.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_new_output_gets_ordinary_permissions_not_the_temp_files_0600(tmp_path):
    out = tmp_path / "report.json"
    umask = os.umask(0o022)
    try:
        write_atomic(out, "x", force=False)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


@pytest.mark.parametrize("force", [False, True], ids=["without-force", "even-with-force"])
def test_an_input_is_never_an_output(tmp_path, force):
    dept = tmp_path / "dept.yaml"
    dept.write_text("unit: 测试单位\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        write_atomic(dept, "overwritten", force=force, inputs=(dept,))
    assert codes(err) == ["output-is-input"]
    assert dept.read_text(encoding="utf-8") == "unit: 测试单位\n"


def test_an_input_reached_by_another_name_is_still_the_input(tmp_path, monkeypatch):
    dept = tmp_path / "dept.yaml"
    dept.write_text("unit: 测试单位\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.yaml"
    link.symlink_to(dept)
    hard = tmp_path / "hard.yaml"
    os.link(dept, hard)
    monkeypatch.chdir(tmp_path / "sub")
    for other in (Path("../dept.yaml"), link, hard):
        with pytest.raises(InputError) as err:
            write_atomic(other, "overwritten", force=True, inputs=(Path("../dept.yaml"),))
        assert codes(err) == ["output-is-input"], other
    assert dept.read_text(encoding="utf-8") == "unit: 测试单位\n"


def test_a_directory_is_not_an_output(tmp_path):
    with pytest.raises(InputError) as err:
        write_atomic(tmp_path, "x", force=True)
    assert codes(err) == ["output-is-directory"]


def test_a_missing_output_folder_is_reported_not_created(tmp_path):
    out = tmp_path / "no-such-folder" / "report.json"
    with pytest.raises(InputError) as err:
        write_atomic(out, "x", force=False)
    assert codes(err) == ["output-dir-missing"]
    assert not out.parent.exists()


def test_a_failing_writer_leaves_no_file_and_no_temporary(tmp_path):
    out = tmp_path / "audit.xlsx"

    def save(path: Path) -> None:
        path.write_bytes(b"half a workbo")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(out, save, force=False)
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_a_failing_writer_leaves_the_previous_output_whole(tmp_path):
    out = tmp_path / "audit.xlsx"
    out.write_bytes(b"previous complete report")

    def save(path: Path) -> None:
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing

    with pytest.raises(KeyboardInterrupt):
        write_atomic(out, save, force=True)
    assert out.read_bytes() == b"previous complete report"
    assert leftovers(tmp_path) == []


def test_an_output_that_appears_while_writing_is_not_overwritten(tmp_path):
    out = tmp_path / "report.json"

    def save(path: Path) -> None:
        path.write_text("ours", encoding="utf-8")
        out.write_text("someone else's", encoding="utf-8")  # another process, meanwhile

    with pytest.raises(InputError) as err:
        write_atomic(out, save, force=False)
    assert codes(err) == ["output-exists"]
    assert out.read_text(encoding="utf-8") == "someone else's"
    assert leftovers(tmp_path) == []


def test_check_output_path_accepts_a_new_file(tmp_path):
    check_output_path(tmp_path / "new.json", force=False, inputs=(tmp_path / "dept.yaml",))
