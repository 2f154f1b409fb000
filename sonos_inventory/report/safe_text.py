"""Device strings are shown safely: no terminal control sequences, no bidi tricks, no markup.

A room name is whatever a device says it is; it must not be able to move the cursor, recolour the
terminal, reverse the text around it, or inject Markdown into a report.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(value: object, limit: int = 120) -> str:
    """Printable text: controls (C0, C1, DEL), bidi controls and other format characters escaped."""
    if value is None:
        return ""
    text = str(value)
    out = []
    for char in text[: limit * 2]:
        category = unicodedata.category(char)
        if char in _BIDI or category in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(_escape_char(char))
        else:
            out.append(char)
    result = "".join(out)
    return result if len(result) <= limit else result[: limit - 1] + "…"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~])")
_MD_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|=+$)")
_MD_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")


def for_markdown(value: object, limit: int = 120) -> str:
    """Terminal-safe text that cannot start markup: emphasis, code, links and images (their
    brackets), HTML tags, table cells, or a heading/quote/list at the start of a line."""
    text = _MD_SPECIAL.sub(r"\\\1", for_terminal(value, limit))
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
