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

Figures (targets from issue 15), over --workpaper-files files (default: --files):
  workpaper  `check --output workpaper.xlsx` over N files  vs  `check` over the same files     (≤ 4×)
             also as CPU time (user + system), which a machine shared with other work disturbs less
  floor      the workpaper written in-process from N reports  vs  xlsxwriter making the same calls alone,
             replayed from a recording of that run with the formats made beforehand          (≤ 1.3×)
  memory     peak RSS of `check --output workpaper.xlsx` over N files, with its writer process (< 200 MB)
  (also `check --output` with the workpaper written in one process: PERFEVAL_WORKPAPER_IN_PROCESS=1)

`--only workpaper` runs only the workpaper's figures.
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


CPU: list[float] = []  # the CPU time (user + system) of each command run, in order


def run(cmd: list[str], *, env=None) -> float:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    if proc.returncode not in (0, 1):
        sys.exit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd[:4])} …\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def median_of(repeat: int, cmd: list[str]) -> float:
    run(cmd)  # warm the page cache and .pyc files
    return statistics.median(run(cmd) for _ in range(repeat))


def medians_of(repeat: int, cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) medians of ``cmd``."""
    run(cmd)
    walls, cpus = [], []
    for _ in range(repeat):
        walls.append(run(cmd))
        cpus.append(CPU[-1])
    return statistics.median(walls), statistics.median(cpus)


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of one child process, via a wrapper that reports its own rusage."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True, env=ENV)
    return int(out.stdout.strip()) / 1024


def peak_tree_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of a command and its child processes together (``check --output`` writes
    the workpaper in a second process), sampled from /proc every 20 ms; Linux only."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    peak = 0

    def rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                kb = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
                children = [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            return 0
        return kb + sum(rss(c) for c in children)

    while proc.poll() is None:
        peak = max(peak, rss(proc.pid))
        time.sleep(0.02)
    return peak / 1024


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


# The workpaper written in-process from reports already made, and the floor: the same xlsxwriter calls,
# recorded from a run of the workpaper and replayed alone with their formats made beforehand.
WORKPAPER_FLOOR = """
import gc, statistics, sys, time
import xlsxwriter
from xlsxwriter.worksheet import Worksheet
from perfeval.pipeline.reports import check_file
from perfeval.reporting import workpaper as W

paths = open(sys.argv[1], encoding="utf-8").read().split("\\n")
repeat, out = int(sys.argv[2]), sys.argv[3]
reports = [check_file(p) for p in paths]
gc.collect()

def workpaper():
    with W.Workpaper(out) as wp:
        for r in reports:
            wp.add(r)
    return wp

calls = []
originals = {n: getattr(Worksheet, n) for n in ("write_string", "write_number", "write_blank", "set_row")}
def recording(name):
    def call(self, *args):
        calls.append((self.name, name, args))
        return originals[name](self, *args)
    return call
for name in originals:
    setattr(Worksheet, name, recording(name))
made = workpaper().file.sheets[0].fmt.made
for name, f in originals.items():
    setattr(Worksheet, name, f)
key_of = {id(f): key for key, f in made.items()}
recorded = [(s, n, tuple(("fmt", key_of[id(a)]) if id(a) in key_of else a for a in args)) for s, n, args in calls]

def floor():
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    fmt = W._Formats(wb)
    sheets = {n: wb.add_worksheet(n) for n in ("汇总", "指标明细", "问题清单")}
    ready = [
        (getattr(sheets[s], n), tuple(fmt(*a[1]) if type(a) is tuple and a[:1] == ("fmt",) else a for a in args))
        for s, n, args in recorded
    ]
    t = time.process_time()
    for method, args in ready:
        method(*args)
    wb.close()
    return time.process_time() - t

def timed(f):
    gc.collect()
    t = time.process_time()
    f()
    return time.process_time() - t

mine, alone = [], []
for _ in range(repeat):
    mine.append(timed(workpaper))
    alone.append(floor())
print(statistics.median(mine), statistics.median(alone), len(calls))
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
    # the grade bands are out of 100: scaled with the total
    head = [
        re.sub(
            r'range: "([\[(])(\d+), (\d+)([\])])"',
            lambda m: f'range: "{m[1]}{int(m[2]) * factor}, {int(m[3]) * factor}{m[4]}"',
            ln,
        )
        for ln in head
    ]
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
from perfeval.pipeline import rubrics
from perfeval.pipeline.departments import load
from perfeval.core.engine import score
from perfeval.pipeline.gc_tuning import paused_gc, settle_gc
settle_gc()  # as the perfeval commands do
times = []
for _ in range({loops}):
    rubrics._CACHE.clear()
    t0 = time.perf_counter()
    with paused_gc():  # as the perfeval commands do, per file
        loaded = load({str(dept)!r})
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
    ap.add_argument("--workpaper-files", type=int, default=None, help="files for the workpaper's figures (--files)")
    ap.add_argument("--only", choices=["all", "workpaper"], default="all")
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
    n_wp = args.workpaper_files or args.files
    print(f"files: {args.files} (workpaper: {n_wp}), repetitions: {args.repeat} (median)\n")
    memory: list[str] = []

    with tempfile.TemporaryDirectory(prefix="perfeval-bench-") as tmp:
        work = Path(tmp)
        batch = make_batch(work, max(args.files, n_wp))
        listing = work / "files.txt"
        listing.write_text("\n".join(map(str, batch[: args.files])), encoding="utf-8")
        if args.only == "all":
            memory += general_figures(args, exe, python, work, batch[: args.files], listing, rows)
        memory += workpaper_figures(args, exe, python, work, batch[:n_wp], rows)

    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'median':>9}  {'floor':>9}  {'ratio':>7}  target")
    for name, t, floor, target in rows:
        print(f"{name.ljust(width)}  {t:8.3f}s  {floor:8.3f}s  {t / floor:6.2f}×  {target}")
    for line in memory:
        print(line)


def general_figures(args, exe: str, python: str, work: Path, batch: list[Path], listing: Path, rows) -> list[str]:
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
    rows.append((f"batch: check {len(batch)} files", t_check, floor_parse, "≤ 2×"))
    t_json = median_of(args.repeat, [exe, "check", "--format", "json", "--jobs", "1", *map(str, batch)])
    rows.append((f"batch: check {len(batch)} files --format json", t_json, floor_parse, "≤ 2×"))
    check2 = [exe, "check", "--jobs", "2", *map(str, batch)]
    t_check2 = median_of(args.repeat, check2)
    rows.append((f"jobs: check {len(batch)} files --jobs 2", t_check2, t_check, "≤ 0.6×"))

    # scale
    big_rubric, big_dept = make_large(work)
    base = in_process_cost(python, EXAMPLE, 20 * args.repeat)
    large = in_process_cost(python, big_dept, 2 * args.repeat)
    rows.append(("scale: load + score, 20× rubric and department", large, base, "≤ 20×"))

    # memory
    small_n = max(1, len(batch) // 10)
    rss_small = peak_rss_mb([exe, "check", "--jobs", "1", *map(str, batch[:small_n])])
    rss_large = peak_rss_mb(check1)
    return [
        f"memory: peak RSS {rss_small:.0f} MB for {small_n} files, {rss_large:.0f} MB for {len(batch)} files "
        f"({rss_large / rss_small:.2f}×)"
    ]


def workpaper_figures(args, exe: str, python: str, work: Path, batch: list[Path], rows) -> list[str]:
    """`check --output workpaper.xlsx` against `check`, the workpaper against xlsxwriter alone, its memory."""
    n = len(batch)
    out = work / "workpaper.xlsx"
    plain = [exe, "check", "--jobs", "1", *map(str, batch)]
    with_output = [exe, "check", "--jobs", "1", "--force", "--output", str(out), *map(str, batch)]
    wall_plain, cpu_plain = medians_of(args.repeat, plain)
    wall_out, cpu_out = medians_of(args.repeat, with_output)
    one_env = {**ENV, "PERFEVAL_WORKPAPER_IN_PROCESS": "1"}
    run(with_output, env=one_env)
    walls, cpus = [], []
    for _ in range(args.repeat):
        walls.append(run(with_output, env=one_env))
        cpus.append(CPU[-1])
    wall_one, cpu_one = statistics.median(walls), statistics.median(cpus)
    rows.append((f"workpaper: check {n} files --output workpaper.xlsx", wall_out, wall_plain, "≤ 4×"))
    rows.append(("workpaper: the same, CPU time (user + system)", cpu_out, cpu_plain, "≤ 4×"))
    rows.append(("workpaper: written in one process, wall", wall_one, wall_plain, "≤ 4×"))
    rows.append(("workpaper: written in one process, CPU time", cpu_one, cpu_plain, "≤ 4×"))
    listing = work / "workpaper-files.txt"
    listing.write_text("\n".join(map(str, batch)), encoding="utf-8")
    done = subprocess.run(
        [python, "-c", WORKPAPER_FLOOR, str(listing), str(args.repeat), str(work / "floor.xlsx")],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    mine, alone, calls = done.stdout.split()
    rows.append(
        (
            f"floor: workpaper of {n} reports vs xlsxwriter alone ({int(calls):,} calls), CPU",
            float(mine),
            float(alone),
            "≤ 1.3×",
        )
    )
    rss = peak_tree_rss_mb(with_output) if Path("/proc/self/status").exists() else peak_rss_mb(with_output)
    rss_plain = peak_rss_mb(plain)
    return [
        f"memory: peak RSS of check --output over {n} files, both processes together: {rss:.0f} MB "
        f"(target < 200 MB); without --output {rss_plain:.0f} MB"
    ]


if __name__ == "__main__":
    main()
