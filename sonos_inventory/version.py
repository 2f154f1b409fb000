"""The package version, from its installed metadata (one place; the package root re-exports it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sonos-inventory")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
