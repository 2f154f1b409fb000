"""--redact: consistent pseudonyms for identifiers, in the data and in every output file. Pure.

Covered: serial numbers; MAC addresses in every spelling (in serials `94-9F-3E-..:A`, in
`RINCON_<MAC>01400`, in mDNS hosts `Sonos-<MAC>`, `MACAddress`, with `:`/`-` or no separators,
any case); household ids (`Sonos_...`, also with the `.suffix` of mhhid and
HOUSEHOLD.SMARTSPEAKER.AUDIO); IPv4 addresses (each /24 gets a pseudonym network in
100.64.0.0/10 and keeps its host numbers, so players that share a subnet still do); room names
with `rooms=True`.
Kept: model numbers, software versions, tracks, roles, findings. Best effort: review before posting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from xml.sax.saxutils import escape

from ..model import Household, Inventory, Player, Problem, ScanObservations, Unidentified

_HEX = "0-9A-Fa-f"
_MAC_SEP = re.compile(
    rf"(?<![{_HEX}])([{_HEX}]{{2}})([:-])([{_HEX}]{{2}})\2([{_HEX}]{{2}})\2([{_HEX}]{{2}})\2"
    rf"([{_HEX}]{{2}})\2([{_HEX}]{{2}})(?![{_HEX}])"
)
_MAC_BARE = re.compile(rf"(?<![{_HEX}])([{_HEX}]{{12}})(?![{_HEX}])")
_RINCON = re.compile(rf"(RINCON_)([{_HEX}]{{12}})")
_SONOS_HOST = re.compile(rf"(Sonos-)([{_HEX}]{{12}})")
_HOUSEHOLD = re.compile(r"(?:Sonos|HHID)_[A-Za-z0-9]{6,}(?:\.[A-Za-z0-9_-]+)?")
_LOCATION_ID = re.compile(r"\blc_[A-Za-z0-9]{6,}")  # Sonos location ids (SSDP, status pages)
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.]|-\d)")


def _style(original: str, pseudonym_hex: str, separator: str) -> str:
    pairs = [pseudonym_hex[i:i + 2] for i in range(0, 12, 2)]
    text = separator.join(pairs)
    return text.lower() if original.islower() or original == original.lower() else text.upper()


class Redactor:
    def __init__(self, rooms: bool = False) -> None:
        self.redact_rooms = rooms
        self._macs: dict[str, str] = {}  # 12 upper hex -> 12 upper hex
        self._serials: dict[str, str] = {}
        self._households: dict[str, str] = {}
        self._networks: dict[str, str] = {}  # "a.b.c" -> "10.x.y"
        self._rooms: dict[str, str] = {}
        self._mac_pseudonyms: set[str] = set()
        self._household_pseudonyms: set[str] = set()
        self._network_pseudonyms: set[str] = set()

    # ---- learning the identifiers ----

    def learn(self, inventory: Inventory, observations: ScanObservations | None = None) -> None:
        texts: list[str] = []
        for p in inventory.players:
            texts += [p.uuid, p.mac or "", p.serial or "", p.household_id or "", p.ip or ""]
            if p.serial:
                self._serial(p.serial)
            if self.redact_rooms and p.room:
                self._room(p.room)
        for h in inventory.households:
            texts.append(h.household_id or "")
        if observations is not None:
            for t in observations.targets:
                if t.description:
                    texts += [t.description.serial or "", t.description.mac or ""]
                    if t.description.serial:
                        self._serial(t.description.serial)
                    if self.redact_rooms and t.description.room:
                        self._room(t.description.room)
                texts += [v for s in t.sightings for _, v in s.raw]
            for status in observations.status_reads:  # --deep: the players' status pages
                texts.append((status.raw or b"").decode("utf-8", "replace"))
                if status.page and status.page.serial:
                    self._serial(status.page.serial)
            for read in (*observations.household_reads, *observations.second_reads):
                texts.append(read.raw_zone_group_state or "")
                if read.topology and self.redact_rooms:
                    for member in read.topology.members:
                        if member.zone_name:
                            self._room(member.zone_name)
                    for device in read.topology.vanished:
                        if device.zone_name:
                            self._room(device.zone_name)
        self.learn_texts(texts)

    def learn_texts(self, texts: Iterable[str]) -> None:
        """Learn MACs and household ids from free text (raw captures, headers)."""
        for text in texts:
            for match in _RINCON.finditer(text):
                self._mac(match.group(2))
            for match in _MAC_SEP.finditer(text):
                self._mac("".join(match.group(i) for i in (1, 3, 4, 5, 6, 7)))
            for match in _SONOS_HOST.finditer(text):
                self._mac(match.group(2))
            for match in _HOUSEHOLD.finditer(text):
                self._household(match.group(0).split(".")[0])

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

    def _household(self, household: str) -> str:
        if household in self._household_pseudonyms:
            return household
        if household not in self._households:
            self._households[household] = f"Sonos_Redacted{len(self._households) + 1:04d}"
            self._household_pseudonyms.add(self._households[household])
        return self._households[household]

    def _room(self, room: str) -> str:
        if room not in self._rooms:
            self._rooms[room] = f"Room {len(self._rooms) + 1}"
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

    def text(self, value: str) -> str:
        if not value:
            return value
        for serial, pseudonym in self._serials.items():
            value = value.replace(serial, pseudonym)
        value = _RINCON.sub(lambda m: m.group(1) + self._mac(m.group(2)), value)
        value = _SONOS_HOST.sub(lambda m: m.group(1) + self._mac(m.group(2)), value)
        value = _MAC_SEP.sub(self._mac_sep, value)
        value = _MAC_BARE.sub(
            lambda m: _style(m.group(1), self._macs[m.group(1).upper()], "")
            if m.group(1).upper() in self._macs else m.group(1), value)
        value = _HOUSEHOLD.sub(self._household_match, value)
        value = _IPV4.sub(self._ip, value)
        value = _LOCATION_ID.sub("lc_redacted", value)
        pseudonyms = set(self._rooms.values())
        for room, pseudonym in sorted(self._rooms.items(), key=lambda kv: -len(kv[0])):
            if room in pseudonyms:
                continue
            for form in {room, escape(room), escape(room, {'"': "&quot;"})}:
                value = value.replace(form, pseudonym)
        return value

    def _mac_sep(self, match: re.Match[str]) -> str:
        hex12 = "".join(match.group(i) for i in (1, 3, 4, 5, 6, 7))
        return _style(match.group(0), self._mac(hex12), match.group(2))

    def _household_match(self, match: re.Match[str]) -> str:
        household, _, suffix = match.group(0).partition(".")
        return self._household(household) + (".redacted" if suffix else "")

    def maybe(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def bytes(self, data: bytes) -> bytes:
        return self.text(data.decode("utf-8", "surrogateescape")).encode("utf-8",
                                                                          "surrogateescape")

    def inventory(self, inventory: Inventory) -> Inventory:
        """The inventory with every identifier replaced (findings must be computed again)."""
        def problem(p: Problem) -> Problem:
            return replace(p, detail=self.text(p.detail))

        def player(p: Player) -> Player:
            return replace(
                p, uuid=self.text(p.uuid), ip=self.maybe(p.ip), serial=self.maybe(p.serial),
                mac=self.maybe(p.mac), household_id=self.maybe(p.household_id),
                room=self._rooms.get(p.room, p.room) if p.room else p.room,
                errors=tuple(problem(e) for e in p.errors))

        def household(h: Household) -> Household:
            return replace(h, household_id=self.maybe(h.household_id),
                           players=tuple(self.text(u) for u in h.players),
                           moved_out=tuple(self.text(u) for u in h.moved_out),
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
        )

    def mapping(self) -> dict[str, dict[str, str]]:
        """Pseudonym -> real value, per kind (written only where the user asks)."""
        def colons(hex12: str) -> str:
            return ":".join(hex12[i:i + 2] for i in range(0, 12, 2))

        return {
            "mac": {colons(v): colons(k) for k, v in self._macs.items()},
            "serial": {v: k for k, v in self._serials.items()},
            "household": {v: k for k, v in self._households.items()},
            "network": {f"{v}.0/24": f"{k}.0/24" for k, v in self._networks.items()},
            "room": {v: k for k, v in self._rooms.items()},
        }

