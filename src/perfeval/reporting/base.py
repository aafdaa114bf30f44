"""What every reporter shares: its options, its interface, and the batch's order and exit code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from perfeval.core.problems import ExitCode, Problem
from perfeval.pipeline.reports import FileReport, SummaryRow

if TYPE_CHECKING:
    from perfeval.core.sampling import Sample

COMMANDS = ("score", "check", "validate")

# (stdout text, stderr text) of one file, built where the file was checked (a worker process, in
# parallel) and written in input order by the main process
Body = tuple[str, str]


@dataclass(slots=True)
class ReporterOptions:
    command: str  # score | check | validate: what the report is of
    out: TextIO  # the requested report
    err: TextIO  # human diagnostics and summaries
    strict: bool = False  # warnings fail too (check)
    batch: bool = False  # more than one file: a summary follows
    table: bool = True  # list the audited 评分表 (check, text)
    progress: Any = None  # a running rich Progress on stderr, if any


class Reporter(Protocol):
    """Fed the same :class:`FileReport`\\ s by every command: ``start``, then ``file`` per file in input
    order (or ``body`` in a worker and ``emit`` in the main process), then ``finish`` with the rows (and the
    sample, with ``--sample``)."""

    def start(self) -> None: ...

    def body(self, report: FileReport) -> Body: ...

    def emit(self, body: Body) -> None: ...

    def file(self, report: FileReport) -> None: ...

    def finish(self, rows: list[SummaryRow], sample: Sample | None = None, across: Sequence[Problem] = ()) -> None:
        """The batch's end: the summary, the sample, and ``across`` — findings between the units' reports."""
        ...


def worst_first(rows: Iterable[SummaryRow]) -> list[SummaryRow]:
    """Unreadable files first, then by errors, then warnings; ties keep the input order."""
    return sorted(rows, key=lambda r: (-r.exit_code, -r.errors, -r.warnings, r.index))


def batch_exit_code(rows: Iterable[SummaryRow]) -> int:
    """The worst exit code of the batch's files."""
    return max((r.exit_code for r in rows), default=int(ExitCode.OK))
