"""Classification, in one place: each product's track, S2 capability, role and connection (each
with its basis), and each household's tracks, from what the players said. Pure.

`analyze()` runs it first, on a live scan and on a loaded file alike, so a file made by an older
version is judged by today's rules, and an edited classified field in a file changes nothing.
A file made before schema_version 2 has no raw facts behind role and connection: those keep the
file's value, with the basis "from the file".
"""

from __future__ import annotations

from dataclasses import replace

from ..model import (
    FROM_THE_FILE,
    Inventory,
    Player,
    PlayerFacts,
    Role,
    Topology,
    Track,
    ZoneMember,
    parse_channel_map,
)
from . import connection as conn
from .products import capability
from .tracks import BRIDGE_MODELS, SUBWOOFER_MODELS, detect_track


def zone_facts(member: ZoneMember | None, topology: Topology | None, *,
               link: ZoneMember | None = None, ssdp_wifi_mode: str | None = None,
               description_sw_gen: int | None = None, topology_sw_gen: int | None = None,
               more_info: str | None = None) -> PlayerFacts:
    """The raw facts of one product: its own listing `member` in `topology` (for its role),
    `link` the copy whose link attributes describe it (its own listing, or another member's
    copy that lists it)."""
    link = link or member
    theater: tuple[str, ...] = ()
    if member is not None and member.satellite_of:
        parent = topology.member(member.satellite_of) if topology else None
        theater = parse_channel_map(parent.ht_sat_chan_map_set if parent else None).get(
            member.uuid) or parse_channel_map(member.ht_sat_chan_map_set).get(member.uuid, ())
    return PlayerFacts(
        description_sw_gen=description_sw_gen, topology_sw_gen=topology_sw_gen,
        listed=member is not None,
        zone_bridge=bool(member and member.is_zone_bridge),
        satellite_of=(member.satellite_of if member else None) or (
            link.satellite_of if link else None),
        invisible=bool(member and member.invisible),
        channels=parse_channel_map(member.channel_map_set).get(member.uuid, ())
        if member else (),
        theater_channels=theater,
        zone_copy=link is not None,
        connection_type=link.connection_type if link else None,
        wireless_mode=link.wireless_mode if link else None,
        eth_link=link.eth_link if link else None,
        wifi_enabled=link.wifi_enabled if link else None,
        behind_wifi_extender=link.behind_wifi_extender if link else None,
        channel_freq=link.channel_freq if link else None,
        more_info=(link.more_info if link else None) or more_info,
        ssdp_wifi_mode=ssdp_wifi_mode,
    )


def role_of(facts: PlayerFacts, model_number: str | None) -> tuple[Role, str]:
    """What the product does in its room, and why we say so."""
    model = (model_number or "").strip().upper()
    if facts.zone_bridge:
        return Role.BRIDGE, "IsZoneBridge in the zone group state"
    if model in BRIDGE_MODELS:
        return Role.BRIDGE, f"model {model} is a Bridge or a Boost"
    if model in SUBWOOFER_MODELS:
        return Role.SUBWOOFER, f"model {model} is a Sub"
    if not facts.listed:
        return Role.PLAYER, "not listed in a zone group state that was read: taken as a player"
    if facts.satellite_of:
        if "SW" in facts.theater_channels:
            return Role.SUBWOOFER, "the home theatre's channel map gives it the SW channel"
        return Role.SATELLITE, "a satellite of a home theatre player in the zone group state"
    if "SW" in facts.channels:
        return Role.SUBWOOFER, "its channel map gives it the SW channel"
    if facts.channels and facts.invisible:
        return Role.STEREO_PARTNER, "a hidden member with channels of its own (a stereo pair)"
    return Role.PLAYER, "a visible member of the zone group state"


def detect_role(member: ZoneMember | None, topology: Topology | None,
                model_number: str | None) -> Role:
    """The role of `member` as `topology` lists it (role_of on its facts)."""
    return role_of(zone_facts(member, topology), model_number)[0]


def classify_player(player: Player) -> Player:
    """The player with its classified fields decided from its reported fields and facts."""
    facts = player.facts
    if facts is None:  # a file made before schema_version 2: its stored sw_gen is all it has
        track, track_basis = detect_track(None, None, player.software_version,
                                          player.display_version)
        if player.sw_gen in (1, 2):
            track, track_basis = Track(f"S{player.sw_gen}"), (
                f"swGen {player.sw_gen}, as the file records it")
    else:
        track, track_basis = detect_track(facts.description_sw_gen, facts.topology_sw_gen,
                                          player.software_version, player.display_version)
    cap = capability(player.model_number, player.memory_mb, player.hardware_version,
                     player.min_compatible_version, runs_s2=track is Track.S2,
                     runs_s1=track is Track.S1)
    classified = replace(player, track=track, track_basis=track_basis,
                         s2_capable=cap.s2_capable, s2_capable_basis=cap.basis,
                         model_name=player.model_name or cap.product)
    if facts is None:
        return replace(classified, role_basis=FROM_THE_FILE,
                       connection_basis=_from_the_file(player.connection_basis))
    role, role_basis = role_of(facts, player.model_number)
    link = facts if facts.zone_copy else None
    connection, connection_basis = conn.classify(
        link, facts.ssdp_wifi_mode, must_be_cabled=role is Role.BRIDGE,
        satellite=link is not None and facts.satellite_of is not None)
    wifi_band, channel_mhz = conn.band(link)
    battery_percent, charging = conn.battery(facts.more_info)
    return replace(classified, role=role, role_basis=role_basis, connection=connection,
                   connection_basis=connection_basis,
                   behind_wifi_extender=conn.behind_extender(link), wifi_band=wifi_band,
                   channel_mhz=channel_mhz, battery_percent=battery_percent, charging=charging)


def _from_the_file(basis: str) -> str:
    return basis if basis.startswith(FROM_THE_FILE) else (
        f"{FROM_THE_FILE}: {basis}" if basis else FROM_THE_FILE)


def classify(inventory: Inventory) -> Inventory:
    """Every product classified, and each household's tracks from its current members."""
    players = tuple(classify_player(p) for p in inventory.players)
    by_uuid = {p.uuid: p for p in players}
    households = tuple(
        replace(household, tracks=tuple(sorted(
            {p.track for u in household.players if (p := by_uuid.get(u)) is not None
             and not p.vanished and p.track is not Track.UNKNOWN}, key=lambda t: t.value)))
        for household in inventory.households)
    return replace(inventory, players=players, households=households)
