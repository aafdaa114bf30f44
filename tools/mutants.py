"""Deliberate mutations of perfeval's source, and whether the tests kill them.

Each mutant is a bug the suite once let through (issue 10): a list of text patches, each an
``old`` piece of code and the ``new`` one that replaces it, and the tests that must kill it.
A patch is looked up by its code text anywhere under ``src/perfeval``, so files may move or be
renamed; a patch whose text is in no file, or in more than one place, stops the run (exit 2):
update the patch to the code as it now reads.

For each mutant the tree (tracked and new, unignored files) is copied to a temporary directory,
the patches are applied there, and pytest runs in the copy with ``PYTHONPATH=<copy>/src``, so
the copy's package is imported instead of the editable install. A mutant is *killed* when the
tests fail (pytest exit 1), *survived* when they pass; any other pytest exit (a test id that no
longer exists, a collection error) is reported as an error. Before any mutant, the same tests
run on an unmutated copy and must pass. The working tree is never modified.

    python tools/mutants.py                   # every mutant against the tests named for it
    python tools/mutants.py --full            # every mutant against the whole suite (slow)
    python tools/mutants.py open-high-edge    # only these mutants
    python tools/mutants.py --list            # names, what each breaks, its killing tests
    python tools/mutants.py --check           # only check that every patch still applies

Exit: 0 every mutant killed; 1 some survived or errored; 2 a patch no longer applies, or the
unmutated tests fail.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path("src") / "perfeval"
RULES = "tests/test_rules_cases.py::test_rule_case"
CHECK = "tests/test_check_findings.py::test_mutation_gives_the_expected_finding"
CHECK_EXIT = "tests/test_check_findings.py::test_mutation_exit_code"


@dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str  # what the mutation does, in the words of the issue
    patches: tuple[tuple[str, str], ...]  # (old code, new code)
    tests: tuple[str, ...]  # pytest node ids that must fail on the mutant


MUTANTS = [
    Mutant(
        "open-high-edge-closed",
        "an open upper band edge `)` treated as closed",
        (
            (
                "(x > self.high or (x == self.high and not self.high_closed))",
                "x > self.high",
            ),
        ),
        (f"{RULES}[bands/open-upper-edge-listed-first]",),
    ),
    Mutant(
        "open-low-edge-closed",
        "an open lower band edge `(` treated as closed",
        (
            (
                "(x < self.low or (x == self.low and not self.low_closed))",
                "x < self.low",
            ),
        ),
        (f"{RULES}[bands/open-lower-edge-listed-first]",),
    ),
    Mutant(
        "no-sangong-columns-check",
        "the check of the 三公 columns of 附件1 against the 三公 actual removed",
        (("    findings += _sangong_columns(d, money, tolerance)\n", ""),),
        (f"{CHECK}[sangong-columns-do-not-give-the-actual]",),
    ),
    Mutant(
        "final-budget-without-decrease",
        "全年预算数 derived without the 追减",
        (("else initial + up - down", "else initial + up"),),
        (f"{RULES}[derived_facts/final-budget-is-initial-plus-additions-minus-cuts]",),
    ),
    Mutant(
        "income-gap-net-adjustment-any-sign",
        "an income gap explained by the net adjustment whatever its sign",
        (("net is not None and net != 0 and net == gap", "net is not None and net != 0 and abs(net) == abs(gap)"),),
        (f"{CHECK}[income-exceeds-spending-by-the-amount-added]",),
    ),
    Mutant(
        "income-gap-budget-change-any-sign",
        "an income gap explained by 调整后预算 − 年初预算 whatever its sign",
        (
            (
                "final is not None and final - initial == gap",
                "final is not None and abs(final - initial) == abs(gap)",
            ),
        ),
        (f"{CHECK}[income-exceeds-spending-by-the-budget-change]",),
    ),
    Mutant(
        "exact-over-claim-a-warning",
        "a 高报 against an exactly recomputed score downgraded to a warning (check exits 0)",
        (
            (
                '"over-claimed",\n                ERROR,\n                f"{name}：自评 {_pts(n.self_score)} 分，按规则应得',
                '"over-claimed",\n                WARNING,\n                f"{name}：自评 {_pts(n.self_score)} 分，按规则应得',
            ),
        ),
        (
            f"{CHECK}[over-claim-against-an-exact-score]",
            f"{CHECK_EXIT}[over-claim-against-an-exact-score]",
        ),
    ),
    Mutant(
        "exact-over-claim-difference-flipped",
        "the 高报 finding's difference sign flipped",
        (
            (
                '高报 {_pts(stated - n.score)} 分（{n.note}）",\n'
                "                stated=n.self_score,\n"
                "                expected=n.score,\n"
                "                difference=stated - n.score,",
                '高报 {_pts(stated - n.score)} 分（{n.note}）",\n'
                "                stated=n.self_score,\n"
                "                expected=n.score,\n"
                "                difference=n.score - stated,",
            ),
        ),
        (f"{CHECK}[over-claim-against-an-exact-score]",),
    ),
    Mutant(
        "no-not-self-scored",
        "the `not-self-scored` finding removed",
        (
            (
                "elif status is Status.NOT_SCORED and not some_items_blank:",
                "elif status is Status.NOT_SCORED and not some_items_blank and False:",
            ),
        ),
        (f"{CHECK}[indicator-left-unscored]",),
    ),
    Mutant(
        "no-total-missing",
        "the `total-missing` finding removed",
        (
            (
                '    if stated is None:\n        return [\n            finding(\n                "total-missing",',
                '    if stated is None:\n        return []\n        return [\n            finding(\n                "total-missing",',
            ),
        ),
        (f"{CHECK}[stated-total-left-blank]",),
    ),
    Mutant(
        "fact-initial-budget-ignores-stated-total",
        "年初预算数 (the fact) ignores a stated 小计",
        (
            (
                "    b = d.basic_data.initial_budget\n    if b.total is not None:\n        return b.total\n    return sum_or_blank(",
                "    b = d.basic_data.initial_budget\n    return sum_or_blank(",
            ),
        ),
        (f"{RULES}[derived_facts/initial-budget-is-the-stated-subtotal]",),
    ),
    Mutant(
        "reconcile-initial-budget-ignores-stated-total",
        "the reconciliation's 年初预算 ignores a stated 小计",
        (
            (
                "    b = d.basic_data.initial_budget\n    if b.total is not None:\n        return b.total\n    if b.basic",
                "    b = d.basic_data.initial_budget\n    if b.basic",
            ),
        ),
        (f"{CHECK}[initial-budget-subtotal]",),  # the 小计 1,048.50 stands, so the 追加 still explains it
    ),
    Mutant(
        "fact-final-budget-ignores-stated-final",
        "全年预算数 (the fact) ignores a stated `budget.final`",
        (
            (
                "    if d.budget.final is not None:\n        return d.budget.final\n    initial, up, down",
                "    initial, up, down",
            ),
        ),
        (f"{RULES}[derived_facts/final-budget-is-the-stated-final]",),
    ),
    Mutant(
        "review-deviation-over-the-review",
        "偏离度 divided by the 复核 instead of the 自评",
        (("    return (self_score - reviewed) / self_score", "    return (self_score - reviewed) / reviewed"),),
        ("tests/test_review.py::test_review_case[review/a-changed-score-without-a-reason-is-a-warning]",),
    ),
    Mutant(
        "review-deviation-one-way",
        "a deviation flagged only when the unit claimed more than the reviewer gives",
        (
            (
                "return value is not None and limit is not None and abs(value) > limit",
                "return value is not None and limit is not None and value > limit",
            ),
        ),
        ("tests/test_review.py::test_review_case[review/a-reviewer-giving-more-than-the-unit-is-a-deviation-too]",),
    ),
    Mutant(
        "renamed-key-located-at-its-id",
        "a finding on an indicator written by its name located as if written by id (nowhere)",
        (("            written = self.renames.get(path[:n])", "            written = None"),),
        (
            "tests/test_department_cases.py::test_department_case[names/a-finding-on-a-named-indicator-points-at-the-name]",
        ),
    ),
    Mutant(
        "bare-rate-taken",
        "a rate written as a bare 95 taken instead of refused",
        (("if info.unit in RATE_UNITS and not percent and abs(value) > 1:", "if False:"),),
        ("tests/test_department_cases.py::test_department_case[fact-units/a-rate-written-as-95-is-refused]",),
    ),
    # --- the batch's configuration, choice of codes, acceptances and sample (issue 15, part 4) ---
    Mutant(
        "config-not-found-upwards",
        "the configuration looked for in the working folder only, not in the folders above it",
        (("for folder in (here, *here.parents):", "for folder in (here,):"),),
        ("tests/test_config.py::test_found_upwards_from_the_working_folder_and_named_under_verbose",),
    ),
    Mutant(
        "config-above-the-repository",
        "the search for the configuration going on past the repository's root",
        (("if folder == home or any(", "if False and any("),),
        ("tests/test_config.py::test_the_search_stops_at_the_repository_root",),
    ),
    Mutant(
        "ignored-findings-uncounted",
        "findings left out by --ignore/--select not counted: dropped silently",
        (("report.ignored = dict(sorted(ignored.items()))", "pass"),),
        ("tests/test_selection.py::test_ignore_removes_the_findings_says_how_many_and_they_no_longer_count",),
    ),
    Mutant(
        "cli-select-keeps-config-ignore",
        "--select on the command line keeping the configuration's ignore (ruff starts afresh)",
        (("select, ignore = frozenset(cli_select), frozenset()", "select = frozenset(cli_select)"),),
        ("tests/test_selection.py::test_the_command_line_beats_the_configuration",),
    ),
    Mutant(
        "accepted-error-fails",
        "an accepted finding (accepted:) still counted for the exit code",
        (("if p.level == level and p.accepted is None)", "if p.level == level)"),),
        ("tests/test_selection.py::test_an_accepted_error_is_shown_as_accepted_in_text_and_does_not_fail",),
    ),
    Mutant(
        "unused-acceptance-silent",
        "an acceptance that matches no finding not reported",
        (("        if not used[i]:", "        if False:"),),
        ("tests/test_selection.py::test_an_acceptance_that_matches_nothing_is_a_warning",),
    ),
    Mutant(
        "default-rubric-before-the-file-s",
        "the configuration's rubric taken before the department file's rubric:",
        (
            (
                "    elif dept.rubric is not None:\n        rubric_path = resolve_rubric_path(dept, path, source)\n"
                "    elif default is not None:\n        rubric_path = default",
                "    elif default is not None:\n        rubric_path = default\n"
                "    elif dept.rubric is not None:\n        rubric_path = resolve_rubric_path(dept, path, source)",
            ),
        ),
        ("tests/test_config.py::test_the_file_s_rubric_beats_the_configuration_s_and_rubric_beats_both",),
    ),
    Mutant(
        "sample-smallest-spending",
        "--sample --by 资金规模 picking the smallest spending",
        (("eligible.append((c, -c.spending))", "eligible.append((c, c.spending))"),),
        ("tests/test_sample.py::test_by_size_the_largest_spending_first_with_the_figure",),
    ),
    Mutant(
        "sample-unreadable-taken",
        "a unit that could not be read taking part in the sample",
        (("        if not c.readable:", "        if False:"),),
        ("tests/test_sample.py::test_an_unreadable_unit_is_reported_and_never_sampled",),
    ),
    Mutant(
        "config-threshold-unused",
        "the configuration's deviation_threshold not given to the review comparison",
        (
            (
                "review_findings(result, rubric, loaded.review, threshold)",
                "review_findings(result, rubric, loaded.review)",
            ),
        ),
        ("tests/test_config.py::test_the_configuration_s_deviation_threshold_flags_the_review",),
    ),
    Mutant(
        "workbook-drops-staff",
        "人员编制 left off the workbook's 其他内容 sheet: YAML → xlsx → YAML loses it",
        (('    ("staff",),\n    ("cost_items",),', '    ("cost_items",),'),),
        ("tests/test_workbook_other.py::test_every_example_survives_yaml_to_xlsx_to_yaml",),
    ),
    Mutant(
        "workbook-strips-notes",
        "a note on 评分表 read without its outer spaces",
        (
            (
                '            entry["note"] = rd.text(ws, r, c_note, exact=True)',
                '            entry["note"] = rd.text(ws, r, c_note)',
            ),
        ),
        ("tests/test_workbook_other.py::test_free_texts_keep_their_outer_spaces_through_the_workbook",),
    ),
    Mutant(
        "workbook-other-overwrites",
        "a 其他内容 row given twice overwrites the first instead of being refused",
        (("                if current is not None and current != {} and current != []:", "                if False:"),),
        ("tests/test_workbook_other.py::test_a_wrong_row_is_refused_by_its_cell",),
    ),
]


class PatchError(Exception):
    pass


def _sources(tree: Path) -> list[Path]:
    return sorted((tree / PACKAGE).rglob("*.py"))


def apply(mutant: Mutant, tree: Path) -> list[str]:
    """Apply the mutant's patches to ``tree``; the files it changed (relative). Raises PatchError."""
    changed = []
    files = _sources(tree)
    texts = {f: f.read_text(encoding="utf-8") for f in files}
    for old, new in mutant.patches:
        hits = [(f, texts[f].count(old)) for f in files if old in texts[f]]
        count = sum(n for _, n in hits)
        if count != 1:
            where = ", ".join(f"{f.relative_to(tree)} ×{n}" for f, n in hits) or "no file"
            raise PatchError(f"{mutant.name}: patch text occurs {count} times under {PACKAGE} ({where}):\n{old}")
        f = hits[0][0]
        texts[f] = texts[f].replace(old, new)
        f.write_text(texts[f], encoding="utf-8")
        changed.append(str(f.relative_to(tree)))
    return changed


def _files() -> list[str]:
    """The project's files: tracked, plus new ones not ignored (cases being written)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "build", "dist"}
        return [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
        ]
    return [f for f in out.decode("utf-8").split("\0") if f and (ROOT / f).is_file()]


def copy_tree(dst: Path) -> None:
    for rel in _files():
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)


def run_tests(tree: Path, tests: list[str], quiet: bool = True) -> int:
    env = {**os.environ, "PYTHONPATH": str(tree / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("PERFEVAL_UPDATE_GOLDEN", None)  # a mutant must never rewrite golden files
    probe = subprocess.run(
        [sys.executable, "-c", "import perfeval; print(perfeval.__file__)"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if not Path(probe.stdout.strip()).is_relative_to(tree):
        raise SystemExit(f"the copy's package is not the one imported: {probe.stdout.strip() or probe.stderr}")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=quiet, text=True)
    if out.returncode not in (0, 1) and quiet:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
    return out.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--full", action="store_true", help="run the whole suite against each mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and their killing tests")
    parser.add_argument("--check", action="store_true", help="only check that every patch applies")
    args = parser.parse_args(argv)

    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    unknown = set(args.names) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"no such mutant: {', '.join(sorted(unknown))}")
    if args.list:
        for m in chosen:
            print(f"{m.name}: {m.breaks}")
            for t in m.tests:
                print(f"    {t}")
        return 0

    with tempfile.TemporaryDirectory(prefix="perfeval-mutants-") as tmp:
        base = Path(tmp) / "base"
        copy_tree(base)
        for m in chosen:  # every patch must apply before anything runs
            scratch = Path(tmp) / "probe"
            shutil.copytree(base / PACKAGE, scratch / PACKAGE)
            try:
                apply(m, scratch)
            except PatchError as exc:
                print(f"patch no longer applies: {exc}", file=sys.stderr)
                return 2
            finally:
                shutil.rmtree(scratch)
        if args.check:
            print(f"{len(chosen)} mutants: every patch applies")
            return 0

        all_tests = sorted({t for m in chosen for t in m.tests})
        baseline = [] if args.full else all_tests
        if run_tests(base, baseline) != 0:
            print("the tests fail on the unmutated source; fix them first", file=sys.stderr)
            return 2

        results = []
        for m in chosen:
            tree = Path(tmp) / m.name
            shutil.copytree(base, tree)
            changed = apply(m, tree)
            rc = run_tests(tree, [] if args.full else list(m.tests))
            verdict = {0: "SURVIVED", 1: "killed"}.get(rc, f"error (pytest exit {rc})")
            results.append((m, verdict))
            print(f"{verdict:>10}  {m.name}  ({', '.join(changed)}): {m.breaks}", flush=True)
            shutil.rmtree(tree)

    survived = [m.name for m, v in results if v != "killed"]
    print(
        f"\n{len(results) - len(survived)} of {len(results)} mutants killed"
        + (f"; not: {', '.join(survived)}" if survived else "")
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
