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
from perfeval.core.problems import Location


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
