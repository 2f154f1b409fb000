"""The API validates its argument values and types (issues 18 and 22): each error is one
UsageError that names the argument, never a CLI flag, never an AttributeError."""

from __future__ import annotations

import re

import pytest

import sonos_inventory
from sonos_inventory.api import scan_options, validate_label
from sonos_inventory.errors import UsageError


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"hosts": "127.0.0.9"}, "hosts must be a list of addresses, not a string"),
    ({"hosts": [5]}, "hosts: 5 is not an address"),
    ({"hosts": 5}, "hosts must be a list"),
    ({"hosts": ["[::1]:99999"]}, "hosts '[::1]:99999': the port"),
    ({"hosts": ["[::1]junk"]}, "hosts '[::1]junk'"),
    ({"hosts": ["10.0.0.1:0"]}, "the port must be"),
    ({"hosts": ["player.local"]}, "hosts 'player.local' is not an IP address"),
    ({"networks": "192.168.1.0/24"}, "networks must be a list"),
    ({"networks": ["192.168.1.0"]}, "networks '192.168.1.0' has no prefix"),
    ({"networks": ["10.0.0.0/16"]}, "networks 10.0.0.0/16 has 65536 addresses"),
    ({"networks": [f"10.{i}.0.0/22" for i in range(5)]}, "networks: more than 4,096"),
    ({"interface_addrs": "127.0.0.1"}, "interface_addrs must be a list"),
    ({"interface_addrs": ["::1"]}, "interface_addrs '::1' is not an IPv4"),
    ({"timeout": "10"}, "timeout '10'"),
    ({"ttl": 0}, "ttl 0"),
    ({"ssdp": "no"}, "ssdp must be True or False"),
])
def test_each_bad_argument_is_one_usage_error_naming_it(kwargs: dict[str, object],
                                                        named: str) -> None:
    with pytest.raises(UsageError) as caught:
        scan_options(**kwargs)  # type: ignore[arg-type]
    assert named in str(caught.value)
    assert "--" not in str(caught.value)  # the API's words, not the CLI's flags


def test_good_arguments_pass() -> None:
    options = scan_options(hosts=["192.168.1.20", "[::1]:1400", "10.0.0.1:1400"],
                           networks=[f"10.{i}.0.0/22" for i in range(4)])
    assert [str(s.endpoint) for s in options.hosts] == ["192.168.1.20:1400", "[::1]:1400",
                                                         "10.0.0.1:1400"]
    assert sum(n.num_addresses for n in options.networks) == 4096


def test_labels_are_validated_like_the_command_line() -> None:
    assert validate_label("  Smith   house ") == "Smith house"
    for bad in ("x" * 201, "line\x1bone", 5):
        with pytest.raises(UsageError, match="label"):
            validate_label(bad)
    with pytest.raises(UsageError, match="label"):
        sonos_inventory.scan(label="bad\x07", ssdp=False, mdns=False)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"interval": 1}, "interval 1: give 5 to 3600 seconds"),
    ({"max_wait_s": 0}, "max_wait_s 0: give a positive number"),
    ({"hosts": "127.0.0.9"}, "hosts must be a list of addresses, not a string"),
    ({"until_aligned": "yes"}, "until_aligned must be True or False"),
])
def test_watch_refuses_bad_arguments_before_anything_is_sent(
        arguments: dict[str, object], message: str) -> None:
    import sonos_inventory

    with pytest.raises(sonos_inventory.UsageError, match=re.escape(message)):
        sonos_inventory.watch(**arguments)  # type: ignore[arg-type]
