"""JSON: the versioned contracts ``perfeval/score@2``, ``perfeval/check@2`` and ``perfeval/validate@2``.

The three documents share their parts — a problem, an indicator row, a file — so a script reads
them with one parser (docs/json.md). Every amount and score is a decimal string ("98.2"), never a
binary float; counts, years, lines and exit codes are integers; absent values are ``null``. A batch
is written file by file as it runs (``check``: one line per file), so memory does not grow with it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from perfeval import __version__
from perfeval.core.decimals import plain
from perfeval.core.engine import AdjustmentResult, Status
from perfeval.core.problems import ERROR, INFO, WARNING, Problem
from perfeval.pipeline.reports import FileReport, IndicatorRow, SummaryRow
from perfeval.reporting.base import ReporterOptions, batch_exit_code, worst_first
from perfeval.reporting.lines import totals_line

if TYPE_CHECKING:
    from perfeval.core.sampling import Sample

SCORE_FORMAT = "perfeval/score@2"
CHECK_FORMAT = "perfeval/check@2"
VALIDATE_FORMAT = "perfeval/validate@2"
FORMATS = {"score": SCORE_FORMAT, "check": CHECK_FORMAT, "validate": VALIDATE_FORMAT}
TOOL = {"name": "perfeval", "version": __version__}

# (value, Chinese label) of each status, looked up once per leaf instead of through the enum
_STATUS: dict[Status | None, tuple[str | None, str | None]] = {s: (s.value, s.label) for s in Status}
_STATUS[None] = (None, None)


def problem_dict(p: Problem) -> dict[str, Any]:
    loc = p.location
    location: dict[str, Any] | None = None
    if loc is not None:
        location = {"file": loc.file, "line": loc.line, "col": loc.col}
        if loc.cell:
            location["cell"] = loc.cell
    return {
        "code": p.code,
        "level": p.level,
        "message": p.message,
        "location": location,
        "path": list(p.path),
        "indicator": None if p.indicator_id is None else {"id": p.indicator_id, "name": p.indicator_name},
        "amounts": {k: plain(v) for k, v in p.amounts.items()},
        "accepted": None if p.accepted is None else {"reason": p.accepted},
    }


def indicator_dict(r: IndicatorRow, reviewed: bool = False) -> dict[str, Any]:
    """One indicator; ``reviewed``: the department has a 复核, so each indicator says its 偏离度 too."""
    d: dict[str, Any] = {
        "id": r.id,
        "name": r.name,
        "level": r.depth,
        "parent": r.parent,
        "weight": plain(r.weight),
        "self_score": plain(r.self_score),
        "score": plain(r.score),
        "audited_score": plain(r.audited_score),
    }
    if reviewed:
        d["deviation"] = plain(r.deviation)
    if r.incomplete:  # a parent whose table lists only part of its children
        d["incomplete"], d["listed_weight"] = True, plain(r.listed_weight)
    if r.is_leaf:  # the rule's side
        d["rule"] = r.rule_kind
        d["score_range"] = (
            None
            if r.low is None or r.score is not None
            else {
                "low": plain(r.low),
                "high": plain(r.high),
                "low_inclusive": r.low_closed,
                "high_inclusive": r.high_closed,
            }
        )
        d["status"], d["status_label"] = _STATUS[r.status]
        d["audited_basis"] = r.audited_basis
        d["reviewed"] = plain(r.reviewed)
        if r.review_value is not None or r.review_reason is not None:  # the reviewer's 复核 of this indicator
            d["review"] = {"value": r.review_value, "reason": r.review_reason}
        d["measure"] = (
            None
            if r.measure_name is None
            else {"name": r.measure_name, "value": plain(r.measure), "format": r.measure_format}
        )
        d["missing_facts"] = [
            {"name": m, "label": label} for m, label in zip(r.missing_facts, r.missing_labels, strict=True)
        ]
        d["note"] = r.note
        d["self_note"] = r.self_note
        d["applicable"] = r.applicable
        if r.target is not None or r.actual is not None or r.rule_kind == "department_row":
            d["target"] = plain(r.target)
            d["actual"] = plain(r.actual)
            d["row_kind"] = r.row_kind
            d["achievement"] = r.achievement
        if r.header:  # 预算执行率: the header block as the form prints it
            d["header"] = [
                {"fund": fund, "column": column, "fact": fact, "value": plain(value)}
                for fund, column, fact, value in r.header
            ]
        if r.reason_required or r.reason:
            d["reason_required"], d["reason"] = r.reason_required, r.reason
        if r.uncapped:
            d["uncapped"] = True
        if r.items:
            d["items"] = [
                {
                    "id": i.id,
                    "text": i.text,
                    "points": plain(i.points),
                    "self_score": plain(i.self_score),
                    "status": i.status.value,
                    "status_label": i.status.label,
                }
                for i in r.items
            ]
    return d


def adjustment_dict(a: AdjustmentResult) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "kind": a.kind,
        "text": a.text,
        "applies": a.applies,
        "points": plain(a.points),
        "cap": plain(a.cap),
        "measure": None if a.measure_name is None else {"name": a.measure_name, "value": plain(a.measure)},
        "rows": list(a.rows),
        "missing_facts": list(a.missing),
        "note": a.note,
    }


def status_counts(report: FileReport) -> dict[str, int]:
    counts = Counter(r.status for r in report.leaves())
    return {s.value: counts.get(s, 0) for s in Status}


def file_dict(report: FileReport, strict: bool = False) -> dict[str, Any]:
    """One file's result, the same in every document."""
    d: dict[str, Any] = {
        "file": report.file,
        "kind": report.kind,
        "readable": report.readable,
        "exit_code": int(report.exit_code(strict)),
        "counts": {
            ERROR: report.errors,
            WARNING: report.warnings,
            INFO: report.infos,
            "accepted": report.accepted,
            "ignored": report.ignored_total,
        },
        "problems": [problem_dict(p) for p in report.problems],
    }
    if not report.scored:
        return d
    d.update(
        {
            "unit": report.unit,
            "year": report.year,
            "illustrative": report.illustrative,
            "rubric": {"id": report.rubric_id, "name": report.rubric_name, "file": report.rubric_file},
            "weight": plain(report.total_weight),
            "stated_total": plain(report.stated_total),
            "self_score": plain(report.self_total),
            "score": plain(report.recomputed_total),
            "audited_score": plain(report.audited_total),
            "self_grade": report.self_grade,
            "audited_grade": report.audited_grade,
            "status_counts": status_counts(report),
            "partial": report.partial,
            "listed_weight": plain(report.listed_weight),
            "rounding": report.rounding,
        }
    )
    if report.has_adjustments:  # present when the rubric declares penalties or caps on the total
        d["adjustments"] = [adjustment_dict(a) for a in report.adjustments]
        d["adjusted"] = {
            "self_score": plain(report.self_total_adjusted),
            "score": plain(report.recomputed_total_adjusted),
            "audited_score": plain(report.audited_total_adjusted),
        }
    review = report.review
    if review is not None:  # present when the department has a reviewer's 复核 (docs/output.md)
        d["review"] = {
            "file": review.file,
            "reviewer": review.reviewer,
            "date": review.date,
            "reason": review.reason,
            "reviewed": review.reviewed,
            "of": review.of,
            "score": plain(review.total),
            "deviation": plain(review.deviation),
            "deviation_measure": review.measure,
            "threshold": plain(review.threshold),
        }
    d["indicators"] = [indicator_dict(r, review is not None) for r in report.indicators]
    return d


def summary_dict(rows: list[SummaryRow]) -> dict[str, Any]:
    return {
        "files": len(rows),
        "unreadable": sum(1 for r in rows if not r.readable),
        "errors": sum(r.errors for r in rows),
        "warnings": sum(r.warnings for r in rows),
        "accepted": sum(r.accepted for r in rows),
        "ignored": sum(r.ignored for r in rows),
        "exit_code": batch_exit_code(rows),
        "rows": [
            {
                "file": r.file,
                "unit": r.unit,
                "stated_total": plain(r.stated_total),
                "self_score": plain(r.self_total),
                "audited_score": plain(r.audited_total),
                "grade": r.grade,
                "errors": r.errors,
                "warnings": r.warnings,
                "exit_code": r.exit_code,
            }
            for r in worst_first(rows)
        ],
    }


def _indent(text: str, by: str) -> str:
    return "\n".join(by + line for line in text.splitlines())


# json.dumps(..., ensure_ascii=False), made once; file_dict builds fresh trees without cycles,
# so the encoder's check for circular references (a set of every container) can be skipped
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


class JsonReporter:
    """One JSON document on stdout: ``score`` a single file's result; ``check`` and ``validate`` a
    batch, each file written as it arrives (one line each), the summary last."""

    def __init__(self, options: ReporterOptions) -> None:
        self.o = options
        self.count = 0

    def start(self) -> None:
        if self.o.command == "score":
            return
        head: dict[str, Any] = {"format": FORMATS[self.o.command], "tool": TOOL}
        if self.o.command == "check":
            head["strict"] = self.o.strict
        self.o.out.write("{\n")
        for key, value in head.items():
            self.o.out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        self.o.out.write('  "files": [')

    def body(self, report: FileReport) -> tuple[str, str]:
        if self.o.command == "score":
            doc = {"format": SCORE_FORMAT, "tool": TOOL, **file_dict(report)}
            return json.dumps(doc, ensure_ascii=False, indent=2) + "\n", ""
        # one line per file: the C encoder (no indent) is several times faster, and a batch of
        # thousands stays greppable; `jq .` pretty-prints it
        return _LINE_ENCODER.encode(file_dict(report, self.o.strict)), ""

    def emit(self, body: tuple[str, str]) -> None:
        out, _ = body
        if self.o.command == "score":
            self.o.out.write(out)
            return
        self.o.out.write(("," if self.count else "") + "\n    " + out)
        self.count += 1

    def file(self, report: FileReport) -> None:
        self.emit(self.body(report))

    def finish(self, rows: list[SummaryRow], sample: Sample | None = None, across: Sequence[Problem] = ()) -> None:
        if self.o.command == "score":
            return
        self.o.out.write(("\n  " if self.count else "") + "],\n")
        if self.o.command == "check":
            if across:  # findings between the units' reports (docs/output.md)
                between = json.dumps([problem_dict(p) for p in across], ensure_ascii=False, indent=2)
                self.o.out.write('  "across_units": ' + _indent(between, "  ").lstrip() + ",\n")
            summary = json.dumps(summary_dict(rows), ensure_ascii=False, indent=2)
            self.o.out.write('  "summary": ' + _indent(summary, "  ").lstrip())
            if sample is not None:
                from perfeval.reporting.sample_view import sample_dict  # only with --sample

                drawn = json.dumps(sample_dict(sample), ensure_ascii=False, indent=2)
                self.o.out.write(',\n  "sample": ' + _indent(drawn, "  ").lstrip())
            self.o.out.write("\n}\n")
        else:
            self.o.out.write(f'  "exit_code": {batch_exit_code(rows)}\n}}\n')
        self.o.err.write(totals_line(rows, self.o.command) + "\n")  # for the person watching
