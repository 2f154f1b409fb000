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

Without a ConnectionType (firmware before about 2025, and S1), the other attributes decide, each
reading marked observed or inferred in the basis (sonos-facts §8, public captures):
- `EthLink="1"`: an Ethernet link is up, so the product is wired (every wired product in the data
  had it, no wireless one did);
- `WirelessMode="1"`: Wi-Fi, joined to the router (observed: a real household with no wired
  player at all, so no SonosNet); the SSDP header `X-RINCON-WIFIMODE: 1` says the same;
- a `<Satellite>` of a home theatre (or a subwoofer): the home-theatre link; observed with
  `WirelessMode="2"`, inferred without it;
- `WirelessMode="0"` with `EthLink="0"` present, on a product that is not a satellite: SonosNet
  (likely: it is neither wired nor on Wi-Fi);
- no `EthLink` attribute at all (older firmware does not send it): unknown, except a Boost or a
  Bridge, which must be cabled: wired.
`ChannelFreq` gives the band (2412-2484 MHz: 2.4 GHz; 5170-5895 MHz: 5 GHz) and the channel; a
wired player with `WifiEnabled="0"` has its Wi-Fi off.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..model import Sighting


class Link(Protocol):
    """The link attributes of a zone group state listing: a ZoneMember as parsed, or the
    PlayerFacts an inventory keeps of it."""

    @property
    def connection_type(self) -> str | None: ...
    @property
    def wireless_mode(self) -> str | None: ...
    @property
    def eth_link(self) -> str | None: ...
    @property
    def wifi_enabled(self) -> str | None: ...
    @property
    def behind_wifi_extender(self) -> str | None: ...
    @property
    def channel_freq(self) -> str | None: ...
    @property
    def satellite_of(self) -> str | None: ...

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


def classify(member: Link | None, wifi_mode_header: str | None = None, *,
             must_be_cabled: bool = False, satellite: bool = False) -> tuple[str, str]:
    """(connection, basis) from the zone group state attributes and the SSDP header.
    `must_be_cabled`: a Boost or a Bridge; `satellite`: a surround or a home theatre's sub."""
    if member is None and wifi_mode_header is None:
        return UNKNOWN, "not in a zone group state that was read, and no SSDP reply"
    connection, basis = _classify(member, wifi_mode_header, must_be_cabled,
                                  satellite or (member is not None
                                                and member.satellite_of is not None))
    if connection == WIRED and member is not None and member.wifi_enabled == "0":
        basis += "; its Wi-Fi is off (WifiEnabled 0)"
    return connection, basis


def _classify(member: Link | None, header: str | None, cabled: bool, satellite: bool
              ) -> tuple[str, str]:
    raw = _raw(member, header)
    code = member.connection_type if member else None
    if code is not None:
        known = CONNECTION_TYPE_CODES.get(code)
        if known is None:
            return UNKNOWN, f"ConnectionType {code!r} has not been seen in data ({raw})"
        connection, evidence = known
        if connection == WIRED and member is not None and member.eth_link == "0":
            evidence += "; this one reports EthLink 0"
        return connection, f"{raw}; {evidence}"
    mode = member.wireless_mode if member else None
    if member is not None and member.eth_link == "1":
        return WIRED, f"{raw}; inferred: the Ethernet link is up"
    if mode == "1":
        return WIFI, (f"{raw}; observed: WirelessMode 1 is Wi-Fi, joined to the router (a real "
                      "household with no wired player had it on every product)")
    if satellite:
        if mode == "2":
            return HOME_THEATER, f"{raw}; observed: WirelessMode 2 on a home theatre's satellite"
        return HOME_THEATER, f"{raw}; inferred: a satellite of a home theatre"
    if header == "1":
        return WIFI, f"{raw}; inferred: X-RINCON-WIFIMODE 1 is Wi-Fi mode"
    if member is not None and member.eth_link is None:
        if cabled:
            return WIRED, f"{raw}; a Boost or a Bridge must be cabled"
        return UNKNOWN, (f"{raw}; no EthLink attribute (older firmware does not send it), so "
                         "wired or wireless cannot be told")
    if cabled:
        return WIRED, f"{raw}; a Boost or a Bridge must be cabled"
    if member is not None and mode == "0" and member.eth_link == "0":
        return SONOSNET, (f"{raw}; likely: no Ethernet link and not in Wi-Fi mode, so on "
                          "SonosNet")
    return UNKNOWN, f"{raw}; no ConnectionType, and nothing else tells"


BANDS = ("2.4 GHz", "5 GHz")


def band(member: Link | None) -> tuple[str | None, int | None]:
    """(band, channel in MHz) from ChannelFreq; (None, None) when it is absent or odd."""
    text = (member.channel_freq if member else None) or ""
    if not text.isdigit():
        return None, None
    mhz = int(text)
    if 2400 <= mhz <= 2500:
        return BANDS[0], mhz
    if 5150 <= mhz <= 5925:
        return BANDS[1], mhz
    return None, mhz if 0 < mhz < 100_000 else None


def battery(more_info: str | None) -> tuple[int | None, bool | None]:
    """(percent, charging) from MoreInfo `RawBattPct:90,BattPct:100,BattChg:CHARGING,...`."""
    fields = dict(part.split(":", 1) for part in (more_info or "").split(",") if ":" in part)
    percent = fields.get("BattPct", "").strip()
    state = fields.get("BattChg", "").strip().upper()
    value = int(percent) if percent.isdigit() and int(percent) <= 100 else None
    charging = {"CHARGING": True, "NOT_CHARGING": False, "DISCHARGING": False}.get(state)
    return value, charging


def behind_extender(member: Link | None) -> bool | None:
    value = member.behind_wifi_extender if member else None
    return {"1": True, "0": False}.get(value or "")


def _raw(member: Link | None, header: str | None) -> str:
    parts = []
    if member is not None:
        for name, value in (("ConnectionType", member.connection_type),
                            ("EthLink", member.eth_link),
                            ("WirelessMode", member.wireless_mode),
                            ("WifiEnabled", member.wifi_enabled),
                            ("ChannelFreq", member.channel_freq)):
            if value is not None:
                parts.append(f"{name}={value}")
    if header is not None:
        parts.append(f"X-RINCON-WIFIMODE={header}")
    return ", ".join(parts) or "no network attributes"
