"""What extraction gathers: the department file's data by key path, each value's source, the claims of
the narrative, and what could not be placed (never guessed into a field)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from perfeval.core.evidence import MAX_QUOTE, Source
from perfeval.fileio.extract.document import Document, Where

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parts(path: str) -> list[str | int]:
    return [m[1] if m[1] is not None else int(m[2]) for m in _PART.finditer(path)]


@dataclass(slots=True)
class Unplaced:
    """A figure seen in the report that no field takes (or a cell left out), and why."""

    text: str  # the figure as printed, or the cell
    where: str  # 第 3 页第 12 行 · 附件2 第 38 行
    context: str  # the sentence or the row it is in
    why: str = "未能归入部门文件的任何栏目"


@dataclass(slots=True)
class Extraction:
    document: Document
    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    claims: list[dict[str, Any]] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # cells the table should have and does not (named, not filled)
    notes: list[str] = field(default_factory=list)  # how something was read

    # --- sources --------------------------------------------------------------------------------

    def source(
        self, where: Where, *, text: str | None = None, table: str | None = None, cell: str | None = None
    ) -> Source:
        quote = None if text is None else text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"
        return Source(
            document=self.document.name,
            page=where.page,
            line=where.line,
            paragraph=where.paragraph,
            table=table,
            cell=cell,
            text=quote,
        )

    # --- the data by key path -------------------------------------------------------------------

    def get(self, path: str) -> Any:
        node: Any = self.data
        for part in parts(path):
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return None
                node = node[part]
            else:
                if not isinstance(node, dict) or part not in node:
                    return None
                node = node[part]
        return node

    def put(self, path: str, value: Any, source: Source | None) -> None:
        keys = parts(path)
        node: Any = self.data
        for part, following in zip(keys, keys[1:], strict=False):
            blank: Any = [] if isinstance(following, int) else {}
            if isinstance(part, int):
                while len(node) <= part:
                    node.append(blank if isinstance(following, int) else {})
                node = node[part]
            else:
                node = node.setdefault(part, blank)
        last = keys[-1]
        if isinstance(last, int):
            while len(node) <= last:
                node.append(None)
        node[last] = value
        if source is not None:
            self.sources[path] = source

    def count(self, path: str) -> int:
        found = self.get(path)
        return len(found) if isinstance(found, list) else 0

    def claim(self, source: Source, value: object, **subject: Any) -> None:
        """A claim of the narrative (fact, figure, indicator or formula with its name), once: the same claim
        of the same value said again adds nothing."""
        given = {k: v for k, v in subject.items() if v is not None}
        if any(_subject(c) == given and str(c["value"]) == str(value) for c in self.claims):
            return
        self.claims.append({**given, "value": value, "source": source})


def _subject(claim: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in claim.items() if k not in ("value", "source")}
