"""What a run applies to every file: the settings of the command line and the configuration file, merged.

One :class:`Settings` per run, made by the command line (:mod:`perfeval.cli.settings`) and handed to each
file's pipeline — in worker processes too, so it is a small picklable record. Precedence, highest first:

* the rubric: ``--rubric`` > the department file's ``rubric:`` > the configuration's ``rubric``;
* the 对账容差: the department file's ``tolerance`` > the configuration's ``tolerance`` > the rubric's > 0.01;
* the codes reported: ``--select``/``--ignore`` over the configuration's ``select``/``ignore``
  (:func:`perfeval.core.config.combine`); levels from the configuration's ``[severity]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from perfeval.core.config import DeviationThreshold, Selection
from perfeval.core.department import Department
from perfeval.core.facts import WAN
from perfeval.core.problems import Location
from perfeval.core.rubric import Rubric
from perfeval.core.sums import DEFAULT_TOLERANCE


@dataclass(frozen=True, slots=True)
class Settings:
    rubric: Path | None = None  # --rubric: for every file, whatever it names
    default_rubric: Path | None = None  # the configuration's rubric: for a file that names none
    default_rubric_at: Location | None = None  # where the configuration names it
    tolerance: Decimal | None = None  # 对账容差 in 万元, from the configuration
    # 偏离阈值 of the review comparison (自评 / 核算 / 复核), from the configuration: read and validated here
    # for the comparison to use
    deviation_threshold: DeviationThreshold | None = None
    selection: Selection = field(default_factory=Selection)
    config_file: Path | None = None  # the configuration file used, if any


DEFAULT_SETTINGS = Settings()


def tolerance_for(dept: Department, rubric: Rubric, configured: Decimal | None = None) -> Decimal:
    """对账容差: the department file's, else the configuration's, else the rubric's, else one cent of the
    amount unit. The configuration's and the rubric's are in 万元."""
    if dept.tolerance is not None:
        return dept.tolerance
    stated = configured if configured is not None else rubric.reconcile_tolerance
    if stated is not None:
        return stated * (WAN if dept.amount_unit == "元" else 1)
    return DEFAULT_TOLERANCE
