"""The emulator's mDNS advertiser: `_sonos._tcp.local.` for S2 players, on 127.0.0.1 only,
with the TXT keys real players send. Registered concurrently (one by one takes ~20 s for 32)."""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import EmulatedPlayer, Emulator

SERVICE_TYPE = "_sonos._tcp.local."


def service_info(player: EmulatedPlayer) -> Any:
    from zeroconf import ServiceInfo

    d = player.description
    mac = (d.mac if d and d.mac else player.uuid[7:19]).replace(":", "").upper()
    room = (d.room if d and d.room else "Sonos")[:40]
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
    return ServiceInfo(
        SERVICE_TYPE,
        f"Sonos-{mac}@{room}.{SERVICE_TYPE}",
        addresses=[socket.inet_aton(player.endpoint.host)],
        port=1443,
        properties={k: v.encode("latin-1", "replace") for k, v in properties.items()},
        server=f"Sonos-{mac}.local.",
    )


class MdnsAdvertiser:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._zc: Any = None

    def start(self) -> None:
        from zeroconf import IPVersion, Zeroconf

        players = [
            p for p in self.emulator.players
            if p.description and p.description.sw_gen == 2 and p.faults.mdns
            and not p.faults.no_answer
        ]
        if not players:
            return
        self._zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        infos = [service_info(p) for p in players]

        async def register_all() -> None:
            tasks = await asyncio.gather(*(self._zc.async_register_service(i) for i in infos))
            await asyncio.gather(*tasks)

        future = asyncio.run_coroutine_threadsafe(register_all(), self._zc.loop)
        future.result(timeout=30)

    def stop(self) -> None:
        if self._zc is not None:
            self._zc.close()
            self._zc = None
