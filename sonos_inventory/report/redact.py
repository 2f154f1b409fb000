"""--redact: consistent pseudonyms for identifiers, in the data and in every output file. Pure.

Covered: serial numbers; MAC addresses in every spelling (in serials `94-9F-3E-..:A`, in
`RINCON_<MAC>01400`, in mDNS hosts `Sonos-<MAC>`, `MACAddress`, with `:`/`-` or no separators,
any case); player ids; household ids (`Sonos_...` and the older `HHID_...`, also with the
`.suffix` of mhhid and HOUSEHOLD.SMARTSPEAKER.AUDIO, and any id a player reported as its
household, found by value); location ids (`lc_...`); IPv4 addresses (each /24 gets a pseudonym
network in 100.64.0.0/10 and keeps its host numbers, so players that share a subnet still do);
user names in local paths (`/home/NAME`, `/Users/NAME`, `C:\\Users\\NAME`) and the home folder;
room names with `rooms=True`.

Found in any spelling an output uses: escaped for Markdown (`RINCON\\_`), HTML and XML (`&apos;`,
`&#39;`, `&#x27;`, `&amp;...`), JSON (`\\"`, `\\u00e9`) or the terminal (`\\x1b`): matching
runs on a decoded view of the text and replaces the original span. Every literal is found in one
pass of one trie-shaped regex, so the time grows linearly with the number of players.
Kept: model numbers, software versions, tracks, roles, findings. Best effort: review before posting.
"""

from __future__ import annotations

import bisect
import heapq
import html
import json
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..model import (
    DeepInfo,
    Household,
    Inventory,
    Player,
    Problem,
    ScanObservations,
    Unidentified,
)
from .safe_text import json_dumps

_HEX = "0-9A-Fa-f"
_MAC_SEP = re.compile(
    rf"(?<![{_HEX}])([{_HEX}]{{2}})([:-])([{_HEX}]{{2}})\2([{_HEX}]{{2}})\2([{_HEX}]{{2}})\2"
    rf"([{_HEX}]{{2}})\2([{_HEX}]{{2}})(?![{_HEX}])"
)
_MAC_BARE = re.compile(rf"(?<![{_HEX}])([{_HEX}]{{12}})(?![{_HEX}])")
_MAC_DOTTED = re.compile(  # Cisco's spelling: 000E.58F0.0103
    rf"(?<![{_HEX}.])([{_HEX}]{{4}})\.([{_HEX}]{{4}})\.([{_HEX}]{{4}})(?![{_HEX}]|\.[{_HEX}])")
_IPV4_MAPPED = re.compile(  # ::ffff:c0a8:0118 is 192.168.1.24
    r"(?<![0-9A-Fa-f:])(::[fF]{4}:)([0-9A-Fa-f]{1,4}):([0-9A-Fa-f]{1,4})(?![0-9A-Fa-f:.])")
_RINCON = re.compile(rf"(RINCON_)([{_HEX}]{{12}})")
_SONOS_HOST = re.compile(rf"(Sonos-)([{_HEX}]{{12}})")
_HOUSEHOLD = re.compile(r"(?<![A-Za-z0-9])(Sonos|HHID)_[A-Za-z0-9]{6,}(?:\.[A-Za-z0-9_-]+)?")
_LOCATION = re.compile(r"(?<![A-Za-z0-9])lc_[A-Za-z0-9]{6,}")
_IPV4 = re.compile(r"(?<!\d)(?<!\d\.)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d|-\d)")
_HOME = re.compile(r"(/home/|/Users/|[A-Za-z]:\\Users\\)([^/\\\s\"'<>|:*?]+)")

# One encoded character: an XML/HTML reference (also double-escaped), a JSON or terminal escape,
# a Markdown backslash before punctuation. The decoded view turns each into the character.
_ESCAPE = re.compile(
    r"&(?:amp;)?(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos);"
    r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[nrtbf]|\\[!-/:-@\[-`{-~]"
)
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_XML_TOKEN = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<[^<>]*>|[^<]+|<", re.S)
_XML_ATTRIBUTE = re.compile(r"""(=\s*)("[^"]*"|'[^']*')""")
_ROOM_FORMS = re.compile(r"(TargetRoomName:|@)([^,;@\n]{1,64})")
_SHORT = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
MIN_LITERAL = 4  # shorter values found by value are replaced only in their own fields


def _decode(token: str) -> str:
    if token[0] == "&":
        body = token[1:-1]
        body = body[4:] if body.startswith("amp;") and len(body) > 4 else body
        if body[0] == "#":
            code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
            return chr(code) if code <= 0x10FFFF else "\ufffd"
        return _NAMED[body]
    if token[1] == "u" and len(token) == 12:
        high, low = int(token[2:6], 16), int(token[8:12], 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    if token[1] in "ux":
        return chr(int(token[2:], 16))
    return _SHORT.get(token[1], token[1])


class _View:
    """The text with every encoded character decoded, and the way back to the original spans.
    Only the escapes are recorded (three machine integers each), never a per-character map."""

    def __init__(self, text: str) -> None:
        self.original = text
        self._decoded_at = array("i")  # decoded index of each escape
        self._starts = array("i")  # its original span
        self._ends = array("i")
        if "&" not in text and "\\" not in text:
            self.decoded = text
            return
        shrink = 0

        def decode(match: re.Match[str]) -> str:
            nonlocal shrink
            self._decoded_at.append(match.start() - shrink)
            self._starts.append(match.start())
            self._ends.append(match.end())
            shrink += match.end() - match.start() - 1
            return _decode(match.group(0))

        self.decoded = _ESCAPE.sub(decode, text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of decoded[start:end] (end > start)."""
        return self._at(start)[0], self._at(end - 1)[1]

    def _at(self, index: int) -> tuple[int, int]:
        k = bisect.bisect_right(self._decoded_at, index)
        if k == 0:
            return index, index + 1
        if self._decoded_at[k - 1] == index:
            return self._starts[k - 1], self._ends[k - 1]
        offset = self._ends[k - 1] + index - self._decoded_at[k - 1] - 1
        return offset, offset + 1


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex matching any of `words`, shaped as a trie so that matching costs the same
    whatever their number (an alternation of N words costs N per position). Longest first."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = []
        for char, child in sorted(node.items()):
            if not char:
                continue
            run = [char]
            while len(child) == 1 and "" not in child:  # a chain: one literal, no nesting
                (next_char, child), = child.items()
                run.append(next_char)
            branches.append(re.escape("".join(run)) + emit(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return emit(trie)


def _literal_matchers(words: list[str]) -> list[re.Pattern[str]]:
    """Compiled trie regexes for the literals; split in chunks when a pathological set nests
    deeper than the regex compiler allows (each chunk nests at most as deep as its size)."""
    if not words:
        return []
    try:
        return [re.compile(_trie_pattern(words))]
    except (RecursionError, re.error, OverflowError):
        ordered = sorted(words)
        return [re.compile(_trie_pattern(ordered[i:i + 100])) for i in range(0, len(ordered), 100)]


def _style(original: str, pseudonym_hex: str, separator: str) -> str:
    pairs = [pseudonym_hex[i:i + 2] for i in range(0, 12, 2)]
    text = separator.join(pairs)
    return text.lower() if original.islower() or original == original.lower() else text.upper()


class Redactor:
    def __init__(self, rooms: bool = False, home: Path | None = None) -> None:
        self.redact_rooms = rooms
        self._macs: dict[str, str] = {}  # 12 upper hex -> 12 upper hex
        self._serials: dict[str, str] = {}
        self._households: dict[str, str] = {}
        self._locations: dict[str, str] = {}
        self._players: dict[str, str] = {}  # player ids that are not RINCON_<MAC>...
        self._networks: dict[str, str] = {}  # "a.b.c" -> "100.x.y"
        self._rooms: dict[str, str] = {}
        self._mac_pseudonyms: set[str] = set()
        self._household_pseudonyms: set[str] = set()
        self._network_pseudonyms: set[str] = set()
        self._literals: dict[str, Callable[[], str]] = {}
        self._matchers: list[re.Pattern[str]] | None = None
        try:
            home_text = str(home if home is not None else Path.home())
        except (RuntimeError, KeyError, OSError):
            home_text = ""
        if len(home_text) > 1 and not _HOME.fullmatch(home_text):
            self._literal(home_text, lambda: "~")

    # ---- learning the identifiers ----

    def learn(self, inventory: Inventory, observations: ScanObservations | None = None) -> None:
        texts: list[str] = []
        for p in inventory.players:
            texts += [p.uuid, p.mac or "", p.serial or "", p.household_id or "", p.ip or "",
                      p.room or ""]
            self._player(p.uuid)
            if p.serial:
                self._serial(p.serial)
            if p.household_id:
                self._household_value(p.household_id)
            if self.redact_rooms and p.room:
                self._room(p.room)
        for h in inventory.households:
            texts.append(h.household_id or "")
            if h.household_id:
                self._household_value(h.household_id)
        if observations is not None:
            for t in observations.targets:
                if t.description:
                    texts += [t.description.serial or "", t.description.mac or ""]
                    if t.description.serial:
                        self._serial(t.description.serial)
                    if self.redact_rooms and t.description.room:
                        self._room(t.description.room)
                for sighting in t.sightings:
                    texts += [v for _, v in sighting.raw]
                    if sighting.household_id:
                        self._household_value(sighting.household_id)
            for status in observations.status_reads:  # --deep: the players' status pages
                texts.append((status.raw or b"").decode("utf-8", "replace"))
                if status.page and status.page.serial:
                    self._serial(status.page.serial)
            for read in (*observations.household_reads, *observations.second_reads):
                texts.append(read.raw_zone_group_state or "")
                if read.household_id:
                    self._household_value(read.household_id)
                if read.topology:
                    for member in read.topology.members:
                        self._player(member.uuid)
                        if member.zone_name and self.redact_rooms:
                            self._room(member.zone_name)
                    for device in read.topology.vanished:
                        if device.zone_name and self.redact_rooms:
                            self._room(device.zone_name)
        self.learn_texts(texts)

    def learn_texts(self, texts: Iterable[str]) -> None:
        """Learn MACs and household ids from free text (raw captures, headers), so that their
        pseudonyms are numbered in the order they were met."""
        for text in texts:
            decoded = _View(text).decoded
            for match in _RINCON.finditer(decoded):
                self._mac(match.group(2))
            for match in _MAC_SEP.finditer(decoded):
                self._mac("".join(match.group(i) for i in (1, 3, 4, 5, 6, 7)))
            for match in _SONOS_HOST.finditer(decoded):
                self._mac(match.group(2))
            for match in _MAC_DOTTED.finditer(decoded):
                self._mac("".join(match.groups()))
            for match in _HOUSEHOLD.finditer(decoded):
                self._household(match.group(0).split(".")[0])

    def _literal(self, value: str, pseudonym: Callable[[], str]) -> None:
        if len(value) >= MIN_LITERAL and value not in self._literals:
            self._literals[value] = pseudonym
            self._matchers = None

    def _mac(self, hex12: str) -> str:
        key = hex12.upper()
        if key in self._mac_pseudonyms:
            return key  # already redacted
        if key not in self._macs:
            self._macs[key] = f"0200{len(self._macs) + 1:08X}"
            self._mac_pseudonyms.add(self._macs[key])
        return self._macs[key]

    def _serial(self, serial: str) -> None:
        if not _MAC_SEP.match(serial) and serial not in self._serials:
            self._serials[serial] = f"SERIAL-{len(self._serials) + 1:04d}"
            self._literal(serial, lambda: self._serials[serial])

    def _household(self, household: str) -> str:
        if household in self._household_pseudonyms:
            return household
        if household not in self._households:
            prefix = "HHID" if household.startswith("HHID_") else "Sonos"
            self._households[household] = f"{prefix}_Redacted{len(self._households) + 1:04d}"
            self._household_pseudonyms.add(self._households[household])
        return self._households[household]

    def _household_value(self, household: str) -> str:
        """A household id as a player reported it, whatever its shape: replaced by value."""
        pseudonym = self._household(household)
        if pseudonym != household:
            self._literal(household, lambda: self._households[household])
        return pseudonym

    def _location(self, location: str) -> str:
        if location.startswith("lc_Redacted"):
            return location
        if location not in self._locations:
            self._locations[location] = f"lc_Redacted{len(self._locations) + 1:04d}"
        return self._locations[location]

    def _player(self, uuid: str) -> None:
        if uuid and not _RINCON.match(uuid) and uuid not in self._players:
            self._players[uuid] = f"PLAYER-{len(self._players) + 1:04d}"
            self._literal(uuid, lambda: self._players[uuid])

    def _room(self, room: str) -> str:
        if room not in self._rooms:
            self._rooms[room] = f"Room {len(self._rooms) + 1}"
            if room not in self._rooms.values():
                self._literal(room, lambda: self._rooms[room])
        return self._rooms[room]

    def _ip(self, match: re.Match[str]) -> str:
        octets = [int(g) for g in match.groups()]
        if any(o > 255 for o in octets):
            return match.group(0)
        prefix = ".".join(str(o) for o in octets[:3])
        if prefix in self._network_pseudonyms:
            return match.group(0)
        if prefix not in self._networks:
            n = len(self._networks)
            self._networks[prefix] = f"100.{64 + n // 256}.{n % 256}"  # CGNAT: not a home LAN
            self._network_pseudonyms.add(self._networks[prefix])
        return f"{self._networks[prefix]}.{octets[3]}"

    # ---- applying them ----

    def _shapes(self) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
        return [
            (_RINCON, lambda m: m.group(1) + self._mac(m.group(2))),
            (_SONOS_HOST, lambda m: m.group(1) + self._mac(m.group(2))),
            (_MAC_SEP, self._mac_sep),
            (_MAC_DOTTED, self._mac_dotted),
            (_MAC_BARE, self._mac_bare),
            (_IPV4_MAPPED, self._ipv4_mapped),
            (_HOUSEHOLD, self._household_match),
            (_LOCATION, lambda m: self._location(m.group(0))),
            (_IPV4, self._ip),
            (_HOME, lambda m: m.group(1) + "user"),
        ]

    def _matches(self, decoded: str, literals: bool = True
                 ) -> Iterator[tuple[int, int, int, str]]:
        """Every candidate (start, -length, end, replacement), in order, lazily: memory does
        not grow with the number of matches."""
        if self._matchers is None:
            self._matchers = _literal_matchers(list(self._literals))
        matchers = self._matchers if literals else []

        def literal(matcher: re.Pattern[str]) -> Iterator[tuple[int, int, int, str]]:
            for m in matcher.finditer(decoded):
                if m.end() > m.start():
                    yield m.start(), m.start() - m.end(), m.end(), self._literals[m.group(0)]()

        def shape(pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str]
                  ) -> Iterator[tuple[int, int, int, str]]:
            for m in pattern.finditer(decoded):
                new = replacement(m)
                if new != m.group(0):
                    yield m.start(), m.start() - m.end(), m.end(), new

        return heapq.merge(*(literal(m) for m in matchers),
                           *(shape(p, r) for p, r in self._shapes()))

    def text(self, value: str, *, literals: bool = True) -> str:
        """A device-supplied value with every identifier replaced: the identifier patterns
        and, with `literals`, the values learnt by value (household ids of any shape, room
        names, serials, player ids)."""
        if not value:
            return value
        view = _View(value)
        decoded = view.decoded
        blocks: list[str] = []
        out: list[str] = []
        position = decoded_end = 0
        for start, _length, end, new in self._matches(decoded, literals):
            if start < decoded_end:
                continue  # overlaps a longer or earlier match
            decoded_end = end
            # Replace only what differs, so that escapes around a kept prefix (`RINCON\\_`,
            # `C:\\\\Users\\\\`) stay as the output's format needs them.
            old = decoded[start:end]
            head = 0
            while head < min(len(old), len(new)) and old[head] == new[head]:
                head += 1
            tail = 0
            while (tail < min(len(old), len(new)) - head
                   and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]):
                tail += 1
            if start + head >= end - tail:
                continue
            begin, finish = view.span(start + head, end - tail)
            out += [value[position:begin], new[head:len(new) - tail]]
            position = finish
            if len(out) >= 4096:  # a few large strings rather than millions of small ones
                blocks.append("".join(out))
                out.clear()
        if not blocks and not out:
            return value
        out.append(value[position:])
        blocks.append("".join(out))
        return "".join(blocks)

    def _mac_sep(self, match: re.Match[str]) -> str:
        hex12 = "".join(match.group(i) for i in (1, 3, 4, 5, 6, 7))
        return _style(match.group(0), self._mac(hex12), match.group(2))

    def _mac_dotted(self, match: re.Match[str]) -> str:
        pseudonym = self._mac("".join(match.groups()))
        text = ".".join(pseudonym[i:i + 4] for i in range(0, 12, 4))
        original = match.group(0)
        return text.lower() if original == original.lower() else text

    def _ipv4_mapped(self, match: re.Match[str]) -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        octets = (high >> 8, high & 0xFF, low >> 8, low & 0xFF)
        dotted = ".".join(str(o) for o in octets)
        replaced = _IPV4.sub(self._ip, dotted)
        if replaced == dotted:
            return match.group(0)
        a, b, c, d = (int(x) for x in replaced.split("."))
        return f"{match.group(1)}{(a << 8) | b:x}:{(c << 8) | d:04x}"

    def _mac_bare(self, match: re.Match[str]) -> str:
        key = match.group(1).upper()
        return _style(match.group(1), self._macs[key], "") if key in self._macs else match.group(1)

    def _household_match(self, match: re.Match[str]) -> str:
        household, _, suffix = match.group(0).partition(".")
        return self._household(household) + (".redacted" if suffix else "")

    def maybe(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def inventory(self, inventory: Inventory) -> Inventory:
        """The inventory with every identifier replaced (findings must be computed again)."""
        def problem(p: Problem) -> Problem:
            return replace(p, detail=self.text(p.detail))

        def household_id(value: str | None) -> str | None:
            return None if value is None else self.text(self._household_value(value))

        def room(value: str | None) -> str | None:
            if value and self.redact_rooms:
                return self._room(value)
            return self.maybe(value)

        def deep(info: DeepInfo | None) -> DeepInfo | None:
            if info is None:
                return None
            return DeepInfo(self.text(info.status), *(
                None if v is None else self.value(v) for v in (
                    info.software_date, info.hh_swgen_state, info.wifi_mode,
                    info.connection_type, info.extra_info)))

        def player(p: Player) -> Player:
            return replace(
                p, uuid=self.text(p.uuid), ip=self.maybe(p.ip), serial=self.maybe(p.serial),
                mac=self.maybe(p.mac), household_id=household_id(p.household_id),
                room=room(p.room), model_name=self.maybe(p.model_name),
                display_version=self.maybe(p.display_version),
                hardware_version=self.maybe(p.hardware_version),
                errors=tuple(problem(e) for e in p.errors), deep=deep(p.deep),
                facts=None if p.facts is None else replace(
                    p.facts, satellite_of=self.maybe(p.facts.satellite_of),
                    more_info=self.maybe(p.facts.more_info)))

        def household(h: Household) -> Household:
            return replace(h, household_id=household_id(h.household_id),
                           players=tuple(self.text(u) for u in h.players),
                           moved_out=tuple(self.text(u) for u in h.moved_out),
                           remembered=tuple(self.text(u) for u in h.remembered),
                           topology_disagreement=tuple(self.text(x) for x in
                                                       h.topology_disagreement)
                           if h.topology_disagreement is not None else None,
                           topology_problem=problem(h.topology_problem)
                           if h.topology_problem else None)

        scan = replace(inventory.scan, interfaces=tuple(self.text(i) for i in
                                                        inventory.scan.interfaces),
                       incomplete_reasons=tuple(self.text(r) for r in
                                                inventory.scan.incomplete_reasons))
        return replace(
            inventory, scan=scan, players=tuple(player(p) for p in inventory.players),
            households=tuple(household(h) for h in inventory.households),
            unidentified=tuple(Unidentified(self.text(u.ip), u.port, u.discovered_via,
                                            tuple(problem(e) for e in u.errors))
                               for u in inventory.unidentified),
            findings=(),
            # A label is the user's own name for the system: kept, unless room names (the
            # other names people choose) are redacted too.
            label=None if inventory.label is None else (
                "Redacted site" if self.redact_rooms else self.text(inventory.label)),
        )

    # ---- whole documents: replacement inside values only ----

    def value(self, value: str) -> str:
        """One whole value (an XML text or attribute value, a JSON string, a header value): a
        room name is replaced when it is the whole value (also one under 4 characters) or in
        the forms that carry one (`TargetRoomName:NAME`, `...@NAME`); otherwise as `text`."""
        if self.redact_rooms and self._rooms:
            bare = html.unescape(value).strip()
            if bare in self._rooms:
                return self._rooms[bare]
            value = _ROOM_FORMS.sub(lambda m: m.group(1) + self._rooms[m.group(2)]
                                    if m.group(2) in self._rooms else m.group(0), value)
        return self.text(value)

    def shapes(self, text: str) -> str:
        """A document the tool wrote (a report, a note): identifier patterns only. Its values
        were redacted before it was rendered; its own words, headings and keys are never
        touched, whatever a device calls its household or its room."""
        return self.text(text, literals=False)

    def json_document(self, text: str) -> str:
        """A JSON document: string values redacted; keys only where they are an identifier
        pattern (a player id keying faults.json), never by value; structure untouched."""
        try:
            document = json.loads(text)
        except ValueError:
            return self.shapes(text)

        def walk(node: Any) -> Any:
            if isinstance(node, str):
                return self.value(node)
            if isinstance(node, list):
                return [walk(item) for item in node]
            if isinstance(node, dict):
                return {self.shapes(key): walk(item) for key, item in node.items()}
            return node

        return json_dumps(walk(document)) + ("\n" if text.endswith("\n") else "")

    def xml_document(self, text: str) -> str:
        """An XML capture (well-formed or not): text and attribute values redacted; tag and
        attribute names, comments' and declarations' markup untouched."""
        def attribute(match: re.Match[str]) -> str:
            quoted_value = match.group(2)
            return (match.group(1) + quoted_value[0] + self.value(quoted_value[1:-1])
                    + quoted_value[-1])

        out = []
        for token in _XML_TOKEN.finditer(text):
            part = token.group(0)
            if part.startswith("<![CDATA[") and part.endswith("]]>"):
                out.append("<![CDATA[" + self.value(part[9:-3]) + "]]>")
            elif part.startswith("<") and part.endswith(">"):
                out.append(self.shapes(_XML_ATTRIBUTE.sub(attribute, part)))
            else:
                out.append(self.value(part) if part.strip() else part)
        return "".join(out)

    def raw_file(self, name: str, data: bytes) -> tuple[str, bytes]:
        """A raw capture of a bundle, by its kind: XML and JSON inside their values, the
        household id file as a value, the tool's own notes by pattern."""
        text = data.decode("utf-8", "surrogateescape")
        lowered = name.lower()
        if lowered.endswith(".xml") or lowered.endswith(".zp"):
            text = self.xml_document(text)
        elif lowered.endswith(".json"):
            text = self.json_document(text)
        elif lowered.endswith("household_id"):
            text = "\n".join(self.value(line) if line.strip() else line
                             for line in text.split("\n"))
        else:
            text = self.shapes(text)
        return self.text(name), text.encode("utf-8", "surrogateescape")

    def mapping(self) -> dict[str, dict[str, str]]:
        """Pseudonym -> real value, per kind (written only where the user asks)."""
        def colons(hex12: str) -> str:
            return ":".join(hex12[i:i + 2] for i in range(0, 12, 2))

        return {
            "mac": {colons(v): colons(k) for k, v in self._macs.items()},
            "serial": {v: k for k, v in self._serials.items()},
            "household": {v: k for k, v in self._households.items()},
            "location": {v: k for k, v in self._locations.items()},
            "player": {v: k for k, v in self._players.items()},
            "network": {f"{v}.0/24": f"{k}.0/24" for k, v in self._networks.items()},
            "room": {v: k for k, v in self._rooms.items()},
        }
