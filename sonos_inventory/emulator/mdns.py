"""The emulator's mDNS advertiser: `_sonos._tcp.local.` for S2 players, on 127.0.0.1 only,
with the TXT keys real players send. Registered concurrently (one by one takes ~20 s for 32)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import unicodedata
from typing import Any

from .player import EmulatedPlayer, ServedLan, ServedResponder

SERVICE_TYPE = "_sonos._tcp.local."


MAX_LABEL_BYTES = 63  # a DNS label (RFC 1035)
MAX_TXT_BYTES = 255  # one TXT string, key=value (RFC 6763)


def dns_label(text: str) -> str:
    """Any room name as an mDNS instance label: no control or format characters, no dots,
    at most 63 bytes of UTF-8 cut at a character boundary. Only the advertisement is shortened;
    the player's data is served as it is."""
    clean = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c
                    for c in text).replace(".", " ").strip() or "Sonos"
    data = clean.encode("utf-8")[:MAX_LABEL_BYTES]
    return data.decode("utf-8", "ignore").strip() or "Sonos"


def txt_value(key: str, value: str) -> bytes:
    """A TXT value that fits one TXT string with its key (UTF-8, cut at a character boundary)."""
    room = MAX_TXT_BYTES - len(key.encode("utf-8")) - 1
    return value.encode("utf-8", "replace")[:max(room, 0)].decode("utf-8", "ignore").encode()


def service_info(player: EmulatedPlayer, taken: set[str] | None = None) -> Any:
    from zeroconf import ServiceInfo

    d = player.description
    raw_mac = d.mac if d and d.mac else player.uuid[7:19]
    mac = "".join(c for c in raw_mac.upper() if c in "0123456789ABCDEF")[:12] or "000000000000"
    room = d.room if d and d.room else "Sonos"
    label = dns_label(f"Sonos-{mac}@{room}")
    taken = taken if taken is not None else set()
    number = 1
    while label.lower() in taken:  # two players with one name: the second gets " (2)"
        number += 1
        suffix = f" ({number})"
        label = dns_label(f"Sonos-{mac}@{room}").encode()[:MAX_LABEL_BYTES - len(suffix)].decode(
            "utf-8", "ignore") + suffix
    taken.add(label.lower())
    household = player.household.household_id
    member = player.household.topology.member(player.uuid)
    boot_seq = member.boot_seq if member and member.boot_seq is not None else 1
    properties = {
        "info": f"/api/v1/players/{player.uuid}/info",
        "vers": "3",
        "protovers": "1.24.1",
        "bootseq": str(boot_seq),
        "hhid": household,
        "mhhid": f"{household}.emulated",
        "location": f"{player.endpoint.base_url}/xml/device_description.xml",
        "sslport": "1443",
        "hhsslport": "1843",
        "variant": "2",
        "mdnssequence": "0",
        "uuid": player.uuid,
    }
    properties.update(dict(player.faults.txt))
    host = f"Sonos-{mac}-{number}" if number > 1 else f"Sonos-{mac}"
    return ServiceInfo(
        SERVICE_TYPE,
        f"{label}.{SERVICE_TYPE}",
        addresses=[socket.inet_aton(player.endpoint.host)],
        port=1443,
        properties={k.encode("utf-8", "replace")[:MAX_TXT_BYTES - 1]: txt_value(k, v)
                    for k, v in properties.items() if k and "=" not in k},
        server=f"{host}.local.",
    )


def zeroconf_errors() -> type[Exception]:
    from zeroconf import Error

    return Error


def responder_info(served: ServedResponder) -> Any:
    """A non-Sonos device's mDNS record: its own service type, name, address and port."""
    from zeroconf import ServiceInfo

    kind = served.responder.mdns_type or ""
    label = dns_label(served.responder.name)
    return ServiceInfo(kind, f"{label}.{kind}", addresses=[socket.inet_aton(
        served.endpoint.host)], port=served.endpoint.port, properties={},
        server=f"{label.replace(' ', '-')}.local.")


class MdnsAdvertiser:
    def __init__(self, emulator: ServedLan) -> None:
        self.emulator = emulator
        self._zc: Any = None
        self.problems: list[str] = []  # what could not be advertised, and why
        self._announcing: list[Any] = []

    def start(self) -> None:
        from zeroconf import IPVersion, Zeroconf

        players = [
            p for p in self.emulator.players
            if p.description and p.description.sw_gen == 2 and p.faults.mdns
            and not p.faults.no_answer
        ]
        others = [r for r in self.emulator.responders if r.responder.mdns_type]
        if not players and not others:
            return
        self._zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        taken: set[str] = set()
        infos = []
        for player in players:
            try:
                infos.append(service_info(player, taken))
            except (ValueError, zeroconf_errors()) as exc:  # never stops a replay
                self.problems.append(f"{player.uuid}: not advertised ({exc})")
        for served in others:  # non-Sonos devices: their own type, name and port
            try:
                infos.append(responder_info(served))
            except (ValueError, zeroconf_errors()) as exc:
                self.problems.append(f"{served.responder.name}: not advertised ({exc})")

        async def register_all() -> list[Any]:
            # Registered (probed, in the registry, answering queries) when this returns; the
            # unsolicited announcements go on in the background while the scan runs: a browser
            # that asks gets its answer either way.
            # No probing for name conflicts (cooperating_responders): the names are made
            # unique here already (service_info's `taken`), and only this emulator answers
            # for them on loopback. Probing would cost each start about a second.
            tasks = await asyncio.gather(
                *(self._zc.async_register_service(i, allow_name_change=True,
                                                  cooperating_responders=True) for i in infos),
                return_exceptions=True)
            self._announcing = [t for t in tasks if not isinstance(t, BaseException)]
            return [t for t in tasks if isinstance(t, Exception)]

        future = asyncio.run_coroutine_threadsafe(register_all(), self._zc.loop)
        try:
            problems = future.result(timeout=30)
        except BaseException:  # Ctrl-C while registering: let the tasks end before closing
            future.cancel()
            concurrent.futures.wait([future], timeout=2)
            raise
        for problem in problems:
            self.problems.append(f"an mDNS advertisement failed: {problem}")

    def stop(self) -> None:
        if self._zc is not None:
            self._zc.close()
            self._zc = None
