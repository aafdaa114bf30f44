"""Text from input files, made safe to show a person: control characters become visible escapes.

A file under audit is written by someone else. A unit name holding ``"\\x1b]0;…"`` would retitle the
auditor's terminal window, ``"\\x1b[8m"`` would hide the lines after it, a bidirectional override
would reorder what is read. Every human-facing format (text, GitHub annotations) shows input text
through :func:`visible`; JSON and converted files keep the exact text, escaped by their own syntax.
"""

from __future__ import annotations

import re

# C0 controls (tab kept), DEL, C1 controls, the line/paragraph separators and the bidi controls
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``, ``\\u202e``)."""
    if _UNSAFE.search(text) is None:  # nearly always: no copy
        return text
    return _UNSAFE.sub(_escape, text)
