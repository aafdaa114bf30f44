"""GitHub Actions annotations: one workflow command per problem on stdout, a one-line total on stderr."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from perfeval.core.problems import ERROR, WARNING, Problem
from perfeval.pipeline.reports import FileReport, SummaryRow
from perfeval.reporting.base import Body, ReporterOptions
from perfeval.reporting.lines import totals_line
from perfeval.reporting.visible import visible

if TYPE_CHECKING:
    from perfeval.core.sampling import Sample

# GitHub knows error, warning and notice
_COMMAND = {ERROR: "error", WARNING: "warning"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(p: Problem, file: str, command: str = "perfeval") -> str:
    """``::error file=…,line=…,col=…,title=…::message`` (workflow-command escaping applied)."""
    loc = p.location
    props = [f"file={_escape_property(loc.file if loc else file)}"]
    if loc is not None and loc.line is not None:
        props.append(f"line={loc.line}")
        if loc.col is not None:
            props.append(f"col={loc.col}")
    title = f"perfeval {p.code}" + (f" · {p.indicator_name}" if p.indicator_name else "")
    message = p.message
    command = _COMMAND.get(p.level, "notice")
    if p.accepted is not None:  # shown, as a notice: it does not fail the run
        title += "（已接受）"
        message += f"（已接受，理由：{p.accepted}）"
        command = "notice"
    props.append(f"title={_escape_property(visible(title))}")
    return f"::{command} {','.join(props)}::{_escape_data(visible(message))}"


class GithubReporter:
    def __init__(self, options: ReporterOptions) -> None:
        self.o = options

    def start(self) -> None:
        pass

    def body(self, report: FileReport) -> Body:
        return "".join(github_line(p, report.file) + "\n" for p in report.problems), ""

    def emit(self, body: Body) -> None:
        self.o.out.write(body[0])

    def file(self, report: FileReport) -> None:
        self.emit(self.body(report))

    def finish(self, rows: list[SummaryRow], sample: Sample | None = None, across: Sequence[Problem] = ()) -> None:
        for p in across:  # findings between the units' reports, each at its own file
            self.o.out.write(github_line(p, p.location.file if p.location is not None else "") + "\n")
        # the human one-liner (and the sample) go to stderr: stdout carries annotations only
        if sample is not None:
            from perfeval.reporting.sample_view import sample_lines  # only with --sample

            self.o.err.write("\n".join(sample_lines(sample)) + "\n")
        self.o.err.write(totals_line(rows, self.o.command) + "\n")
