"""--host IP[:PORT]: a player the user names; its household is expanded through the topology."""

from __future__ import annotations

from collections.abc import Iterable

from ..bounds import SONOS_PORT
from ..errors import UsageError
from ..model import Endpoint, Method, Sighting
from ..netpolicy import normalize_ip


def parse_host(value: str) -> Endpoint:
    text = value.strip()
    host, port = text, SONOS_PORT
    if text.startswith("["):  # [v6]:port
        inner, _, rest = text[1:].partition("]")
        host = inner
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise UsageError(f"--host {value!r}: the port must be a number from 1 to 65535")
        port = int(port_text)
    address = normalize_ip(host)
    if address is None:
        raise UsageError(
            f"--host {value!r} is not an IP address. Give the player's IP as the Sonos app "
            "shows it (Settings > System > About My System), e.g. --host 192.168.1.20"
        )
    return Endpoint(str(address), port)


def host_sightings(values: Iterable[str]) -> tuple[Sighting, ...]:
    return tuple(Sighting(parse_host(v), Method.HOST) for v in values)
