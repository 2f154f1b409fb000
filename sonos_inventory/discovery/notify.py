"""Listening passively for SSDP NOTIFY (`ssdp:alive`, `ssdp:byebye`) while `watch` waits between
polls: a product that reboots, drops off or comes back usually says so at once, and the watch
then polls early (never sooner than its minimum interval after the last poll). Nothing is sent.

A notice counts only when its sender passes the same network policy as a scan's responder, and
only the sender is ever contacted (parse_response takes the packet's source address, never the
LOCATION's host). At most NOTIFY_RATE notices per second are taken; the rest are dropped, so a
flood cannot drive the watch.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..bounds import MAX_SSDP_DATAGRAM
from ..errors import ParseError
from ..model import Endpoint
from ..netpolicy import IPNetwork, Origin, check
from .ssdp import MULTICAST_GROUP, SSDP_PORT, parse_headers, parse_response

NOTIFY_RATE = 20
"""Notices taken per second, at most."""
_IP_MULTICAST_ALL = 49  # Linux: only the groups this socket joined


@dataclass(frozen=True)
class Notice:
    uuid: str
    endpoint: Endpoint
    alive: bool  # ssdp:alive (False: ssdp:byebye)
    boot_seq: int | None = None


def parse_notify(data: bytes, source_ip: str) -> Notice | None:
    """A Sonos player's NOTIFY as a Notice; None for anything else. Never raises."""
    try:
        start, headers = parse_headers(data)
        if not start.upper().startswith("NOTIFY "):
            return None
        nts = headers.get("NTS", "").strip().lower()
        if nts not in ("ssdp:alive", "ssdp:byebye"):
            return None
        if nts == "ssdp:byebye":  # a byebye carries no SERVER: judge it by its USN alone
            headers.setdefault("SERVER", "Sonos")
            data = ("NOTIFY * HTTP/1.1\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode("latin-1")
        sighting = parse_response(data, source_ip)
    except (ParseError, UnicodeError, ValueError):
        return None
    if sighting is None or sighting.uuid is None:
        return None
    seq = headers.get("X-RINCON-BOOTSEQ", "")
    return Notice(sighting.uuid, sighting.endpoint, nts == "ssdp:alive",
                  int(seq) if seq.isdigit() and len(seq) < 10 else None)


class NotifyListener:
    """Joins the SSDP group on each interface and hands every allowed notice to `on_notice`
    (from its own thread) until stop()."""

    def __init__(self, interfaces: tuple[str, ...], on_notice: Callable[[Notice], None], *,
                 local_networks: tuple[IPNetwork, ...] = ()) -> None:
        self.interfaces = interfaces
        self.on_notice = on_notice
        self.local_networks = local_networks
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.problems: list[str] = []

    def start(self) -> NotifyListener:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            try:
                sock.bind((MULTICAST_GROUP, SSDP_PORT))
            except OSError:
                sock.bind(("", SSDP_PORT))  # platforms that cannot bind a group address
            joined = 0
            for interface in self.interfaces:
                try:
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                                    socket.inet_aton(MULTICAST_GROUP)
                                    + socket.inet_aton(interface))
                    joined += 1
                except OSError as exc:
                    self.problems.append(f"SSDP NOTIFY: cannot listen on {interface}: "
                                         f"{exc.strerror or exc}")
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IP, _IP_MULTICAST_ALL, 0)
            if not joined:
                sock.close()
                return self
        except OSError as exc:
            sock.close()
            self.problems.append(f"SSDP NOTIFY: not listening ({exc.strerror or exc})")
            return self
        sock.settimeout(0.2)
        self._sock = sock
        self._thread = threading.Thread(target=self._listen, daemon=True, name="watch-notify")
        self._thread.start()
        return self

    def _listen(self) -> None:
        assert self._sock is not None
        window, taken = time.monotonic(), 0
        while not self._stop.is_set():
            try:
                data, (source_ip, _port, *_rest) = self._sock.recvfrom(MAX_SSDP_DATAGRAM + 1)
            except (TimeoutError, InterruptedError):
                continue
            except OSError:
                return
            notice = parse_notify(data, source_ip)
            if notice is None or not check(notice.endpoint, Origin.RESPONDER,
                                           local_networks=self.local_networks).allowed:
                continue
            now = time.monotonic()
            if now - window >= 1.0:
                window, taken = now, 0
            if taken >= NOTIFY_RATE:
                continue
            taken += 1
            self.on_notice(notice)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()
