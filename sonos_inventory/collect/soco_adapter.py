"""soco as the Sonos service layer: it knows the services and builds the SOAP envelopes.

soco never sends anything here: `Service.build_command()` only returns headers and a body, and our
bounded transport carries them. The services need nothing but a `base_url`, so we hand them a tiny
stand-in instead of `SoCo(ip)`, which would also fill soco's process-wide instance cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..bounds import MAX_DESCRIPTION_BYTES, MAX_SOAP_RESPONSE_BYTES, MAX_STATUS_PAGE_BYTES
from ..model import Endpoint
from .transport import HttpRequest

DESCRIPTION_PATH = "/xml/device_description.xml"


@dataclass(frozen=True)
class _ServiceHost:
    base_url: str


def _service(name: str, endpoint: Endpoint) -> Any:
    from soco import services  # imported lazily: soco is the slowest import we have

    return getattr(services, name)(_ServiceHost(endpoint.base_url))


def soap_request(endpoint: Endpoint, service: str, action: str) -> HttpRequest:
    """A read-only SOAP request built by soco (no arguments: all our actions take none)."""
    svc = _service(service, endpoint)
    headers, body = svc.build_command(action)
    return HttpRequest(
        endpoint=endpoint,
        method="POST",
        path=svc.control_url,
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
        body=body.encode("utf-8"),
        max_bytes=MAX_SOAP_RESPONSE_BYTES,
    )


def zone_group_state_request(endpoint: Endpoint) -> HttpRequest:
    return soap_request(endpoint, "ZoneGroupTopology", "GetZoneGroupState")


def household_id_request(endpoint: Endpoint) -> HttpRequest:
    return soap_request(endpoint, "DeviceProperties", "GetHouseholdID")


def description_request(endpoint: Endpoint) -> HttpRequest:
    return HttpRequest(endpoint, "GET", DESCRIPTION_PATH, max_bytes=MAX_DESCRIPTION_BYTES)


STATUS_PATH = "/status/zp"


def status_request(endpoint: Endpoint) -> HttpRequest:
    """--deep: the player's own support page (read-only GET, on the allow-list)."""
    return HttpRequest(endpoint, "GET", STATUS_PATH, max_bytes=MAX_STATUS_PAGE_BYTES)
