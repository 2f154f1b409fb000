"""The inventory JSON Schema's enums, made from the model and the registered rules: one source.

`render_json.schema()` puts them into the schema it validates with, so the tool's own files can
never be refused for a value the model has (a new rule, a new error kind). The shipped
`data/inventory.schema.json` has them written out for other readers; a test proves it equal,
and `scripts/update-schema` writes it.
"""

from __future__ import annotations

from typing import Any

from ..analyze.connection import BANDS, CONNECTIONS
from ..analyze.labels import LABEL_BASES
from ..analyze.releases import Standing
from ..analyze.verdict import RULE_IDS
from ..analyze.versions import Branch
from ..model import ErrorKind, Likelihood, Method, Role, Severity, Track

PLAYER = ("properties", "players", "items", "properties")
PROBLEM_KIND = ("items", "properties", "kind")

ENUMS: dict[tuple[str, ...], list[Any]] = {
    ("properties", "scan", "properties", "methods", "items"): [m.value for m in Method],
    ("properties", "households", "items", "properties", "tracks", "items"):
        [t.value for t in Track if t is not Track.UNKNOWN],
    ("properties", "households", "items", "properties", "topology_error", "oneOf", "0",
     "properties", "kind"): [k.value for k in ErrorKind],
    (*PLAYER, "track"): [t.value for t in Track],
    (*PLAYER, "role"): [r.value for r in Role],
    (*PLAYER, "discovered_via", "items"): [m.value for m in Method],
    (*PLAYER, "errors", *PROBLEM_KIND): [k.value for k in ErrorKind],
    (*PLAYER, "connection"): list(CONNECTIONS),
    (*PLAYER, "release_label_basis"): list(LABEL_BASES),
    (*PLAYER, "branch"): [b.value for b in Branch] + [None],
    (*PLAYER, "release_standing"): [s.value for s in Standing] + [None],
    (*PLAYER, "wifi_band"): [*BANDS, None],
    ("properties", "unidentified", "items", "properties", "discovered_via", "items"):
        [m.value for m in Method],
    ("properties", "unidentified", "items", "properties", "errors", *PROBLEM_KIND):
        [k.value for k in ErrorKind],
    ("properties", "findings", "items", "properties", "rule"): list(RULE_IDS),
    ("properties", "findings", "items", "properties", "severity"): [s.value for s in Severity],
    ("properties", "verdict", "properties", "error_803"): [v.value for v in Likelihood],
}
"""Where each enum sits in the schema (a path of keys), and its values."""


def _node(document: Any, path: tuple[str, ...]) -> dict[str, Any]:
    node = document
    for key in path:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if not isinstance(node, dict):
        raise KeyError("/".join(path))
    return node


def with_model_enums(document: dict[str, Any]) -> dict[str, Any]:
    """The schema document with every enum of ENUMS set from the model (in place)."""
    for path, values in ENUMS.items():
        _node(document, path)["enum"] = list(values)
    return document


def enums_in(document: dict[str, Any]) -> dict[tuple[str, ...], list[Any]]:
    """The enums the document has at ENUMS' places (a test compares them with ENUMS)."""
    return {path: list(_node(document, path).get("enum", [])) for path in ENUMS}
