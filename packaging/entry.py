"""Entry point of the single-file build (PyInstaller runs this as __main__)."""

from sonos_inventory.cli import main

main()
