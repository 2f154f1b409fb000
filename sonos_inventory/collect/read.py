"""Reads of one player: one HTTP exchange each, turned into a model value or a Problem."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from ..errors import FetchFailed, NotSonosError, ParseError
from ..model import DeviceDescription, Endpoint, ErrorKind, Problem, StatusRead, Topology
from . import soco_adapter
from .parse import (
    parse_device_description,
    parse_soap_response,
    parse_status_page,
    parse_upnp_error,
    parse_zone_group_state,
)
from .transport import HttpResponse, Transport

UPNP_DISABLED_ADVICE = (
    "the player answered 403 Forbidden: UPnP is turned off for it in the Sonos app. Turn it back "
    "on under Settings > Account > Privacy & Security > Connection Security > UPnP, then scan again"
)


@dataclass(frozen=True)
class DescriptionResult:
    description: DeviceDescription | None
    problem: Problem | None
    raw: bytes | None
    elapsed_s: float


@dataclass(frozen=True)
class TopologyResult:
    topology: Topology | None
    raw: str | None
    problem: Problem | None
    elapsed_s: float = 0.0


def _status_problem(response: HttpResponse, what: str) -> Problem | None:
    if response.status == 200:
        return None
    if response.status == 403:
        return Problem(ErrorKind.UPNP_DISABLED, UPNP_DISABLED_ADVICE, http_status=403)
    if response.status == 500:
        fault = parse_upnp_error(response.body)
        if fault:
            text, code = fault
            return Problem(ErrorKind.UPNP_FAULT, f"{what}: UPnP error {text}", http_status=500,
                           upnp_error_code=code)
    return Problem(ErrorKind.HTTP_STATUS, f"{what}: HTTP {response.status}",
                   http_status=response.status)


def read_description(
    transport: Transport, endpoint: Endpoint, deadline: float
) -> DescriptionResult:
    started = time.monotonic()
    try:
        response = transport.send(soco_adapter.description_request(endpoint), deadline)
    except FetchFailed as failed:
        return DescriptionResult(None, failed.problem, None, time.monotonic() - started)
    problem = _status_problem(response, "device description")
    if problem:
        return DescriptionResult(None, problem, None, response.elapsed_s)
    try:
        description = parse_device_description(response.body)
    except ParseError as exc:
        kind = ErrorKind.NOT_SONOS if isinstance(exc, NotSonosError) else ErrorKind.BAD_XML
        return DescriptionResult(None, Problem(kind, str(exc)), response.body, response.elapsed_s)
    return DescriptionResult(description, None, response.body, response.elapsed_s)


def read_topology(transport: Transport, endpoint: Endpoint, deadline: float) -> TopologyResult:
    started = time.monotonic()
    return replace(_read_topology(transport, endpoint, deadline),
                   elapsed_s=time.monotonic() - started)


def _read_topology(transport: Transport, endpoint: Endpoint, deadline: float) -> TopologyResult:
    try:
        response = transport.send(soco_adapter.zone_group_state_request(endpoint), deadline)
    except FetchFailed as failed:
        return TopologyResult(None, None, failed.problem)
    problem = _status_problem(response, "GetZoneGroupState")
    if problem:
        if response.status == 501:
            problem = Problem(
                ErrorKind.TOPOLOGY_UNAVAILABLE,
                "GetZoneGroupState answered HTTP 501 (players do this on large systems); the "
                "household is built from what discovery found and may be missing members",
            )
        return TopologyResult(None, None, problem)
    try:
        raw = parse_soap_response(response.body, "GetZoneGroupState").get("ZoneGroupState", "")
        return TopologyResult(parse_zone_group_state(raw), raw, None)
    except ParseError as exc:
        return TopologyResult(None, None, Problem(ErrorKind.BAD_XML, f"zone group state: {exc}"))


def read_household_id(
    transport: Transport, endpoint: Endpoint, deadline: float
) -> tuple[str | None, Problem | None]:
    try:
        response = transport.send(soco_adapter.household_id_request(endpoint), deadline)
    except FetchFailed as failed:
        return None, failed.problem
    problem = _status_problem(response, "GetHouseholdID")
    if problem:
        return None, problem
    try:
        value = parse_soap_response(response.body, "GetHouseholdID").get("CurrentHouseholdID")
    except ParseError as exc:
        return None, Problem(ErrorKind.BAD_XML, f"GetHouseholdID: {exc}")
    value = (value or "").strip()[:128]
    return (value or None), None


def read_status(transport: Transport, endpoint: Endpoint, uuid: str | None,
                deadline: float) -> StatusRead:
    """--deep: GET /status/zp. A 403 or 404 (players that block or lack the page) is a normal
    result with its reason, never a failure of the scan."""
    started = time.monotonic()
    try:
        response = transport.send(soco_adapter.status_request(endpoint), deadline)
    except FetchFailed as failed:
        return StatusRead(endpoint, uuid, None, failed.problem, None, time.monotonic() - started)
    if response.status != 200:
        word = {403: "refused", 404: "not served"}.get(response.status, "not read")
        return StatusRead(endpoint, uuid, None, Problem(
            ErrorKind.HTTP_STATUS, f"{word} (HTTP {response.status})",
            http_status=response.status), None, response.elapsed_s)
    try:
        page = parse_status_page(response.body, uuid)
    except ParseError as exc:
        return StatusRead(endpoint, uuid, None, Problem(ErrorKind.BAD_XML, f"status page: {exc}"),
                          response.body, response.elapsed_s)
    return StatusRead(endpoint, uuid, page, None, response.body, response.elapsed_s)
