"""One small exception tree. Device misbehaviour is data (model.Problem), not an exception;
these are for our own refusals and for usage errors."""

from __future__ import annotations

from .model import ErrorKind, Problem


class SonosInventoryError(Exception):
    """Base of every exception this package raises on purpose."""


class UsageError(SonosInventoryError):
    """The user asked for something we cannot do; the message says what to do instead."""


class ParseError(SonosInventoryError):
    """Device data that is not what a Sonos player sends. The only exception parsers raise."""


class NotSonosError(ParseError):
    """Well-formed, but not a Sonos player's device description (a router, a TV...)."""


class FetchFailed(SonosInventoryError):
    """An HTTP exchange with a device failed; carries the Problem that goes into the record."""

    def __init__(self, kind: ErrorKind, detail: str, *, http_status: int | None = None,
                 truncated: bool = False) -> None:
        super().__init__(f"{kind}: {detail}")
        self.problem = Problem(kind, detail, http_status, truncated)


class ReadOnlyViolation(SonosInventoryError):
    """A request off the read-only allow-list was about to be sent (a bug; it is never sent)."""


class NotAligned(SonosInventoryError):
    """`watch(until_aligned=True)` ran out of `max_wait_s` first: `stuck` names each product
    still holding the household back, and for how long (the command exits 1)."""

    def __init__(self, stuck: tuple[str, ...]) -> None:
        super().__init__("not aligned before max_wait_s ran out: " + (
            "; ".join(stuck) if stuck else "no product was read"))
        self.stuck = stuck

