from __future__ import annotations

from sonos_inventory.report.safe_text import for_markdown, for_terminal


def test_controls_and_bidi_are_escaped() -> None:
    assert for_terminal("Kitchen\x1b[2J") == "Kitchen\\x1b[2J"
    assert for_terminal("a\x9bb") == "a\\x9bb"
    assert for_terminal("abc\u202edef") == "abc\\u202edef"
    assert for_terminal("Küche ☕") == "Küche ☕"
    assert for_terminal(None) == ""
    assert len(for_terminal("x" * 500, 20)) == 20


def test_markdown_markup_is_escaped() -> None:
    assert for_markdown("a|b") == "a\\|b"
    assert for_markdown("[x](http://evil)") == "\\[x\\](http://evil)"  # no link without ]
    assert for_markdown("![i](http://evil/t.png)") == "!\\[i\\](http://evil/t.png)"
    assert for_markdown("<script>") == "\\<script>"
    assert for_markdown("**bold** _it_ `code`") == "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"
    assert for_markdown("# Heading") == "\\# Heading"
    assert for_markdown("1. item") == "1\\. item"
    assert for_markdown("line\nbreak") == "line\\\\x0abreak"  # one line; renders as \x0a
    assert for_markdown("product(s) a > b") == "product(s) a > b"
    assert for_markdown("> quoted") == "\\> quoted"
    assert for_markdown("- item") == "\\- item"
    assert for_markdown("0.1.0") == "0.1.0" and for_markdown("95.0-77060") == "95.0-77060"
