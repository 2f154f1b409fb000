"""Every limit the tool puts on itself and on what a device may make it do, with the reason.

A device on the LAN is untrusted: each number below caps something a peer could otherwise grow.
"""

from __future__ import annotations

# --- time ---
DEFAULT_SCAN_BUDGET_S = 10.0
"""Overall budget of a scan (--timeout): discovery and collection together."""

CONNECT_TIMEOUT_S = 2.0
"""A player on the LAN accepts in milliseconds; two seconds covers a busy Wi-Fi mesh."""

REQUEST_TIMEOUT_S = 5.0
"""Wall-clock cap of one HTTP exchange (connect, send, headers, body), enforced by a watchdog
so that a device dripping one byte a second cannot stretch it."""

SSDP_MX_S = 1
"""MX of our M-SEARCH: players answer after a random delay of up to this many seconds."""

SSDP_RESEND_AFTER_S = 0.1
"""M-SEARCH is UDP: it is sent twice, the second time this long after the first."""

SSDP_DEFAULT_TTL = 2
"""Multicast TTL of the M-SEARCH. Players' own announcements use 1 (they stay on the segment);
2 lets a search cross one router where multicast routing is set up. --ttl changes it."""

SSDP_MAX_TTL = 16
"""--ttl accepts 1 to 16: enough for any routed home or small-office VLAN setup."""

SSDP_RESENDS = 2
"""How many M-SEARCHes in all."""

SSDP_WINDOW_S = SSDP_MX_S + SSDP_RESEND_AFTER_S + 0.05
"""How long SSDP listens after the first M-SEARCH. Players answer after a random delay within
MX, so the last answer to the resend arrives by MX + 0.1 s; 50 ms covers the LAN. Listening
less would miss a household whose only player happens to answer late; listening more is a pure
tax (measured: bench/results/latest.md; 100 of 100 scans complete)."""

MDNS_WINDOW_S = SSDP_WINDOW_S
"""mDNS browses for as long as SSDP listens; both run at the same time."""

MDNS_RESOLVE_TIMEOUT_MS = 1000
"""Time to resolve one _sonos._tcp instance (SRV, TXT, A) once it has been announced."""

PROBE_CONNECT_TIMEOUT_S = 0.6
"""--network probe: a host that has not accepted TCP on port 1400 by then is taken as absent."""

# --- size ---
MAX_DESCRIPTION_BYTES = 64 * 1024
"""Real device descriptions are about 10 KB. Kept raw for the record: 1,000 players at most
64 MB."""

MAX_STATUS_PAGE_BYTES = 64 * 1024
"""--deep: a player's /status/zp page is about 3 KB (2026 captures); kept raw in bundles."""

MAX_SOAP_RESPONSE_BYTES = 4 * 1024 * 1024
"""GetZoneGroupState of a very large household is a few hundred KB; 4 MB leaves ample room."""

MAX_SSDP_DATAGRAM = 4096
"""A real SSDP reply is under 1 KB; longer datagrams are truncated and then rejected."""

MAX_HEADER_VALUE = 512
"""Longest SSDP header or mDNS TXT value we keep (real ones are under 120 characters)."""

MAX_XML_TEXT = 4096
"""Longest text or attribute value kept from device XML (room names, versions...)."""

# --- counts ---
MAX_PLAYERS = 1000
"""Players read per scan (DESIGN.md); Sonos supports 32 per household. Counted separately for
devices that answered discovery themselves and for members known only from a topology, so that
a hostile topology listing thousands of members cannot crowd out the real players."""

MAX_TOPOLOGY_MEMBERS = 1000
"""Members taken from one zone group state; the rest are ignored and the scan says so."""

MAX_SSDP_RESPONDERS = 2048
"""Distinct SSDP responders kept per scan, Sonos or not."""

MAX_WORKERS = 32
"""Parallel HTTP reads. Enough to read 300 players in a few round trips, gentle on a home router."""

PROBE_CONCURRENCY = 256
"""Open TCP probes at once during --network; within the default 1024 file descriptors."""

MAX_PROBE_PREFIX = 22
MAX_PROBE_ADDRESSES = 4 * 1024
"""--network (and the API's `networks`) in all: four /22s, or sixteen /24s. A probe sends one
request per address; more than this is not a home network but a sweep."""
"""--network refuses anything larger than a /22 (1024 addresses)."""

SOURCE_STOP_WAIT_S = 1.0
"""How long a finished scan waits for its discovery threads to notice the stop (they poll)."""

MAX_SIGHTINGS_PER_TARGET = 8
"""How many discovery sightings of one address are kept for the record (a chatty or hostile
responder repeats itself; the first few say all there is)."""

MAX_HOUSEHOLD_READ_ATTEMPTS = 2
"""A household's topology is asked of a second player (one that answered its own description)
when the first could not give it: no answer, 403 (UPnP off), 5xx, or garbage."""

SONOS_PORT = 1400
"""Players serve UPnP on TCP 1400; any other port is refused except on loopback (emulator)."""

# --- files the tool reads (bundles, scenario folders, inventory JSON, history) ---
# A bundle or scenario folder comes from someone else (a customer, a colleague): as untrusted as
# a device. Every cap below is enforced on the bytes actually read or decompressed, never on the
# sizes a zip or a file system declares.

MAX_INPUT_FILE_BYTES = 32 * 1024 * 1024
"""Largest file read whole: an inventory JSON, a bundle zip, a history entry. An inventory of
2,000 products is about 3 MB; a bundle of a 32-player household about 1 MB."""

MAX_BUNDLE_ENTRIES = 5000
"""Members of a bundle zip (and files walked in a scenario folder). A scan of 1,000 households
of one player each writes about 3,000 files; the zip's central directory is checked against this
before it is parsed, so a zip declaring millions of members costs nothing."""

MAX_BUNDLE_CENTRAL_DIRECTORY_BYTES = MAX_BUNDLE_ENTRIES * 1024
"""The central directory is read into memory by zipfile: 1 KB per member is far above real names."""

MAX_BUNDLE_MEMBER_BYTES = 8 * 1024 * 1024
"""Largest member once decompressed. The largest real one is a zone group state (at most
MAX_SOAP_RESPONSE_BYTES, 4 MB) or inventory.json (3 MB for 2,000 products)."""

MAX_BUNDLE_TOTAL_BYTES = 32 * 1024 * 1024
"""All members decompressed, together (and all files of a scenario folder). Keeps reading and
replaying a bundle under 200 MB of memory, with the copies the emulator makes (measured in
tests/adversarial/test_hostile_files.py)."""

MAX_BUNDLE_NAME_CHARS = 512
"""Longest member path in a bundle (real ones are under 80 characters)."""

MAX_SCENARIO_DEPTH = 8
"""Folder depth walked below a scenario folder (real ones are 3 deep: household/devices/x.xml)."""

MAX_JSON_DEPTH = 32
"""Nesting of an input JSON document; the inventory is 5 deep. Deeper input is refused before
any recursion can overflow."""

MAX_JSON_STRING_CHARS = 8 * 1024 * 1024
"""Longest string in an input JSON document: a body in faults.json replays a whole SOAP answer
(at most MAX_SOAP_RESPONSE_BYTES, 4 MB, a little more once escaped)."""

MAX_ECHO_CHARS = 80
"""How much of a bad value an error message repeats."""

MAX_HISTORY_FILES = 500
"""Saved scans read for `diff` and "first seen" (the newest ones); older ones are left alone."""

MAX_HISTORY_TOTAL_BYTES = 256 * 1024 * 1024
"""Bytes read from the history per command, so that a history of huge files cannot stall a scan."""

MAX_FAULT_LATENCY_MS = 60_000
"""faults.json: latency_ms and other durations (the scanner gives up after seconds anyway)."""

MAX_FAULT_HUGE_MB = 64
"""faults.json: huge_mb, the body the emulator streams (the scanner stops reading at 4 MB)."""

MAX_FAULT_COUNT = 1_000_000
"""faults.json: drip_bps, vanish_after."""

MAX_FAULT_EXTRA_DATAGRAMS = 16
"""faults.json: ssdp_extra datagrams per reply."""


# ---- what a device can grow inside one answer (each read is capped in bytes already) ----

MAX_CHANNEL_MAP_ENTRIES = 64
"""Entries read from one ChannelMapSet / HTSatChanMapSet: a room has at most a handful of
bonded products (bar, sub, two surrounds, a pair); more is a hostile attribute."""

MAX_TXT_KEYS = 64
"""mDNS TXT keys read from one record (real players send about a dozen)."""

MAX_MDNS_NAMES = 2048
"""mDNS service names resolved in one browse: twice the player cap, so a flood of fake
announcements cannot keep the browser resolving."""

MAX_STATUS_PAGE_ELEMENTS = 20_000
"""XML elements looked at in one status page (a /support/review page with every member's
ZPInfo has about 40 per member)."""

MAX_STATUS_PAGE_BLOCKS = 1000
"""ZPInfo blocks taken from one status page: one per member, at most the player cap."""


# ---- watch ----
WATCH_MIN_INTERVAL_S = 5.0
"""The shortest poll interval: one zone group state per household per interval."""
WATCH_DEFAULT_INTERVAL_S = 30.0
WATCH_DROPPED_WAIT_S = 600.0
"""How long --until-aligned waits for a product that dropped off (updates reboot products)
before it reports it as dropped off and stops waiting for it."""
WATCH_DEFAULT_MAX_WAIT_MIN = 60.0
MAX_WATCH_EVENTS_KEPT = 1000
"""Events kept in memory (the summary, the history entry); the --output file keeps them all."""
WATCH_SOURCES_PER_POLL = 3
"""Members asked in turn for a household's zone group state in one poll before it counts as
not read this time."""
WATCH_DEMO_MAX_WAIT_S = 60.0
"""`demo` of a scenario with a timeline: how long its watch waits (the stories end sooner)."""
