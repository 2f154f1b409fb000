"""--host IP[:PORT]: a player the user names; its household is expanded through the topology."""

from __future__ import annotations

from collections.abc import Iterable

from ..bounds import SONOS_PORT
from ..errors import UsageError
from ..model import Endpoint, Method, Sighting
from ..netpolicy import normalize_ip


def parse_host(value: str, name: str = "--host") -> Endpoint:
    """`IP`, `IP:PORT` or `[IPv6]:PORT`; UsageError naming `name` (the option, or the API
    argument) for anything else, a port outside 1-65535 included."""
    text = value.strip()
    host, port = text, SONOS_PORT
    if text.startswith("["):  # [v6] or [v6]:port, nothing else after the bracket
        inner, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise UsageError(f"{name} {value!r}: write an IPv6 address as [ADDRESS]:PORT")
        host = inner
        if rest:
            port = _port(rest[1:], value, name)
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = _port(port_text, value, name)
    address = normalize_ip(host)
    if address is None:
        raise UsageError(
            f"{name} {value!r} is not an IP address. Give the player's IP as the Sonos app "
            "shows it (Settings > System > About My System), e.g. 192.168.1.20"
        )
    return Endpoint(str(address), port)


def _port(text: str, value: str, name: str) -> int:
    if not text.isdigit() or len(text) > 5 or not 0 < int(text) < 65536:
        raise UsageError(f"{name} {value!r}: the port must be a number from 1 to 65535")
    return int(text)


def host_sightings(values: Iterable[str], name: str = "--host") -> tuple[Sighting, ...]:
    return tuple(Sighting(parse_host(v, name), Method.HOST) for v in values)
