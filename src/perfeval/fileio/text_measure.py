"""How wide text prints and how many lines it wraps into: the one model behind every row height perfeval sets.

The fill-in and converted workbooks (:mod:`perfeval.fileio.workbook.print_layout`) and the reviewer's
workpaper (:mod:`perfeval.reporting.workpaper`) size their rows with it. It is deliberately generous, so that
a font the printer substitutes (Noto Sans CJK for SimSun, Carlito for Calibri) still fits: a CJK character
takes 1.05 em, any other character 0.55 em; lines break between CJK characters and between Latin words, as
spreadsheets wrap. Pure: no workbook library is imported here.
"""

from __future__ import annotations

import unicodedata

CJK_EM = 1.05
LATIN_EM = 0.55


def column_px(width: float) -> float:
    """A column's width in pixels, from Excel's width in characters (Calibri 11: a digit is 7 px)."""
    return width * 7 + 5


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


def _tokens(text: str) -> list[str]:
    """What a line may break between: any CJK character; Latin words (and numbers) stay whole."""
    out: list[str] = []
    word = ""
    for c in text:
        if c == " " or _wide(c):
            if word:
                out.append(word)
                word = ""
            out.append(c)
        else:
            word += c
    if word:
        out.append(word)
    return out


def text_px(text: str, size_pt: float, cjk_em: float = CJK_EM, latin_em: float = LATIN_EM) -> float:
    em = size_pt * 96 / 72
    return sum(em * (cjk_em if _wide(c) else latin_em) for c in text)


def lines_needed(
    text: str, width_px: float, size_pt: float, *, cjk_em: float = CJK_EM, latin_em: float = LATIN_EM
) -> int:
    """The lines ``text`` wraps into at ``width_px`` (greedy, as spreadsheets wrap)."""
    usable = max(width_px - 6, 1.0)
    total = 0
    for paragraph in str(text).split("\n"):
        lines, line = 1, 0.0
        for token in _tokens(paragraph):
            w = text_px(token, size_pt, cjk_em, latin_em)
            if line and line + w > usable:
                lines += 1
                line = 0.0 if token == " " else w
                while line > usable:  # a word longer than the line is broken where it must
                    lines += 1
                    line -= usable
            else:
                line += w
        total += lines
    return total
