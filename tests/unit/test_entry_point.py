"""The command's entry point: Ctrl-C while the modules load is one line and exit 130."""

from __future__ import annotations

import sys
import types

import pytest

import sonos_inventory
from sonos_inventory import __main__ as entry


class _Loading(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        raise KeyboardInterrupt  # as if Ctrl-C arrived while the command's modules import


def test_ctrl_c_while_the_modules_load(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "sonos_inventory.cli", _Loading("sonos_inventory.cli"))
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "Interrupted.\n"


def test_the_package_import_is_light_and_names_resolve() -> None:
    """`import sonos_inventory` loads only the package and its version: nothing heavy (the
    scanner, soco, zeroconf, click, jsonschema) until a name is used. Checked in a fresh
    interpreter, where nothing else has imported them already."""
    import subprocess

    probe = ("import sys, sonos_inventory; print(' '.join(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('sonos_inventory', 'soco', 'zeroconf', 'click', "
             "'jsonschema', 'tabulate', 'defusedxml'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60).stdout.split()
    assert loaded == ["sonos_inventory", "sonos_inventory.version"], loaded
    assert set(sonos_inventory.__all__) >= {"scan", "analyze", "load", "to_json", "Inventory"}
    for name in sonos_inventory.__all__:
        assert getattr(sonos_inventory, name) is not None
    assert "scan" in dir(sonos_inventory)
