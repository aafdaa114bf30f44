"""The score result as a JSON-ready dict: the documented, versioned contract ``perfeval/score@1``.

Numbers are decimal strings ("98.2") so that no consumer ever sees a binary float.
This is the core's result serialised, nothing more.
"""

from __future__ import annotations

from collections import Counter

from perfeval import __version__
from perfeval.core.decimals import plain
from perfeval.core.engine import AdjustmentResult, NodeResult, ScoreResult, Status

SCORE_FORMAT = "perfeval/score@1"


def node_dict(n: NodeResult) -> dict:
    d: dict = {
        "id": n.id,
        "name": n.name,
        "level": n.depth,
        "weight": plain(n.weight),
        "self_score": plain(n.self_score),
        "score": plain(n.score),
        "status": n.status.value if n.status else None,
        "status_label": n.status.label if n.status else None,
        "audited_score": plain(n.audited_score),
    }
    if n.is_leaf:
        d["rule"] = n.rule_kind
        d["score_range"] = (
            None
            if n.low is None or n.score is not None
            else {"low": plain(n.low), "high": plain(n.high), "high_inclusive": n.high_closed}
        )
        d["measure"] = (
            None
            if n.measure_name is None
            else {"name": n.measure_name, "value": plain(n.measure), "format": n.measure_format}
        )
        d["missing_facts"] = list(n.missing_facts)
        d["note"] = n.note
        d["audited_basis"] = n.audited_basis
        d["reviewed"] = plain(n.reviewed)
        d["self_note"] = n.self_note
        if n.target is not None or n.actual is not None or n.rule_kind == "department_row":
            d["target"] = plain(n.target)
            d["actual"] = plain(n.actual)
        if n.items:
            d["items"] = [
                {
                    "id": i.id,
                    "text": i.text,
                    "points": plain(i.points),
                    "self_score": plain(i.self_score),
                    "status": i.status.value,
                    "status_label": i.status.label,
                }
                for i in n.items
            ]
    d["children"] = [node_dict(c) for c in n.children]
    return d


def status_counts(result: ScoreResult) -> dict[str, int]:
    counts = Counter(n.status for n in result.leaves())
    return {s.value: counts.get(s, 0) for s in Status}


def adjustment_dict(a: AdjustmentResult) -> dict:
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


def score_dict(result: ScoreResult, *, file: str, rubric_file: str, grade: str | None) -> dict:
    doc = _score_dict(result, file=file, rubric_file=rubric_file, grade=grade)
    if result.has_adjustments:  # present when the rubric declares penalties or caps on the total
        doc["adjustments"] = [adjustment_dict(a) for a in result.adjustments]
        doc["adjusted"] = {
            "self_score": plain(result.self_total_adjusted),
            "score": plain(result.recomputed_total_adjusted),
            "audited_score": plain(result.audited_total_adjusted),
        }
    return doc


def _score_dict(result: ScoreResult, *, file: str, rubric_file: str, grade: str | None) -> dict:
    return {
        "format": SCORE_FORMAT,
        "tool": {"name": "perfeval", "version": __version__},
        "file": file,
        "rubric": {"id": result.rubric_id, "name": result.rubric_name, "file": rubric_file},
        "unit": result.unit,
        "year": result.year,
        "illustrative": result.illustrative,
        "weight": plain(result.total_weight),
        "stated_total": plain(result.stated_total),
        "self_score": plain(result.self_total),
        "score": plain(result.recomputed_total),
        "audited_score": plain(result.audited_total),
        "grade": grade,
        "status_counts": status_counts(result),
        "children": [node_dict(n) for n in result.nodes],
    }
