"""``check --output``: the workpaper's file written in a second process while this one checks the files.

Nearly all of the workpaper's cost is xlsxwriter's (about 3.2 ms a unit against 1.3 ms to check it). So on
a machine with more than one core, this process turns each report into the workpaper's rows as it comes
(:class:`perfeval.reporting.workpaper.WorkpaperRows`: plain floats and strings) and sends them through a
pipe to a writer process that only writes them (:class:`~perfeval.reporting.workpaper.WorkpaperFile`).
The file is the one :class:`~perfeval.reporting.workpaper.Workpaper` writes in one process. The pipe holds
a few units at most, so neither side runs ahead and memory stays flat. With one core (or
``PERFEVAL_WORKPAPER_IN_PROCESS=1``), the workpaper is written in this process.

A failure in the writer (a full disk) is raised here when the run finishes, as the same ``OSError``; a
failure here (Ctrl-C, a defect) closes the pipe, and the writer discards what it had written.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, SpawnContext
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from perfeval.pipeline.reports import FileReport
from perfeval.reporting.workpaper import Workpaper, WorkpaperFile, WorkpaperRows


class WorkpaperSink(Protocol):
    """What ``check`` needs of a workpaper: add each report, then finish (with lines to add under the 汇总's
    totals: the sample); the units, readable, rubrics."""

    def add(self, report: FileReport) -> None: ...

    def finish(self, extra: list[str] | None = None) -> tuple[int, int, set[str]]: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class InProcessWorkpaper:
    """The workpaper written in this process."""

    def __init__(self, path: Path, strict: bool) -> None:
        self.wp = Workpaper(path, strict=strict)

    def add(self, report: FileReport) -> None:
        self.wp.add(report)

    def finish(self, extra: list[str] | None = None) -> tuple[int, int, set[str]]:
        self.wp.close(extra)
        return self.wp.units, self.wp.readable, self.wp.rubric_files

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None and not self.wp.file.closed:
            self.wp.discard()


def _serve(conn: Connection, ours: Connection, path: str) -> None:
    """In the writer process: each unit's rows, until the totals; then "done" (or the error)."""
    ours.close()  # the checking process's end, inherited by a fork: else its closing would go unseen here
    try:
        file = WorkpaperFile(path)
        try:
            while True:
                message = pickle.loads(conn.recv_bytes())
                if isinstance(message, tuple):  # ("close", totals)
                    file.close(message[1])
                    break
                file.write(message)
        except BaseException:
            if not file.closed:
                file.discard()
            raise
        conn.send(("done",))
    except EOFError:  # the checking process stopped: the workpaper was discarded
        pass
    except OSError as exc:
        conn.send(("oserror", exc.errno, exc.strerror, exc.filename))
    except BaseException as exc:  # a defect: its type only (a message may quote a file's content)
        conn.send(("error", type(exc).__name__))
    finally:
        conn.close()


class BackgroundWorkpaper:
    """The workpaper's rows made here and written by a second process."""

    def __init__(self, path: Path, strict: bool) -> None:
        self.rows = WorkpaperRows(strict=strict)
        # forked on Linux (nothing to import again; no thread runs yet: the progress bar starts later),
        # spawned elsewhere, where forking is unsafe or unavailable
        context: ForkContext | SpawnContext
        if sys.platform == "linux":
            context = multiprocessing.get_context("fork")
        else:
            context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        for stream in (sys.stdout, sys.stderr):  # a forked writer must not write out again what is buffered
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        self.process = context.Process(target=_serve, args=(theirs, self.conn, str(path)), daemon=True)
        self.process.start()
        theirs.close()
        self.broken = False

    def _send(self, message: Any) -> None:
        if self.broken:
            return
        try:
            self.conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, ConnectionResetError):  # the writer failed: finish() says why
            self.broken = True

    def add(self, report: FileReport) -> None:
        self._send(self.rows.rows(report))

    def finish(self, extra: list[str] | None = None) -> tuple[int, int, set[str]]:
        self._send(("close", self.rows.totals() + list(extra or ())))
        try:
            answer: tuple[Any, ...] = self.conn.recv()
        except EOFError:
            answer = ("error", "ended")
        self.process.join()
        if answer[0] == "oserror":
            raise OSError(answer[1], answer[2], answer[3])
        if answer[0] != "done":
            raise RuntimeError(f"the workpaper's writer process failed ({answer[1]})")
        return self.rows.units, self.rows.readable, self.rows.rubric_files

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.conn.close()  # a writer still waiting sees the end and discards its workpaper
        self.process.join(timeout=60)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def workpaper_sink(path: Path, strict: bool) -> WorkpaperSink:
    """A writer process where there is a second core for it, else this process."""
    if (os.cpu_count() or 1) > 1 and os.environ.get("PERFEVAL_WORKPAPER_IN_PROCESS") != "1":
        return BackgroundWorkpaper(path, strict)
    return InProcessWorkpaper(path, strict)
