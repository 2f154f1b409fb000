"""Property-based: parsers either return a value or raise our one ParseError."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from sonos_inventory.analyze.tracks import detect_track
from sonos_inventory.analyze.versions import parse_build
from sonos_inventory.collect.parse import parse_device_description, parse_zone_group_state
from sonos_inventory.discovery.ssdp import parse_response
from sonos_inventory.errors import ParseError
from sonos_inventory.model import Track
from sonos_inventory.report.safe_text import for_terminal

xml_like = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet=st.sampled_from(list("<>/=\"' abcRINCON_:&;#!-[]DOCTYPE\n")),
            max_size=300).map(str.encode),
)


@settings(max_examples=300, deadline=None)
@given(xml_like)
def test_device_description_parser_total(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_device_description(data)


@settings(max_examples=300, deadline=None)
@given(xml_like)
def test_zone_group_state_parser_total(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_zone_group_state(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["10.0.0.1", "127.0.0.5", "::1", "garbage"]))
def test_ssdp_parser_total(data: bytes, source: str) -> None:
    with contextlib.suppress(ParseError):
        parse_response(data, source)


@given(st.integers(0, 9999), st.integers(0, 9999), st.integers(0, 99999))
def test_build_round_trip_and_track(major: int, minor: int, build: int) -> None:
    parsed = parse_build(f"{major}.{minor}-{build}")
    assert parsed is not None and (parsed.major, parsed.minor, parsed.build) == (
        major, minor, build)
    track, basis = detect_track(None, None, f"{major}.{minor}-{build}", None)
    wanted = Track.UNKNOWN if major == 0 else Track.S2 if major >= 58 else Track.S1
    assert track is wanted and basis


@given(st.text(max_size=200))
def test_terminal_text_has_no_controls(text: str) -> None:
    shown = for_terminal(text, 500)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u202e\u2066" for c in shown)
