"""Across the units of one ``check`` batch: the reports' narratives compared with each other
(:func:`perfeval.core.copying.batch_findings`: passages, another unit's name, figures shared).

Only the departments that carry their report's text (``narrative:``, as ``perfeval extract`` writes it)
are compared, and only those are read again, after the batch: what a batch keeps of each file is its
summary row, so that 10,000 files cost no more memory than one. Each finding is located in its own file.
"""

from __future__ import annotations

from perfeval.core.copying import batch_findings
from perfeval.core.department import Department
from perfeval.core.problems import InputError, Problem
from perfeval.pipeline.departments import load
from perfeval.pipeline.reports import SummaryRow, located
from perfeval.pipeline.settings import Settings


def cross_unit_findings(rows: list[SummaryRow], settings: Settings) -> list[Problem]:
    """The findings between the narratives of the batch's readable departments, in file order, filtered by
    the run's ``--select`` / ``--ignore``; nothing when fewer than two carry a narrative."""
    files = [r.file for r in rows if r.readable and r.narrative]
    if len(files) < 2:
        return []
    units: list[tuple[str, Department]] = []
    sources = {}
    for file in files:
        try:
            loaded = load(file, settings.rubric, settings.default_rubric, settings.default_rubric_at)
        except InputError:  # it was readable a moment ago: changed under us; its own report stands
            continue
        units.append((file, loaded.department))
        sources[file] = loaded.source
    found = batch_findings(units)
    out: list[Problem] = []
    for file, _ in units:
        out += located(found.get(file, []), sources[file])
    kept, _ = settings.selection.apply(out)
    return kept
