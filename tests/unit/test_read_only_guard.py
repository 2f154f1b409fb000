"""The transport refuses anything off the read-only allow-list before sending a byte."""

from __future__ import annotations

import pytest

from sonos_inventory.collect import soco_adapter
from sonos_inventory.collect.transport import HttpRequest, HttpTransport, check_read_only
from sonos_inventory.errors import ReadOnlyViolation
from sonos_inventory.model import Endpoint

EP = Endpoint("127.0.0.1", 9)  # discard port: nothing must ever be sent there


def test_our_requests_are_allowed() -> None:
    for request in (soco_adapter.description_request(EP),
                    soco_adapter.zone_group_state_request(EP),
                    soco_adapter.household_id_request(EP),
                    soco_adapter.status_request(EP)):
        check_read_only(request)


@pytest.mark.parametrize("service,action", [
    ("ZoneGroupTopology", "BeginSoftwareUpdate"),
    ("ZoneGroupTopology", "CheckForUpdate"),
    ("ZoneGroupTopology", "ReportUnresponsiveDevice"),
    ("ZoneGroupTopology", "SubmitDiagnostics"),
    ("DeviceProperties", "SetLEDState"),
    ("DeviceProperties", "SetZoneAttributes"),
    ("AVTransport", "Play"),
])
def test_writes_are_refused_before_sending(service: str, action: str) -> None:
    request = soco_adapter.soap_request(EP, service, action)
    with pytest.raises(ReadOnlyViolation):
        HttpTransport().send(request, deadline=float("inf"))


@pytest.mark.parametrize("method,path", [
    ("SUBSCRIBE", "/ZoneGroupTopology/Event"),
    ("GET", "/region.htm"),
    ("GET", "/advconfig.htm"),
    ("POST", "/xml/device_description.xml"),
    ("POST", "/status/zp"),
    ("GET", "/status"),
    ("GET", "/status/topology"),
    ("GET", "/status/zp?x=1"),
    ("GET", "/support/review"),
])
def test_other_methods_and_paths_are_refused(method: str, path: str) -> None:
    with pytest.raises(ReadOnlyViolation):
        check_read_only(HttpRequest(EP, method, path))


def test_a_read_action_on_the_wrong_control_url_is_refused() -> None:
    request = soco_adapter.zone_group_state_request(EP)
    with pytest.raises(ReadOnlyViolation):
        check_read_only(HttpRequest(EP, "POST", "/DeviceProperties/Control", request.headers))
