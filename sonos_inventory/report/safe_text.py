"""Device strings are shown safely: no terminal control sequences, no bidi tricks, no markup.

A room name is whatever a device says it is; it must not be able to move the cursor, recolour the
terminal, reverse the text around it, or inject Markdown into a report.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
"""Unicode's Default_Ignorable_Code_Point ranges: characters that render as nothing."""

BLANK_LETTERS = frozenset("\u3164\u115f\u1160\uffa0\u2800")
"""Letters and symbols that render blank (Hangul fillers, the Braille blank): a device can pad a
room name with them so that wrapping puts forged text on a line of its own."""

ZWJ, VS15, VS16 = "\u200d", "\ufe0e", "\ufe0f"


def _ignorable(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in DEFAULT_IGNORABLE)


def _pictographic(char: str) -> bool:
    """Emoji and pictographs (an approximation of Extended_Pictographic by block)."""
    if len(char) != 1:
        return False
    code = ord(char)
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2300 <= code <= 0x23FF
            or 0x2B00 <= code <= 0x2BFF or code in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122,
                                                      0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
            or 0x2190 <= code <= 0x21FF or 0x25A0 <= code <= 0x25FF)


@functools.lru_cache(maxsize=4096)
def hidden(char: str) -> bool:
    """A character that must never reach a terminal as itself: C0/C1 controls and DEL, bidi
    controls, format and private-use characters, line and paragraph separators, default
    ignorables, and letters that render blank."""
    if char in _BIDI or char in BLANK_LETTERS:
        return True
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
        return True
    return _ignorable(ord(char))


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def neutralise(text: str) -> str:
    """Every hidden character shown as a visible escape (\\u2800), every space-like character
    (NBSP, U+3000, ...) as a plain space. Emoji sequences keep their joiners (ZWJ between two
    pictographs) and presentation selectors (VS15/VS16 after a pictograph), so room names in any
    script and with emoji print as they are."""
    if text.isascii() and text.isprintable():  # the common case: nothing to do
        return text
    out = []
    for index, char in enumerate(text):
        if char in (ZWJ, VS15, VS16):
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            keep = (_pictographic(before) and (char != ZWJ or _pictographic(after))) or (
                char == ZWJ and before in (VS16,) and _pictographic(after))
            out.append(char if keep else _escape_char(char))
        elif hidden(char):
            out.append(_escape_char(char))
        elif unicodedata.category(char) == "Zs":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def for_terminal(value: object, limit: int = 120) -> str:
    """Printable text: hidden characters escaped, space-like ones made plain spaces, and
    length-capped (an ellipsis marks the cut)."""
    if value is None:
        return ""
    result = neutralise(str(value)[: limit * 2])
    return result if len(result) <= limit else result[: limit - 1] + "…"


def quoted(value: object, limit: int = 60) -> str:
    """A device string as one visible, quoted, length-capped token: `"Kitchen"`. Quotes and
    backslashes inside are escaped, so the token cannot seem to end early."""
    text = str(value if value is not None else "")
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{for_terminal(text, limit)}"'


_JSON_HIDDEN = re.compile(
    "[\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
    "\ud800-\udfff\ue000-\uf8ff\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff\U000f0000-\U0010ffff]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_dumps(document: object, indent: int | None = 2) -> str:
    """JSON as readable as ensure_ascii=False, but with C1 controls, DEL, bidi, default
    ignorable and blank-rendering characters escaped (\\u009b), so printing it to a terminal is
    safe. JSON readers get the same text back: only the spelling changes."""
    import json

    return _JSON_HIDDEN.sub(_json_escape, json.dumps(document, indent=indent, ensure_ascii=False))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~])")
_MD_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|=+$)")
_MD_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")


def for_markdown(value: object, limit: int = 120) -> str:
    """Terminal-safe text that cannot start markup: emphasis, code, links and images (their
    brackets), HTML tags, table cells, or a heading/quote/list at the start of a line."""
    text = _MD_SPECIAL.sub(r"\\\1", for_terminal(value, limit))
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def content_security_policy(style: str) -> str:
    """The `<meta>` of a strict Content-Security-Policy for a page the tool writes: nothing may
    load or run (`default-src 'none'`), except the page's own inline style, allowed by its hash.
    A string a device sent can neither start a script nor fetch anything, even if escaping ever
    failed."""
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    policy = (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; "
              "base-uri 'none'; form-action 'none'")
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
