"""Pure pieces of the file rules: redaction forms, input JSON limits, header and label
sanitising, bundle member names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sonos_inventory.bounds import MAX_ECHO_CHARS, MAX_JSON_DEPTH
from sonos_inventory.emulator.mdns import dns_label
from sonos_inventory.emulator.ssdp import header_value
from sonos_inventory.errors import UsageError
from sonos_inventory.jsonin import parse_json
from sonos_inventory.report.bundle import _check_name
from sonos_inventory.report.redact import Redactor


@pytest.fixture
def redactor() -> Redactor:
    r = Redactor(rooms=True, home=Path("/srv/people/alice"))
    r._room("Kid's Room")
    r._serial("XYZSERIAL123")
    r._household_value("OddHouseholdValue")
    return r


@pytest.mark.parametrize("text,gone,kept", [
    ("RINCON\\_000E58F00101 in Markdown", "000E58F00101", "RINCON\\_"),
    ('ZoneName="Kid&apos;s Room"', "Kid", 'ZoneName="'),
    ("Kid&#x27;s Room and Kid&#39;s Room and Kid&amp;apos;s Room", "Kid", " and "),
    ('"Kid\\u0027s Room"', "Kid", '"'),
    ("see 192.168.1.5. or (10.0.0.7), scan-172.20.5.9.json", "192.168", "scan-"),
    ("HHID_abcdefgh12 and Sonos\\_abcdefgh12.x", "abcdefgh12", "HHID_"),
    ("LOCATION.SMARTSPEAKER.AUDIO: lc_0123456789ab", "0123456789ab", "lc_"),
    ("household OddHouseholdValue", "OddHouseholdValue", "household "),
    ("/home/bob/x.json C:\\\\Users\\\\carol\\\\y /srv/people/alice/z", "bob", "/home/"),
    ("serial XYZSERIAL123:", "XYZSERIAL123", ":"),
])
def test_every_form_is_redacted(redactor: Redactor, text: str, gone: str, kept: str) -> None:
    redacted = redactor.text(text)
    assert gone not in redacted and kept in redacted, redacted
    assert "carol" not in redacted and "alice" not in redacted
    assert redactor.text(redacted) == redacted  # stable: pseudonyms are never redacted again


def test_json_stays_json_after_redaction(redactor: Redactor) -> None:
    document = {"path": "C:\\Users\\carol\\case.json", "room": "Kid's Room \u00e9",
                "ip": "192.168.1.5."}
    redacted = json.loads(redactor.text(json.dumps(document)))
    assert redacted["path"] == "C:\\Users\\user\\case.json"
    assert redacted["room"] == "Room 1 \u00e9" and redacted["ip"].startswith("100.64.")


def test_a_pathological_literal_set_still_compiles() -> None:
    r = Redactor(rooms=True)
    r._room("L" * 4000)  # a room name as long as a player may send
    assert "L" * 100 not in r.text("x" + "L" * 4000 + "y")
    for i in range(1, 600):  # each a prefix of the next: a trie nested 600 deep
        r._room("a" * i + "b")
    assert "a" * 300 + "b" not in r.text("x " + "a" * 300 + "b y")


@pytest.mark.parametrize("data,needle", [
    (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "nested"),
    (b"[" * 100000, "nested"),
    (b'{"a": NaN}', "NaN"),
    (b'{"a": -Infinity}', "Infinity"),
    (b'{"a": "\\ud800"}', "surrogate"),
    (b'{"\\udfff": 1}', "surrogate"),
    (b"\xff\xfe{}", "UTF-8"),
    (b'{"a": 1', "not valid JSON"),
])
def test_bad_json_is_one_short_line(data: bytes, needle: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_json(data, "input.json")
    message = str(caught.value)
    assert needle in message and "\n" not in message and len(message) < 300


def test_a_huge_bad_value_is_echoed_short() -> None:
    with pytest.raises(UsageError) as caught:
        parse_json(b'{"a": "' + b"\\u001b" * 10 + b"A" * 9_000_000 + b'"}', "x")
    assert len(str(caught.value)) < 200 + MAX_ECHO_CHARS and "\x1b" not in str(caught.value)


def test_surrogateescape_bytes_are_allowed_where_asked() -> None:
    assert parse_json(b'{"a": "\\udcff"}', "faults.json", raw_bytes=True) == {"a": "\udcff"}
    with pytest.raises(UsageError):
        parse_json(b'{"a": "\\ud800"}', "faults.json", raw_bytes=True)


def test_header_values_and_labels() -> None:
    assert header_value("Sonos_x\r\nX-Evil: 1") == "Sonos_x  X-Evil: 1"
    assert len(header_value("x" * 5000)) == 512
    label = dns_label("Sonos-000E58F00101@" + "和室" * 40)
    assert len(label.encode()) <= 63 and label.startswith("Sonos-000E58F00101@")
    assert dns_label("\x00\x1b.\u202e") == "Sonos"


@pytest.mark.parametrize("name", ["../x", "raw/../../x", "/x", "raw//x", "raw/./x", "a\\b",
                                  "C:/x", "raw/\x00", "x" * 600, ""])
def test_unsafe_member_names(name: str) -> None:
    with pytest.raises(UsageError):
        _check_name(name, "b.zip")


@pytest.mark.parametrize("name", ["inventory.json", "raw/household-1/devices/RINCON_X.xml",
                                  "raw/_discovery/", "raw/リビング/zone_group_state.xml"])
def test_safe_member_names(name: str) -> None:
    assert _check_name(name, "b.zip") == name
