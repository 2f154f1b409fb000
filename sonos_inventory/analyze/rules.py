"""The rules: pure functions from an inventory to findings. Each finding names its players,
its evidence and its advice. Rule ids are a contract (DESIGN.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from ..model import ErrorKind, Finding, Household, Inventory, Player, Role, Severity, Track
from ..report.safe_text import quoted
from .labels import release_label
from .products import product_table
from .releases import OBSERVATIONS, PlayerStanding, Standing, standings

Rule = Callable[[Inventory], list[Finding]]

RULE_ID: dict[Rule, str] = {}
"""Each registered rule and the id its findings carry (the JSON Schema's enum follows it)."""


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    """Register a rule under the id of its findings. Then add it to RULES (rules run in that
    order); analyze.verdict.RULE_IDS and the schema's enum follow by themselves."""
    def register(function: Rule) -> Rule:
        RULE_ID[function] = rule_id
        return function
    return register

TRADE_UP = (
    "Sonos has offered trade-up discounts on S1-only products in the past; ask Sonos support "
    "what is available now (terms change and are not promised here)."
)
STOP_RETRYING = (
    "Stop retrying the update: retries do not fix a software-track conflict and muddy the state "
    "support needs to see. Do not factory-reset any product before Sonos support has seen this "
    "report."
)


def name(player: Player) -> str:
    """A product as one quoted token: `"Kitchen: Sonos One"`. Room and model are what the
    device says, so they are quoted, neutralised and capped wherever the tool's prose names
    them: a room name cannot pass for the tool's own words."""
    room = player.room or "unnamed room"
    model = player.model_name or player.model_number or "unknown product"
    return quoted(f"{room}: {model}", 80)


def names(players: list[Player], limit: int = 8) -> str:
    """`name` of each, `; `-separated, the first `limit` and how many more."""
    shown = [name(p) for p in players[:limit]]
    if len(players) > limit:
        shown.append(f"and {len(players) - limit} more")
    return "; ".join(shown)


def describe(player: Player) -> str:
    """One evidence line: who it is, what it runs, and how we know the track."""
    parts = [name(player)]
    if player.model_number:
        parts.append(f"model {player.model_number}")
    if player.serial:
        parts.append(f"serial {player.serial}")
    label = release_label(player.software_version, player.display_version)
    said = ""
    if label.label is not None:
        said = f" ({label.words()}" + (", from the release table)" if label.basis == "table"
                                       else ")")
    parts.append(f"software {player.software_version or 'unknown'}{said}")
    parts.append(f"track {player.track.value} [{player.track_basis}]")
    if player.ip:
        parts.append(f"IP {player.ip}")
    if not player.reachable and not player.vanished:
        kind = player.errors[0].kind.value if player.errors else "no answer"
        parts.append(f"did not answer ({kind}); its version comes from the zone group state"
                     if player.software_version else f"did not answer ({kind})")
    return ", ".join(parts)


def release_words(player: Player) -> str:
    """'release 14.4, released 2022', 'release 14.4' or 'release label unknown'."""
    return release_label(player.software_version, player.display_version).short()


def members(inventory: Inventory, household: Household) -> list[Player]:
    """The household's players. A player whose own household id names another household is not
    one of them, even where an older inventory listed it here (a stale vanished entry)."""
    wanted = set(household.players)
    return [p for p in inventory.players if p.uuid in wanted and (
        household.household_id is None or p.household_id is None
        or p.household_id == household.household_id)]


def current(players: Iterable[Player]) -> list[Player]:
    return [p for p in players if not p.vanished]


def household_label(household: Household) -> str:
    return quoted(household.household_id, 64) if household.household_id else "the household"


# ---- rules ----


@rule("mixed-generation")
def mixed_generation(inventory: Inventory) -> list[Finding]:
    findings = []
    for household in inventory.households:
        players = current(members(inventory, household))
        s1 = [p for p in players if p.track is Track.S1]
        s2 = [p for p in players if p.track is Track.S2]
        if not s1 or not s2:
            continue
        # The cause is the minority among every current member whose track is known, wherever
        # that came from (its own description, or the household's zone group state for members
        # that could not be read): who answered never decides it, and neither does a product
        # whose track is unknown. On a tie the S1 side is named: the conflict reported behind
        # "Error 803" is an older-software product added to a system on newer software.
        cause, others, majority = (s2, s1, Track.S1) if len(s2) < len(s1) else (s1, s2, Track.S2)
        minority = Track.S2 if majority is Track.S1 else Track.S1
        unknown = sum(p.track is Track.UNKNOWN for p in players)
        names = "; ".join(name(p) for p in cause)
        detail = (
            f"Household {household_label(household)} has {len(s2)} product(s) on S2 and "
            f"{len(s1)} on S1"
            + (f" ({unknown} more whose track is unknown are not counted)" if unknown else "")
            + ". S1 and S2 products cannot work in one system, and a system holding both cannot "
            f"update. The product(s) on {minority.value}, the smaller side: {names}. Each "
            "product's track comes from what it runs (its own description, or the household's "
            "zone group state for products that did not answer). This software-track conflict "
            "is the situation reported behind \"Error 803\"."
        )
        advice = [STOP_RETRYING]
        if minority is Track.S1:
            dual = [p for p in cause if p.s2_capable]
            legacy = [p for p in cause if p.s2_capable is False]
            unsure = [p for p in cause if p.s2_capable is None]
            if dual:
                advice.append(
                    f"{'; '.join(name(p) for p in dual)}: can run S2. It still runs S1 software, "
                    "so it has to be moved to S2 through the path Sonos support guides you "
                    "through for that model; give them this report."
                )
            if legacy:
                advice.append(
                    f"{'; '.join(name(p) for p in legacy)}: cannot run S2, ever. It cannot join "
                    "an S2 system: keep it in a separate S1 system (controlled with the Sonos S1 "
                    f"app) or replace it. {TRADE_UP}"
                )
            if unsure:
                advice.append(f"{'; '.join(name(p) for p in unsure)}: whether it can run S2 is "
                              "not known from what it reports; Sonos support can tell from the "
                              "serial number.")
        else:
            advice.append(
                "Products on S2 cannot join an S1 system, and the S1 app cannot add them. Either "
                "move the whole system to S2 (only if every product in it can run S2) or keep the "
                "S2 product(s) in a separate S2 system. Sonos support can guide either path."
            )
        findings.append(Finding(
            rule="mixed-generation", severity=Severity.ERROR,
            players=tuple(p.uuid for p in cause),
            title="S1 and S2 products in one household",  # the id: in detail and evidence
            detail=detail, advice=" ".join(advice),
            evidence=(
                *(describe(p) for p in cause),
                f"{len(others)} other product(s) on {majority.value}, e.g. {describe(others[0])}",
            ),
        ))
    return findings


def household_standings(inventory: Inventory) -> Iterator[tuple[Track, list[PlayerStanding]]]:
    """Each household's release standings, per track (see releases.py)."""
    for household in inventory.households:
        players = members(inventory, household)
        for track in (Track.S1, Track.S2):
            yield track, standings(players, track)


def _standing_evidence(standing: PlayerStanding) -> tuple[str, ...]:
    lines = [describe(standing.player), standing.reason]
    if standing.reference is not None:
        lines.append(f"compared with: {describe(standing.reference)}")
    return tuple(lines)


def standings_of(inventory: Inventory, kind: Standing) -> Iterator[PlayerStanding]:
    """Every product of every household whose release standing is `kind`."""
    for _track, household in household_standings(inventory):
        yield from (s for s in household if s.standing is kind)


@rule("below-min-compatible")
def below_min_compatible(inventory: Inventory) -> list[Finding]:
    findings = []
    for standing in standings_of(inventory, Standing.BELOW_MIN_COMPATIBLE):
        p, ref = standing.player, standing.reference
        against = f" ({name(ref)}, {release_words(ref)})" if ref else ""
        findings.append(Finding(
            rule="below-min-compatible", severity=Severity.ERROR, players=(p.uuid,),
            title=f"{name(p)} runs software too old for its household",
            detail=(
                f"{name(p)} runs {p.software_version} ({release_words(p)}), below the "
                "oldest version that products on its own branch of the household accept "
                f"(their minCompatibleVersion){against}. An incompatible product cannot "
                "play with the others until it updates."
            ),
            advice=(
                "Check that the product is powered and on the network, then ask the "
                "Sonos app to update the system once. If it still stays behind, stop "
                "retrying and contact Sonos support with this report."
            ),
            evidence=_standing_evidence(standing),
        ))
    return findings


@rule("behind-release")
def behind_release(inventory: Inventory) -> list[Finding]:
    findings = []
    for standing in standings_of(inventory, Standing.BEHIND_RELEASE):
        p, ref = standing.player, standing.reference
        newest = (f"{ref.software_version} ({release_words(ref)}) on {name(ref)}"
                  if ref else "the household's newest release")
        findings.append(Finding(
            rule="behind-release", severity=Severity.WARNING, players=(p.uuid,),
            title=f"{name(p)} is a release or more behind its household",
            detail=(
                f"{name(p)} runs {p.software_version} ({release_words(p)}) while its "
                f"household's newest release is {newest}. It is still compatible (not "
                "below any minCompatibleVersion on its branch), but it missed an update."
            ),
            advice=(
                "Check in the Sonos app (Settings > System > Software Update) that an "
                "update is offered and run it once. If the product stays behind, mention "
                "it to Sonos support with this report."
            ),
            evidence=(*_standing_evidence(standing), f"observed releases: {OBSERVATIONS}"),
        ))
    return findings


@rule("version-skew")
def version_skew(inventory: Inventory) -> list[Finding]:
    findings = []
    for track, household in household_standings(inventory):
        undecided = [s for s in household if s.standing is Standing.UNDECIDED]
        if undecided:
            findings.append(Finding(
                rule="version-skew", severity=Severity.WARNING,
                players=tuple(s.player.uuid for s in undecided),
                title=f"Cannot tell whether products are one release behind ({track.value})",
                detail=(
                    "The release these products run on one S2 line is further from the other "
                    "line's than any two builds seen inside one release, but closer than any "
                    "two consecutive releases seen: the data cannot tell whether they are one "
                    "release behind."
                ),
                advice=(
                    "Check in the Sonos app (Settings > System > About My System) whether an "
                    "update is offered. If it is, update the system once and scan again; if "
                    "they stay on these builds, mention them to Sonos support."
                ),
                evidence=(*(f"{describe(s.player)}: {s.reason}" for s in undecided),
                          f"observed releases: {OBSERVATIONS}"),
            ))
        same = [s for s in household if s.standing is Standing.SAME_RELEASE]
        if same:
            findings.append(Finding(
                rule="version-skew", severity=Severity.INFO,
                players=tuple(s.player.uuid for s in same),
                title=f"Same model on different builds of one release ({track.value})",
                detail=(
                    "Some products run an older build than another product of the same model, "
                    "within one release: usually an update still reaching products one after "
                    "another."
                ),
                advice="Nothing to do. If the builds still differ after a day, update the "
                       "system once from the app.",
                evidence=tuple(f"{describe(s.player)}: {s.reason}" for s in same),
            ))
    return findings


@rule("s1-only-product")
def s1_only_product(inventory: Inventory) -> list[Finding]:
    findings = []
    for household in inventory.households:
        players = members(inventory, household)
        has_s2 = any(p.track is Track.S2 for p in current(players))
        for p in current(players):
            if p.s2_capable is not False:
                continue
            severity = Severity.ERROR if has_s2 else Severity.INFO
            where = "a household that has S2 products" if has_s2 else "an all-S1 household"
            advice = (
                f"It cannot join an S2 system: remove it from this system and keep it in a "
                f"separate S1 system, or replace it. {TRADE_UP}"
                if has_s2 else
                "Nothing to fix: it works in this S1 system. It will never move to S2, so this "
                f"system stays on S1 while it is part of it. {TRADE_UP}"
            )
            findings.append(Finding(
                rule="s1-only-product", severity=severity, players=(p.uuid,),
                title=f"{name(p)} can only run S1",
                detail=f"{name(p)} is an S1-only product, in {where}.",
                advice=advice,
                evidence=(describe(p), f"why S1 only: {p.s2_capable_basis}"),
            ))
    return findings


def remembered_words(inventory: Inventory, player: Player) -> str:
    """'remembered by "A" and "B" as vanished, not answering (latest sighting: ...): a current
    member of none of them', for a product several households remember."""
    by = " and ".join(household_label(h) for h in inventory.households
                      if player.uuid in h.remembered)
    if player.reachable:
        return (f"remembered by {by} as vanished; it answers, but did not say which household "
                "it belongs to")
    seen = next((e.detail for e in player.errors if "(latest sighting" in e.detail), "")
    latest = seen[seen.index("(latest sighting"):] if seen else ""
    return (f"remembered by {by} as vanished, not answering {latest}".rstrip()
            + ": a current member of none of them")


def moved_out(inventory: Inventory) -> list[tuple[Household, Player, Household | None]]:
    """(old household, product, its household now) for every product a household remembers as
    vanished while it is a current member of another one."""
    homes = {u: h for h in inventory.households for u in h.players if u not in h.remembered}
    found = []
    for household in inventory.households:
        for uuid in household.moved_out:
            player = inventory.player(uuid)
            if player is not None:
                found.append((household, player, homes.get(uuid)))
    return found


@rule("split-households")
def split_households(inventory: Inventory) -> list[Finding]:
    identified = [h for h in inventory.households if h.household_id]
    departed = moved_out(inventory)
    lost = [p for uuid in dict.fromkeys(u for h in inventory.households for u in h.remembered)
            if (p := inventory.player(uuid)) is not None]
    if len(identified) < 2 and not departed:
        return []
    evidence = []
    for household in identified:
        players = current(members(inventory, household))
        label = "/".join(t.value for t in household.tracks) or "track unknown"
        evidence.append(f"{household.household_id} ({label}): "
                        + "; ".join(name(p) for p in players))
    for old, player, now in departed:
        where = household_label(now) if now and now.household_id else "another household"
        evidence.append(
            f"{name(player)} ({player.track.value}) is known to household "
            f"{household_label(old)} (still listed there), now in household {where}")
    for player in lost:
        evidence.append(f"{name(player)} is {remembered_words(inventory, player)}")
    all_tracks = {t for h in identified for t in h.tracks}
    count = max(len(identified), 2)
    detail = f"{count} separate Sonos systems (households) share this network."
    if {Track.S1, Track.S2} <= all_tracks:
        detail += (" An S1 system beside an S2 system is a supported setup: each is controlled "
                   "by its own app (Sonos S1 for the S1 system), and they cannot be grouped "
                   "together.")
    if departed:
        detail += (" Some products were split off from a system into another one (or moved to "
                   "S1), which is supported; the old system still remembers them as vanished, "
                   "and they belong to the system they are in now.")
    return [Finding(
        rule="split-households", severity=Severity.INFO,
        players=tuple(dict.fromkeys([*(u for h in identified for u in h.players),
                                     *(p.uuid for _, p, _ in departed)])),
        title=f"{count} Sonos households on this network",
        detail=detail,
        advice=("Nothing to fix if this is intended. A product in the S1 system that can run S2 "
                "could move to the S2 system through the path Sonos support guides; an S1-only "
                "product stays in the S1 system. A product the old system still lists as "
                "vanished can be removed from that system's list in its app."),
        evidence=tuple(evidence),
    )]


@rule("unreachable-player")
def unreachable_player(inventory: Inventory) -> list[Finding]:
    findings = []
    for p in inventory.players:
        if p.reachable or any(e.kind is ErrorKind.UPNP_DISABLED for e in p.errors):
            continue
        reason = "; ".join(f"{e.kind.value}: {e.detail}" for e in p.errors) or "no answer"
        address = f"last known address {p.ip}" if p.ip else "no known address"
        rememberers = sum(p.uuid in h.remembered for h in inventory.households)
        if p.vanished:
            title = (f"{name(p)} is offline ({rememberers} households remember it as vanished)"
                     if rememberers > 1 else
                     f"{name(p)} is offline (its household lists it as vanished)")
            advice = ("If the product is still in use, power it on and check its network "
                      "connection. If it is gone for good, remove it from the system in the app.")
        else:
            title = f"{name(p)} did not answer"
            advice = ("Check that it is powered on and connected, then scan again. Its details "
                      "above come from what its household reports about it.")
        detail = f"{name(p)}: {reason} ({address})."
        if p.battery_percent is not None and p.battery_percent <= LOW_BATTERY_PERCENT and (
                p.charging is not True):
            state = {False: ", not charging", None: ""}[p.charging]
            detail += (f" Likely reason: its battery ran flat (last seen at "
                       f"{p.battery_percent} %{state}).")
            advice = ("Put it on its charger or base, wait a few minutes, and scan again. "
                      + advice)
        findings.append(Finding(
            rule="unreachable-player", severity=Severity.WARNING, players=(p.uuid,), title=title,
            detail=detail, advice=advice, evidence=(describe(p),),
        ))
    return findings


LOW_BATTERY_PERCENT = 15
"""A portable last seen at or below this, not charging, most likely dropped off when its
battery ran flat: a common "missing product" in a support case."""


def _same_mac(a: str, b: str) -> bool:
    return re.sub(r"[^0-9A-Fa-f]", "", a).upper() == re.sub(r"[^0-9A-Fa-f]", "", b).upper()


@rule("address-mismatch")
def address_mismatch(inventory: Inventory) -> list[Finding]:
    """--deep: a status page whose IP or MAC disagrees with what the description and the
    topology say (a DHCP change, or a second device answering for the address)."""
    findings = []
    for p in inventory.players:
        deep = p.deep
        if deep is None or deep.status != "read":
            continue
        differences = []
        if deep.ip and p.ip and deep.ip.strip() != p.ip:
            differences.append(f"its page says IP {quoted(deep.ip, 40)}, it was reached at "
                               f"{p.ip}")
        if deep.mac and p.mac and not _same_mac(deep.mac, p.mac):
            differences.append(f"its page says MAC {quoted(deep.mac, 40)}, its description "
                               f"says {p.mac}")
        if differences:
            findings.append(Finding(
                rule="address-mismatch", severity=Severity.WARNING, players=(p.uuid,),
                title=f"{name(p)}: its status page and its description disagree",
                detail=f"{name(p)}: {'; '.join(differences)}. Either its address changed "
                       "during the scan (DHCP), or a second device answers for this address.",
                advice=("Scan again. If it persists, give the product a fixed address (a DHCP "
                        "reservation) in the router, and mention it to Sonos support."),
                evidence=(describe(p), *differences)))
    return findings


@rule("shared-channel")
def shared_channel(inventory: Inventory) -> list[Finding]:
    """SonosNet and the router's Wi-Fi on the same 2.4 GHz channel, where both are known."""
    findings = []
    for household in inventory.households:
        players = current(members(inventory, household))
        router = {p.channel_mhz for p in players if p.connection == "wifi"
                  and p.wifi_band == "2.4 GHz" and p.channel_mhz}
        sonosnet = {p.channel_mhz for p in players if p.connection == "sonosnet"
                    and p.wifi_band == "2.4 GHz" and p.channel_mhz}
        shared = sorted(c for c in router & sonosnet if c is not None)
        if not shared:
            continue
        on = [p for p in players if p.channel_mhz in shared
              and p.connection in ("wifi", "sonosnet")]
        findings.append(Finding(
            rule="shared-channel", severity=Severity.INFO, players=tuple(p.uuid for p in on),
            title=f"SonosNet and the router's Wi-Fi share {shared[0]} MHz (2.4 GHz)",
            detail=(f"In {household_label(household)}, products on SonosNet and products on the "
                    f"router's Wi-Fi use the same 2.4 GHz channel ({', '.join(map(str, shared))} "
                    "MHz): they interfere, which shows as dropouts."),
            advice=("Move SonosNet to another channel in the Sonos app (Settings > System > "
                    "Network > SonosNet Channel), or the router's 2.4 GHz Wi-Fi to another one "
                    "(1, 6 and 11 do not overlap)."),
            evidence=tuple(f"{describe(p)}: {p.connection} on {p.channel_mhz} MHz"
                           for p in on[:12])))
    return findings


@rule("upnp-disabled")
def upnp_disabled(inventory: Inventory) -> list[Finding]:
    players = [p for p in inventory.players
               if any(e.kind is ErrorKind.UPNP_DISABLED for e in p.errors)]
    if not players:
        return []
    return [Finding(
        rule="upnp-disabled", severity=Severity.WARNING, players=tuple(p.uuid for p in players),
        title="UPnP is turned off for some products",
        detail=("These products refused to describe themselves (HTTP 403): UPnP is turned off "
                "in the Sonos app, so this tool (and other local apps) cannot read them."),
        advice=("In the Sonos app: Settings > Account > Privacy & Security > Connection Security "
                "> turn UPnP on, then scan again. You can turn it off again afterwards."),
        evidence=tuple(describe(p) for p in players),
    )]


@rule("unknown-model")
def unknown_model(inventory: Inventory) -> list[Finding]:
    table = product_table()
    findings = []
    for p in inventory.players:
        if not p.model_number or p.model_number.upper() in table:
            continue
        findings.append(Finding(
            rule="unknown-model", severity=Severity.INFO, players=(p.uuid,),
            title=f"Model {p.model_number} is not in this tool's product table",
            detail=(f"{name(p)} reports model {p.model_number}, which this tool's product "
                    f"table does not name. Its track ({p.track.value}) comes from "
                    f"{p.track_basis}. Whether it can run S2: "
                    + {True: "yes", False: "no", None: "not known"}[p.s2_capable]
                    + f" ({p.s2_capable_basis})."),
            advice="Nothing to do. Please report the model number so the table can name it.",
            evidence=(describe(p), f"S2 capability: {p.s2_capable_basis}"),
        ))
    return findings


BONDED = frozenset({Role.STEREO_PARTNER, Role.SATELLITE, Role.SUBWOOFER})


def s1_systems(inventory: Inventory) -> Iterator[tuple[Household, list[Player]]]:
    """Each household that runs S1 only, with its current products."""
    for household in inventory.households:
        if household.tracks == (Track.S1,):
            yield household, current(members(inventory, household))


def alone_in_s1(players: list[Player]) -> bool:
    """One product (with its bonded partners, if any) makes up the whole S1 system."""
    return sum(1 for p in players if p.role not in BONDED) <= 1


@rule("s2-readiness")
def s2_readiness(inventory: Inventory) -> list[Finding]:
    """An S1 system of several products is a supported setup: say which could move to S2."""
    findings = []
    for household, players in s1_systems(inventory):
        if alone_in_s1(players):
            continue
        can = [p for p in players if p.s2_capable is True]
        never = [p for p in players if p.s2_capable is False]
        unsure = [p for p in players if p.s2_capable is None]
        parts = []
        if can:
            parts.append(f"could move to S2: {names(can)}")
        if never:
            parts.append(f"can never run S2: {names(never)}")
        if unsure:
            parts.append(f"not known from what they report: {names(unsure)}")
        whole = ("Every product in it could move to S2, so the whole system could move"
                 if can and not never and not unsure else
                 "The system stays on S1 while a product that can never run S2 is part of it"
                 if never else "Whether the whole system could move to S2 is not known")
        findings.append(Finding(
            rule="s2-readiness", severity=Severity.INFO, players=tuple(p.uuid for p in players),
            title=f"S1 system of {len(players)} products",
            detail=(f"{household_label(household)}: an S1 system of several products is a "
                    "supported setup (controlled with "
                    f"the Sonos S1 app). {'; '.join(parts).capitalize()}. {whole}."),
            advice=("Nothing to fix. Moving to S2 is optional; Sonos support can guide it for "
                    f"the products that can. {TRADE_UP}" if never else
                    "Nothing to fix. Moving to S2 is optional; Sonos support can guide it."),
            evidence=tuple(f"{describe(p)}; S2: {p.s2_capable_basis}" for p in players),
        ))
    return findings


RULES: tuple[Rule, ...] = (
    mixed_generation, s1_only_product, below_min_compatible, behind_release, version_skew,
    upnp_disabled, unreachable_player, split_households, unknown_model, s2_readiness,
    address_mismatch, shared_channel,
)

