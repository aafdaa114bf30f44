"""The configuration file (配置文件): its model, and the choice of codes a run reports.

``perfeval.toml`` (or ``.perfeval.toml``, or ``[tool.perfeval]`` in ``pyproject.toml``) holds what a
reviewer sets once for a batch: the default rubric, the 对账容差, the thresholds of the review comparison,
the output format, the codes selected and ignored, and levels given to codes (yamllint's ``level``,
sqlfluff's ``warnings``). Finding and reading the file is :mod:`perfeval.fileio.config_file`; this module
is pure.

Codes are chosen as ruff chooses rules: ``select`` narrows the report to the codes it lists, ``ignore``
removes codes from it; the command line's ``--select`` replaces the file's ``select`` and ``ignore``, and
its ``--ignore`` adds to them (:func:`combine`). Only findings in a file that was read can be chosen
(:func:`perfeval.core.codes.selectable`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from perfeval.core.codes import CODES, SELECTABLE_FAMILIES, selectable, title
from perfeval.core.number_text import parse_decimal, parse_ratio
from perfeval.core.problems import ERROR, INFO, LEVELS, WARNING, Problem

Level = Literal["error", "warning", "info"]
# a level as a reviewer may write it: the English word, its Chinese label, or the workpaper's severity
LEVEL_NAMES: dict[str, str] = {
    **{level: level for level in LEVELS},
    "错误": ERROR,
    "警告": WARNING,
    "提示": INFO,
    "P0": ERROR,
    "P1": WARNING,
    "P2": INFO,
}
SELECTABLE_CODES = sorted(code for code in CODES if selectable(code))


def code_refusal(code: str) -> tuple[str, str] | None:
    """Why ``code`` cannot be named where findings are chosen — ``(problem code, message)``: unknown (with
    the closest codes), or a code of a file that cannot be read — or None when it can."""
    if code in CODES:
        if selectable(code):
            return None
        return (
            "code-not-selectable",
            f"{code}（{title(code)}）表示文件无法读取或输出无法写出，不能忽略、接受或改级别；"
            "请改正文件本身。可以选择的是审核、校验发现的问题代码（perfeval 输出中方括号里的代码）",
        )
    guesses = difflib.get_close_matches(code, SELECTABLE_CODES, n=3, cutoff=0.6)
    if guesses:
        named = "、".join(f"{g}（{title(g)}）" for g in guesses)
        return "unknown-code", f"{code!r} 不是 perfeval 的问题代码；是否想写 {named}？"
    return (
        "unknown-code",
        f"{code!r} 不是 perfeval 的问题代码；问题代码是 perfeval 输出中每条问题末尾方括号里的英文，"
        "如 over-claimed（高报）、income-spending-gap（收支差额可由预算调整解释）",
    )


def _known_code(value: str) -> str:
    why = code_refusal(value)
    if why is not None:
        raise PydanticCustomError(why[0].replace("-", "_"), why[1])
    return value


# a problem code where a department or configuration file names one; the schema lists the codes
CodeName = Annotated[
    str,
    AfterValidator(_known_code),
    Field(json_schema_extra={"enum": SELECTABLE_CODES}),
]


def _level_name(value: Any) -> Any:
    return LEVEL_NAMES.get(value.strip(), value) if isinstance(value, str) else value


LevelName = Annotated[
    Level,
    BeforeValidator(_level_name, json_schema_input_type=Literal[tuple(LEVEL_NAMES)]),
]
Threshold = Annotated[Decimal, BeforeValidator(parse_decimal), Field(ge=0)]
Ratio = Annotated[Decimal, BeforeValidator(parse_ratio), Field(ge=0)]


class ConfigModel(BaseModel):
    # built when first used: most runs read no configuration file, and ConfigFile costs ~8 ms to build
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class DeviationThreshold(ConfigModel):
    """偏离阈值: when the review comparison (自评 / 核算 / 复核) flags a deviation. Either or both."""

    rate: Ratio | None = Field(
        None,
        title="偏离度阈值",
        description="偏离度（如 (自评 − 复核) ÷ 自评）的绝对值超过它时标出；写 10% 或 0.1",
    )
    points: Threshold | None = Field(
        None, title="偏差分数阈值", description="自评与复核相差的分数（绝对值）超过它时标出，如 1"
    )


class ConfigFile(ConfigModel):
    """配置文件 perfeval.toml（或 .perfeval.toml，或 pyproject.toml 的 [tool.perfeval]）"""

    rubric: str | None = Field(
        None,
        min_length=1,
        title="默认评分表",
        description="部门文件没有写 rubric: 时用的评分表：相对本配置文件的路径，或自带评分表的标识（perfeval rubrics）",
    )
    tolerance: Threshold | None = Field(
        None,
        title="对账容差（万元）",
        description="部门文件未写 tolerance 时的对账容差，单位万元（金额单位为元的文件按元换算）；优先于评分表所定的",
    )
    deviation_threshold: DeviationThreshold | None = Field(
        None, title="偏离阈值", description="自评与复核比较时，偏离超过多少标出（rate 偏离度、points 分数）"
    )
    format: Literal["text", "json", "github"] | None = Field(
        None, title="输出格式", description="命令行未给 --format 时的输出格式：text、json 或 github"
    )
    select: list[CodeName] | None = Field(
        None, title="只报告的问题代码", description="只报告这些代码的问题；不写则报告全部"
    )
    ignore: list[CodeName] = Field(default_factory=list, title="忽略的问题代码", description="不报告这些代码的问题")
    severity: dict[CodeName, LevelName] = Field(
        default_factory=dict,
        title="问题级别",
        description='把某个代码的问题改为 error（错误）、warning（警告）或 info（提示），如 income-spending-gap = "error"',
    )


def threshold_for(threshold: DeviationThreshold | None, measure: str) -> Decimal | None:
    """The configuration's threshold for a rubric's 偏离度 (``relative``: the rate; ``points``: the points), or
    None (then the rubric's own ``review.threshold`` applies)."""
    if threshold is None:
        return None
    return threshold.rate if measure == "relative" else threshold.points


@dataclass(frozen=True, slots=True)
class Selection:
    """The codes a run reports and the levels it gives them.

    ``select`` None reports every code. An ignored finding is not shown and does not count for the exit
    code; the run says how many there were (never silently)."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    levels: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_default(self) -> bool:
        return self.select is None and not self.ignore and not self.levels

    def reports(self, code: str) -> bool:
        """Whether a finding of ``code`` is reported. Codes that cannot be chosen are always reported."""
        if not selectable(code):
            return True
        return (self.select is None or code in self.select) and code not in self.ignore

    def apply(self, problems: Iterable[Problem]) -> tuple[list[Problem], Counter[str]]:
        """The problems reported, at their levels; and how many of each code were ignored."""
        kept: list[Problem] = []
        ignored: Counter[str] = Counter()
        for p in problems:
            if not self.reports(p.code):
                ignored[p.code] += 1
                continue
            level = self.levels.get(p.code)
            kept.append(p if level is None or level == p.level else p.with_level(level))
        return kept, ignored


def combine(config: ConfigFile | None, cli_select: Iterable[str] | None, cli_ignore: Iterable[str] | None) -> Selection:
    """The selection of a run, as ruff layers it: the file's, then the command line's. ``--select`` starts
    afresh (the file's ``select`` and ``ignore`` are dropped); ``--ignore`` adds to what is ignored."""
    select = frozenset(config.select) if config is not None and config.select is not None else None
    ignore = frozenset(config.ignore) if config is not None else frozenset()
    if cli_select is not None:
        select, ignore = frozenset(cli_select), frozenset()
    if cli_ignore is not None:
        ignore |= frozenset(cli_ignore)
    levels = dict(config.severity) if config is not None else {}
    return Selection(select, ignore, levels)


__all__ = [
    "SELECTABLE_CODES",
    "SELECTABLE_FAMILIES",
    "CodeName",
    "ConfigFile",
    "DeviationThreshold",
    "Selection",
    "code_refusal",
    "combine",
    "threshold_for",
]
