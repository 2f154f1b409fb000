"""How a product is connected: the one place that maps raw network attributes to a connection.

Inputs are what a normal scan already reads (no extra request): the zone group state attributes
`ConnectionType`, `EthLink`, `WirelessMode`, `WifiEnabled`, `BehindWifiExtender` and the SSDP
header `X-RINCON-WIFIMODE`. Output: `wired`, `sonosnet`, `wifi`, `home-theater` or `unknown`, and a
basis sentence that names the attributes used and whether the mapping was observed or inferred.

Evidence (sonos-facts.md §7, source "sd": one real 30-product household captured in 2026, where
each player's own support page states its connection):

| attributes                          | the player's own page says       | here          | players |
|-------------------------------------|----------------------------------|---------------|---------|
| ConnectionType="2", EthLink="0"     | "SonosNet (wireless)"            | sonosnet      | 25      |
| ConnectionType="1", EthLink="1"     | (no wireless section; Ethernet up) | wired       | 3       |
| ConnectionType="6"                  | "Home Theater"                   | home-theater  | 2       |

`WirelessMode="0"`, `WifiEnabled="1"` and `BehindWifiExtender="0"` on all 30: they do not tell
the connections apart. Any other ConnectionType code has not been seen in data: `unknown`, with
the raw code in the basis.

Without a ConnectionType (firmware before about 2025, and S1), only inferences remain, each
marked as such in the basis:
- `EthLink="1"`: an Ethernet link is up, so the product is wired (every wired product in the data
  had it, no wireless one did);
- a `<Satellite>` of a home theatre: on the home-theatre link (the 2026 satellites were
  ConnectionType 6);
- `WirelessMode="1"` or SSDP `X-RINCON-WIFIMODE: 1`: Wi-Fi mode, joined to the router rather than
  SonosNet (seen only on a fixture on a 5 GHz channel; no player's page confirms it: uncertain).
Everything else is `unknown`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Sighting, ZoneMember

WIRED = "wired"
SONOSNET = "sonosnet"
WIFI = "wifi"
HOME_THEATER = "home-theater"
UNKNOWN = "unknown"
CONNECTIONS = (WIRED, SONOSNET, WIFI, HOME_THEATER, UNKNOWN)

CONNECTION_TYPE_CODES: dict[str, tuple[str, str]] = {
    "1": (WIRED, "observed: players with ConnectionType 1 and EthLink 1 were wired (3 of 3)"),
    "2": (SONOSNET, "observed: players with ConnectionType 2 stated \"SonosNet (wireless)\" "
                    "(25 of 25)"),
    "6": (HOME_THEATER, "observed: players with ConnectionType 6 stated \"Home Theater\" "
                        "(2 of 2)"),
}
"""ConnectionType codes seen in real data with the player's own statement (see the module
docstring). The only table of its kind: extend it when new captures show another code."""


def ssdp_wifi_mode(sightings: Iterable[Sighting]) -> str | None:
    """The X-RINCON-WIFIMODE header of the first SSDP reply that carried one."""
    for sighting in sightings:
        for name, value in sighting.raw:
            if name.upper() == "X-RINCON-WIFIMODE" and value.strip():
                return value.strip()[:8]
    return None


def classify(member: ZoneMember | None, wifi_mode_header: str | None = None
             ) -> tuple[str, str]:
    """(connection, basis) from the zone group state attributes and the SSDP header."""
    if member is None and wifi_mode_header is None:
        return UNKNOWN, "not in a zone group state that was read, and no SSDP reply"
    raw = _raw(member, wifi_mode_header)
    code = member.connection_type if member else None
    if code is not None:
        known = CONNECTION_TYPE_CODES.get(code)
        if known is None:
            return UNKNOWN, f"ConnectionType {code!r} has not been seen in data ({raw})"
        connection, evidence = known
        if connection == WIRED and member is not None and member.eth_link == "0":
            evidence += "; this one reports EthLink 0"
        return connection, f"{raw}; {evidence}"
    if member is not None and member.eth_link == "1":
        return WIRED, f"{raw}; inferred: the Ethernet link is up"
    if member is not None and member.satellite_of is not None:
        return HOME_THEATER, f"{raw}; inferred: a satellite of a home theatre"
    if member is not None and member.wireless_mode == "1":
        return WIFI, f"{raw}; inferred (uncertain): WirelessMode 1 is Wi-Fi mode"
    if wifi_mode_header == "1":
        return WIFI, f"{raw}; inferred (uncertain): X-RINCON-WIFIMODE 1 is Wi-Fi mode"
    return UNKNOWN, f"{raw}; no ConnectionType, and nothing else tells"


def behind_extender(member: ZoneMember | None) -> bool | None:
    value = member.behind_wifi_extender if member else None
    return {"1": True, "0": False}.get(value or "")


def _raw(member: ZoneMember | None, header: str | None) -> str:
    parts = []
    if member is not None:
        for name, value in (("ConnectionType", member.connection_type),
                            ("EthLink", member.eth_link),
                            ("WirelessMode", member.wireless_mode),
                            ("WifiEnabled", member.wifi_enabled)):
            if value is not None:
                parts.append(f"{name}={value}")
    if header is not None:
        parts.append(f"X-RINCON-WIFIMODE={header}")
    return ", ".join(parts) or "no network attributes"
