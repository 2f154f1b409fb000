"""The scenario folder: one LAN as files, the project's one format for a household's raw answers.

Everything about the format lives here: reading a folder safely (folder.py), writing one from a
description of players (synth.py), the built-in households (builtin.py), a scan's raw answers as
a folder (capture.py, the `raw/` part of a support bundle) and a bundle's `raw/` back into a
folder (extract.py). The emulator serves a loaded folder; reports and bundles write one; tests
build them. Layout (README, "The emulator and scenario folders"):

    SCENARIO/<household>/zone_group_state.xml, devices/<UUID>.xml, household_id, faults.json
"""
