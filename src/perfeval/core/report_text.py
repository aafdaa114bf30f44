"""The text of a 绩效自评报告 as figures: canonical text, sentences, and every number with its unit. Pure.

Shared by ``perfeval extract`` (which places the figures in the department file) and the narrative
checks of ``check`` (:mod:`perfeval.core.narrative`, which reread the kept paragraphs). Written from the
way these reports are typed and extracted, not from one report:

* **canonical text** (:func:`canonical`): full-width digits and ``％`` as ASCII, no-break and
  ideographic spaces as spaces, zero-width characters dropped, whitespace next to a Chinese character
  or Chinese punctuation dropped (PDF extractors put spaces between glyphs: “绩效 目标 合理 性”),
  other runs of whitespace as one space; “年未结余” (a misprint of 年末) read as 年末;
* **figures** (:func:`figures`): a number — ``1,295.87``, ``1, 295. 87`` (spaces an extractor put in),
  ``0.0900000762939453`` (a spreadsheet's float, read as 0.09 and said so) — and the unit after it
  (万元 元 亿元 % 个百分点 名 人 项 个 …), with 近/约/超过 before it or 多/余/以上 after it marking an
  approximate count;
* **not figures** (:func:`masked`): years and dates (2019 年, 2020 年 11 月 10 日), document numbers
  (桃发〔2013〕13 号, also with a bracket lost: 〔2020 7号), list numbering (1. 2、 （一） (1)), ordinals
  (第 3 次), and classification codes before a name (2010301 行政运行).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese and full-width punctuation: whitespace beside it is an extractor's, not the author's
CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉〔〕【】「」『』—…·～"
_SPACE_NEAR_CJK = re.compile(f"\\s+(?=[{CJK}{CJK_PUNCT}])|(?<=[{CJK}{CJK_PUNCT}])\\s+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９％\u3000\u00a0\u2002\u2003\u2009\u202f", "0123456789%      ")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\r"), None)
_FW_POINT = re.compile(r"(?<=\d)．(?=\d)")
_FW_GROUP = re.compile(r"(?<=\d)，(?=\d{3}(?:[.．]\d|\D|$))")  # 1，295.87 typed with a full-width comma
# 年末 misread as 年未 (“多年未变” is Chinese, so only before what a year-end figure is)
_NIAN_WEI = re.compile(r"年未(?=(?:结余|结转|余额|数|决算|实有|在职|人数|资产|净资产|累计|滚存))")


def canonical(text: str) -> str:
    """``text`` as perfeval quotes and compares it (see the module docstring)."""
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH).translate(_ZERO_WIDTH)
    text = _FW_POINT.sub(".", text)
    text = _FW_GROUP.sub(",", text)
    text = _NIAN_WEI.sub("年末", text)
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = _SPACE_NEAR_CJK.sub("", text)
    return text.strip()


def compact(text: str) -> str:
    """``text`` without any whitespace or quotation marks: for comparing names (“三公 经费” 变动 率)."""
    return re.sub(r"[\s“”\"'‘’「」『』]", "", canonical(text))


# --- sentences ---------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。！？!?]+[”’）)]*|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: up to 。！？ (with a closing quote or bracket after it)
    or a line break. A ； does not end a sentence: “其中：…；…；…” lists run across it."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > start and text[start : m.end()].strip():
            out.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


UNITS = (
    "亿元 万元 千元 元 个百分点 百分点 % ‰ 万户 万人 万亩 万平方米 万吨 万 名 人次 人 项 个月 个 件 次 户 家 所 台 辆 "
    "套 份 篇 条 期 场 天 公里 千米 平方米 亩 吨 座 处 批 笔 起 宗 部 本 册 类 种 张 间 栋 米 小时 分钟 倍"
).split()
AMOUNT_UNITS = {"亿元": Decimal(10000), "万元": Decimal(1), "千元": Decimal("0.1"), "元": Decimal("0.0001")}
COUNT_UNITS = frozenset(
    "名 人 人次 项 个 件 次 户 家 所 台 辆 套 份 篇 条 期 场 座 处 批 笔 起 宗 部 本 册 类 种 张 间 栋".split()
)


# --- what is not a figure ------------------------------------------------------------------------

_MASKS = [
    # document numbers: 桃发〔2013〕13号, 湘财预〔2020〕7号, 〔2020 7号 (closing bracket lost), [2019]3号
    re.compile(r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]?\s*\d{1,4}\s*号"),
    # dates and years: 2020年11月10日, 2019年度, 2019-2021年, 11月10日, 12月
    re.compile(r"(?:19|20)\d{2}\s*(?:[-—~～至到]\s*(?:19|20)?\d{2,4}\s*)?年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"),
    re.compile(r"(?:19|20)\d{2}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}"),
    re.compile(r"(?<![\d.])\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|(?<![\d.])\d{1,2}\s*日(?=前|之前|以前|起|止|内)"),
    # list numbering: 1. 2、 3．(at a start, after 。；：or a space), （一） (1) ①
    re.compile(r"(?:^|(?<=[。；;：:\s”）)]))\d{1,2}\s*[.、．](?![\d])"),
    re.compile(r"[（(]\s*\d{1,2}\s*[)）]"),
    # ordinals and sequence words: 第3次, 第二, 前3名
    re.compile(r"第\s*\d+"),
    # classification codes before a name: 2010301 行政运行, 20103 政府办公厅, 301 工资福利支出
    # model and grade names: 6S, AB岗, 5G, 4A级
    re.compile(r"(?<![\d.])\d+[A-Za-z]+"),
]


_CODE = re.compile(
    f"(?<![\\d.,])(?:\\d{{7}}|\\d{{5}}|[235]\\d{{2}})(?=\\s?[{CJK}])"
    "(?!\\s?(?:年|月|日|多|余|" + "|".join(map(re.escape, sorted(UNITS, key=len, reverse=True))) + "))"
)


def masked(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` holding numbers that are not figures (years, dates, document numbers, list
    numbering, codes), sorted."""
    patterns = [*_MASKS, _CODE]
    return sorted((m.start(), m.end()) for pattern in patterns for m in pattern.finditer(text) if m.end() > m.start())


# --- figures -----------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\d.,])(?P<int>\d{1,3}(?:\s?,\s?\d{3})+|\d+)(?P<frac>\s?\.\s?\d+)?(?![\d])"
    r"|(?<![\d.,])(?P<spaced>\d{1,3}(?: \d{3})+(?:\.\d+)?)(?=\s?(?:万元|元|亿元))"
)
_UNIT = re.compile(
    r"\s?(?P<approx>多|余)?\s?(?P<unit>" + "|".join(map(re.escape, sorted(UNITS, key=len, reverse=True))) + ")"
)
_AFTER = re.compile(r"\s?(?P<after>以上|以下|左右|之多|有余)")
_BEFORE = re.compile(r"(?P<before>近|约|超过|超|逾|不足|不到|大约|将近|多达|约为)\s?$")
_LE_ARTEFACT = re.compile(r"(?<=[率数值比例])\s?[QW]\s?$")  # ≤ read as Q or W by an extractor


@dataclass(frozen=True, slots=True)
class Figure:
    """A number in the text with its unit, as printed."""

    value: Decimal  # the number as printed (a percent as printed: 42.86 for 42.86%)
    unit: str | None  # 万元, %, 名 …; None for a bare decimal
    start: int  # offsets in the text: the number and its unit
    end: int
    text: str  # the figure as printed: “1,295.87 万元”
    approx: str | None = None  # 近, 约, 多, 以上 …: an approximate count, not a figure to compare
    note: str | None = None  # how an extraction artefact was read (0.0900000762939453 → 0.09)
    bound: str | None = None  # ≤ or ≥ read before the number (an extractor's Q/W for ≤)

    @property
    def is_percent(self) -> bool:
        return self.unit in ("%", "个百分点", "百分点", "‰")

    @property
    def is_amount(self) -> bool:
        return self.unit in AMOUNT_UNITS

    def in_wan(self) -> Decimal | None:
        """The amount in 万元 (exact), or None when the figure is not an amount."""
        factor = AMOUNT_UNITS.get(self.unit or "")
        return None if factor is None else self.value * factor

    def ratio(self) -> Decimal | None:
        """A percent as a ratio (42.86% → 0.4286), else None."""
        if self.unit == "%":
            return self.value.scaleb(-2)
        if self.unit == "‰":
            return self.value.scaleb(-3)
        return None


def clean_float(digits: str) -> tuple[Decimal, str | None]:
    """A number as printed; a spreadsheet float (``0.0900000762939453``: 14 or more significant digits, as a
    double prints, that a decimal of at most six places explains to a millionth) read as that decimal, with a
    note saying so."""
    value = Decimal(digits)
    if len(value.as_tuple().digits) < 14:  # a double printed in full has 15–17; a real figure far fewer
        return value, None
    for places in range(0, 7):
        short = value.quantize(Decimal(1).scaleb(-places))
        if abs(short - value) <= Decimal("1e-6") * max(Decimal(1), abs(value)):
            return short, f"原文 {digits}（表格软件的浮点误差），读作 {short}"
    return value, None


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans) or any(s < end and start < e for s, e in spans)


def figures(text: str) -> list[Figure]:
    """Every figure of ``text`` (canonical), in order; numbers that are not figures (:func:`masked`)
    and bare integers without a unit (list numbers, codes, counts of nothing) are left out."""
    spans = masked(text)
    out: list[Figure] = []
    for m in _NUMBER.finditer(text):
        if _inside(spans, m.start(), m.end()):
            continue
        raw = m.group("spaced") or (m.group("int") + (m.group("frac") or ""))
        digits = re.sub(r"[\s,]", "", raw)
        try:
            value, note = clean_float(digits)
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            continue
        end = m.end()
        unit_m = _UNIT.match(text, end)
        unit = approx = None
        if unit_m is not None:
            unit, approx, end = unit_m.group("unit"), unit_m.group("approx"), unit_m.end()
        after = _AFTER.match(text, end)
        if after is not None and unit is not None:
            approx, end = approx or after.group("after"), after.end()
        before = _BEFORE.search(text[max(0, m.start() - 4) : m.start()])
        if before is not None and unit is not None:
            approx = approx or before.group("before")
        if unit is None and m.group("frac") is None:
            continue  # a bare integer: list numbering, a code, a year written without 年
        bound = "≤" if _LE_ARTEFACT.search(text[max(0, m.start() - 6) : m.start()]) else None
        out.append(Figure(value, unit, m.start(), end, text[m.start() : end], approx, note, bound))
    return out


# --- counts and the lists they count -----------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def chinese_count(text: str) -> int | None:
    """一 … 九十九 as an int (a count written in characters: 九个内设机构); None if it is not one."""
    if not text or any(ch not in _CN_DIGITS for ch in text):
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones:
            return None
        t = _CN_DIGITS.get(tens, 0) if tens else 1
        o = _CN_DIGITS.get(ones, 0) if ones else 0
        return t * 10 + o if t < 10 and o < 10 else None
    return _CN_DIGITS[text] if len(text) == 1 else None


def list_items(text: str) -> list[str]:
    """The items of an enumeration ``甲、乙（丙）、丁`` — split on 、，, ；; never inside brackets — each
    stripped; empty items dropped. A last item “丁和戊” stays one item: :func:`joined_pair` says whether
    it may be two."""
    items: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        if ch in "（(〔【《":
            depth += 1
        elif ch in "）)〕】》" and depth:
            depth -= 1
        if depth == 0 and ch in "、，,；;":
            items.append(current)
            current = ""
            continue
        current += ch
    items.append(current)
    return [i.strip(" 。.：:") for i in items if i.strip(" 。.：:")]


def joined_pair(item: str) -> bool:
    """Whether the last item of a list may be two joined by 和/及/以及/与 (“丁和戊”)."""
    return re.search(r"..(?:和|及|以及|与)..", item) is not None
