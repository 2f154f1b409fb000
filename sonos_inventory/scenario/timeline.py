"""A scenario's timeline (timeline.json): scripted changes over time, as an update rolling
through a household makes them, for `emulate`, `demo` and the tests of `watch`.

    [{"at_s": 20, "uuid": "RINCON_...", "change": "update", "software_version": "86.7-77050",
      "sw_gen": 2, "min_compatible_version": "85.0-00000"},
     {"at_s": 35, "uuid": "RINCON_...", "change": "drop", "for_s": 15}]

Changes: `reboot` (its BootSeq rises), `update` (it reboots onto another version), `drop` (it
stops answering and the household lists it as gone; back after `for_s` when given), `back`,
and `leave` (it is gone from the topology altogether). The file is untrusted input like every
scenario file: bounded, validated, one line of error. The edits of a zone group state and a
device description are pure functions here; the emulator applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NoReturn

from ..errors import UsageError
from ..jsonin import echo

CHANGES = ("reboot", "update", "drop", "back", "leave")
MAX_TIMELINE_STEPS = 200
MAX_TIMELINE_S = 24 * 3600.0
_UUID = re.compile(r"RINCON_[0-9A-Fa-f]{12}0[0-9]{4}")
_VERSION = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}-[0-9]{1,8}")


@dataclass(frozen=True)
class TimelineStep:
    at_s: float
    uuid: str
    change: str
    software_version: str | None = None
    sw_gen: int | None = None
    min_compatible_version: str | None = None
    for_s: float | None = None


def _fail(where: str, message: str) -> NoReturn:
    raise UsageError(f"{where}: {message}")


def _seconds(spec: dict[str, Any], key: str, where: str, required: bool) -> float | None:
    value = spec.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            0 <= value <= MAX_TIMELINE_S):
        _fail(where, f"{key} must be seconds from 0 to {MAX_TIMELINE_S:g}, not {echo(value)}")
    return float(value)


def parse_timeline(document: Any, where: str) -> tuple[TimelineStep, ...]:
    """The steps of a timeline.json document, in time order; UsageError naming what is wrong."""
    if not isinstance(document, list) or len(document) > MAX_TIMELINE_STEPS:
        _fail(where, f"a timeline is a list of at most {MAX_TIMELINE_STEPS} steps")
    steps = []
    for index, spec in enumerate(document):
        here = f"{where} step {index + 1}"
        if not isinstance(spec, dict):
            _fail(here, "each step is an object")
        unknown = set(spec) - {"at_s", "uuid", "change", "software_version", "sw_gen",
                               "min_compatible_version", "for_s"}
        if unknown:
            _fail(here, f"unknown key {echo(sorted(unknown)[0])}")
        uuid, change = spec.get("uuid"), spec.get("change")
        if not isinstance(uuid, str) or not _UUID.fullmatch(uuid):
            _fail(here, f"uuid must be a player's RINCON_ id, not {echo(uuid)}")
        if change not in CHANGES:
            _fail(here, f"change must be one of {', '.join(CHANGES)}, not {echo(change)}")
        version, minimum = spec.get("software_version"), spec.get("min_compatible_version")
        sw_gen = spec.get("sw_gen")
        if change == "update":
            for key, value in (("software_version", version),
                               ("min_compatible_version", minimum)):
                if not isinstance(value, str) or not _VERSION.fullmatch(value):
                    _fail(here, f"{key} must be a version like 86.7-77050, not {echo(value)}")
            if sw_gen not in (1, 2):
                _fail(here, f"sw_gen must be 1 or 2, not {echo(sw_gen)}")
        at_s = _seconds(spec, "at_s", here, True)
        assert at_s is not None
        steps.append(TimelineStep(at_s, uuid, str(change), version, sw_gen, minimum,
                                  _seconds(spec, "for_s", here, False)))
    return tuple(sorted(steps, key=lambda s: s.at_s))


def timeline_document(steps: tuple[TimelineStep, ...]) -> list[dict[str, Any]]:
    """The steps as timeline.json holds them."""
    return [{k: v for k, v in step.__dict__.items() if v is not None} for step in steps]


# ---- the edits (pure) ----


def _member(zgs: str, uuid: str) -> re.Match[str] | None:
    return re.search(rf'<ZoneGroupMember UUID="{re.escape(uuid)}"[^>]*/>', zgs)


def boot_seq(zgs: str, uuid: str) -> int | None:
    found = _member(zgs, uuid)
    value = re.search(r'BootSeq="(\d{1,9})"', found.group(0)) if found else None
    return int(value.group(1)) if value else None


def with_attributes(zgs: str, uuid: str, **attributes: str) -> str:
    """The member's attributes set (added when missing)."""
    found = _member(zgs, uuid)
    if found is None:
        return zgs
    element = found.group(0)
    for name, value in attributes.items():
        if re.search(rf' {name}="[^"]*"', element):
            element = re.sub(rf' {name}="[^"]*"', f' {name}="{value}"', element)
        else:
            element = element[:-2] + f' {name}="{value}"/>'
    return zgs[:found.start()] + element + zgs[found.end():]


def rebooted(zgs: str, uuid: str) -> str:
    count = boot_seq(zgs, uuid)
    return with_attributes(zgs, uuid, BootSeq=str((count or 0) + 1))


def updated(zgs: str, step: TimelineStep) -> str:
    assert step.software_version and step.min_compatible_version and step.sw_gen
    return rebooted(with_attributes(zgs, step.uuid, SoftwareVersion=step.software_version,
                                    SWGen=str(step.sw_gen),
                                    MinCompatibleVersion=step.min_compatible_version),
                    step.uuid)


def updated_description(xml: bytes, step: TimelineStep) -> bytes:
    """The device description after an update (its displayVersion, if any, no longer holds)."""
    text = xml.decode("utf-8", "replace")
    for tag, value in (("softwareVersion", step.software_version), ("swGen", str(step.sw_gen)),
                       ("minCompatibleVersion", step.min_compatible_version)):
        text = re.sub(rf"<{tag}>[^<]*</{tag}>", f"<{tag}>{value}</{tag}>", text)
    return re.sub(r"<displayVersion>[^<]*</displayVersion>", "", text).encode("utf-8")


def without_member(zgs: str, uuid: str) -> tuple[str, str | None]:
    """The zone group state without the member (and its emptied group), and its element."""
    found = _member(zgs, uuid)
    if found is None:
        return zgs, None
    rest = zgs[:found.start()] + zgs[found.end():]
    return re.sub(r"<ZoneGroup [^>]*></ZoneGroup>", "", rest), found.group(0)


def dropped(zgs: str, uuid: str) -> tuple[str, str | None]:
    """It dropped off: gone from its group, listed among the household's vanished devices."""
    rest, element = without_member(zgs, uuid)
    if element is None:
        return zgs, None
    room = re.search(r' ZoneName="([^"]*)"', element)
    device = (f'<Device UUID="{uuid}" ZoneName="{room.group(1) if room else ""}" '
              'Reason="powered off"/>')
    if "<VanishedDevices>" in rest:
        rest = rest.replace("<VanishedDevices>", "<VanishedDevices>" + device, 1)
    elif "<VanishedDevices/>" in rest:
        rest = rest.replace("<VanishedDevices/>", f"<VanishedDevices>{device}</VanishedDevices>")
    else:
        rest = rest.replace("</ZoneGroups>",
                            f"</ZoneGroups><VanishedDevices>{device}</VanishedDevices>", 1)
    return rest, element


def restored(zgs: str, uuid: str, element: str) -> str:
    """It is back: out of the vanished devices, a group of its own again."""
    zgs = re.sub(rf'<Device UUID="{re.escape(uuid)}"[^>]*/>', "", zgs)
    return zgs.replace("</ZoneGroups>", f'<ZoneGroup Coordinator="{uuid}" ID="{uuid}:99">'
                                        f"{element}</ZoneGroup></ZoneGroups>", 1)
