"""The words a person needs: what to tell Sonos support, and what to do now. Pure.

The advice follows the verdict: conflict advice (stop retrying, keep the state) only where a
conflict is likely or possible; a healthy system is told that its update failure has another
cause; a scan that could not read a member starts with bringing that member back.
"""

from __future__ import annotations

from collections.abc import Callable

from ..analyze.rules import name, names, remembered_words
from ..analyze.verdict import LIKELY, NOT_INDICATED, POSSIBLE, UNKNOWN, unread_members
from ..model import Household, Inventory, Player, Severity, Track
from .safe_text import for_terminal, quoted

DIAGNOSTICS = ("the diagnostic number from the Sonos app (Settings > System > About My System > "
               "Submit diagnostics)")


def answered(player: Player, no: str = "no", *, reason: bool = True) -> str:
    """Did it answer: "yes", "vanished", or "no" with the kind of failure (an enum value)."""
    if player.reachable:
        return "yes"
    if player.vanished:
        return "vanished"  # the reason is the household's own word, shown under "Not read"
    word = no
    if reason and player.errors:
        word += f" ({player.errors[0].kind.value})"
    return word


CONNECTION_WORDS = {"wired": "wired", "sonosnet": "SonosNet", "wifi": "Wi-Fi",
                    "home-theater": "home theatre", "unknown": "unknown"}


def connection_label(player: Player) -> str:
    """`SonosNet`, `Wi-Fi (behind extender)`, ... as people read it."""
    word = CONNECTION_WORDS.get(player.connection, player.connection)
    return word + (" (behind extender)" if player.behind_wifi_extender else "")


def _cause_players(inventory: Inventory) -> list[Player]:
    uuids = list(dict.fromkeys(
        u for f in inventory.findings if f.severity is Severity.ERROR for u in f.players))
    return [p for u in uuids if (p := inventory.player(u)) is not None]


def _unread_names(inventory: Inventory) -> str:
    return names(unread_members(inventory))


def moved_out_lines(inventory: Inventory, household: Household) -> list[str]:
    """"Known to household X, now in household Y" for the products X still lists that belong to
    another household, and "remembered by X and Y" for those that belong to none."""
    homes = {u: h for h in inventory.households for u in h.players
             if u not in h.remembered}
    lines = []
    for uuid in household.moved_out:
        player = inventory.player(uuid)
        if player is None:
            continue
        now = homes.get(uuid)
        where = quoted(now.household_id, 64) if now and now.household_id else "another household"
        lines.append(f"{name(player)}: known to this household (still listed here), now in "
                     f"household {where} ({player.track.value}): split off, not a member here")
    for uuid in household.remembered:
        player = inventory.player(uuid)
        if player is None:
            continue
        lines.append(f"{name(player)}: {remembered_words(inventory, player)}")
    return lines


def incomplete_notice(inventory: Inventory) -> str | None:
    """One sentence for the top of every report when the scan is incomplete or interrupted:
    why, and which current products could not be read. None when the scan is complete."""
    scan = inventory.scan
    if scan.complete:
        return None
    text = "Incomplete scan: " + ("; ".join(scan.incomplete_reasons) or "not every read finished")
    unread = _unread_names(inventory)
    if unread:
        text += f". Not read: {unread}"
    return text + ". The verdict covers only what could be read."


def support_message(inventory: Inventory) -> str:
    """A short paragraph the user can paste into a Sonos support case, matching the verdict."""
    households = len(inventory.households)
    players = [p for p in inventory.players if not p.vanished]
    s1 = sum(p.track is Track.S1 for p in players)
    s2 = sum(p.track is Track.S2 for p in players)
    text = (
        f"My Sonos system will not update. I attached an inventory of every Sonos product on my "
        f"network made with sonos-inventory (read-only): {len(players)} "
        f"product{'' if len(players) == 1 else 's'} in {households} "
        f"household{'' if households == 1 else 's'}, {s2} on S2 and {s1} on S1."
    )
    if not inventory.scan.complete:
        unread = _unread_names(inventory)
        text += (" The scan is incomplete" + (f" (not read: {unread})" if unread else "") + ".")
    verdict = inventory.verdict.error_803
    causes = _cause_players(inventory)
    if causes and verdict in (LIKELY, POSSIBLE):
        listed = "; ".join(
            f"{name(p)}, model {p.model_number or '?'}, serial {p.serial or 'unknown'}, "
            f"software {p.software_version or '?'} ({p.track.value})" for p in causes)
        text += f" It points at: {listed}."
    if verdict == LIKELY:
        text += (" It finds S1 and S2 products in one household, the software-track conflict "
                 "reported behind Error 803. I have stopped retrying the update and have not "
                 "reset anything. Which steps should I take for these exact models?")
    elif verdict == POSSIBLE:
        text += (" It finds no S1/S2 mix in one household, but weaker signs of a software "
                 "conflict (see the report). I have not reset anything. What should I check "
                 "next?")
    elif verdict == UNKNOWN:
        text += (" It could not read any product, so it cannot tell whether there is a "
                 "software conflict. What should I check next?")
    else:
        text += (" It finds no software-track conflict: every household runs one track and one "
                 "release, so the update failure has another cause. I will add the diagnostic "
                 "number from the Sonos app. What should I check next?")
    return text


SUPPORT_URL = "support.sonos.com"
"""The one support address every screen and report names."""


def next_steps(inventory: Inventory, *, has_first_seen: bool = False,
               quote: Callable[[str], str] = for_terminal,
               attach: str | None = None) -> list[str]:
    """The steps, in order, in our own words (Markdown allowed); the only device strings, the
    names of products that could not be read, go through `quote` (the format's escaping)."""
    verdict = inventory.verdict.error_803
    what = quote(attach) if attach else "this report (or its Markdown or JSON form)"
    steps = []
    unread = quote(_unread_names(inventory)) if unread_members(inventory) else ""
    if unread and verdict != LIKELY:
        steps.append(f"Bring back the product(s) that could not be read ({unread}): power them "
                     "on, check their network connection (or turn UPnP back on in the Sonos "
                     "app where they answered 403), then scan again. The verdict can only judge "
                     "what it reads.")
    if verdict == UNKNOWN:
        return [
            "Nothing could be judged: no Sonos product was read. Make sure this computer is on "
            "the same network (the same Wi-Fi) as the Sonos products and that they are on, then "
            "scan again; or give a product's address (Sonos app: Settings > System > About My "
            "System) with --host.",
            f"If they still cannot be read, get {DIAGNOSTICS} and contact Sonos support "
            f"({SUPPORT_URL}).",
        ]
    if verdict == NOT_INDICATED and not unread:
        return [
            *steps,
            "No software-track conflict was found: every household runs one track (S1 or S2) "
            "and one release. The update failure has another cause (a product that is "
            "off or on a weak connection, the network, or Sonos's update servers).",
            f"Get {DIAGNOSTICS}: support needs it to look at the update failure itself.",
            f"Contact Sonos support ({SUPPORT_URL}) with the diagnostic number, and attach "
            f"{what}.",
        ]
    if verdict == NOT_INDICATED:
        return [
            *steps,
            f"If the update still fails after that, get {DIAGNOSTICS} and contact Sonos support "
            f"({SUPPORT_URL}) with it and this report.",
        ]
    when = (" The inventory shows when this tool first saw each one." if has_first_seen else "")
    steps.append("Confirm which product triggers it (named above), and when it was added to "
                 f"the system.{when}")
    steps += [
        "Stop retrying the update: retries do not fix a software-track conflict and muddy the "
        "state support needs to see.",
        "Keep the current state: do not remove, re-add or factory-reset products before Sonos "
        "support has seen this report. Reset only in the sequence support gives for your exact "
        "models.",
        f"This report is the inventory support asks for: attach {what} to your case, with "
        f"{DIAGNOSTICS} if you have one.",
        f"Contact Sonos support with it ({SUPPORT_URL}).",
        "After their fix, scan again and run `sonos-inventory diff` to confirm every product "
        "is on one track and in step.",
    ]
    return steps
