"""Department files as real reports state them, checked as YAML cases (tests/cases/departments/*.yaml):
a fragment over a minimal department on the Taojiang rubric, and what ``check`` must find in it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from perfeval.pipeline.reports import check_file

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"


class _Exact(yaml.SafeLoader):
    """Case data with numbers as exact Decimals (519.60 keeps its places)."""


_Exact.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node)))


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda dumper, v: dumper.represent_scalar("tag:yaml.org,2002:float", f"{v:f}"))

CASES = [
    (f"{path.stem}/{case['id']}", case)
    for path in sorted((Path(__file__).parent / "cases" / "departments").glob("*.yaml"))
    for case in yaml.load(path.read_text(encoding="utf-8"), Loader=_Exact)  # noqa: S506 - a SafeLoader
]


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_department_case(case: dict, tmp_path: Path) -> None:
    rubric = RUBRIC
    if "rubric_patch" in case:
        data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
        data.update(case["rubric_patch"])
        rubric = tmp_path / "rubric.yaml"
        rubric.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = _merge(
        {"format": "perfeval/department@1", "unit": "测试单位", "year": 2019, "rubric": str(rubric)},
        case["department"],
    )
    path = tmp_path / "dept.yaml"
    path.write_text(yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = check_file(path)
    if "refused" in case:  # the file is refused as input (exit 2): each problem located by line
        assert not report.readable
        for want in case["refused"]:
            found = [p for p in report.problems if p.code == want["code"]]
            assert len(found) == 1, (want["code"], [(p.code, p.message) for p in report.problems])
            assert found[0].location is not None and found[0].location.line == want["line"], found[0].location
            for words in want["contains"]:
                assert words in found[0].message, found[0].message
        assert report.exit_code() == 2
        return
    assert report.readable, [p.message for p in report.problems]
    codes = [p.code for p in report.problems]
    for want in case.get("expect", []):
        found = [p for p in report.problems if p.code == want["code"] and list(p.path) == want["path"]]
        assert len(found) == 1, (want["code"], [(p.code, p.path, p.message) for p in report.problems])
        assert found[0].level == want["level"]
        for words in want["contains"]:
            assert words in found[0].message, found[0].message
        assert found[0].location is not None and found[0].location.line is not None  # located in the file
        if "line" in want:
            assert found[0].location.line == want["line"], found[0].location
    for want in case.get("accepted", []):  # shown, marked accepted with the file's reason
        found = [p for p in report.problems if p.code == want["code"] and list(p.path) == want["path"]]
        assert len(found) == 1, (want["code"], [(p.code, p.path, p.accepted) for p in report.problems])
        assert found[0].accepted == want["reason"]
    if "accepted" not in case:
        assert all(p.accepted is None for p in report.problems)
    for code in case.get("not_codes", []):
        assert code not in codes, [p.message for p in report.problems if p.code == code]
    if "indicator" in case:
        want = case["indicator"]
        row = next(r for r in report.indicators if r.id == want["id"])
        assert row.status is not None and row.status.value == want["status"], row.note
        if "score" in want:
            assert row.score == Decimal(want["score"])
        if "self_score" in want:
            assert row.self_score == Decimal(want["self_score"])
        assert want["note"] in row.note, row.note
    assert report.exit_code() == case["exit"], [(p.code, p.message) for p in report.problems]
