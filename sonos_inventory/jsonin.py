"""JSON from a file someone else wrote (inventory, bundle, history, faults.json): strict UTF-8,
no NaN or Infinity, bounded nesting and string length, no lone surrogates. Pure.

Bad input raises UsageError with a short message that repeats at most MAX_ECHO_CHARS of it.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from .bounds import MAX_ECHO_CHARS, MAX_JSON_DEPTH, MAX_JSON_STRING_CHARS
from .errors import UsageError
from .report.safe_text import for_terminal


def echo(value: object) -> str:
    """A bad value, as much of it as an error message may repeat, printable."""
    return for_terminal(repr(value) if not isinstance(value, str) else value, MAX_ECHO_CHARS)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed")


def _check_string(text: str, where: str, errors: str) -> None:
    if len(text) > MAX_JSON_STRING_CHARS:
        raise UsageError(f"{where}: a string of {len(text):,} characters (at most "
                         f"{MAX_JSON_STRING_CHARS:,}): {echo(text)}")
    try:
        text.encode("utf-8", errors)
    except UnicodeEncodeError:
        raise UsageError(f"{where}: a lone surrogate (\\ud800-\\udfff) in {echo(text)}") from None


def check_document(document: Any, what: str, raw_bytes: bool = False) -> None:
    """Depth, string length and surrogates of a parsed document, without recursion.
    `raw_bytes`: strings may carry bytes as surrogateescape (\\udc80-\\udcff), as the bodies of
    faults.json do to replay invalid UTF-8."""
    errors = "surrogateescape" if raw_bytes else "strict"
    stack: list[tuple[Any, int, str]] = [(document, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise UsageError(f"{what}: nested more than {MAX_JSON_DEPTH} levels deep (at "
                             f"{echo(where or '/')})")
        if isinstance(value, str):
            _check_string(value, f"{what} at {echo(where or '/')}", errors)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_string(key, f"{what} at {echo(where or '/')}", "strict")
                stack.append((item, depth + 1, f"{where}/{key}"))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{where}/{i}") for i, item in enumerate(value))


def _looks_like(text: str) -> str | None:
    """What a file that is not JSON probably is: one of the tool's other formats."""
    head = text.lstrip()[:2048]
    lowered = head.lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "an HTML report"
    if head.startswith("#") or "\n## " in head or head.startswith("| "):
        return "a Markdown report"
    first = head.split("\n", 1)[0]
    if first.count(",") >= 3 and ("uuid" in first or "household_id" in first or "site" in first):
        return "CSV"
    return None


def parse_json(data: bytes, what: str, *, raw_bytes: bool = False) -> Any:
    """A JSON document from bytes; UsageError naming `what` if it is not acceptable."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what}: not UTF-8 text (byte {exc.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise UsageError(f"{what}: the file is empty")
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise UsageError(f"{what}: nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:  # JSONDecodeError included
        kind = _looks_like(text)
        if kind:  # the real cause first: a report of ours, not an inventory
            raise UsageError(f"{what}: this looks like {kind}; analyze reads inventory JSON "
                             "(--format json) and support bundles (.zip)") from None
        raise UsageError(f"{what}: not valid JSON ({for_terminal(exc, 120)})") from None
    check_document(document, what, raw_bytes)
    return document
