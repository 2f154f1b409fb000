"""The command line (`sonos-inventory`), a layer over the API: common.py has the group, the entry
point and the output options; scanning.py and files.py the commands."""

from . import files, scanning  # noqa: F401  (importing them registers their commands)
from .common import InputError, cli, load_input, load_inventory, main, with_history

__all__ = ["InputError", "cli", "load_input", "load_inventory", "main", "with_history"]
