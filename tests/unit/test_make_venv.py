"""scripts/ensure-venv (what make demo, make test and make dist run first): an old Python is
refused with a way out, and a .venv made by another Python is rebuilt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-venv"


def ensure(python: str, venv: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(SCRIPT), python, str(venv), "dev"], cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "ENSURE_VENV_CHECK_ONLY": "1"},
                          capture_output=True, text=True, timeout=120, check=False)


def test_an_old_python_is_refused_with_a_way_out(tmp_path: Path) -> None:
    old = tmp_path / "python3"
    old.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.9.6" && exit 0\n'
                   'exit 1\n')  # like macOS's own python3: sys.version_info < (3, 10)
    old.chmod(0o755)
    result = ensure(str(old), tmp_path / ".venv", tmp_path)
    assert result.returncode == 1
    assert "3.10 or newer" in result.stderr and "Python 3.9.6" in result.stderr
    assert "python.org" in result.stderr and not (tmp_path / ".venv").exists()


def test_a_missing_python_is_named(tmp_path: Path) -> None:
    result = ensure("python3-that-does-not-exist", tmp_path / ".venv", tmp_path)
    assert result.returncode == 1 and "3.10 or newer" in result.stderr


def test_a_venv_of_another_python_is_rebuilt(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    other = venv / "bin" / "python"  # a venv python that is some other interpreter
    other.write_text("#!/bin/sh\necho '3.9.6 (default, Aug 2023) /Library/Developer/3.9'\n")
    other.chmod(0o755)
    result = ensure(sys.executable, venv, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "made with another Python" in result.stderr and not venv.exists()


def test_a_venv_of_the_same_python_is_kept(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    result = ensure(sys.executable, venv, tmp_path)
    assert result.returncode == 0 and "another Python" not in result.stderr
    assert (venv / "bin" / "python").exists()
