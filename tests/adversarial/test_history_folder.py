"""The scan history is private (issue 18): its folder is created 0700 without following links,
and an existing one that is a link, another user's, or writable by others is not used. Saving
skips it with a one-line warning (the scan's exit code stays); `history`, `history --clear` and
`diff` that would read it refuse with one line and exit 2; `diff A B` of two files goes on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonos_inventory import history
from sonos_inventory.cli import cli, with_history
from sonos_inventory.report.context import ReportContext
from sonos_inventory.report.render_json import render_json

from ..helpers import inventory_of


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SONOS_INVENTORY_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return tmp_path / "home" / "history"


def as_link(folder: Path) -> None:
    target = folder.parent.parent / "planted"
    target.mkdir()
    folder.symlink_to(target)


def shared(folder: Path) -> None:
    folder.mkdir()
    folder.chmod(0o777)


def foreign(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)  # nobody's


SPOILERS: dict[str, Callable[[Path], None]] = {"link": as_link, "shared": shared}
if os.name == "posix" and os.geteuid() == 0:
    SPOILERS["foreign"] = foreign


def test_a_new_history_folder_is_private(home: Path) -> None:
    with_history(inventory_of("healthy-s2"), ReportContext(), save=True)
    assert oct(home.stat().st_mode & 0o777) == "0o700"
    assert len(history.scans()) == 1


@pytest.mark.parametrize("spoil", sorted(SPOILERS))
def test_an_unsafe_history_folder_is_not_used(home: Path, tmp_path: Path, spoil: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    SPOILERS[spoil](home)
    with_history(inventory_of("healthy-s2"), ReportContext(), save=True)
    err = capsys.readouterr().err
    assert "scan history not" in err and "not used" in err and "Traceback" not in err
    if spoil == "link":
        assert not list((tmp_path / "planted").iterdir())  # nothing written through the link
    runner = CliRunner()
    for command in (["history"], ["history", "--format", "json"], ["history", "--clear", "--yes"],
                    ["diff"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 2, (command, result.output)
        assert "not used" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    before, after = tmp_path / "a.json", tmp_path / "b.json"
    before.write_text(render_json(inventory_of("healthy-s2")))
    after.write_text(render_json(inventory_of("healthy-s2")))
    assert runner.invoke(cli, ["diff", str(before), str(after)]).exit_code == 0


@pytest.mark.parametrize("fmt", ["table", "html", "json"])
def test_stdout_output_with_open_writes_no_file_here(tmp_path: Path, fmt: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    saved = tmp_path / "scan.json"
    saved.write_text(render_json(inventory_of("healthy-s2")))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("SONOS_INVENTORY_NO_BROWSER", "1")
    result = CliRunner().invoke(cli, ["analyze", str(saved), "-f", fmt, "-o", "-", "--open"])
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []  # neither ./- nor ./-.html
    opened = Path(result.stderr.split("Open ", 1)[1].split(" in your browser")[0])
    assert opened.name.startswith("sonos-report-") and opened.suffix == ".html"
    assert oct(opened.stat().st_mode & 0o777) == "0o600" and "<html" in opened.read_text()
    opened.unlink()
