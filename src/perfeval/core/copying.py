"""Text and figures one unit's report shares with another's: the signs of a report copied from another
unit's. Pure.

* ``shared-passage`` — 100 or more characters in a row that another unit's report has too, unless most
  units' reports have them (a template's wording: shared by at least three units and half the batch; so
  in a batch of two, every shared run counts);
* ``other-unit-name`` — another unit of the batch written as the report's own subject (“××局是……” opening
  a sentence, or “××局2019年度部门整体支出……” as a title), not where it names a partner it worked with;
* ``shared-figure`` — a distinctive figure with its words (“本级项目70个”, “工资福利支出519.06万元”)
  that another unit's report states too (outside the passages already reported as shared).

Reports of one unit (the same ``unit``: its reports of different years) are not compared with each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from perfeval.core.department import Department
from perfeval.core.problems import WARNING, Problem, finding
from perfeval.core.report_sentences import Item, sentence_items
from perfeval.core.report_text import compact, sentences

MIN_SHARED = 100  # characters in a row, as the issue asks
_SHINGLE = 50  # characters hashed at each position to find shared runs
MAX_PER_PAIR = 5  # findings between one pair of units (the first ones; the rest are said as a count)


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SELF_WORDS = re.compile(
    r"本单位|我单位|本部门|我部门|我局|本局|我办|本办|我委|本委|我院|本院|我会|本会|我中心|本中心|我所|本所"
)
_KEEP = re.compile(r"[\u3400-\u9fff\w]")


def _plain(text: str) -> str:
    """Text as compared across reports: Chinese characters, letters and digits only."""
    return "".join(_KEEP.findall(compact(text)))


def batch_findings(units: Sequence[tuple[str, Department]]) -> dict[str, list[Problem]]:
    """Findings between the reports of a batch, by the label each unit was given (its file): shared
    passages, another unit's name, shared figures. Units with the same name (one unit's reports of
    different years) are not compared with each other."""
    out: dict[str, list[Problem]] = {label: [] for label, _ in units}
    texts = [[_plain(p.text) for p in d.narrative] for _, d in units]
    boiler = _boilerplate(texts)
    shared_spans: dict[int, list[tuple[int, int, int]]] = {}  # unit → (passage, start, end) inside shared runs
    for i, (label, dept) in enumerate(units):
        for j, (_, other) in enumerate(units):
            if i == j or dept.unit == other.unit:
                continue
            runs = _shared_runs(texts[i], texts[j], boiler)
            for n, (k, start, length) in enumerate(runs):
                shared_spans.setdefault(i, []).append((k, start, start + length))
                if n < MAX_PER_PAIR:
                    excerpt = texts[i][k][start : start + length]
                    out[label].append(
                        finding(
                            "shared-passage",
                            WARNING,
                            f"正文有 {length} 字与{other.unit}的报告逐字相同（不是多数单位共用的套话）："
                            f"“{_clip(excerpt, 80)}”；请核对是否照抄了其他单位的报告",
                            ("narrative", k, "text"),
                        )
                    )
            if len(runs) > MAX_PER_PAIR:
                out[label].append(
                    finding(
                        "shared-passage",
                        WARNING,
                        f"与{other.unit}的报告相同的段落还有 {len(runs) - MAX_PER_PAIR} 处（未逐一列出）",
                        ("narrative",),
                    )
                )
            out[label] += _other_name(dept, other)
    figures = [_figures(d) for _, d in units]
    common = _common_figures(figures, len(units))
    for i, (label, dept) in enumerate(units):
        for j, (_, other) in enumerate(units):
            if i == j or dept.unit == other.unit:
                continue
            theirs = {key for key, _ in figures[j]}
            for key, k in figures[i]:
                if key in theirs and key not in common and not _inside_shared(shared_spans.get(i, []), k):
                    out[label].append(
                        finding(
                            "shared-figure",
                            WARNING,
                            f"正文“{key[0]}{key[1]}”与{other.unit}的报告所写相同；请核对这是不是本单位自己的数",
                            ("narrative", k, "text"),
                        )
                    )
    return out


def _shingles(text: str) -> list[int]:
    return [hash(text[p : p + _SHINGLE]) for p in range(0, max(0, len(text) - _SHINGLE + 1))]


def _boilerplate(texts: list[list[str]]) -> set[int]:
    """Shingles most units' reports share: at least three units and half of the batch."""
    counts: dict[int, int] = {}
    for unit in texts:
        for h in {h for t in unit for h in _shingles(t)}:
            counts[h] = counts.get(h, 0) + 1
    need = max(3, (len(texts) + 1) // 2)
    return {h for h, c in counts.items() if c >= need}


def _shared_runs(mine: list[str], theirs: list[str], boiler: set[int]) -> list[tuple[int, int, int]]:
    """(passage, start, length) of each run of at least MIN_SHARED characters of ``mine`` that ``theirs``
    has too, boilerplate aside."""
    other = {h for t in theirs for h in _shingles(t)}
    runs: list[tuple[int, int, int]] = []
    for k, text in enumerate(mine):
        hashes = _shingles(text)
        p = 0
        while p < len(hashes):
            if hashes[p] in other and hashes[p] not in boiler:
                q = p
                while q + 1 < len(hashes) and hashes[q + 1] in other and hashes[q + 1] not in boiler:
                    q += 1
                length = q - p + _SHINGLE
                if length >= MIN_SHARED:
                    runs.append((k, p, length))
                p = q + 1
            else:
                p += 1
    return runs


def _other_name(dept: Department, other: Department) -> list[Problem]:
    name = other.unit
    if len(name) < 4 or name in dept.unit or dept.unit in name:
        return []
    out: list[Problem] = []
    for k, passage in enumerate(dept.narrative):
        text = passage.text
        if name not in text:
            continue
        for start, end in sentences(text):
            sentence = text[start:end]
            at = sentence.find(name)
            if at < 0:
                continue
            tail = sentence[at + len(name) :]
            # the other unit as this report's subject: “××局是……”, or its title “××局2019年度部门整体支出……”
            speaks_of_itself = at <= 4 and re.match(
                r"(?:是|为|系|作为|成立于|内设|下设|设有|主要职责|的主要职能)", tail
            )
            titled = re.match(r"(?:19|20)\d{2}\s*年度?\s*(?:部门整体支出|部门预算|绩效)", tail)
            if speaks_of_itself or titled:
                out.append(
                    finding(
                        "other-unit-name",
                        WARNING,
                        f"正文把本批另一单位“{name}”当作本单位来写：{_clip(sentence)}；请核对是否照抄了它的报告",
                        ("narrative", k, "text"),
                    )
                )
                break
    return out


_TRAILING = re.compile(r"(?:达到|达|为|是|约|共|计|共计|累计|实现|完成|有)+$")


def _distinctive(item: Item) -> bool:
    f = item.figure
    if f.approx is not None or not item.subject:
        return False
    digits = len(str(f.value).replace(".", "").lstrip("0"))
    if f.is_percent:
        return f.value not in (0, 100) and digits >= 2
    if f.is_amount:
        return digits >= 3
    return f.value >= 10


def _figures(dept: Department) -> list[tuple[tuple[str, str], int]]:
    """Each distinctive figure of the narrative as (words, figure) with its passage."""
    out: list[tuple[tuple[str, str], int]] = []
    for k, passage in enumerate(dept.narrative):
        for start, end in sentences(passage.text):
            for item in sentence_items(passage.text[start:end]):
                if _distinctive(item):
                    # the words nearest the figure: “实施本级项目” 70个 is the same claim whoever did the 实施
                    words = _TRAILING.sub("", _plain(item.subject))[-6:] + _plain(item.after)[:6]
                    out.append(((words, item.figure.text), k))
    return out


def _common_figures(figures: list[list[tuple[tuple[str, str], int]]], n: int) -> set[tuple[str, str]]:
    counts: dict[tuple[str, str], int] = {}
    for unit in figures:
        for key in {key for key, _ in unit}:
            counts[key] = counts.get(key, 0) + 1
    need = max(3, (n + 1) // 2)
    return {key for key, c in counts.items() if c >= need}


def _inside_shared(spans: list[tuple[int, int, int]], k: int) -> bool:
    """Whether a figure lies in a passage already reported as shared (one finding says it)."""
    return any(p == k for p, _, _ in spans)
