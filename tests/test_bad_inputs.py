"""Bad input through the command line: exit 2, a located one-screen message, no traceback,
and the input file unchanged. Good input that real files carry: read exactly.

The cases are data (tests/bad-inputs/cases.yaml), one file each under negative/ and positive/.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from perfeval.cli import app as cli
from perfeval.core.department import Department
from perfeval.core.problems import ExitCode, InputError
from perfeval.fileio import yaml_read as yamlsource

HERE = Path(__file__).parent / "bad-inputs"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
NEGATIVE = CASES["negative"]
POSITIVE = CASES["positive"]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    """``perfeval ARGS`` in this process, through the real entry point ``cli.main``."""
    with pytest.raises(SystemExit) as stop:
        cli.main(args)
    out, err = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def fingerprint(path: Path) -> tuple[str, int] | None:
    if not path.is_file():
        return None
    with open(path, "rb") as fh:  # not Path.open, which the unreadable case patches
        return hashlib.sha256(fh.read()).hexdigest(), path.stat().st_mtime_ns


def problems_for(args: list[str]):
    """The problems `perfeval score` reports, as records (code, line, col) — the library path."""
    from perfeval.pipeline.reports import score_file

    department = args[1]
    rubric = args[args.index("--rubric") + 1] if "--rubric" in args else None
    return score_file(department, rubric).problems


@pytest.fixture
def generated(tmp_path, monkeypatch):
    """Files that cannot be committed: far too large, or unreadable (we may run as root)."""

    def make(kind: str, name: str) -> Path:
        path = tmp_path / name
        if kind == "too-large":
            path.write_bytes(b"unit: " + b"x" * yamlsource.MAX_BYTES + b"\n")
        elif kind == "fifo":  # reading it would wait for a writer forever
            os.mkfifo(path)
        elif kind == "symlink-loop":
            path.symlink_to(path)
        elif kind == "too-many-values":  # under the size limit, but a list of 200,000+ one-digit items
            path.write_bytes(b"- 1\n" * (yamlsource.MAX_NODES + 10))
        elif kind == "unreadable":
            path.write_text("unit: 测试单位\n", encoding="utf-8")
            real_open = Path.open

            def refuse(self, *a, **k):
                if self.name == name:
                    raise PermissionError(13, "Permission denied", str(self))
                return real_open(self, *a, **k)

            monkeypatch.setattr(Path, "open", refuse)
        else:  # pragma: no cover - a typo in cases.yaml
            raise AssertionError(kind)
        return path

    return make


def _id(case: dict) -> str:
    return Path(case["file"]).stem


@pytest.mark.parametrize("case", NEGATIVE, ids=_id)
def test_bad_input_is_refused_with_a_located_message(case, capsys, monkeypatch, generated):
    monkeypatch.chdir(HERE)
    file = str(generated(case["generate"], case["file"])) if "generate" in case else case["file"]
    args = case.get("args", ["score", file])
    involved = [Path(a) for a in args[1:] if not a.startswith("-")]
    before = {p: fingerprint(p) for p in involved}
    if case.get("absent"):
        assert not Path(file).exists()

    code, out, err = run_cli(args, capsys)

    assert code == ExitCode.INPUT, err
    assert "Traceback" not in err and "Traceback" not in out
    assert out == ""  # nothing half-printed on stdout
    where = file
    if "line" in case:
        where += f":{case['line']}"
        if "col" in case:
            where += f":{case['col']}"
    first = err.splitlines()[0]
    assert first.startswith(f"{where}: 错误："), err
    for fragment in case["says"]:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    for fragment in case.get("not_says", []):
        assert fragment not in err
    assert len(err.splitlines()) <= 25  # one screen
    assert {p: fingerprint(p) for p in involved} == before  # inputs are never modified

    problems = problems_for(args)
    assert problems, "the library must report what the CLI reported"
    first_problem = problems[0]
    assert first_problem.code == case["code"]
    assert (first_problem.location.line, first_problem.location.col) == (case.get("line"), case.get("col"))


def _value(model, dotted: str):
    value = model
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value[part]
        elif isinstance(value, list):
            value = value[int(part)]
        else:
            value = getattr(value, part)
    return value


@pytest.mark.parametrize("case", POSITIVE, ids=_id)
def test_input_real_files_carry_is_accepted_exactly(case, capsys, monkeypatch):
    from perfeval.pipeline.departments import load

    monkeypatch.chdir(HERE)
    path = Path(case["file"])
    before = fingerprint(path)

    code, out, err = run_cli(["score", str(path), "--format", "json"], capsys)

    assert code == ExitCode.OK, err
    assert err == ""
    assert fingerprint(path) == before
    dept = load(path).department
    for dotted, expected in case.get("values", {}).items():
        actual = _value(dept, dotted)
        if isinstance(actual, Decimal):
            assert actual == Decimal(expected), dotted  # exact: a Decimal, equal to the written value
        else:
            assert actual == expected, dotted
    if "indicator" in case:
        want = case["indicator"]
        doc = json.loads(out)
        node = next(n for n in doc["indicators"] if n["id"] == want["id"])
        assert node["status"] == want["status"]
        for fragment in want["note"]:
            assert fragment in node["note"]


def test_every_example_file_is_a_listed_case():
    listed = {case["file"] for case in NEGATIVE + POSITIVE}
    on_disk = set()
    for folder in ("negative", "positive"):
        for p in (HERE / folder).rglob("*"):
            if p.is_file() and not any(parent.suffix == ".yaml" for parent in p.relative_to(HERE).parents):
                on_disk.add(p.relative_to(HERE).as_posix())
            elif p.is_dir() and p.suffix == ".yaml":
                on_disk.add(p.relative_to(HERE).as_posix())
    assert on_disk - listed == set(), "files in bad-inputs/ without a case in cases.yaml"
    missing = {f for f in listed - on_disk if not f.startswith("..")}
    generated = {c["file"] for c in NEGATIVE if "generate" in c or c.get("absent")}
    assert missing - generated == set(), "cases in cases.yaml without a file"


def test_a_long_list_of_problems_fits_on_one_screen(tmp_path, capsys):
    lines = ["format: perfeval/department@1", "unit: 测试单位", "year: 2019", "rubric: x.yaml", "facts:"]
    lines += [f"  fact_{i}: 1" for i in range(60)]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "x.yaml").write_bytes((Path(__file__).parents[1] / "rubrics/taojiang-2019.yaml").read_bytes())

    code, _, err = run_cli(["score", str(path)], capsys)

    assert code == ExitCode.INPUT
    from perfeval.reporting.diagnostics import MAX_SHOWN

    assert len(err.splitlines()) == MAX_SHOWN + 1
    assert f"另有 {60 - MAX_SHOWN} 个问题未显示" in err


def test_debug_adds_the_python_stack_to_an_input_error(capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    code, _, err = run_cli(["--debug", "score", "negative/misspelt-nested-key.yaml"], capsys)
    assert code == ExitCode.INPUT
    assert "是否想写 'county_finance'" in err
    assert "Traceback" in err


def test_a_defect_is_one_line_and_exit_3_without_debug(capsys, monkeypatch):
    """Not a file problem: perfeval's own bug. Without --debug, one line; with it, the stack."""
    from perfeval.cli.commands import score as score_command

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in perfeval")

    monkeypatch.setattr(score_command, "run", broken)
    monkeypatch.chdir(HERE)
    code, _, err = run_cli(["score", "positive/minimal.yaml"], capsys)
    assert code == ExitCode.INTERNAL
    assert "内部错误" in err and "ZeroDivisionError: a bug in perfeval" in err
    assert "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "score", "positive/minimal.yaml"])


@pytest.mark.parametrize(
    "name", ["negative/unclosed-bracket.yaml", "negative/binary.yaml", "negative/no-such-file.yaml"]
)
def test_the_installed_entry_point_prints_no_traceback(name):
    """The same through a real process (python -m perfeval), as a finance officer runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "perfeval", "score", name],
        cwd=HERE,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.startswith(name)
    assert "Traceback" not in done.stderr


# --- did-you-mean, at every depth of the department file ----------------------------------


def _field_paths(model, prefix=()):
    """Every (path, model, field name) of the department format, lists entered at item 0."""
    import typing

    from pydantic import BaseModel

    from perfeval.fileio.model_errors import _unwrap

    for name, field in model.model_fields.items():
        yield prefix + (name,), model, name
        for sub in _unwrap(field.annotation):
            if typing.get_origin(field.annotation) is dict or "dict[" in str(field.annotation):
                continue  # free keys (facts, scores): checked against the rubric, not the model
            is_list = "list[" in str(field.annotation)
            yield from _field_paths(sub, prefix + (name,) + ((0,) if is_list else ()))
            assert issubclass(sub, BaseModel)


def _misspelt(name: str) -> str:
    return name[:-2] + name[-1] if len(name) > 3 else name + name[-1]  # county_finance → county_finane


def _nest(path: tuple, leaf_key: str) -> dict:
    value: object = {leaf_key: 1}
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}
    return value  # type: ignore[return-value]


FIELD_PATHS = [(p, m, n) for p, m, n in _field_paths(Department) if p[0] not in ("format",)]


@pytest.mark.parametrize(
    "path, model, name", FIELD_PATHS, ids=lambda v: ".".join(map(str, v)) if isinstance(v, tuple) else None
)
def test_a_misspelt_key_anywhere_gets_the_right_key_and_its_chinese_name(tmp_path, path, model, name):
    from perfeval.fileio.model_errors import _title
    from perfeval.pipeline.departments import load

    wrong = _misspelt(name)
    doc = {
        "format": "perfeval/department@1",
        "unit": "测试单位",
        "year": 2019,
        "rubric": str(Path(__file__).parents[1] / "rubrics/taojiang-2019.yaml"),
    }
    doc.update(_nest(path[:-1], wrong))
    file = tmp_path / "dept.yaml"
    file.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    with pytest.raises(InputError) as err:
        load(file)

    unknown = [p for p in err.value.problems if p.code == "unknown-key"]
    assert len(unknown) == 1, err.value.problems
    title = _title(model, name)
    assert title, f"{model.__name__}.{name} has no Chinese name"
    assert f"是否想写 '{name}'（{title}）" in unknown[0].message
    assert not [p for p in err.value.problems if p.code == "missing-field" and f" {name}" in p.message]
    assert unknown[0].location.line is not None


# --- the same scalars from libyaml and from PyYAML's own parser ----------------------------

SCALARS = [
    # (YAML value as written, what perfeval reads, or the problem code it reports)
    ("2019", 2019),
    ("1295.87", Decimal("1295.87")),
    ("-1", -1),
    ("1e3", Decimal("1e3")),
    ("true", True),
    ("false", False),
    ("~", None),
    ("null", None),
    ("", None),
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("2020-11-10", "2020-11-10"),
    ("1:30", "1:30"),
    ("0x1F", "0x1F"),
    ("1_000", "1_000"),
    ("1,295.87", "1,295.87"),
    ("'010'", "010"),
    ('"yes"', "yes"),
    ("'.nan'", ".nan"),
    ("010", "leading-zero"),
    ("0.5", Decimal("0.5")),
    ("00.5", "leading-zero"),
    (".nan", "not-finite"),
    (".inf", "not-finite"),
    ("-.Inf", "not-finite"),
    ("!custom 1", "yaml-tag"),
    ("1e999999999", "number-out-of-range"),
    ("1e-999999999", "number-out-of-range"),
    ("1" + "0" * 40, "number-out-of-range"),
    ("1" + "0" * 29, 10**29),
]


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
@pytest.mark.parametrize("written, expected", SCALARS, ids=[(w or "empty")[:16] for w, _ in SCALARS])
def test_scalars_read_the_same_with_either_parser(monkeypatch, loader, written, expected):
    if not hasattr(yaml, loader):  # pragma: no cover - PyYAML built without libyaml
        pytest.skip(f"yaml.{loader} not available")
    monkeypatch.setattr(yamlsource, "_Loader", getattr(yaml, loader))
    text = f"value: {written}\n"
    codes = {"leading-zero", "not-finite", "yaml-tag", "number-out-of-range"}
    if expected in codes:
        with pytest.raises(InputError) as err:
            yamlsource.load_text(text, "f.yaml")
        assert [(p.code, p.location.line, p.location.col) for p in err.value.problems] == [(expected, 1, 8)]
        return
    data, _ = yamlsource.load_text(text, "f.yaml")
    assert data["value"] == expected and type(data["value"]) is type(expected)


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: " + "[" * 1000 + "]" * 1000 + "\n", id="flow"),
        pytest.param("".join(" " * i + f"k{i}:\n" for i in range(0, 400, 2)) + " " * 400 + "v\n", id="block"),
    ],
)
def test_nesting_far_too_deep_is_refused_by_either_parser(monkeypatch, loader, text):
    monkeypatch.setattr(yamlsource, "_Loader", getattr(yaml, loader))
    with pytest.raises(InputError) as err:
        yamlsource.load_text(text, "deep.yaml")
    assert [p.code for p in err.value.problems] == ["too-deep"]
