"""Department fields that look right but are not: a calendar date that does not exist, non-ASCII digits."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (
    (ROOT / "examples" / "taojiang-2019.yaml")
    .read_text(encoding="utf-8")
    .replace("rubric: ../rubrics/", f"rubric: {ROOT}/rubrics/")
)


@pytest.mark.parametrize(
    "old, new, words",
    [
        ('filled_on: "2020-11-10"', 'filled_on: "2020-13-01"', ["2020-13-01", "不是有效日期"]),
        ('code: "2010301"', 'code: "20103０1"', ["功能科目编码"]),
    ],
    ids=["month-13", "full-width-digit-in-code"],
)
def test_refused_with_its_place(tmp_path, old, new, words):
    assert old in EXAMPLE
    text = EXAMPLE.replace(old, new, 1)
    path = tmp_path / "dept.yaml"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["score", str(path)])
    assert res.exit_code == 2, res.output
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if new in text_line)
    assert f"dept.yaml:{line}:" in res.output
    for w in words:
        assert w in res.output
    assert path.read_text(encoding="utf-8") == text
