"""The words a person needs: what to tell Sonos support, and what to do now. Pure."""

from __future__ import annotations

from ..analyze.rules import name
from ..model import Inventory, Player, Severity, Track


def answered(player: Player, no: str = "no", *, reason: bool = True) -> str:
    """Did it answer: "yes", "vanished", or "no" with the kind of failure (an enum value)."""
    if player.reachable:
        return "yes"
    word = "vanished" if player.vanished else no
    if reason and player.errors:
        word += f" ({player.errors[0].kind.value})"
    return word


def _cause_players(inventory: Inventory) -> list[Player]:
    uuids = list(dict.fromkeys(
        u for f in inventory.findings if f.severity is Severity.ERROR for u in f.players))
    return [p for u in uuids if (p := inventory.player(u)) is not None]


def support_message(inventory: Inventory) -> str:
    """A short paragraph the user can paste into a Sonos support case."""
    households = len(inventory.households)
    players = [p for p in inventory.players if not p.vanished]
    s1 = sum(p.track is Track.S1 for p in players)
    s2 = sum(p.track is Track.S2 for p in players)
    text = (
        f"My Sonos system will not update. I attached an inventory of every Sonos product on my "
        f"network made with sonos-inventory (read-only): {len(players)} product(s) in "
        f"{households} household(s), {s2} on S2 and {s1} on S1."
    )
    causes = _cause_players(inventory)
    if causes:
        listed = "; ".join(
            f"{name(p)}, model {p.model_number or '?'}, serial {p.serial or 'unknown'}, "
            f"software {p.software_version or '?'} ({p.track.value})" for p in causes)
        text += f" It points at: {listed}."
    if inventory.verdict.error_803 == "likely":
        text += (" It finds S1 and S2 products in one household, the software-track conflict "
                 "reported behind Error 803.")
    text += (" I have stopped retrying the update and have not reset anything. Which steps "
             "should I take for these exact models?")
    return text


def next_steps(inventory: Inventory, *, has_first_seen: bool = False) -> list[str]:
    """The steps, in order. Our own words only (Markdown allowed): no device strings."""
    steps = []
    if inventory.verdict.error_803 != "not-indicated":
        when = (" The inventory shows when this tool first saw each one." if has_first_seen
                else "")
        steps.append("Confirm which product triggers it (named above), and when it was added "
                     f"to the system.{when}")
    steps += [
        "Stop retrying the update: retries do not fix a software-track conflict and muddy the "
        "state support needs to see.",
        "Keep the current state: do not remove, re-add or factory-reset products before Sonos "
        "support has seen this report. Reset only in the sequence support gives for your exact "
        "models.",
        "This report is the inventory support asks for: attach it (Markdown or JSON) to your "
        "case, with the diagnostic number from the Sonos app (Settings > System > About My "
        "System > Submit diagnostics) if you have one.",
        "Contact Sonos support with it (support.sonos.com).",
        "After their fix, scan again and run `sonos-inventory diff` to confirm every product "
        "is on one track and in step.",
    ]
    return steps
