"""Writing output files safely: never over an input, never over an existing file without
``--force``, and always through a temporary file renamed into place (no half-written files)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from perfeval.core.problems import InputError, Location, Problem


def check_output_path(path: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse to write over an input, or over an existing file unless ``force``."""
    target = path.resolve()
    for p in inputs:
        try:
            same = p.exists() and target.exists() and os.path.samefile(p, target)
        except OSError:
            same = False
        if same or p.resolve() == target:
            raise InputError(
                [
                    Problem(
                        "output-is-input",
                        "输出文件与输入文件相同；perfeval 从不改写输入文件，请换一个输出文件名",
                        Location(str(path)),
                    )
                ]
            )
    if path.is_dir():
        raise InputError([Problem("output-is-directory", "输出路径是一个文件夹；请给出文件名", Location(str(path)))])
    if path.exists() and not force:
        raise InputError([Problem("output-exists", "输出文件已存在；如确需覆盖，请加 --force", Location(str(path)))])
    if not path.parent.exists():
        raise InputError(
            [Problem("output-dir-missing", f"输出目录 {path.parent} 不存在；请先创建", Location(str(path)))]
        )


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


def write_atomic(
    path: Path, write: Callable[[Path], None] | bytes | str, *, force: bool, inputs: tuple[Path, ...] = ()
) -> None:
    """Write ``path`` via a temporary file in the same directory, then rename it into place.

    ``write`` is the content (bytes or text, UTF-8) or a function that writes a file at the
    temporary path it is given (e.g. ``workbook.save``). If anything fails, the temporary file
    is removed and ``path`` is as it was.
    """
    path = Path(path)
    check_output_path(path, force=force, inputs=inputs)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
