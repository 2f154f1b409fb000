"""mDNS discovery: browse `_sonos._tcp.local.` with python-zeroconf on the chosen interfaces.

The TXT parser is pure. A player is credited to the address of its A record; a `location` TXT key
naming another host is ignored (contact only the address that answered).
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Mapping

from ..bounds import (
    MAX_HEADER_VALUE,
    MAX_MDNS_NAMES,
    MAX_TXT_KEYS,
    MDNS_RESOLVE_TIMEOUT_MS,
    SONOS_PORT,
)
from ..model import Endpoint, Method, Sighting
from ..netpolicy import endpoint_from_location, normalize_ip

SERVICE_TYPE = "_sonos._tcp.local."
_UUID_RE = re.compile(r"(RINCON_[0-9A-Za-z]{1,64})")
_HOUSEHOLD_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_MAC_HOST_RE = re.compile(r"^Sonos-([0-9A-Fa-f]{12})")


def decode_txt(properties: Mapping[bytes, bytes | None]) -> dict[str, str]:
    """TXT keys and values as bounded text (binary values are decoded with replacement)."""
    decoded: dict[str, str] = {}
    for key, value in list(properties.items())[:MAX_TXT_KEYS]:
        name = key.decode("utf-8", "replace")[:64].lower()
        decoded[name] = (value or b"")[:MAX_HEADER_VALUE].decode("utf-8", "replace")
    return decoded


def sighting_from_txt(
    instance_name: str, address: str, txt: Mapping[str, str]
) -> Sighting | None:
    """A Sighting from a resolved instance, or None when it does not look like a Sonos player."""
    ip = normalize_ip(address)
    if ip is None:
        return None
    uuid_match = _UUID_RE.search(txt.get("uuid", "")) or _UUID_RE.search(txt.get("info", ""))
    uuid = uuid_match.group(1) if uuid_match else None
    if uuid is None:
        mac = _MAC_HOST_RE.match(instance_name)
        uuid = f"RINCON_{mac.group(1).upper()}01400" if mac else None
    if uuid is None:
        return None
    port = SONOS_PORT
    location = endpoint_from_location(txt.get("location"))
    if ip.is_loopback and location and normalize_ip(location.host) == ip:
        port = location.port
    household = txt.get("hhid", "")
    return Sighting(
        endpoint=Endpoint(str(ip), port),
        method=Method.MDNS,
        uuid=uuid,
        household_id=household if _HOUSEHOLD_RE.match(household) else None,
        raw=tuple(sorted(txt.items())),
    )


def browse(
    interfaces: tuple[str, ...],
    on_sighting: Callable[[Sighting], None],
    *,
    window_s: float,
    stop: threading.Event,
    on_problem: Callable[[str], None] = lambda _msg: None,
) -> None:
    """Browse for `window_s` seconds and report every resolved Sonos instance."""
    from zeroconf import IPVersion, ServiceBrowser, ServiceStateChange, Zeroconf

    try:
        zc = Zeroconf(interfaces=list(interfaces), ip_version=IPVersion.V4Only)
    except OSError as exc:
        on_problem(f"mDNS: cannot browse on {', '.join(interfaces)}: {exc.strerror or exc}")
        return
    names: queue.Queue[str] = queue.Queue()

    def changed(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            names.put(name)

    end = time.monotonic() + window_s
    browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[changed])
    resolved: set[str] = set()
    try:
        while not stop.is_set():
            remaining = end - time.monotonic()
            if remaining <= 0:
                break
            try:
                name = names.get(timeout=min(remaining, 0.1))
            except queue.Empty:
                continue
            if name in resolved or len(resolved) >= MAX_MDNS_NAMES:
                continue
            timeout_ms = int(min(MDNS_RESOLVE_TIMEOUT_MS, max(50, remaining * 1000)))
            info = zc.get_service_info(SERVICE_TYPE, name, timeout=timeout_ms)
            if info is None:
                continue
            resolved.add(name)
            txt = decode_txt(info.properties)
            instance = name[: -len(SERVICE_TYPE) - 1] if name.endswith(SERVICE_TYPE) else name
            for address in info.parsed_addresses(IPVersion.V4Only)[:4]:
                sighting = sighting_from_txt(instance, address, txt)
                if sighting is not None:
                    on_sighting(sighting)
    finally:
        browser.cancel()
        zc.close()
