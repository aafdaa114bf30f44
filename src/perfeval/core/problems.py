"""The one problem record (问题), used for load errors, validation problems and audit findings alike.

Every output format (text, JSON, GitHub annotations, workbooks) is built from :class:`Problem`, and
every exit code is decided from problems: the core never exits, the command picks a code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from typing import Protocol

from perfeval.core.codes import CODES


class ExitCode(IntEnum):
    """Named exit codes (sqlfluff style), the same for every command."""

    OK = 0
    FINDINGS = 1  # errors found (warnings too under --strict)
    INPUT = 2  # an input could not be read, parsed or is invalid; or the command line is wrong
    INTERNAL = 3  # a defect in perfeval itself, never a problem with the user's file


ERROR = "error"  # 错误: the file is wrong, or a self-score is not what the data gives
WARNING = "warning"  # 警告: something an auditor must look at
INFO = "info"  # 提示: worth knowing, never a failure
LEVELS = (ERROR, WARNING, INFO)
LEVEL_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "提示"}

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a file: a line and column of a YAML file, or a workbook cell (``评分表!G12``)."""

    file: str
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based
    cell: str | None = None

    def __str__(self) -> str:
        if self.cell:
            return f"{self.file}:{self.cell}"
        if self.line is None:
            return self.file
        if self.col is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"


class Locator(Protocol):
    """What the core needs of a reader's source map: the position of a key path in the file."""

    file: str

    def locate(self, path: KeyPath, *, key: bool = False) -> Location: ...

    def has(self, path: KeyPath) -> bool: ...


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: a stable code, a level, a Chinese message saying what would fix it, and where.

    ``path`` is the key path of the place in the department or rubric file; a reader resolves it to
    ``location`` (line and column, or cell) with :meth:`located`. ``amounts`` are the figures behind
    the message, exact (``stated`` − ``expected`` = ``difference``).
    """

    code: str
    message: str
    location: Location | None = None
    level: str = ERROR
    path: KeyPath = ()
    indicator_id: str | None = None
    indicator_name: str | None = None
    amounts: Mapping[str, Decimal] = field(default_factory=dict)
    # 已接受: the reason the department file gives for accepting this finding (``accepted:``); an accepted
    # finding is shown, marked, and never counts for the exit code
    accepted: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:  # a defect: every code is catalogued in perfeval.core.codes
            raise ValueError(f"problem code {self.code!r} is not in perfeval.core.codes.CODES")

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def located(self, location: Location) -> Problem:
        # spelled out: dataclasses.replace costs several times as much, for every problem of a batch
        return Problem(
            self.code,
            self.message,
            location,
            self.level,
            self.path,
            self.indicator_id,
            self.indicator_name,
            self.amounts,
            self.accepted,
        )

    def with_level(self, level: str) -> Problem:
        return Problem(
            self.code,
            self.message,
            self.location,
            level,
            self.path,
            self.indicator_id,
            self.indicator_name,
            self.amounts,
            self.accepted,
        )

    def accept(self, reason: str) -> Problem:
        """This finding, accepted for ``reason`` (shown as 已接受, never counted for the exit code)."""
        return Problem(
            self.code,
            self.message,
            self.location,
            self.level,
            self.path,
            self.indicator_id,
            self.indicator_name,
            self.amounts,
            reason,
        )

    @property
    def counts(self) -> bool:
        """Whether this problem counts for the exit code: every problem but an accepted one."""
        return self.accepted is None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location is not None else self.message


@dataclass
class InputError(Exception):
    """An input that cannot be used. Carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def finding(
    code: str,
    level: str,
    message: str,
    path: KeyPath = (),
    indicator_id: str | None = None,
    indicator_name: str | None = None,
    amounts: Mapping[str, Decimal] | None = None,
) -> Problem:
    """A problem found in a department's figures or self-assessment (审核发现), not yet located:
    the command resolves ``path`` to a line and column (or a cell) of the file."""
    return Problem(code, message, None, level, path, indicator_id, indicator_name, amounts or {})
