"""perfeval benchmarks: every figure a ratio against a floor measured in the same run (issue 17).

    python benchmarks/run.py [--pairs 11] [--only NAME] [--files 1000] [--perfeval PATH]

Standard library and the project only. Inputs are generated into a temporary directory: copies of
examples/taojiang-2019.yaml, and a rubric and department a hundred times larger.

Every figure is measured as pairs: A, then its floor B, then A, B, … (never one block after the
other), so a machine that slows down meanwhile slows both. Each pair gives a ratio A/B; a figure is
the median of its pairs' ratios, printed with their range (lowest–highest), and a target is MET when
the median meets it.

Figures and targets (issue 17); `--only` takes a name of the first column:
  score      `perfeval score examples/taojiang-2019.yaml`  vs  benchmarks/stack_floor.py   ≤ 1.0×
  help       `perfeval --help`                              vs  the same floor              ≤ 0.5×
  help-score `perfeval score --help`                        vs  the same floor              ≤ 0.5×
  version    `perfeval --version`                           vs  the same floor              ≤ 0.5×
  import     `perfeval score …`  vs  python -c "import typer, pydantic, yaml, rich.console"  (context, no target)
  check      `check --jobs 1` over --files files (text)     vs  one process loading them with
                                                                yaml.CSafeLoader            ≤ 1.6×
  check-json the same with --format json                    vs  the same floor              ≤ 1.8×
  jobs       `check --jobs 2` over --files files             vs  `check --jobs 1`            ≤ 0.58×
             (only when the second core is idle: checked from /proc/stat before every pair)
  check-10k  `check --jobs 1` over 10 × --files files        vs  the CSafeLoader floor       ≤ 1.5×
  memory     peak RSS of `check` over 10 × --files files     vs  over --files files          ≤ 1.25×
             (check-10k and memory come from the same runs: check 10k, floor 10k, check 1k, …)
  linear     load + score in-process, a rubric and department 100× larger
                                                            vs  the Taojiang files          ≤ 100×
             (also: the share of the 100× load spent in the YAML reader's pre-scan)
  startup    the modules `perfeval score …` and `perfeval --help` import, by `python -X importtime`,
             against benchmarks/startup-modules.txt: FAILS (exit 1) when one not listed costs > 2 ms
  phases     check_file per file, phase by phase (perf_counter around each function, no profiler), beside
             yaml.CSafeLoader loading the same files (context: where check's time goes)
  workpaper  `check --output workpaper.xlsx` vs `check`; the workpaper vs xlsxwriter alone; its memory
             (issue 15's figures: slow, so 3 pairs by default — --workpaper-pairs)

check-10k and memory run 10 × --files files: 3 pairs by default (--big-pairs), each about two minutes
on a 2-core machine. `--write-startup-modules` rewrites benchmarks/startup-modules.txt from this
environment (review the difference before committing it).
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taojiang-2019.yaml"
RUBRIC = ROOT / "rubrics" / "taojiang-2019.yaml"
FLOOR = ROOT / "benchmarks" / "stack_floor.py"
FLOOR_YAML = ROOT / "benchmarks" / "stack_floor.yaml"
STARTUP_MODULES = ROOT / "benchmarks" / "startup-modules.txt"
IMPORT_BUDGET_US = 2000  # an import added to the start-up path may cost at most 2 ms

# Commands run as on a user's machine, where Python caches compiled modules: a sandbox that sets
# PYTHONDONTWRITEBYTECODE would otherwise recompile the project's own modules on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds
    rss_mb: float  # peak resident memory of the process


def run(cmd: list[str], *, env: dict[str, str] | None = None) -> Run:
    """One command, its output discarded; its own wall time, CPU time and peak RSS (os.wait4)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd[:4])} …\n{err.decode()[-2000:]}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@dataclass
class Figure:
    name: str
    what: str
    target: float | None  # the ratio the median must not exceed; None: context only
    ratios: list[float] = field(default_factory=list)
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    unit: str = "s"
    note: str = ""

    def add(self, a: float, b: float) -> None:
        self.a.append(a)
        self.b.append(b)
        self.ratios.append(a / b)

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def met(self) -> bool | None:
        return None if self.target is None or not self.ratios else self.median <= self.target

    def line(self) -> str:
        if not self.ratios:
            return f"{self.name:10s}  {self.what}: not measured  {self.note}"
        verdict = {None: "—", True: "MET", False: "MISSED"}[self.met]
        target = f"≤ {self.target:g}×" if self.target is not None else "(context)"
        fmt = (lambda v: f"{v:7.3f}s") if self.unit == "s" else (lambda v: f"{v:6.0f} MB")
        return (
            f"{self.name:10s}  {self.median:6.3f}×  ({min(self.ratios):.3f}–{max(self.ratios):.3f}, "
            f"{len(self.ratios)} pairs)  A {fmt(statistics.median(self.a))}  B {fmt(statistics.median(self.b))}  "
            f"{target:>9s}  {verdict:6s}  {self.what}{'  — ' + self.note if self.note else ''}"
        )


def paired(fig: Figure, a: list[str], b: list[str], pairs: int, *, before: Callable[[], bool] | None = None) -> Figure:
    """A, B, A, B, … ``pairs`` times after one warm-up run of each (page cache, .pyc files).
    ``before`` runs ahead of every pair; a pair it returns False for is not counted."""
    run(a)
    run(b)
    skipped = 0
    for _ in range(pairs):
        if before is not None and not before():
            skipped += 1
            continue
        fig.add(run(a).wall, run(b).wall)
    if skipped:
        fig.note = (fig.note + "; " if fig.note else "") + f"{skipped} pairs skipped: the second core was busy"
    return fig


# --- is the second core free? ----------------------------------------------------------------


def _cpu_times() -> dict[str, tuple[int, int]]:
    """(idle, total) jiffies per core, from /proc/stat."""
    out = {}
    with open("/proc/stat", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("cpu") and line[3].isdigit():
                name, *values = line.split()
                numbers = [int(v) for v in values]
                out[name] = (numbers[3] + numbers[4], sum(numbers))  # idle + iowait
    return out


def cores_idle(seconds: float = 0.3, threshold: float = 0.85) -> bool:
    """Whether at least two cores were each idle ≥ ``threshold`` of the last ``seconds`` (this process sleeps)."""
    if not Path("/proc/stat").exists():
        return os.getloadavg()[0] < 0.5
    first = _cpu_times()
    time.sleep(seconds)
    second = _cpu_times()
    idle = []
    for core, (i1, t1) in second.items():
        i0, t0 = first.get(core, (0, 0))
        idle.append((i1 - i0) / max(t1 - t0, 1))
    return sum(1 for x in idle if x >= threshold) >= 2


# --- inputs ----------------------------------------------------------------------------------


def make_batch(work: Path, n: int) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8").replace("rubric: ../rubrics/taojiang-2019.yaml", f"rubric: {RUBRIC}")
    folder = work / "batch"
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"dept-{i:05d}.yaml"
        p.write_text(text.replace("unit: 桃江县人民政府办公室", f"unit: 桃江县第{i + 1}号单位"), encoding="utf-8")
        paths.append(p)
    return paths


def make_large(work: Path, factor: int = 100) -> tuple[Path, Path]:
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
    big_rubric = work / f"large-rubric-{factor}.yaml"
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
    out = "\n".join(lines[: s + 1] + new_scores) + "\n"
    out = out.replace("  total: 98.2\n", "")
    proj = "    - name: 一般行政管理事务"
    idx = out.index(proj)
    block_end = out.index("  balance:")
    out = out[:idx] + out[idx:block_end] * factor + out[block_end:]
    big_dept = work / f"large-dept-{factor}.yaml"
    big_dept.write_text(out, encoding="utf-8")
    return big_rubric, big_dept


# --- the figures -----------------------------------------------------------------------------


@dataclass
class Context:
    args: argparse.Namespace
    exe: str
    python: str
    work: Path
    wanted: set[str]
    batch: list[Path] = field(default_factory=list)

    def wants(self, name: str) -> bool:
        return name in self.wanted

    def files(self, n: int) -> list[Path]:
        if len(self.batch) < n:
            self.batch = make_batch(self.work, n)
        return self.batch[:n]

    def listing(self, n: int) -> Path:
        path = self.work / f"files-{n}.txt"
        if not path.exists():
            path.write_text("\n".join(map(str, self.files(n))), encoding="utf-8")
        return path


PARSE_FLOOR = (
    "import sys, yaml\n"
    "for p in open(sys.argv[1], encoding='utf-8').read().split('\\n'):\n"
    "    with open(p, encoding='utf-8') as fh: yaml.load(fh, Loader=yaml.CSafeLoader)\n"
)


def start_figures(ctx: Context) -> list[Figure]:
    floor = [ctx.python, str(FLOOR), str(FLOOR_YAML)]
    score = [ctx.exe, "score", str(EXAMPLE)]
    what = "vs benchmarks/stack_floor.py (typer + pydantic + yaml + rich table)"
    n = ctx.args.pairs
    figures = [
        ("score", score, 1.0, "perfeval score examples/taojiang-2019.yaml " + what),
        ("help", [ctx.exe, "--help"], 0.5, "perfeval --help " + what),
        ("help-score", [ctx.exe, "score", "--help"], 0.5, "perfeval score --help " + what),
        ("version", [ctx.exe, "--version"], 0.5, "perfeval --version " + what),
    ]
    out = [paired(Figure(name, text, target), cmd, floor, n) for name, cmd, target, text in figures if ctx.wants(name)]
    if ctx.wants("import"):
        bare = [ctx.python, "-c", "import typer, pydantic, yaml, rich.console"]
        out.append(
            paired(Figure("import", "perfeval score … vs the bare import line of the stack", None), score, bare, n)
        )
    return out


def check_figures(ctx: Context) -> list[Figure]:
    n_files, pairs = ctx.args.files, ctx.args.pairs
    batch = list(map(str, ctx.files(n_files)))
    floor = [ctx.python, "-c", PARSE_FLOOR, str(ctx.listing(n_files))]
    check1 = [ctx.exe, "check", "--jobs", "1", *batch]
    out = []
    if ctx.wants("check"):
        fig = Figure("check", f"check --jobs 1 over {n_files} files (text) vs yaml.CSafeLoader in one process", 1.6)
        out.append(paired(fig, check1, floor, pairs))
    if ctx.wants("check-json"):
        fig = Figure("check-json", f"check --format json over {n_files} files vs the same floor", 1.8)
        out.append(paired(fig, [ctx.exe, "check", "--format", "json", "--jobs", "1", *batch], floor, pairs))
    if ctx.wants("jobs"):
        fig = Figure("jobs", f"check --jobs 2 vs --jobs 1 over {n_files} files", 0.58)
        if (os.cpu_count() or 1) < 2:
            fig.note = "not measured: one core"
        else:
            paired(fig, [ctx.exe, "check", "--jobs", "2", *batch], check1, pairs, before=cores_idle)
            fig.note = (fig.note + "; " if fig.note else "") + "second core idle before every pair counted"
        out.append(fig)
    return out


def big_figures(ctx: Context) -> list[Figure]:
    """check over 10× files against its parse floor, and its peak RSS against check over 1× files,
    from the same alternated runs: check 10×, floor 10×, check 1×, …"""
    if not (ctx.wants("check-10k") or ctx.wants("memory")):
        return []
    small, pairs = ctx.args.files, ctx.args.big_pairs
    big = 10 * small
    check_big = [ctx.exe, "check", "--jobs", "1", *map(str, ctx.files(big))]
    floor_big = [ctx.python, "-c", PARSE_FLOOR, str(ctx.listing(big))]
    check_small = [ctx.exe, "check", "--jobs", "1", *map(str, ctx.files(small))]
    timing = Figure("check-10k", f"check --jobs 1 over {big} files vs yaml.CSafeLoader in one process", 1.5)
    memory = Figure("memory", f"peak RSS of check over {big} files vs over {small} files", 1.25, unit="MB")
    for cmd in (check_big, floor_big, check_small):
        run(cmd)
    for _ in range(pairs):
        a = run(check_big)
        b = run(floor_big)
        c = run(check_small)
        timing.add(a.wall, b.wall)
        memory.add(a.rss_mb, c.rss_mb)
    per_file = (statistics.median(memory.a) - statistics.median(memory.b)) / (big - small) * 1024
    memory.note = f"{per_file:+.1f} KB a file"
    timing.note = f"{pairs} pairs (slow)"
    return [f for f in (timing, memory) if ctx.wants(f.name)]


LINEAR = """
import statistics, sys, time
from perfeval.fileio import yaml_read
from perfeval.pipeline import rubrics
from perfeval.pipeline.departments import load
from perfeval.core.engine import score
from perfeval.pipeline.gc_tuning import paused_gc, settle_gc

big, small, pairs = sys.argv[1], sys.argv[2], int(sys.argv[3])
prescan = [0.0]
original = yaml_read._prescan
def timed_prescan(*args):
    t = time.perf_counter()
    try:
        return original(*args)
    finally:
        prescan[0] += time.perf_counter() - t
yaml_read._prescan = timed_prescan

def once(path):
    rubrics._CACHE.clear()
    t0 = time.perf_counter()
    with paused_gc():  # as the perfeval commands do, per file
        loaded = load(path)
        score(loaded.rubric, loaded.department)
    return time.perf_counter() - t0

settle_gc()  # as the perfeval commands do
once(big); once(small)
rows = []
for _ in range(pairs):
    prescan[0] = 0.0
    a = once(big)
    share = prescan[0]
    b = statistics.median(once(small) for _ in range(5))
    rows.append((a, b, share))
for a, b, share in rows:
    print(a, b, share)
"""


def linear_figures(ctx: Context) -> list[Figure]:
    if not ctx.wants("linear"):
        return []
    _, big_dept = make_large(ctx.work, 100)
    fig = Figure("linear", "load + score in-process: rubric and department 100× larger vs the Taojiang files", 100)
    done = subprocess.run(
        [ctx.python, "-c", LINEAR, str(big_dept), str(EXAMPLE), str(ctx.args.pairs)],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    shares = []
    for line in done.stdout.split("\n"):
        if line.strip():
            a, b, share = map(float, line.split())
            fig.add(a, b)
            shares.append(share / a)
    fig.note = f"pre-scan {statistics.median(shares):.1%} of the 100× load (each B the median of 5)"
    return [fig]


# Where check's time goes, per file, without a profiler (cProfile inflates the many small calls): each phase
# timed with perf_counter around the function that does it, in-process, over the same files, next to
# yaml.CSafeLoader loading them.
PHASES = """
import statistics, sys, time
import yaml
from perfeval.core import claims, consistency, names, narrative, reconcile
from perfeval.fileio import yaml_read
from perfeval.pipeline import departments, reports
from perfeval.pipeline.gc_tuning import settle_gc

paths = open(sys.argv[1], encoding="utf-8").read().split("\\n")
spent = {}
def timed(module, name, label):
    original = getattr(module, name)
    def call(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - t
    setattr(module, name, call)
for module, name, label in [
    (yaml_read.yaml, "compose", "YAML: compose (libyaml)"),
    (departments, "read_department_data", "YAML: read, compose, build plain data"),
    (departments, "parse_department", "pydantic: validate the department"),
    (departments, "resolve_names", "names → ids"),
    (departments, "cross_check", "cross-check against the rubric"),
    (departments, "apply_review", "复核 (review), if any"),
    (reports, "score", "score (engine)"),
    (reconcile, "reconcile", "check: reconcile the tables"),
    (reports, "audit", "check: audit the self-scores"),
    (claims, "claim_findings", "check: claims"),
    (narrative, "narrative_findings", "check: narrative"),
    (reports, "scored_report", "report rows"),
    (reports, "located", "locate problems in the file"),
    (reports, "accept", "已接受 (accepted findings)"),
]:
    timed(module, name, label)
for p in paths[:20]:
    reports.check_file(p)
settle_gc()
spent.clear()
t = time.perf_counter()
for p in paths:
    reports.check_file(p)
total = time.perf_counter() - t
t = time.perf_counter()
for p in paths:
    with open(p, encoding="utf-8") as fh:
        yaml.load(fh, Loader=yaml.CSafeLoader)
floor = time.perf_counter() - t
n = len(paths)
print(f"check_file        {total / n * 1000:6.2f} ms a file  (yaml.CSafeLoader alone {floor / n * 1000:.2f} ms)")
for label, seconds in spent.items():
    print(f"  {label:40s} {seconds / n * 1000:6.2f} ms")
"""


def phases(ctx: Context) -> list[str]:
    if not ctx.wants("phases"):
        return []
    done = subprocess.run(
        [ctx.python, "-c", PHASES, str(ctx.listing(ctx.args.files))], capture_output=True, text=True, env=ENV
    )
    if done.returncode != 0:
        return [f"phases: failed\n{done.stderr[-2000:]}"]
    return ["phases of check_file, in-process, unprofiled (nested phases are inside their parents):", done.stdout]


# --- the modules of start-up -----------------------------------------------------------------


def allowed_modules() -> set[str]:
    lines = STARTUP_MODULES.read_text(encoding="utf-8").splitlines()
    return {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}


def import_times(python: str, argv: list[str]) -> dict[str, tuple[int, int]]:
    """module → (self µs, cumulative µs) as ``python -X importtime`` reports them for a perfeval run."""
    done = subprocess.run(
        [python, "-X", "importtime", "-c", MODULES_AT_EXIT, *argv], capture_output=True, text=True, env=ENV, check=False
    )
    out, loaded = {}, set()
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if m:
            out[m[3]] = (int(m[1]), int(m[2]))
        elif line.startswith("module: "):
            loaded.add(line[len("module: ") :])
    return {m: t for m, t in out.items() if m in loaded}  # not the imports tried and not found (nt, msvcrt …)


# a perfeval run that writes, as it exits, every module it imported to stderr ("module: name")
MODULES_AT_EXIT = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.__stderr__.write(''.join(f'module: {m}\\n' for m in sorted(sys.modules))))\n"
    "from perfeval.cli.app import main; main()\n"
)
START_COMMANDS = (["score", str(EXAMPLE)], ["--help"], ["score", "--help"], ["--version"])


def startup_guard(ctx: Context) -> tuple[list[str], bool]:
    """Every module imported at start-up not in benchmarks/startup-modules.txt, with its cost; whether
    any costs more than 2 ms (the median of 5 ``-X importtime`` runs, cumulative)."""
    allowed = allowed_modules()
    lines, failed, said = [], False, set()
    for argv in START_COMMANDS:
        runs = [import_times(ctx.python, argv) for _ in range(5)]
        new = sorted({m for r in runs for m in r} - allowed)
        for module in new:
            cost = statistics.median(r.get(module, (0, 0))[1] for r in runs)
            parent = module.rpartition(".")[0]
            if parent in new or module in said:  # counted in its parent's cumulative time, or said
                continue
            said.add(module)
            over = cost > IMPORT_BUDGET_US
            failed |= over
            lines.append(
                f"  {'FAIL' if over else 'note'}: perfeval {' '.join(argv[:1])} imports {module} "
                f"({cost / 1000:.1f} ms), not in {STARTUP_MODULES.name}"
            )
    return lines, failed


def write_startup_modules(python: str) -> None:
    seen: set[str] = set()
    for argv in START_COMMANDS:
        done = subprocess.run(
            [python, "-c", MODULES_AT_EXIT, *argv], capture_output=True, text=True, env=ENV, check=False
        )
        seen |= {line[len("module: ") :] for line in done.stderr.splitlines() if line.startswith("module: ")}
    head = [
        "# The modules perfeval may import at start-up: `perfeval score FILE`, `--help`, `score --help`, `--version`",
        "# (issue 17). benchmarks/run.py fails when a module not listed here costs more than 2 ms (-X importtime);",
        "# tests/test_startup_modules.py fails when one not listed is imported at all. Rewrite with",
        "# `python benchmarks/run.py --write-startup-modules` and review the difference: every new line is start-up",
        "# time every command pays.",
    ]
    STARTUP_MODULES.write_text("\n".join(head + sorted(seen)) + "\n", encoding="utf-8")
    print(f"wrote {len(seen)} modules to {STARTUP_MODULES}")


# --- the workpaper (issue 15) ----------------------------------------------------------------

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

for _ in range(repeat):  # alternated: the workpaper, then xlsxwriter alone
    print(timed(workpaper), floor(), len(calls))
"""


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


def workpaper_figures(ctx: Context) -> list[Figure]:
    if not ctx.wants("workpaper"):
        return []
    n, pairs = ctx.args.workpaper_files or ctx.args.files, ctx.args.workpaper_pairs
    batch = list(map(str, ctx.files(n)))
    out_file = ctx.work / "workpaper.xlsx"
    plain = [ctx.exe, "check", "--jobs", "1", *batch]
    with_output = [ctx.exe, "check", "--jobs", "1", "--force", "--output", str(out_file), *batch]
    one_env = {**ENV, "PERFEVAL_WORKPAPER_IN_PROCESS": "1"}
    wall = Figure("workpaper", f"check --output workpaper.xlsx vs check, {n} files, wall", 4)
    cpu = Figure("wp-cpu", "the same, CPU time (user + system)", 4)
    one = Figure("wp-one", "the workpaper written in one process (PERFEVAL_WORKPAPER_IN_PROCESS=1), wall", 4)
    one_cpu = Figure("wp-one-cpu", "the same, CPU time", 4)
    for cmd in (plain, with_output):
        run(cmd)
    run(with_output, env=one_env)
    for _ in range(pairs):
        a, b, c = run(with_output), run(plain), run(with_output, env=one_env)
        wall.add(a.wall, b.wall)
        cpu.add(a.cpu, b.cpu)
        one.add(c.wall, b.wall)
        one_cpu.add(c.cpu, b.cpu)
    listing = ctx.listing(n)
    done = subprocess.run(
        [ctx.python, "-c", WORKPAPER_FLOOR, str(listing), str(pairs), str(ctx.work / "floor.xlsx")],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    floor = Figure("wp-floor", f"the workpaper of {n} reports vs xlsxwriter alone making its calls, CPU", 1.3)
    for line in done.stdout.split("\n"):
        if line.strip():
            mine, alone, calls = line.split()
            floor.add(float(mine), float(alone))
            floor.what = f"the workpaper of {n} reports vs xlsxwriter alone ({int(calls):,} calls), CPU"
    rss = peak_tree_rss_mb(with_output) if Path("/proc/self/status").exists() else run(with_output).rss_mb
    memory = Figure(
        "wp-memory", f"peak RSS of check --output over {n} files, both processes, vs 200 MB", 1.0, unit="MB"
    )
    memory.add(rss, 200.0)
    for f in (wall, cpu, one, one_cpu, floor, memory):
        f.note = (f.note + "; " if f.note else "") + f"{len(f.ratios)} pairs (slow)"
    return [wall, cpu, one, one_cpu, floor, memory]


# --- main ------------------------------------------------------------------------------------

GROUPS: dict[str, tuple[str, ...]] = {
    "start": ("score", "help", "help-score", "version", "import"),
    "check": ("check", "check-json", "jobs"),
    "big": ("check-10k", "memory"),
    "linear": ("linear",),
    "startup": ("startup",),
    "phases": ("phases",),
    "workpaper": ("workpaper",),
}
NAMES = [name for names in GROUPS.values() for name in names]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=11, help="pairs per figure (default 11)")
    ap.add_argument("--big-pairs", type=int, default=3, help="pairs for check-10k and memory (default 3)")
    ap.add_argument("--workpaper-pairs", type=int, default=3, help="pairs for the workpaper's figures (default 3)")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--workpaper-files", type=int, default=None, help="files for the workpaper's figures (--files)")
    ap.add_argument("--only", choices=NAMES, action="append", help="run only this figure (repeatable)")
    ap.add_argument("--write-startup-modules", action="store_true", help="rewrite benchmarks/startup-modules.txt")
    ap.add_argument("--perfeval", default=shutil.which("perfeval") or str(Path(sys.executable).with_name("perfeval")))
    args = ap.parse_args()
    exe, python = args.perfeval, sys.executable
    if not Path(exe).exists():
        sys.exit("perfeval is not installed in this environment; pip install . first")
    if args.write_startup_modules:
        write_startup_modules(python)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )
    print(
        f"files: {args.files}; pairs: {args.pairs} (check-10k, memory: {args.big_pairs}; workpaper: "
        f"{args.workpaper_pairs}); load average {os.getloadavg()[0]:.2f}\n"
    )
    wanted = set(args.only or NAMES)
    figures: list[Figure] = []
    guard: list[str] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="perfeval-bench-") as tmp:
        ctx = Context(args, exe, python, Path(tmp), wanted)
        for group in (start_figures, check_figures, big_figures, linear_figures, workpaper_figures):
            done = group(ctx)
            for f in done:
                print(f.line(), flush=True)
            figures += done
        if "startup" in wanted:
            guard, failed = startup_guard(ctx)
        profile = phases(ctx)
    for line in profile:
        print(line)
    print("\nfigure      median   (range, pairs)            A          B          target  verdict")
    for f in figures:
        print(f.line())
    if "startup" in wanted:
        print(f"startup     modules at start-up vs {STARTUP_MODULES.name}: " + ("FAILED" if failed else "MET"))
        for line in guard:
            print(line)
        if failed:
            print(
                f"\nAN IMPORT ADDED TO THE START-UP PATH COSTS MORE THAN {IMPORT_BUDGET_US / 1000:g} ms",
                file=sys.stderr,
            )
            sys.exit(1)


if __name__ == "__main__":
    main()
