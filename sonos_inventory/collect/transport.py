"""The one bounded transport: every byte the tool sends to a player goes through `HttpTransport`.

Why not soco's or requests' request path: they follow redirects, honour HTTP(S)_PROXY, have no size
cap and (for get_speaker_info) no timeout. Here: stdlib http.client (which never uses a proxy),
IP literals only, no redirects, a size cap, a connect timeout and a wall-clock deadline per exchange
that a watchdog enforces by closing the socket (so a device dripping one byte a second cannot
stretch it), and the read-only allow-list checked before anything is sent.
"""

from __future__ import annotations

import contextlib
import errno
import heapq
import http.client
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from ..bounds import CONNECT_TIMEOUT_S, REQUEST_TIMEOUT_S
from ..errors import FetchFailed, ReadOnlyViolation
from ..model import Endpoint, ErrorKind
from ..netpolicy import normalize_ip

# ---- the read-only allow-list ----

READ_ONLY_GETS = frozenset({"/xml/device_description.xml", "/status/zp"})
"""The only paths the tool GETs (/status/zp only with --deep)."""

READ_ONLY_ACTIONS: dict[str, frozenset[str]] = {
    "/ZoneGroupTopology/Control": frozenset({
        "urn:schemas-upnp-org:service:ZoneGroupTopology:1#GetZoneGroupState",
        "urn:schemas-upnp-org:service:ZoneGroupTopology:1#GetZoneGroupAttributes",
    }),
    "/DeviceProperties/Control": frozenset({
        "urn:schemas-upnp-org:service:DeviceProperties:1#GetHouseholdID",
        "urn:schemas-upnp-org:service:DeviceProperties:1#GetZoneInfo",
        "urn:schemas-upnp-org:service:DeviceProperties:1#GetZoneAttributes",
    }),
}
"""The only SOAP actions the tool sends: reads. Never an update, reboot, setting or SUBSCRIBE."""


@dataclass(frozen=True)
class HttpRequest:
    endpoint: Endpoint
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    max_bytes: int = 256 * 1024

    @property
    def soap_action(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "soapaction":
                return value.strip().strip('"')
        return None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    elapsed_s: float


def check_read_only(request: HttpRequest) -> None:
    """Raise ReadOnlyViolation unless the request is on the allow-list. Called before sending."""
    if request.method == "GET" and request.path in READ_ONLY_GETS and not request.body:
        return
    if request.method == "POST" and request.soap_action in READ_ONLY_ACTIONS.get(
        request.path, frozenset()
    ):
        return
    raise ReadOnlyViolation(
        f"refused to send {request.method} {request.path} ({request.soap_action or 'no action'}):"
        " not a read-only request"
    )


class Transport(Protocol):
    """The seam for "fetch from a player": tests and the emulator can stand in without patching."""

    def send(self, request: HttpRequest, deadline: float) -> HttpResponse:
        """Send one request; raise FetchFailed with a Problem. `deadline` is time.monotonic()."""
        ...

    def abort(self) -> None:
        """Stop every exchange under way (the scan was interrupted)."""
        ...


# ---- watchdog ----


class _Watchdog:
    """One thread that shuts down sockets whose deadline has passed (cheaper than a timer each)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, socket.socket]] = []
        self._cancelled: set[int] = set()
        self._cond = threading.Condition()
        self._counter = itertools.count()
        self._thread: threading.Thread | None = None

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="http-watchdog", daemon=True)
            self._thread.start()

    @contextlib.contextmanager
    def guard(self, sock: socket.socket, deadline: float) -> Iterator[None]:
        with self._cond:
            ticket = next(self._counter)
            heapq.heappush(self._heap, (deadline, ticket, sock))
            self._ensure_thread()
            self._cond.notify()
        try:
            yield
        finally:
            with self._cond:
                self._cancelled.add(ticket)

    def abort_all(self) -> None:
        """Shut down every guarded socket now (Ctrl-C): blocked reads return at once."""
        with self._cond:
            for _, ticket, sock in self._heap:
                if ticket not in self._cancelled:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] in self._cancelled:
                    _, ticket, _ = heapq.heappop(self._heap)
                    self._cancelled.discard(ticket)
                if not self._heap:
                    self._cond.wait(timeout=5.0)
                    continue
                deadline, ticket, sock = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cond.wait(timeout=wait)
                    continue
                heapq.heappop(self._heap)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


def _classify(exc: BaseException, timed_out: bool) -> FetchFailed:
    if timed_out or isinstance(exc, TimeoutError | socket.timeout):
        return FetchFailed(ErrorKind.TIMEOUT, "no complete answer in time")
    if isinstance(exc, ConnectionRefusedError):
        return FetchFailed(ErrorKind.REFUSED, "connection refused (nothing listens on the port)")
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return FetchFailed(ErrorKind.REFUSED, "connection reset by the device")
    if isinstance(exc, OSError) and exc.errno in (
        errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.EADDRNOTAVAIL
    ):
        return FetchFailed(ErrorKind.UNREACHABLE, f"no route to the device ({exc.strerror})")
    if isinstance(exc, http.client.HTTPException):
        return FetchFailed(ErrorKind.HTTP_STATUS, f"not a valid HTTP answer ({type(exc).__name__})")
    if isinstance(exc, OSError):
        return FetchFailed(ErrorKind.UNREACHABLE, f"network error: {exc.strerror or exc}")
    return FetchFailed(ErrorKind.INTERNAL, f"{type(exc).__name__}")


class HttpTransport:
    """Bounded HTTP/1.1 over stdlib http.client. Thread-safe; one connection per request."""

    def __init__(
        self,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        request_timeout: float = REQUEST_TIMEOUT_S,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.request_timeout = request_timeout

    def abort(self) -> None:
        _WATCHDOG.abort_all()

    def send(self, request: HttpRequest, deadline: float) -> HttpResponse:
        check_read_only(request)
        if normalize_ip(request.endpoint.host) is None:
            raise FetchFailed(ErrorKind.POLICY, f"{request.endpoint.host!r} is not an IP literal")
        started = time.monotonic()
        deadline = min(deadline, started + self.request_timeout)
        if deadline <= started:
            raise FetchFailed(ErrorKind.NOT_ATTEMPTED, "the scan's time budget was used up first")
        connection = http.client.HTTPConnection(
            request.endpoint.host,
            request.endpoint.port,
            timeout=max(0.05, min(self.connect_timeout, deadline - started)),
        )
        timed_out = False
        try:
            connection.connect()
            assert connection.sock is not None
            connection.sock.settimeout(max(0.05, deadline - time.monotonic()))
            with _WATCHDOG.guard(connection.sock, deadline):
                headers = {"Connection": "close", "User-Agent": "sonos-inventory"}
                headers.update(dict(request.headers))
                connection.request(
                    request.method, request.path, body=request.body or None, headers=headers
                )
                response = connection.getresponse()
                status = response.status
                if 300 <= status < 400:
                    raise FetchFailed(
                        ErrorKind.REDIRECT,
                        f"HTTP {status} redirect (never followed)",
                    )
                body = self._read_capped(response, request.max_bytes, deadline)
        except FetchFailed:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            timed_out = time.monotonic() >= deadline - 0.01
            raise _classify(exc, timed_out) from None
        finally:
            connection.close()
        return HttpResponse(status, body, time.monotonic() - started)

    @staticmethod
    def _read_capped(response: http.client.HTTPResponse, cap: int, deadline: float) -> bytes:
        declared = response.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > cap:
            raise FetchFailed(ErrorKind.TOO_LARGE, f"body of {int(declared)} bytes (cap {cap})")
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() >= deadline:
                raise FetchFailed(ErrorKind.TIMEOUT, "body still arriving at the deadline")
            chunk = response.read1(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise FetchFailed(ErrorKind.TOO_LARGE, f"body over {cap} bytes")
            chunks.append(chunk)
        if time.monotonic() >= deadline:  # the watchdog closed the socket: not a real end
            raise FetchFailed(ErrorKind.TIMEOUT, "body still arriving at the deadline")
        if declared and declared.strip().isdigit() and size < int(declared):
            raise FetchFailed(ErrorKind.BAD_XML, f"body cut off after {size} of {declared} bytes",
                              truncated=True)
        return b"".join(chunks)
