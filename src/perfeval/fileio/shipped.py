"""What perfeval ships (随附文件): rubrics (评分表), JSON Schemas and example department files.

In a source checkout they are the repository's top-level ``rubrics/``, ``schema/`` and ``examples/``
(the one copy in git). A wheel carries the same files as package data under ``perfeval/data/…``,
copied there when the wheel is built (``setup.py``), with the same folder layout, so that the relative
``rubric: ../rubrics/…`` and ``$schema=../schema/…`` lines of the shipped files resolve in both places.

A rubric can be named by its id wherever a path is accepted: :func:`resolve_rubric` says what a value
means. A value that names an existing file, or looks like a path (a ``/`` or ``\\``, a ``.yaml``/``.yml``
suffix), is a path; anything else is the id of a shipped rubric (its file name without ``.yaml``, e.g.
``hunan-county-2019``, or the ``id:`` written in it, ``hunan_county_2019``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

KINDS = ("rubrics", "schema", "examples")
_REPOSITORY = Path(__file__).resolve().parents[3]  # src/perfeval/fileio/shipped.py → the checkout
_HEADER = re.compile(r"^(id|name|source):\s*(.+?)\s*$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@cache
def installed_root() -> Path | None:
    """``perfeval/data`` inside the installed package, when the files were installed with it."""
    root = resources.files("perfeval") / "data"
    path = Path(str(root))
    return path if (path / "rubrics").is_dir() else None


@cache
def data_dir(kind: str) -> Path | None:
    """The folder of shipped ``rubrics``, ``schema`` or ``examples``: installed first, then the checkout."""
    if kind not in KINDS:
        raise ValueError(kind)
    root = installed_root()
    if root is not None and (root / kind).is_dir():
        return root / kind
    if (_REPOSITORY / "pyproject.toml").is_file() and (_REPOSITORY / kind).is_dir():
        return _REPOSITORY / kind
    return None


def is_installed_data(path: Path) -> bool:
    """Whether ``path`` is one of the files installed with the package (not a user's or the checkout's)."""
    root = installed_root()
    if root is None:
        return False
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def schema_file(name: str) -> Path | None:
    """The shipped JSON Schema file of ``rubric`` or ``department``."""
    folder = data_dir("schema")
    if folder is None:
        return None
    path = folder / f"{name}.schema.json"
    return path if path.is_file() else None


@dataclass(frozen=True, slots=True)
class ShippedRubric:
    """One shipped rubric, as ``perfeval rubrics`` lists it."""

    key: str  # the name to use: its file name without .yaml (hunan-county-2019)
    id: str  # the id written in it (hunan_county_2019)
    name: str
    year: str | None
    source: str | None
    path: Path


def _header(path: Path) -> dict[str, str]:
    """The top-level ``id:``, ``name:`` and ``source:`` of a shipped rubric, without loading it."""
    found: dict[str, str] = {}
    with path.open(encoding="utf-8-sig") as f:
        for line in f:
            if line.startswith("indicators:"):
                break
            m = _HEADER.match(line)
            if m and m[1] not in found:
                found[m[1]] = m[2].strip("'\"")
    return found


@cache
def shipped_rubrics() -> tuple[ShippedRubric, ...]:
    """Every shipped rubric, sorted by its key."""
    folder = data_dir("rubrics")
    if folder is None:
        return ()
    out = []
    for path in sorted(folder.glob("*.yaml")):
        head = _header(path)
        year = _YEAR.search(path.stem) or _YEAR.search(head.get("name", ""))
        out.append(
            ShippedRubric(
                path.stem,
                head.get("id", path.stem),
                head.get("name", path.stem),
                year[1] if year else None,
                head.get("source"),
                path,
            )
        )
    return tuple(out)


def looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.lower().endswith((".yaml", ".yml"))


def shipped_rubric(value: str) -> ShippedRubric | None:
    """The shipped rubric named ``value`` (its key or its id), or None."""
    wanted = value.strip()
    for r in shipped_rubrics():
        if wanted in (r.key, r.id):
            return r
    return None


def resolve_rubric(value: str, base: Path) -> tuple[Path, bool]:
    """The file a rubric value names, relative to ``base`` (a folder); and whether it is a shipped id.

    An existing file or a path-like value is a path (whether or not it exists: the caller says
    so); otherwise the shipped rubric of that id. An unknown id comes back as the path it would be,
    with ``False``: not found."""
    candidate = Path(value)
    if not candidate.is_absolute():
        candidate = base / candidate
    try:
        exists = candidate.is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte
        exists = False
    if exists or looks_like_path(value):
        return candidate, False
    found = shipped_rubric(value)
    if found is None:
        return candidate, False
    return found.path, True


def known_ids() -> str:
    """The keys of the shipped rubrics, for a message: 'hunan-county-2019、project-2020、…'."""
    return "、".join(r.key for r in shipped_rubrics()) or "（本安装未附带评分表）"
