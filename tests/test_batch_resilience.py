"""A batch reports every file given: a file perfeval itself fails on (a defect, exit 3) is reported as such
and the rest are still checked — in one process and with --jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.pipeline import batch
from perfeval.pipeline.reports import check_file

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "examples" / "taojiang-2019.yaml"


@pytest.fixture
def one_file_crashes(tmp_path: Path, monkeypatch) -> list[Path]:
    bad = tmp_path / "crashes.yaml"
    bad.write_bytes(GOOD.read_bytes())

    def check(path, settings):
        if Path(path).name == "crashes.yaml":
            raise RuntimeError("secret content of the file")  # what a defect looks like
        return check_file(path, settings.rubric, settings)

    monkeypatch.setitem(batch.RUNNERS, "check", check)
    return [GOOD, bad, GOOD, GOOD]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_defect_on_one_file_does_not_stop_the_batch(one_file_crashes, jobs: str) -> None:
    result = CliRunner().invoke(app, ["check", "--jobs", jobs, "--format", "json", *map(str, one_file_crashes)])
    import json

    doc = json.loads(result.stdout)
    assert [f["exit_code"] for f in doc["files"]] == [0, 3, 0, 0]
    crashed = doc["files"][1]["problems"][0]
    assert crashed["code"] == "internal-error" and "RuntimeError" in crashed["message"]
    assert "secret content" not in result.stdout + result.stderr  # an exception's text may quote the file
    assert result.exit_code == 3
