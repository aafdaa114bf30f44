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


# --- hostile and broken places to write to ------------------------------------------------------

import errno  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from perfeval.fileio.safe_write import ensure_writable, write_error  # noqa: E402


def test_a_full_disk_is_an_input_error_with_a_chinese_message_and_leaves_nothing(tmp_path):
    out = tmp_path / "audit.xlsx"

    def save(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError) as err:
        write_atomic(out, save, force=False)
    assert codes(err) == ["disk-full"]
    assert "磁盘空间已满" in err.value.problems[0].message
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_dev_full_as_stdout_becomes_a_disk_full_problem():
    with open("/dev/full", "wb", buffering=0) as full:
        with pytest.raises(OSError) as raised:
            full.write(b"98.2\n")
    err = write_error(raised.value, "标准输出")
    assert err is not None and [p.code for p in err.problems] == ["disk-full"]
    assert write_error(OSError("no errno"), "x") is None  # not about the place written to: a defect


def test_an_existing_output_that_is_not_a_regular_file_is_never_replaced(tmp_path):
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as err:
        write_atomic(fifo, "x", force=True)
    assert codes(err) == ["output-not-a-file"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_unwritable_folder_is_found_before_any_work(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    ensure_writable(tmp_path / "audit.xlsx", force=False)  # a writable folder: nothing left behind
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(InputError) as err:
        ensure_writable(tmp_path / "audit.xlsx", force=False)
    assert codes(err) == ["output-unwritable"]
    assert "没有写入权限" in err.value.problems[0].message


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("capsh") is None, reason="needs root and capsh to drop capabilities"
)
def test_a_read_only_folder_is_refused_for_real_without_root_s_override(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    script = (
        "import sys; from pathlib import Path; from perfeval.fileio.safe_write import ensure_writable; "
        "from perfeval.core.problems import InputError\n"
        "try: ensure_writable(Path(sys.argv[1]), force=False)\n"
        "except InputError as e: print(e.problems[0].code); sys.exit(2)"
    )
    done = subprocess.run(
        [
            "capsh",
            "--drop=cap_dac_override,cap_dac_read_search",
            "--",
            "-c",
            '"$0" -c "$1" "$2"',
            sys.executable,
            script,
            str(folder / "audit.xlsx"),
        ],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout.strip()) == (2, "output-unwritable"), done.stderr
    assert list(folder.iterdir()) == []


def test_sigterm_while_writing_removes_the_temporary_file_as_ctrl_c_does(tmp_path):
    out = tmp_path / "audit.xlsx"
    before = signal.getsignal(signal.SIGTERM)

    def save(path: Path) -> None:
        path.write_bytes(b"half a workbo")
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(10**7):  # the handler runs at the next bytecode; never reached in full
            pass

    with pytest.raises(SystemExit) as stop:
        write_atomic(out, save, force=False)
    assert stop.value.code == 128 + signal.SIGTERM
    assert not out.exists() and leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is before  # restored


def test_sigterm_from_another_process_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "audit.xlsx"
    script = (
        "import sys, time; from pathlib import Path; from perfeval.fileio.safe_write import write_atomic\n"
        "def save(p):\n"
        "    p.write_bytes(b'half'); print('ready', flush=True); time.sleep(60)\n"
        "write_atomic(Path(sys.argv[1]), save, force=False)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    assert leftovers(tmp_path) != []  # the temporary file exists while writing
    proc.send_signal(signal.SIGTERM)
    assert proc.wait() == 128 + signal.SIGTERM
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "number, code",
    [
        (errno.ENOSPC, "disk-full"),
        (errno.EDQUOT, "disk-full"),
        (errno.EACCES, "output-unwritable"),
        (errno.EROFS, "output-unwritable"),
        (errno.EIO, "output-failed"),
        (errno.ENAMETOOLONG, "output-failed"),
        (errno.ENOTDIR, "output-dir-missing"),
    ],
)
def test_each_os_error_on_writing_has_its_code_and_a_chinese_message(number, code):
    err = write_error(OSError(number, os.strerror(number)), "out.xlsx")
    assert err is not None
    (p,) = err.problems
    assert (p.code, p.location.file) == (code, "out.xlsx")
    assert p.message.startswith("无法写入：")
