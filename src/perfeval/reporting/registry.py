"""The one registry of reporters: output format → reporter."""

from __future__ import annotations

from collections.abc import Callable

from perfeval.reporting.base import Reporter, ReporterOptions
from perfeval.reporting.formats import Format


def _text(o: ReporterOptions) -> Reporter:
    from perfeval.reporting.text_reporter import TextReporter

    return TextReporter(o)


def _json(o: ReporterOptions) -> Reporter:
    from perfeval.reporting.json_reporter import JsonReporter

    return JsonReporter(o)


def _github(o: ReporterOptions) -> Reporter:
    from perfeval.reporting.github_reporter import GithubReporter

    return GithubReporter(o)


#: output format → reporter; every command offers exactly these (a test checks the CLI's choices)
REPORTERS: dict[Format, Callable[[ReporterOptions], Reporter]] = {
    Format.text: _text,
    Format.json: _json,
    Format.github: _github,
}


def make_reporter(fmt: str, options: ReporterOptions) -> Reporter:
    return REPORTERS[Format(fmt)](options)
