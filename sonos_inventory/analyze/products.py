"""The product table (package data `data/products.json`): which models can run S1 and S2, and why.

Every row names its source (docs/sonos-facts.md §4). A model missing from the table is
S2-capable only when it shows it (it runs S2, or its minCompatibleVersion is on the S2 track);
one that runs S1 is `None`: it may be an S1-only product the table does not know, and nothing
it reports tells.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .versions import LAST_S1_MAJOR, parse_build

GEN1_CONNECT_MODELS = frozenset({"ZP90", "ZP120"})
GEN1_CONNECT_MEMORY_MB = 32
"""ZP90/ZP120 with 32 MB are Connect / Connect:Amp gen 1 (S1 only); gen 2 has more (openphonos)."""


HARDWARE_FAMILIES: dict[int, tuple[bool | None, str]] = {
    5: (False, "Bridge (LINK)"),
    8: (True, "Play:3 / Play:1"),
    9: (True, "Playbar (LIMELIGHT)"),
    12: (True, "Boost"),
    13: (True, "Play:5 gen 2"),
    16: (False, "Connect / Connect:Amp gen 1 (WEMBLEY)"),
    20: (True, "Play:1 (S12)"),
    22: (True, "Connect gen 2 (S15)"),
    23: (True, "Beam"),
    26: (True, "One gen 2 (TUPELO)"),
    28: (True, "One SL"),
}
"""The second field of `hardwareVersion` (`1.16.5.5-2`: family 16) names the hardware family
(sonos-facts §1, §7: real captures and the firmware archive's model map). True: can run S2;
False: S1 only. Family 17 (CONNECTX) is S2-capable only for submodels 3 and 5 (§3)."""


def hardware_family(hardware_version: str | None) -> tuple[bool | None, str] | None:
    """What the hardware version says about S2 capability, or None when it says nothing."""
    fields = (hardware_version or "").strip().split("-")[0].split(".")
    if len(fields) < 3 or not all(f.isdigit() and len(f) <= 4 for f in fields[1:3]):
        return None
    family, submodel = int(fields[1]), int(fields[2])
    if family == 17:
        if submodel in (3, 5):
            return True, f"Connect family submodel 17.{submodel} (CONNECTX)"
        return None
    return HARDWARE_FAMILIES.get(family)


@dataclass(frozen=True)
class Product:
    model_number: str
    name: str
    s1: bool
    s2: bool
    source: str
    note: str = ""


@dataclass(frozen=True)
class Capability:
    """Whether a player can run S2 (None: cannot tell), the product name, and the basis."""

    s2_capable: bool | None
    product: str | None
    basis: str
    known_model: bool


@cache
def product_table() -> dict[str, Product]:
    raw = json.loads(
        resources.files("sonos_inventory").joinpath("data/products.json").read_text("utf-8")
    )
    table: dict[str, Product] = {}
    for row in raw["products"]:
        for number in row["model_numbers"]:
            table[number.upper()] = Product(
                model_number=number,
                name=row["name"],
                s1=row["s1"],
                s2=row["s2"],
                source=row["source"],
                note=row.get("note", ""),
            )
    return table


def capability(
    model_number: str | None,
    memory_mb: int | None,
    hardware_version: str | None,
    min_compatible_version: str | None,
    runs_s2: bool,
    runs_s1: bool = False,
) -> Capability:
    """Can this player run S2? Decided from the model table, with the gen-1 Connect tie-break."""
    number = (model_number or "").strip().upper()
    product = product_table().get(number)
    if product and number in GEN1_CONNECT_MODELS:
        return _connect_generation(number, memory_mb, hardware_version, runs_s2)
    if product and not runs_s2:
        said = hardware_family(hardware_version)
        if said is not None and said[0] is not None and said[0] != product.s2:
            return Capability(
                None, product.name,
                f"facts disagree: model {number} is {product.name} ("
                + ("S1 and S2 capable" if product.s2 else "S1 only")
                + f", {product.source}), but hardware version {hardware_version} is family "
                f"{said[1]} (" + ("S1 and S2 capable" if said[0] else "S1 only")
                + "): cannot tell; ask Sonos support with the serial number", True)
    if product:
        basis = f"{product.name} ({number}) is " + (
            "S1 and S2 capable" if product.s1 and product.s2
            else "S2 only" if product.s2 else "S1 only"
        ) + f" [{product.source}]"
        return Capability(product.s2, product.name, basis, True)
    if runs_s2:
        return Capability(True, None, "it runs S2 now", False)
    minimum = parse_build(min_compatible_version)
    if minimum and minimum.major > LAST_S1_MAJOR:
        return Capability(
            True, None,
            f"unknown model; minCompatibleVersion {min_compatible_version} is on the S2 track",
            False,
        )
    if number:
        # Not in the table, and it runs S1 (or we cannot tell what it runs): a product that is
        # missing from the table could be an S1-only one we never heard of, so nobody can tell
        # from what it reports whether it can run S2.
        return Capability(
            None, None,
            f"unknown model {number} on {'S1' if runs_s1 else 'an unknown track'}: not in the "
            "product table, so whether it can run S2 cannot be told from what it reports",
            False,
        )
    return Capability(None, None, "model number not known", False)


def _connect_generation(
    number: str, memory_mb: int | None, hardware_version: str | None, runs_s2: bool
) -> Capability:
    name = "Connect" if number == "ZP90" else "Connect:Amp"
    hw = (hardware_version or "").strip()
    hw_family = hw.split(".")[1] if hw.count(".") >= 2 else ""
    if runs_s2:
        return Capability(True, f"{name} (gen 2)", "it runs S2 now, so it is gen 2", True)
    if memory_mb is not None and hw_family in ("16", "17"):
        memory_gen1 = memory_mb == GEN1_CONNECT_MEMORY_MB
        if memory_gen1 != (hw_family == "16"):
            return Capability(
                None, name,
                f"facts disagree: {number} with {memory_mb} MB memory is {name} "
                f"{'gen 1 (S1 only)' if memory_gen1 else 'gen 2 (S1 and S2 capable)'}, but "
                f"hardware version {hw} (family {hw_family}) is "
                f"{'gen 1 (S1 only)' if hw_family == '16' else 'gen 2 (S1 and S2 capable)'}: "
                "cannot tell; ask Sonos support with the serial number", True)
    if memory_mb is not None:
        if memory_mb == GEN1_CONNECT_MEMORY_MB:
            basis = f"{number} with {memory_mb} MB memory is {name} gen 1 (S1 only)"
            if hw_family == "16":
                basis += f"; hardware version {hw} (family 16) agrees"
            return Capability(False, f"{name} (gen 1)", basis, True)
        return Capability(
            True, f"{name} (gen 2)",
            f"{number} with {memory_mb} MB memory is {name} gen 2 (S1 and S2 capable)", True,
        )
    if hw_family == "16":
        return Capability(
            False, f"{name} (gen 1)", f"hardware version {hw} (family 16) is {name} gen 1", True
        )
    if hw_family == "17":
        return Capability(
            True, f"{name} (gen 2)", f"hardware version {hw} (family 17) is {name} gen 2", True
        )
    return Capability(
        None, name, f"{number} without memory or hardware version: gen 1 or gen 2 unknown", True
    )
