"""The first hour of a new user: --open, output that fits the terminal, UTF-8 whatever the
console, help that lists what there is, a demo hint that works where the demo ran."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonos_inventory import console
from sonos_inventory.cli import cli
from sonos_inventory.cli import common as cli_module
from sonos_inventory.emulator.server import Emulator
from sonos_inventory.report.table_fit import display_width
from sonos_inventory.scenario.builtin import SCENARIOS, describe, write_scenario

pytestmark = pytest.mark.integration


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []

    def record(path: Path) -> bool:
        calls.append(path)
        return True

    monkeypatch.setattr(console, "open_in_browser", record)
    return calls


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_scan_open_writes_the_html_next_to_output(emulate: Callable[..., Emulator],
                                                  opened: list[Path], tmp_path: Path) -> None:
    emulate("healthy-s2")
    target = tmp_path / "inventory.json"
    code, out, err = invoke("scan", "--interface-addr", "127.0.0.1", "--no-mdns",
                            "--no-history", "-f", "json", "-o", str(target), "--open")
    assert code == 0 and out == ""
    html = tmp_path / "inventory.html"
    assert opened == [html]
    assert html.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert f"Opened {html}" in err


def test_analyze_open_of_an_html_output_opens_that_file(opened: list[Path],
                                                        tmp_path: Path) -> None:
    source = Path(__file__).resolve().parent.parent / "golden" / "error-803.json"
    target = tmp_path / "report.html"
    code, _out, _err = invoke("analyze", str(source), "-f", "html", "-o", str(target), "--open")
    assert code == 1
    assert opened == [target] and "<!DOCTYPE html>" in target.read_text("utf-8")


def test_demo_open_without_output_uses_a_temporary_file(opened: list[Path]) -> None:
    code, out, _err = invoke("demo", "--scenario", "healthy-s2", "--open")
    assert code == 0 and "Household 1" in out  # stdout keeps the table
    (path,) = opened
    try:
        assert path.suffix == ".html" and "Living Room" in path.read_text("utf-8")
    finally:
        path.unlink()


def test_open_with_a_browser_script(tmp_path: Path) -> None:
    """The real path: the webbrowser module runs what BROWSER names."""
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/opened.txt"\n')
    browser.chmod(0o755)
    env = {**os.environ, "BROWSER": str(browser), "SONOS_INVENTORY_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "sonos_inventory", "demo", "-f", "markdown",
                             "-o", str(tmp_path / "r.md"), "--open"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "opened.txt").read_text().split() == [(tmp_path / "r.html").as_uri()]


def test_table_fits_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = invoke("demo")
    assert code == 1
    assert max(display_width(line) for line in out.splitlines()) <= 80
    assert "Not shown at this width" in out


def test_piped_output_keeps_the_full_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    _code, out, _ = invoke("demo")
    header = next(line for line in out.splitlines() if line.startswith("  Room"))
    assert header.split()[-1] == "Answered" and "Not shown" not in out


def test_japanese_room_on_a_legacy_code_page_console(tmp_path: Path) -> None:
    """A Windows console redirected to a file gets the ANSI code page; stdout is UTF-8 anyway."""
    scenario = write_scenario("healthy-s2", tmp_path / "scenario")
    for path in scenario.rglob("*.xml"):
        path.write_text(path.read_text("utf-8").replace("Living Room", "リビング"), "utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "SONOS_INVENTORY_HOME": str(tmp_path)}
    env.pop("COLUMNS", None)
    result = subprocess.run([sys.executable, "-m", "sonos_inventory", "demo", "--scenario",
                             str(scenario)], env=env, capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert "リビング" in result.stdout.decode("utf-8")
    assert b"Traceback" not in result.stderr


def test_force_utf8_replaces_what_cannot_be_encoded(tmp_path: Path) -> None:
    import io

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    console.force_utf8(stream)
    stream.write("寝室 \udcff")  # a lone surrogate (an undecodable file name) included
    stream.flush()
    assert raw.getvalue() == "寝室 ?".encode()


def test_demo_help_lists_every_scenario() -> None:
    _code, out, _ = invoke("demo", "--help")
    for name in SCENARIOS:
        line = next(line for line in out.splitlines() if line.strip().startswith(name + " "))
        assert describe(name).split()[0] in line
    _code, out, _ = invoke("emulate", "--help")
    assert all(name in out for name in SCENARIOS)


def test_scan_help_ends_with_examples() -> None:
    _code, out, _ = invoke("scan", "--help")
    tail = out[out.index("Examples:"):]
    assert "Options:" not in tail and "--host" in tail
    assert out.rstrip().splitlines()[-1].strip().startswith("sonos-inventory guide")


def test_demo_hint_runs_the_demo_again_never_a_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "program_name", lambda: ".venv/bin/sonos-inventory")
    _code, out, _ = invoke("demo", "--scenario", "split-s1-s2")
    hint = out[out.rindex("Next, in this demo"):]
    assert ".venv/bin/sonos-inventory demo --scenario split-s1-s2 --open" in hint
    assert " scan" not in hint
    assert cli_module.demo_hint("error-803")[1].endswith("demo --open")


def test_program_name_is_the_path_it_was_started_by(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    program = tmp_path / "bin" / "sonos-inventory"
    program.parent.mkdir()
    program.write_text("")
    monkeypatch.setattr(sys, "argv", [str(program)])
    monkeypatch.setenv("PATH", "/nonexistent")
    assert console.program_name() == str(program)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(program.parent))
    assert console.program_name() == "sonos-inventory"


def test_documents_folder_and_colour_follow_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(console.ENV_DOCUMENTS, str(tmp_path))
    assert console.documents_dir() == tmp_path

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert console.colour_enabled(Tty())  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not console.colour_enabled(Tty())  # type: ignore[arg-type]


def test_no_browser_on_a_linux_console_without_a_display(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert console.open_in_browser(tmp_path / "r.html") is False


@pytest.mark.slow  # three shells' completion scripts, each in a subprocess
def test_shell_completion_as_documented(tmp_path: Path) -> None:
    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(cword),
               "_SONOS_INVENTORY_COMPLETE": "bash_complete"}
        result = subprocess.run([sys.executable, "-c", "from sonos_inventory.cli import main; "
                                 "main()"], env=env, capture_output=True, text=True,
                                timeout=60, check=False, cwd=tmp_path)
        return result.stdout.split()

    assert "plain,scan" in complete("sonos-inventory sc", 1)
    assert "plain,guide" in complete("sonos-inventory gu", 1)
    assert "plain,markdown" in complete("sonos-inventory scan --format ", 3)
    env = {**os.environ, "_SONOS_INVENTORY_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-c", "from sonos_inventory.cli import main; main()"],
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "_sonos_inventory_completion()" in script.stdout


def test_an_unexpected_error_in_the_guide_waits_before_closing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sonos_inventory import guide

    def broken(_self: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(guide.Guide, "run", broken)
    result = CliRunner().invoke(cli, ["guide"], input="\n", catch_exceptions=False)
    assert result.exit_code == 2
    assert "Something went wrong: RuntimeError: disk on fire" in result.stdout
    assert result.stdout.rstrip().endswith("Press Enter to close this window.")
