"""A sentence's figures with the words around them: what each is of (its label), what follows it, the
“其中” total it is a part of, whether it is a change (增长 12% · 下降 42.86% · 减少 6 万元) and what a change is
measured against (this year's amount and the year before's, as the sentence states them). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from perfeval.core.report_text import Figure, figures

_BOUNDARY = "，,；;：:（(、"
_PARTS_WORD = re.compile(r"其中|包括")
_CONNECTORS = re.compile(r"^(?:其中|包括|另外|此外|以及|及|和|共|合计|总计|共计|累计|为|是|达到|达|计|有)[：:]?")
_CHANGE = re.compile(
    r"(?P<word>同比增长|同比下降|同比减少|同比增加|增长|增加|上升|提高|增幅|增支|下降|减少|降低|减幅|节约|节支|压减|减支)"
    r"(?:了)?(?:为|达|约)?$"
)
_DOWN = ("下降", "减少", "降低", "减幅", "节约", "节支", "压减", "减支")
PRIOR_WORDS = re.compile(r"上年|上一年|去年|上年度|上年同期|同期")


@dataclass(frozen=True, slots=True)
class Item:
    """A figure of a sentence with the words around it: ``label`` (what stands before it back to the
    previous figure or clause mark: “其中：工资福利支出”), ``after`` (up to the next clause mark:
    “重点民生实事全面完成” after 17项), and ``parent``: the figure it is a “其中” part of."""

    figure: Figure
    label: str
    after: str
    parent: int | None
    bracketed: bool = False  # inside an open bracket: “（含奖励资金180万元）”, “（2018年0万元）”

    @property
    def subject(self) -> str:
        """The label without quotes and the connecting words before it (其中、共、为 …)."""
        text = re.sub(r"[“”\"‘’「」]", "", self.label)
        previous = None
        while previous != text:
            previous, text = text, _CONNECTORS.sub("", text)
        return text

    def change(self) -> int | None:
        """+1 or −1 when the figure is a change (增长 12% · 下降 42.86% · 减少 6 万元), else None."""
        m = _CHANGE.search(self.label)
        if m is None:
            return None
        return -1 if m["word"].endswith(_DOWN) or m["word"] in _DOWN else 1


_OPEN, _CLOSE = "（(〔【", "）)〕】"


def _label_start(text: str, start: int, stop: int) -> tuple[int, bool]:
    """Where the words before a figure at ``start`` begin (back to ``stop``, the previous figure's end, or
    a clause mark outside brackets); and whether the figure stands inside an open bracket."""
    depth = 0
    for pos in range(start - 1, stop - 1, -1):
        ch = text[pos]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            if depth == 0:
                return pos + 1, True
            depth -= 1
        elif depth == 0 and ch in _BOUNDARY:
            return pos + 1, False
    return stop, False


def _after_end(text: str, end: int, stop: int) -> int:
    depth = 0
    for pos in range(end, stop):
        ch = text[pos]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return pos
            depth -= 1
        elif depth == 0 and (ch in _BOUNDARY or ch in "。！？"):
            return pos
    return stop


def _kind(f: Figure) -> str:
    return "amount" if f.is_amount else "percent" if f.is_percent else f.unit or ""


def sentence_items(text: str) -> list[Item]:
    """The figures of one sentence with their labels and 其中 parents (see :class:`Item`). A part's parent is
    the last figure of its kind before the 其中 that is neither a change nor of an earlier year."""
    found = figures(text)
    items: list[Item] = []
    previous_end = 0
    for k, f in enumerate(found):
        start, bracketed = _label_start(text, f.start, previous_end)
        nxt = found[k + 1].start if k + 1 < len(found) else len(text)
        after = text[f.end : _after_end(text, f.end, nxt)].strip()
        items.append(Item(f, text[start : f.start].strip(), after, None, bracketed))
        previous_end = f.end
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text)]
    latest = max(years) if years else None

    def earlier(label: str) -> bool:
        found_years = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", label)]
        return bool(PRIOR_WORDS.search(label)) or (latest is not None and any(y < latest for y in found_years))

    for m in _PARTS_WORD.finditer(text):
        colon = text[m.end() : m.end() + 1] in ("：", ":")
        end = len(text)
        if not colon:
            semi = re.search(r"[；;]", text[m.end() :])
            end = m.end() + semi.start() if semi else len(text)
        for k, item in enumerate(items):
            if not (m.end() <= item.figure.start < end):
                continue
            parents = [
                j
                for j, other in enumerate(items)
                if other.figure.end <= m.start()
                and _kind(other.figure) == _kind(item.figure)
                and other.change() is None
                and not earlier(other.label)
            ]
            if parents:
                items[k] = Item(item.figure, item.label, item.after, parents[-1], item.bracketed)
    return items


def is_prior(label: str, year: int | None) -> bool:
    """Whether a figure's label says it is of the year before (上年 · 去年 · 2018年 in a 2019 report)."""
    if PRIOR_WORDS.search(label):
        return True
    return year is not None and re.search(f"{year - 1}\\s*年", label) is not None


def change_base(items: list[Item], k: int, year: int | None) -> tuple[int | None, int | None]:
    """For a change at ``items[k]``: the indexes of the amount it is of (this year's) and of the one it is
    against (the year before), as the sentence states them; None where the sentence does not."""
    current = prior = None
    for j in range(k - 1, -1, -1):
        it = items[j]
        if it.figure.is_percent or it.change() is not None:
            continue
        if it.figure.unit != items[k].figure.unit and not (it.figure.is_amount and items[k].figure.is_percent):
            if not (it.figure.is_amount and items[k].figure.is_amount):
                continue
        if is_prior(it.label, year):
            prior = j if prior is None else prior
        elif current is None:
            current = j
        if current is not None and prior is not None:
            break
    return current, prior
