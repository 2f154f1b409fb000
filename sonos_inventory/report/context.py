"""What a report knows besides the inventory: the user's note, the Sonos diagnostic id, and when
this tool first saw each product (from the local scan history)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportContext:
    note: str | None = None
    diagnostic_id: str | None = None
    first_seen: tuple[tuple[str, str], ...] = ()  # (uuid, ISO time) from this tool's history
    attach: str | None = None
    """What the person should attach to a support case, when the tool saved it beside the
    report (the guided scan: `sonos-support-bundle.zip`, in the same folder)."""

    def first_seen_of(self, uuid: str) -> str | None:
        return next((when for u, when in self.first_seen if u == uuid), None)
