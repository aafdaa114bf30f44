"""Writing output files safely: never over an input, never over an existing file without
``--force``, and always through a temporary file renamed into place (no half-written files).

* An output never replaces an input of the same run — department, rubric, or a file given
  twice — ``--force`` or not: the same path, the same file by another path (a symbolic or hard
  link), told apart by the file system (``samefile``) and by the resolved path.
* An output that exists and is not a regular file (``/dev/null``, a pipe) is never replaced.
* The temporary file is removed when writing fails, on Ctrl-C (SIGINT) and on SIGTERM/SIGHUP
  alike: a handler is installed while the file is written, and the previous one restored.
* A full disk, a read-only folder or missing permission is an :class:`InputError` with a
  Chinese message (exit 2), never a Python exception; :func:`ensure_writable` finds it before
  any work starts.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from perfeval.core.problems import InputError, Location, Problem

_WRITE_ERRORS = {  # errno → (code, what happened, what to do)
    errno.ENOSPC: ("disk-full", "磁盘空间已满", "请清理磁盘空间，或把输出写到别的位置"),
    errno.EDQUOT: ("disk-full", "超出了磁盘配额", "请清理空间，或把输出写到别的位置"),
    errno.EFBIG: ("disk-full", "文件超出了文件系统允许的大小", "请把输出写到别的位置"),
    errno.EACCES: ("output-unwritable", "没有写入权限", "请换一个有写入权限的文件夹"),
    errno.EPERM: ("output-unwritable", "不允许写入", "请换一个有写入权限的文件夹"),
    errno.EROFS: ("output-unwritable", "所在的磁盘是只读的", "请换一个可写的位置"),
    errno.EIO: ("output-failed", "磁盘读写出错", "请检查磁盘，或换一个位置"),
    errno.ENOTDIR: ("output-dir-missing", "路径中有一段不是文件夹", "请检查输出路径"),
    errno.ENAMETOOLONG: ("output-failed", "文件名或路径过长", "请换一个短一些的文件名"),
    errno.ENOENT: ("output-dir-missing", "输出文件夹不存在（或已被删除）", "请先创建该文件夹"),
    errno.EPIPE: ("output-failed", "读取输出的程序已经退出", "请检查管道另一端的命令"),
}


def write_error(exc: OSError, target: str) -> InputError | None:
    """An OS error while writing ``target`` (a path, or ``标准输出``) as a located Chinese problem;
    ``None`` for an error that is not about the place written to (a defect, to be reported as one).

    For the commands too: ``/dev/full`` as stdout raises ``OSError(ENOSPC)`` on flush."""
    known = _WRITE_ERRORS.get(exc.errno or 0)
    if known is None:
        return None
    code, what, fix = known
    return InputError([Problem(code, f"无法写入：{what}；{fix}", Location(target))])


def check_output_path(path: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse to write over an input (whatever ``force``), over what is not a regular file, or
    over an existing file unless ``force``."""
    path = Path(path)
    target = path.resolve()
    for p in inputs:
        p = Path(p)
        try:
            same = p.exists() and path.exists() and os.path.samefile(p, path)
        except (OSError, ValueError):
            same = False
        try:
            resolved_same = p.resolve() == target
        except (OSError, RuntimeError, ValueError):  # a symbolic-link loop, a NUL byte
            resolved_same = False
        if same or resolved_same:
            raise InputError(
                [
                    Problem(
                        "output-is-input",
                        f"输出文件与输入文件相同（{p}）；perfeval 从不改写输入文件（加 --force 也不会），"
                        "请换一个输出文件名",
                        Location(str(path)),
                    )
                ]
            )
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise write_error(exc, str(path)) or exc from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError([Problem("output-is-directory", "输出路径是一个文件夹；请给出文件名", Location(str(path)))])
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError(
            [
                Problem(
                    "output-not-a-file",
                    "输出路径已存在，且不是普通文件（是设备、管道或套接字）；perfeval 不会替换它，请给出一个文件名",
                    Location(str(path)),
                )
            ]
        )
    if info is not None and not force:
        raise InputError([Problem("output-exists", "输出文件已存在；如确需覆盖，请加 --force", Location(str(path)))])
    parent = path.parent
    if not parent.exists():
        raise InputError([Problem("output-dir-missing", f"输出目录 {parent} 不存在；请先创建", Location(str(path)))])
    if not parent.is_dir():
        raise InputError(
            [Problem("output-dir-missing", f"输出目录 {parent} 不是文件夹；请检查输出路径", Location(str(path)))]
        )


def ensure_writable(path: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    """Everything :func:`check_output_path` checks, and that a file can be created in the folder —
    tried for real (a temporary file made and removed at once), so that a read-only folder, a
    missing permission or a full disk is reported before the work starts, not after an audit of
    a hundred departments."""
    path = Path(path)
    check_output_path(path, force=force, inputs=inputs)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_error(exc, str(path)) or exc from None
    os.close(fd)
    os.unlink(probe)


def _new_file_mode(path: Path) -> int:
    """The mode the output gets: the replaced file's, else what the umask gives a new file.

    (``mkstemp`` creates 0600 files; an audit report should be as readable as any file the
    user saves.)
    """
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


_TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through write_atomic's clean-up, as Ctrl-C does


@contextlib.contextmanager
def _cleaned_up_on_termination() -> Iterator[None]:
    """While the body runs, SIGTERM and SIGHUP end the process through Python's unwinding
    (exit 128 + signal) instead of at once, so the temporary file is removed as on Ctrl-C.
    Only in the main thread (where signal handlers live); the previous handlers are restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for sig in _TERMINATING:
        handler = signal.getsignal(sig)
        if handler is signal.SIG_IGN:  # (nohup) stays ignored
            continue
        previous[sig] = handler
        signal.signal(sig, _terminate)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *_TERMINATING})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def write_atomic(
    path: Path, write: Callable[[Path], None] | bytes | str, *, force: bool, inputs: tuple[Path, ...] = ()
) -> None:
    """Write ``path`` via a temporary file in the same directory, then rename it into place.

    ``write`` is the content (bytes or text, UTF-8) or a function that writes a file at the
    temporary path it is given (e.g. ``workbook.save``). If anything fails — or the process is
    interrupted or terminated meanwhile — the temporary file is removed and ``path`` is as it was.
    A full disk or a folder without permission is an :class:`InputError`.
    """
    path = Path(path)
    check_output_path(path, force=force, inputs=inputs)
    with _cleaned_up_on_termination():
        with _signals_held():  # a termination between creating the file and knowing its name waits
            try:
                fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            except OSError as exc:
                raise write_error(exc, str(path)) or exc from None
            tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                if isinstance(write, str):
                    fh.write(write.encode("utf-8"))
                elif isinstance(write, bytes):
                    fh.write(write)
            if callable(write):
                write(tmp)
            with open(tmp, "rb") as fh:  # on disk before it takes the name
                os.fsync(fh.fileno())
            os.chmod(tmp, _new_file_mode(path))
            if not force and path.exists():  # appeared meanwhile
                raise InputError(
                    [Problem("output-exists", "输出文件已存在；如确需覆盖，请加 --force", Location(str(path)))]
                )
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise write_error(exc, str(path)) or exc from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
