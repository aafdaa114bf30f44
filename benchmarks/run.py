"""perfeval benchmarks: every figure as a median and a ratio against a floor measured in the same run.

    python benchmarks/run.py [--files 1000] [--repeat 5] [--perfeval PATH-TO-perfeval]

Standard library and the project only. Inputs are generated into a temporary directory:
copies of examples/taojiang-2019.yaml, and a rubric and department twenty times larger.

Figures (targets from issue 6):
  batch    `perfeval check` over N files          vs  PyYAML CSafeLoader parsing the same files   (≤ 2×)
  start    `perfeval score examples/taojiang-2019.yaml`, `--help`, `--version`
                                                  vs  python -c "import typer, pydantic, yaml, rich.console" (≤ 1.5×)
  jobs     `perfeval check --jobs 2` over N files vs  the same with --jobs 1                      (≤ 0.6×)
  scale    load + score of a 20× larger rubric and department, in-process
                                                  vs  the same for the Taojiang files              (≤ 20×)
  memory   peak RSS of `check` over N files       vs  over N/10 files
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"


# Commands run as on a user's machine, where Python caches compiled modules: a sandbox that sets
# PYTHONDONTWRITEBYTECODE would otherwise recompile the project's own modules on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], *, env=None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd[:4])} …\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def median_of(repeat: int, cmd: list[str]) -> float:
    run(cmd)  # warm the page cache and .pyc files
    return statistics.median(run(cmd) for _ in range(repeat))


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of one child process, via a wrapper that reports its own rusage."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True, env=ENV)
    return int(out.stdout.strip()) / 1024


STACK_IN_USE = """
import typer, pydantic, yaml, rich.console
from pathlib import Path
from typing import Annotated
app = typer.Typer(add_completion=False)
class M(pydantic.BaseModel):
    x: int
@app.command()
def main(path: Annotated[Path, typer.Argument()], n: Annotated[int, typer.Option()] = 1) -> None:
    M.model_validate({"x": n})
app(["x.yaml"], standalone_mode=False)
"""


# --- inputs --------------------------------------------------------------------------------


def make_batch(work: Path, n: int) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8").replace("rubric: ../rubrics/taojiang-2019.yaml", f"rubric: {RUBRIC}")
    folder = work / "batch"
    folder.mkdir()
    paths = []
    for i in range(n):
        p = folder / f"dept-{i:04d}.yaml"
        p.write_text(text.replace("unit: 桃江县人民政府办公室", f"unit: 桃江县第{i + 1}号单位"), encoding="utf-8")
        paths.append(p)
    return paths


def make_large(work: Path, factor: int = 20) -> tuple[Path, Path]:
    """A rubric with every 一级 indicator repeated ``factor`` times (ids suffixed), and a department
    with every score repeated to match and ``factor`` times as many projects and function codes."""
    rubric_lines = RUBRIC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(rubric_lines) if ln.startswith("indicators:"))
    head, body = rubric_lines[: start + 1], rubric_lines[start + 1 :]
    copies = []
    for k in range(factor):
        # node ids only (`- id: x`); 评分要点 ids (`- {id: …}`) are per indicator and stay
        copies += [re.sub(r"^(\s*- id: )([a-z][a-z0-9_]*)", rf"\1\2_x{k}", ln) for ln in body]
    head = [re.sub(r"^total: 100$", f"total: {100 * factor}", ln) for ln in head]
    big_rubric = work / "large-rubric.yaml"
    big_rubric.write_text("\n".join(head + copies) + "\n", encoding="utf-8")

    dept = EXAMPLE.read_text(encoding="utf-8").replace("rubric: ../rubrics/taojiang-2019.yaml", f"rubric: {big_rubric}")
    lines = dept.splitlines()
    s = next(i for i, ln in enumerate(lines) if ln.strip() == "scores:")
    score_lines = [ln for ln in lines[s + 1 :] if ln.startswith("    ") and not ln.strip().startswith("#")]
    entries, current = [], []
    for ln in score_lines:
        if not ln.startswith("      ") and current:
            entries.append(current)
            current = []
        current.append(ln)
    entries.append(current)
    new_scores = []
    for k in range(factor):
        for e in entries:
            first = re.sub(r"^(    )([a-z_]+):", rf"\1\2_x{k}:", e[0])
            new_scores += [first] + e[1:]
    dept_lines = lines[: s + 1] + new_scores
    out = "\n".join(dept_lines) + "\n"
    out = out.replace("  total: 98.2\n", "")
    proj = "    - name: 一般行政管理事务"
    idx = out.index(proj)
    block_end = out.index("  balance:")
    project_block = out[idx:block_end]
    out = out[:idx] + project_block * factor + out[block_end:]
    big_dept = work / "large-dept.yaml"
    big_dept.write_text(out, encoding="utf-8")
    return big_rubric, big_dept


# --- figures -------------------------------------------------------------------------------


def in_process_cost(python: str, dept: Path, loops: int) -> float:
    code = f"""
import time, statistics
from perfeval import pipeline as L
from perfeval.core.engine import score
from perfeval.cli.gc_tuning import paused_gc, settle_gc
settle_gc()  # as the perfeval commands do
times = []
for _ in range({loops}):
    L._RUBRIC_CACHE.clear()
    t0 = time.perf_counter()
    with paused_gc():  # as the perfeval commands do, per file
        loaded = L.load({str(dept)!r})
        score(loaded.rubric, loaded.department)
    times.append(time.perf_counter() - t0)
print(statistics.median(times))
"""
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, env=ENV)
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--perfeval", default=shutil.which("perfeval") or str(Path(sys.executable).with_name("perfeval")))
    args = ap.parse_args()
    exe, python = args.perfeval, sys.executable
    if not Path(exe).exists():
        sys.exit("perfeval is not installed in this environment; pip install . first")

    rows: list[tuple[str, float, float, str]] = []
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(f"files: {args.files}, repetitions: {args.repeat} (median)\n")

    with tempfile.TemporaryDirectory(prefix="perfeval-bench-") as tmp:
        work = Path(tmp)
        batch = make_batch(work, args.files)
        listing = work / "files.txt"
        listing.write_text("\n".join(map(str, batch)), encoding="utf-8")

        # start-up
        floor_import = median_of(args.repeat, [python, "-c", "import typer, pydantic, yaml, rich.console"])
        # for context, not a target: the same stack in use (a pydantic model validated, a typer
        # command dispatched), which `import pydantic` alone does not load
        in_use = median_of(args.repeat, [python, "-c", STACK_IN_USE])
        for label, cmd in [
            ("score examples/taojiang-2019.yaml", [exe, "score", str(EXAMPLE)]),
            ("--help", [exe, "--help"]),
            ("--version", [exe, "--version"]),
        ]:
            t = median_of(args.repeat, cmd)
            rows.append((f"start: perfeval {label}", t, floor_import, "≤ 1.5×"))
        rows.append(("context: the stack in use (typer + pydantic model)", in_use, floor_import, "—"))

        # batch
        parse_code = (
            "import sys, yaml\n"
            "for p in open(sys.argv[1], encoding='utf-8').read().split('\\n'):\n"
            "    with open(p, encoding='utf-8') as fh: yaml.load(fh, Loader=yaml.CSafeLoader)\n"
        )
        floor_parse = median_of(args.repeat, [python, "-c", parse_code, str(listing)])
        check1 = [exe, "check", "--jobs", "1", *map(str, batch)]
        t_check = median_of(args.repeat, check1)
        rows.append((f"batch: check {args.files} files", t_check, floor_parse, "≤ 2×"))
        t_json = median_of(args.repeat, [exe, "check", "--format", "json", "--jobs", "1", *map(str, batch)])
        rows.append((f"batch: check {args.files} files --format json", t_json, floor_parse, "≤ 2×"))
        check2 = [exe, "check", "--jobs", "2", *map(str, batch)]
        t_check2 = median_of(args.repeat, check2)
        rows.append((f"jobs: check {args.files} files --jobs 2", t_check2, t_check, "≤ 0.6×"))

        # scale
        big_rubric, big_dept = make_large(work)
        base = in_process_cost(python, EXAMPLE, 20 * args.repeat)
        large = in_process_cost(python, big_dept, 2 * args.repeat)
        rows.append(("scale: load + score, 20× rubric and department", large, base, "≤ 20×"))

        # memory
        small_n = max(1, args.files // 10)
        rss_small = peak_rss_mb([exe, "check", "--jobs", "1", *map(str, batch[:small_n])])
        rss_large = peak_rss_mb(check1)

    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'median':>9}  {'floor':>9}  {'ratio':>7}  target")
    for name, t, floor, target in rows:
        print(f"{name.ljust(width)}  {t:8.3f}s  {floor:8.3f}s  {t / floor:6.2f}×  {target}")
    print(
        f"memory: peak RSS {rss_small:.0f} MB for {small_n} files, {rss_large:.0f} MB for {args.files} files "
        f"({rss_large / rss_small:.2f}×)"
    )


if __name__ == "__main__":
    main()
