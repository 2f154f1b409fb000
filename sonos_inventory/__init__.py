"""sonos-inventory: find every Sonos product on the LAN and explain S1/S2 update conflicts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sonos-inventory")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
