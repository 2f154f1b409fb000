"""What the guided scan says, as pure functions of what happened (no I/O), so every screen is
tested without a terminal."""

from __future__ import annotations

from pathlib import Path

INTRO = """\
Sonos inventory: a check of your Sonos system

This finds every Sonos product on your network and reads its model, serial number and
software version. It then tells you whether your system has the software conflict behind
"Error 803" (a product on S1 software in a system on S2), and saves a report you can attach
to a Sonos support case.

It only reads. It changes nothing on your speakers: no update, no restart, no setting.
Keep this computer on the same network (Wi-Fi) as your Sonos products.

After Sonos support has guided a fix, type w and Enter instead: it checks, saves the report,
then watches until every product is on one track and in step."""

START_PROMPT = "Press Enter to start (w: check, then watch; q: quit): "
IP_PROMPT = "IP address: "
DIAGNOSTIC_PROMPT = "Diagnostic number (Enter to skip): "
CLOSE_PROMPT = "Press Enter to close this window."

WATCH_LATER = """\
When Sonos support has guided the fix, run this again and choose "watch until aligned" (type w
and Enter at the start): it follows every product until all are on one track and in step."""

AFTER_WATCH = """\
The report saved before the watch shows your system as it was then. Run this again for a
report of the system as it is now, to attach to your Sonos support case."""

WATCH_NOW = """\
Watching your Sonos products until every one is on one track and in step (up to an hour).
It only reads. Each change is shown as it happens; Ctrl-C stops (the report is already saved)."""

WHERE_IS_THE_IP = """\
Type the IP address of any one Sonos product instead; the others are found from it.
Where to find it: in the Sonos app, open Settings > System > About My System; it is the
number like 192.168.1.23 listed with each product (menu names vary between app versions).
Press Enter alone to search again, or type q to quit."""

DIAGNOSTIC_HELP = """\
If Sonos support asked you for a diagnostic number, type it here: in the Sonos app, open
Settings > System > About My System and choose "Submit diagnostics"; the app shows a number.
It is printed at the top of the report."""


def reasons_nothing_found(platform: str) -> str:
    """Why a search finds nothing, most likely cause first for this system."""
    lines = ["No Sonos product answered the search. The usual reasons:"]
    if platform == "darwin":
        lines.append("  - macOS: this program (or the Terminal app) needs permission to see "
                     "devices on your network: System Settings > Privacy & Security > Local "
                     "Network, switch it on, then search again.")
    elif platform.startswith("win"):
        lines.append("  - Windows: if a Windows Defender Firewall window asked about this "
                     "program, allow it on private networks, then search again. Your network "
                     "must be set to Private (Settings > Network & internet).")
    else:
        lines.append("  - A firewall on this computer blocks the Sonos products' answers: allow "
                     "this program through it (for the technically minded: UDP from ports 1900 "
                     "and 5353), then search again.")
    lines += [
        "  - A VPN is on: turn it off while you scan.",
        "  - This computer is on a guest Wi-Fi, or a network that keeps devices apart: join "
        "the same network as your Sonos products.",
        "  - The Sonos products are off or unplugged.",
    ]
    return "\n".join(lines)


def not_an_address(answer: str) -> str:
    return (f"{answer!r} is not an IP address. Type it as the Sonos app shows it, for "
            "example 192.168.1.23.")


def nothing_at(address: str) -> str:
    return (f"No Sonos product answered at {address}. Check the number in the Sonos app, "
            "or press Enter to search again.")


def bad_diagnostic(answer: str) -> str:
    return f"{answer!r} is not a diagnostic number (digits only). Type it again, or press Enter."


def saved(folder: Path, html: Path, bundle: Path, opened: bool, conflict: bool = True) -> str:
    """Where the report went. The warning against retrying is for a found or possible
    conflict only; a healthy system is not told to stop updating."""
    lines = [  # the folder in full; then the file names, short enough never to be cut
        "",
        "Saved in this folder:",
        f"  {folder}",
        f"  - {html.name}: the report (opens in any browser)",
        f"  - {bundle.name}: the support bundle (attach this to your Sonos support case)",
        "",
        "The report has opened in your browser." if opened else
        "Open the report in your browser: double-click it in that folder.",
        f"To get help, contact Sonos support (support.sonos.com) and attach {bundle.name} to "
        "your case. It holds the report and what each product answered: your products' serial "
        "numbers and network addresses, and this computer's network address; no passwords and "
        "no files.",
        "Do not retry the update or reset any product before Sonos support has seen it."
        if conflict else
        "No software-track conflict was found: the report says what support needs instead.",
    ]
    return "\n".join(lines)
