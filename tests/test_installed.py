"""perfeval installed from its wheel, run outside the repository: the rubrics, schemas and examples ship
inside it, a shipped rubric is named by its id, and the ``$schema`` line ``init`` writes resolves.

The wheel is built from a copy of the tree (so the checkout gets no ``build/``), installed with
``pip --target`` into a folder of its own, and run from an empty folder with that folder first on the
path; the test environment's own packages (typer, pydantic, …) serve as its dependencies.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = {"rubrics": "*.yaml", "schema": "*.json", "examples": "*.yaml"}
TREE = ["src", "rubrics", "schema", "examples", "setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    for name in TREE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        elif source.exists():
            shutil.copy(source, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(tree)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("perfeval-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def test_the_wheel_carries_every_shipped_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in SHIPPED.items():
        expected = {f"perfeval/data/{folder}/{p.name}" for p in (ROOT / folder).glob(pattern)}
        assert expected and expected <= names, expected - names
    assert "perfeval/py.typed" in names


def perfeval(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}
    return subprocess.run(
        [sys.executable, "-m", "perfeval", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_it_runs_from_the_installed_copy(installed: Path, tmp_path: Path) -> None:
    where = perfeval(installed, tmp_path, "schema", "rubric", "--where")
    assert where.returncode == 0
    assert Path(where.stdout.strip()).is_relative_to(installed.resolve()), where.stdout


def test_rubrics_lists_what_is_shipped(installed: Path, tmp_path: Path) -> None:
    listed = perfeval(installed, tmp_path, "rubrics")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].split() == ["标识", "年度", "名称", "来源"]
    for rubric in (ROOT / "rubrics").glob("*.yaml"):
        assert re.search(rf"^{rubric.stem}\s", listed.stdout, re.MULTILINE), rubric.stem
    assert re.search(r"^hunan-county-2019\s+2019\s+湖南省市县", listed.stdout, re.MULTILINE)


def fill(skeleton: Path) -> None:
    """Fill a YAML skeleton the way its comments say: unit, year and one fact; unknown facts deleted."""
    lines, in_facts = [], False
    for line in skeleton.read_text(encoding="utf-8").splitlines():
        if line.startswith("facts:"):
            in_facts = True
        elif not line.startswith(" "):
            in_facts = False
        if in_facts and line.startswith("  authorized_staff:"):
            line = line.replace("authorized_staff:", "authorized_staff: 54", 1)
        elif in_facts and re.match(r"^\s+\w+:\s+#", line):
            continue
        line = re.sub(r"^unit:(\s+)#", r"unit: 测试单位\1#", line)
        line = re.sub(r"^year:(\s+)#", r"year: 2019\1#", line)
        lines.append(line)
    skeleton.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_init_by_id_then_score_in_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    made = perfeval(installed, tmp_path, "init", "--rubric", "hunan-county-2019", "--output", "d.yaml")
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "d.yaml").read_text(encoding="utf-8")
    assert re.search(r"^rubric: hunan-county-2019\s", text, re.MULTILINE)  # the id: works wherever perfeval is
    schema = re.match(r"# yaml-language-server: \$schema=(\S+)\n", text)
    assert schema, text[:200]
    resolved = (tmp_path / schema[1]).resolve()
    assert resolved.is_file() and resolved.name == "department.schema.json"
    assert resolved.is_relative_to(installed.resolve())
    fill(tmp_path / "d.yaml")
    scored = perfeval(installed, tmp_path, "score", "d.yaml")
    assert scored.returncode == 0, scored.stderr
    assert "湖南省市县" in scored.stdout and "合计" in scored.stdout


def test_a_workbook_by_id_scores_in_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    made = perfeval(installed, tmp_path, "init", "-r", "taojiang_2019", "-o", "填报/县政府办.xlsx")
    assert made.returncode == 0, made.stderr
    assert "已建立文件夹 填报" in made.stderr
    scored = perfeval(installed, tmp_path, "score", "填报/县政府办.xlsx")
    assert scored.returncode == 2  # a blank workbook: unit and year are missing, said by sheet and cell
    assert "填报信息!B" in scored.stderr and "rubric" not in scored.stderr


def test_a_shipped_example_scores_from_the_installed_copy(installed: Path, tmp_path: Path) -> None:
    example = installed / "perfeval" / "data" / "examples" / "taojiang-2019.yaml"
    scored = perfeval(installed, tmp_path, "score", str(example))
    assert scored.returncode == 0, scored.stderr
    assert "98.2" in scored.stdout


def test_a_copied_example_is_told_to_name_the_shipped_rubric(installed: Path, tmp_path: Path) -> None:
    shutil.copy(installed / "perfeval" / "data" / "examples" / "hunan-county-2019.yaml", tmp_path / "d.yaml")
    scored = perfeval(installed, tmp_path, "score", "d.yaml")
    assert scored.returncode == 2
    assert "请写 rubric: hunan-county-2019" in scored.stderr
    by_id = perfeval(installed, tmp_path, "score", "d.yaml", "--rubric", "hunan-county-2019")
    assert by_id.returncode == 0, by_id.stderr
