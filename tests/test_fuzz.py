"""A mutation fuzzer over the shipped examples and rubrics (issue 11).

Each mutant is a shipped file changed one to three times — a byte flipped, a line deleted or
doubled, a number made negative, huge or tiny, a key misspelt, U+2028 or a control character
inserted, YAML structure broken — and run through the real entry point (``score``, ``check``,
``validate``). Whatever the mutant: exit 0, 1 or 2, never 3, never a traceback. A department
mutant that still loads must survive YAML → YAML exactly, and every fifth one the workbook too.

The seed is fixed: mutant 42 is the same file on every machine (``PERFEVAL_FUZZ_SEED`` picks
another series). ``PERFEVAL_FUZZ_N`` sets how many (default 200, for the normal suite; CI runs
3,000).
"""

from __future__ import annotations

import io
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from perfeval.cli import app as cli
from perfeval.core.department import Department
from perfeval.core.problems import InputError
from perfeval.pipeline import departments as pipeline
from perfeval.pipeline import rubrics

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("PERFEVAL_FUZZ_N", "200"))
SEED = os.environ.get("PERFEVAL_FUZZ_SEED", "11")

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
RUBRICS = sorted((ROOT / "rubrics").glob("*.yaml"))


def _seed_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # a department's rubric by absolute path, so that the mutant may live anywhere
    return re.sub(r"(?m)^rubric: \.\./rubrics/", f"rubric: {(ROOT / 'rubrics').as_posix()}/", text)


SEEDS = {p: _seed_text(p) for p in EXAMPLES + RUBRICS}
EXAMPLE_OF = {  # a rubric → an example that uses it (to score the rubric's mutants)
    r: next((e for e in EXAMPLES if f"/rubrics/{r.name}" in SEEDS[e]), EXAMPLES[0]) for r in RUBRICS
}

# --- mutations ---------------------------------------------------------------------------------

INSERTS = [
    "\u2028",
    "\u2029",
    "\x85",
    "\ufeff",
    "\u202e",
    "\u200b",
    "\x1b]0;x\x07",
    "\x1b[8m",
    "\x00",
    "\x07",
    "\x7f",
    "\t",
    "\r",
    "\n",
    "：",
    "，",
    "\u3000",
    "😀",
    "\\ud800",
    '"',
    "'",
    "#",
    ": ",
    "- ",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!python/object/apply:os.system ['true'] ",
    "!x ",
    "%YAML 1.1\n",
    "{",
    "}",
    "[",
    "]",
    ",",
    "|",
    ">",
    "?",
    "@",
    "`",
    "~",
    "null",
    "yes",
    "\\e",
    "\\x",
]
NUMBERS = [
    "-1",
    "-100",
    "0",
    "-0",
    "0.000000000001",
    "900000000000000",
    "1e30",
    "1e-30",
    "1e999999999",
    "9" * 40,
    "1" * 1000,
    "0.1234567890123456",
    ".5",
    "1,000",
    "1.5%",
    "-185%",
    "NaN",
    ".inf",
    "0x10",
    "010",
    "１２",
    "true",
    "''",
    "[]",
    "{}",
]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def flip_byte(rng: random.Random, text: str) -> tuple[str, str]:
    data = bytearray(text.encode("utf-8", "surrogateescape"))
    at = rng.randrange(len(data))
    data[at] ^= rng.randrange(1, 256)
    return data.decode("utf-8", "surrogateescape"), f"flip byte {at}"


def delete_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    del lines[at]
    return "\n".join(lines), f"delete line {at + 1}"


def duplicate_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return "\n".join(lines), f"duplicate line {at + 1}"


def shift_indent(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines[at] = (" " * rng.choice([1, 2, 4]) + lines[at]) if rng.random() < 0.5 else lines[at].lstrip(" ")
    return "\n".join(lines), f"indent line {at + 1}"


_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?%?(?![\w.])")


def perturb_number(rng: random.Random, text: str) -> tuple[str, str]:
    found = list(_NUMBER.finditer(text))
    if not found:
        return insert_text(rng, text)
    m = rng.choice(found)
    new = (
        rng.choice(NUMBERS)
        if rng.random() < 0.7
        else f"-{m.group()}"
        if not m.group().startswith("-")
        else m.group()[1:]
    )
    return text[: m.start()] + new + text[m.end() :], f"number {m.group()!r} → {new[:20]!r}"


_KEY = re.compile(r"(?m)^(\s*(?:- )?)([A-Za-z_][A-Za-z0-9_]*):")


def rename_key(rng: random.Random, text: str) -> tuple[str, str]:
    found = list(_KEY.finditer(text))
    if not found:
        return insert_text(rng, text)
    m = rng.choice(found)
    key = m.group(2)
    i = rng.randrange(len(key))
    how = rng.randrange(4)
    new = (
        key[:i] + key[i + 1 :]
        if how == 0
        else key[:i] + rng.choice("abcdexyz_") + key[i:]
        if how == 1
        else key[:i] + key[i + 1 : i + 2] + key[i : i + 1] + key[i + 2 :]
        if how == 2
        else key.upper()
    ) or "x"
    return text[: m.start(2)] + new + text[m.end(2) :], f"key {key!r} → {new!r}"


def insert_text(rng: random.Random, text: str) -> tuple[str, str]:
    what = rng.choice(INSERTS)
    at = rng.randrange(len(text) + 1)
    return text[:at] + what + text[at:], f"insert {what!r} at {at}"


def replace_value(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if re.match(r"\s*[\w-]+: \S", line)]
    if not candidates:
        return insert_text(rng, text)
    i = rng.choice(candidates)
    key = lines[i].split(":", 1)[0]
    value = rng.choice(
        [
            '"' + rng.choice(INSERTS) + "测试" + '"',
            '"\\e]0;x\\a单位\\L\\N"',
            "x" * rng.choice([40_000, 300]),
            "[" * 200,
            "{a: " * 80 + "1" + "}" * 80,
            rng.choice(NUMBERS),
            "(" * 150 + "a" + ")" * 150,
            " + ".join(["actual_staff"] * 300),
            "-" * 2000 + "1",
        ]
    )
    lines[i] = f"{key}: {value}"
    return "\n".join(lines), f"value of line {i + 1} → {value[:30]!r}"


HOSTILE_FORMULAS = [
    "(" * 150 + "value" + ")" * 150,
    " + ".join(["value"] * 2000),
    " + ".join(["value"] * 120),
    "-" * 5000 + "value",
    "not " * 3000 + "value > 1",
    "1" * 1_000_000,
    " * ".join(["9" * 30] * 4),
    "1 / 0",
    "value / (1 - 1)",
    "min()",
    "abs(value, value)",
    "value ** 2",
    "__import__('os')",
    "value > 1 > 0 > -1" * 30,
    "0." + "0" * 40 + "1",
]
_FORMULA_FIELD = re.compile(r"(formula|condition): ([^}\n]+)")


def hostile_formula(rng: random.Random, text: str) -> tuple[str, str]:
    """A rubric's formula or condition replaced by one that once ran out of stack or decimal range."""
    found = list(_FORMULA_FIELD.finditer(text))
    if not found:
        return perturb_number(rng, text)
    m = rng.choice(found)
    new = rng.choice(HOSTILE_FORMULAS)
    return text[: m.start(2)] + f'"{new}"' + text[m.end(2) :], f"{m.group(1)} → {new[:30]!r}"


_FACT = re.compile(r"(?m)^  ([a-z_]+): (\S+)")


def hostile_fact(rng: random.Random, text: str) -> tuple[str, str]:
    """A fact made absurd: 编制 0.000000000001 against 在职 900000000000000, negative, huge."""
    found = list(_FACT.finditer(text))
    if not found:
        return perturb_number(rng, text)
    m = rng.choice(found)
    new = rng.choice(["0.000000000001", "900000000000000", "-100", "0", "999999999999999.999999999999"])
    return text[: m.start(2)] + new + text[m.end(2) :], f"fact {m.group(1)} → {new}"


MUTATIONS: list[Callable[[random.Random, str], tuple[str, str]]] = [
    hostile_formula,
    hostile_fact,
    flip_byte,
    delete_line,
    duplicate_line,
    shift_indent,
    perturb_number,
    perturb_number,
    rename_key,
    insert_text,
    insert_text,
    replace_value,
]


def mutant(i: int) -> tuple[Path, str, list[str]]:
    """Mutant ``i``: (the shipped file it comes from, its text, what was done)."""
    rng = random.Random(f"{SEED}-{i}")
    source = rng.choice(EXAMPLES + RUBRICS)
    text = SEEDS[source]
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        text, what = rng.choice(MUTATIONS)(rng, text)
        done.append(what)
    return source, text, done


# --- running them ---------------------------------------------------------------------------------


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        cli.main(args)
    out, err = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def _comparable(dept: Department, *, through_workbook: bool) -> dict:
    data = dept.model_dump(exclude={"rubric"})
    if through_workbook:
        # a form sheet's cell is read without its text's outer spaces (其他内容 keeps them);
        # an entry with nothing in it (`x: {}`) is an empty row: not filled in either way
        scores = data["self_assessment"]["scores"]
        data["self_assessment"]["scores"] = {k: v for k, v in scores.items() if any(x is not None for x in v.values())}
        data = _strip(data)
    return data


def _strip(value):
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _roundtrips(path: Path, i: int) -> None:
    """A department mutant that loads survives YAML → YAML, and (every fifth) the workbook."""
    from perfeval.fileio.yaml_read import load_text
    from perfeval.fileio.yaml_write import department_yaml

    try:
        loaded = pipeline.load(path)
    except InputError:
        return
    dept, rubric = loaded.department, loaded.rubric
    data, source = load_text(department_yaml(dept, rubric), "back.yaml")
    back = pipeline.parse_department(data, source)
    assert back == dept, "YAML → YAML changed the department"
    if i % 5:
        return
    from perfeval.fileio.workbook.read import read_department
    from perfeval.fileio.workbook.write import _unwritable_texts, department_workbook

    if _unwritable_texts(dept, None, str(path)):
        return  # refused by name (test_hostile and test_excel_roundtrip cover it): nothing lost
    book = io.BytesIO()
    department_workbook(rubric, dept, str(loaded.rubric_path)).save(book)
    workbook = path.with_suffix(".xlsx")
    workbook.write_bytes(book.getvalue())
    data, source = read_department(workbook)
    from_book = pipeline.parse_department(data, source)
    assert _comparable(from_book, through_workbook=True) == _comparable(dept, through_workbook=True), (
        "YAML → workbook → model changed the department"
    )


@pytest.mark.parametrize("i", range(N), ids=lambda i: f"mutant-{i:04d}")
def test_no_mutant_of_a_shipped_file_crashes_perfeval(i, tmp_path, capsys, monkeypatch):
    source, text, done = mutant(i)
    is_rubric = source in RUBRICS
    path = tmp_path / f"mutant-{i}.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    monkeypatch.setattr(rubrics, "_CACHE", {})  # (a mutant rubric per file name, not remembered)
    monkeypatch.setattr(rubrics, "_RESOLVED", {})
    rng = random.Random(f"{SEED}-{i}-commands")
    if is_rubric:
        commands = [["validate", str(path)], ["score", str(EXAMPLE_OF[source]), "--rubric", str(path)]]
    else:
        commands = [
            ["validate", str(path)] + (["--format", "github"] if rng.random() < 0.3 else []),
            rng.choice(
                [
                    ["score", str(path)],
                    ["score", str(path), "--format", "json"],
                    ["check", str(path)],
                    ["check", str(path), "--format", rng.choice(["json", "github"])],
                ]
            ),
        ]
    what = f"mutant {i} of {source.name}: {'; '.join(done)} (file kept at {path})"
    for args in commands:
        code, out, err = run(args, capsys)
        assert code in (0, 1, 2), f"{what}\n{' '.join(args[:1])} → exit {code}\n{err[-2000:]}"
        assert "Traceback" not in out + err, what
    if not is_rubric:
        _roundtrips(path, i)


def test_the_mutants_are_the_same_on_every_run():
    """The fixed seed: a failure names a mutant anyone can make again."""
    assert mutant(7) == mutant(7)
    assert len({mutant(i)[1] for i in range(20)}) == 20
