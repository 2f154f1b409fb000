"""A support bundle's `raw/` part back into a scenario folder (what `demo --scenario`,
`emulate` and a replay serve). The member names were checked when the bundle was read
(report/bundle.py read_members); here nothing may land outside the target either."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from ..fileio import make_private_dir
from ..jsonin import echo


def extract_raw(files: dict[str, bytes], target: Path) -> Path:
    """Unpack raw/ files into a new folder (a scenario directory the emulator can serve).
    Names were checked by read_members; each file is created exclusively, folders 0700."""
    make_private_dir(target)
    root = target.resolve()
    for name, data in files.items():
        destination = (target / name).resolve()
        if root not in destination.parents:
            raise UsageError(f"bundle member raw/{echo(name)} would leave its folder; refused")
        make_private_dir(destination.parent)
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
    return target
