from __future__ import annotations

from sonos_inventory.report.safe_text import for_markdown, for_terminal


def test_controls_and_bidi_are_escaped() -> None:
    assert for_terminal("Kitchen\x1b[2J") == "Kitchen\\x1b[2J"
    assert for_terminal("a\x9bb") == "a\\x9bb"
    assert for_terminal("abc\u202edef") == "abc\\u202edef"
    assert for_terminal("Küche ☕") == "Küche ☕"
    assert for_terminal(None) == ""
    assert len(for_terminal("x" * 500, 20)) == 20


def test_markdown_punctuation_is_escaped() -> None:
    assert for_markdown("a|b") == "a\\|b"
    assert for_markdown("[x](http://evil)") == "\\[x\\]\\(http://evil\\)"
    assert for_markdown("<script>") == "\\<script\\>"
