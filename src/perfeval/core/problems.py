"""One problem record, used by every output format and every exit code decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class ExitCode(IntEnum):
    """Named exit codes (sqlfluff style): the core never exits, the CLI picks one of these."""

    OK = 0
    FINDINGS = 1  # errors found (warnings too under --strict)
    INPUT = 2  # an input could not be read, parsed or is invalid


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based
    cell: str | None = None  # a workbook cell, '评分表!G12'

    def __str__(self) -> str:
        if self.cell:
            return f"{self.file}:{self.cell}"
        if self.line is None:
            return self.file
        if self.col is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"

    def to_dict(self) -> dict:
        d: dict = {"file": self.file, "line": self.line, "col": self.col}
        if self.cell:
            d["cell"] = self.cell
        return d


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found in an input file: where, what, and (in ``message``) what would fix it."""

    code: str  # stable kebab-case, e.g. 'yaml-syntax', 'unknown-key'
    message: str
    location: Location
    level: str = "error"  # 'error' | 'warning'

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "level": self.level,
            "message": self.message,
            "location": self.location.to_dict(),
        }


@dataclass
class InputError(Exception):
    """An input that cannot be used. Carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
