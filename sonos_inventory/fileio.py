"""Every file the tool reads or writes goes through here.

Reading: only regular files, opened without blocking (a FIFO or a device never hangs a read),
and never more than a cap, counted on the bytes actually read.
Writing: a regular file (or a missing one) is replaced atomically by a temporary file created
exclusively beside it (mode 0600, never through a planted symlink); an existing target that is
not a regular file (/dev/null, a FIFO, a terminal) is written in place, never replaced; `-` is
stdout. Folders the tool creates are 0700.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import UsageError
from .report.safe_text import for_terminal

STDOUT = "-"


def shown(path: object) -> str:
    """A path as it may be printed: no control characters, bounded."""
    return for_terminal(str(path), 200)


def kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def open_regular(path: Path, *, follow: bool = True) -> int:
    """A file descriptor on a regular file; UsageError (with the path) for anything else."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    if not follow:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise UsageError(f"{shown(path)}: is a symbolic link; refused") from None
        raise UsageError(f"cannot read {shown(path)}: {_reason(exc)}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UsageError(f"{shown(path)}: is {kind_of(mode)}, not a regular file; refused")
    return fd


def read_fd_limited(fd: int, limit: int, what: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise UsageError(f"{what}: larger than {limit:,} bytes; refused")


def read_limited(path: Path, limit: int, *, follow: bool = True) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; UsageError otherwise."""
    fd = open_regular(path, follow=follow)
    try:
        return read_fd_limited(fd, limit, shown(path))
    except OSError as exc:
        raise UsageError(f"cannot read {shown(path)}: {_reason(exc)}") from None
    finally:
        os.close(fd)


def unsafe_folder(path: Path) -> str | None:
    """Why a folder that holds private data (serial numbers, the network's layout) must not
    be used, or None: on POSIX it must be a real folder (not a link), owned by this user, and
    writable by nobody else. Windows relies on the profile's access control. A folder that does
    not exist yet is fine (it will be made private)."""
    if os.name != "posix":
        return None
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{shown(path)}: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return f"{shown(path)} is a link (links are not followed for private data)"
    if not stat.S_ISDIR(info.st_mode):
        return f"{shown(path)} is not a folder"
    if info.st_uid != os.geteuid():
        return f"{shown(path)} belongs to another user"
    if info.st_mode & 0o022:
        return f"{shown(path)} is writable by other users"
    return None


def make_private_dir(path: Path) -> None:
    """mkdir -p with 0700 for every folder created (the history holds serial numbers), never
    through a link; UsageError when the folder exists but is not private (unsafe_folder)."""
    missing = []
    current = path
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    problem = unsafe_folder(path)
    if problem:
        raise UsageError(f"not used: {problem}")
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))


# ---- writing ----


def is_stdout(path: Path | None) -> bool:
    return path is not None and str(path) == STDOUT


def check_target(path: Path, option: str) -> None:
    """Before a scan: can `path` be written? UsageError with one line if not (nothing sent yet)."""
    if is_stdout(path):
        return
    path = path.expanduser()
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"{option} {shown(path)}: {_reason(exc)}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"{option} {shown(path)}: is a folder; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} {shown(path)}: not writable")
        return  # written in place
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {shown(path)}: the folder {shown(folder)} does not exist")
    try:
        fd, probe = tempfile.mkstemp(prefix=".sonos-inventory-probe-", dir=folder)
    except OSError as exc:
        raise UsageError(f"{option} {shown(path)}: cannot write in {shown(folder)}: "
                         f"{_reason(exc)}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def _write_in_place(path: Path, data: bytes) -> None:
    """An existing FIFO, device or terminal: opened for writing, never replaced or truncated.
    Non-blocking open: a FIFO nobody reads fails at once (ENXIO) instead of hanging."""
    import fcntl  # POSIX only; Windows has no FIFOs or device nodes to write in place

    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):  # swapped since we looked
            raise OSError(errno.EEXIST, "changed while writing", str(path))
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Replace a regular file (or create one) with `data`, mode 0600, via an exclusive temp file."""
    write_chunks_atomically(path, (data,))


def write_chunks_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    """write_bytes_atomically for data made piece by piece: one piece in memory at a time."""
    path = path.expanduser()
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_output(path: Path, data: bytes) -> None:
    """Write a result where the user asked: stdout for `-`, in place for a FIFO/device/terminal,
    atomically (0600) otherwise. Raises OSError when it cannot."""
    write_output_chunks(path, (data,))


def write_output_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """write_output for a result made piece by piece (the fleet view): stdout and a regular
    file get one piece at a time; a FIFO, device or terminal gets the whole in one write."""
    if is_stdout(path):
        sys.stdout.flush()
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    path = path.expanduser()
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(path, b"".join(chunks))
    else:
        write_chunks_atomically(path, chunks)


def save_elsewhere(data: bytes, name: str) -> Path:
    """Where a result goes when its target failed: a new 0600 file in the temporary folder."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[-64:] or "result"
    fd, tmp = tempfile.mkstemp(prefix="sonos-inventory-", suffix=f"-{safe}")
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)
    return Path(tmp)
