"""The guided scan's decisions, driven line by line without a terminal or a network: what it
scans, what it says, what it saves and opens (the end-to-end run is tests/integration)."""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from sonos_inventory import api
from sonos_inventory.guide import Guide, Terminal
from sonos_inventory.model import Inventory, Method, ScanObservations
from sonos_inventory.report.context import ReportContext
from sonos_inventory.scan import Progress, ScanOptions

from ..conftest import SCENARIOS
from ..helpers import inventory_of, observe

NOTHING = ScanObservations("2026-11-25T10:00:00Z", "2026-11-25T10:00:01Z", (Method.SSDP,),
                           (), (), ())


class Script:
    """Answers given one line at a time; everything written is kept."""

    def __init__(self, *answers: str) -> None:
        self.answers = [a + "\n" for a in answers]
        self.out: list[str] = []

    def terminal(self, width: int | None = 80) -> Terminal:
        def read_line() -> str:
            line = self.answers.pop(0) if self.answers else ""
            self.out.append(line)  # a terminal echoes what is typed
            return line

        return Terminal(read_line, self.out.append, colour=False, width=width)

    @property
    def text(self) -> str:
        return "".join(self.out)


class Fakes:
    def __init__(self, tmp_path: Path, found_at: str | None = "192.168.1.21") -> None:
        self.scans: list[ScanOptions] = []
        self.opened: list[Path] = []
        self.history: list[Inventory] = []
        self.documents = tmp_path / "Documents"
        self.fallbacks = [tmp_path / "Desktop", tmp_path / "tmp"]
        self.found_at = found_at

    def scanner(self, options: ScanOptions, progress: Callable[[Progress], None]
                ) -> tuple[Inventory, ScanObservations]:
        self.scans.append(options)
        hosts = [s.endpoint.host for s in options.hosts]
        if self.found_at is not None and self.found_at in hosts:
            return inventory_of("error-803"), observe(SCENARIOS / "error-803")
        return api.inventory_from(NOTHING), NOTHING

    def save_history(self, inventory: Inventory, context: ReportContext) -> ReportContext:
        self.history.append(inventory)
        return context

    def guide(self, script: Script, platform: str = "linux") -> Guide:
        return Guide(script.terminal(), scanner=self.scanner, open_browser=self.open,
                     documents=lambda: [self.documents, *self.fallbacks],
                     save_history=self.save_history,
                     platform=platform, now=lambda: datetime(2026, 11, 25, 10, 30))

    def open(self, path: Path) -> bool:
        self.opened.append(path)
        return True


def test_nothing_found_then_an_ip_saves_and_opens_the_report(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    script = Script("", "not an ip", "192.168.1.21", "12ab", "7654321", "")
    code = fakes.guide(script).run()
    assert code == api.EXIT_CONFLICT
    default, typed = fakes.scans
    assert default == ScanOptions()  # the ordinary search first
    assert [s.endpoint.host for s in typed.hosts] == ["192.168.1.21"]
    assert not typed.use_ssdp and not typed.use_mdns and not typed.networks  # only that address
    text = script.text
    assert "changes nothing on your speakers" in text
    assert "'not an ip' is not an IP address" in text
    assert "About My System" in text
    assert "'12ab' is not a diagnostic number" in text
    assert "(software-track conflict): Likely" in text
    folder = fakes.documents / "sonos-inventory-2026-11-25"
    html, bundle = folder / "sonos-report.html", folder / "sonos-support-bundle.zip"
    assert fakes.opened == [html]
    assert "7654321" in html.read_text("utf-8")
    with zipfile.ZipFile(bundle) as archive:
        assert "report.html" in archive.namelist()
    assert str(folder.resolve()) in text  # the folder in full, then the files by name
    assert f"- {html.name}: the report" in text and f"- {bundle.name}: the support" in text
    assert text.rstrip().endswith("Press Enter to close this window.")
    assert len(fakes.history) == 1


def test_a_second_run_the_same_day_keeps_the_first_report(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    for _ in range(2):
        fakes.guide(Script("", "192.168.1.21", "", "")).run()
    folder = fakes.documents / "sonos-inventory-2026-11-25"
    assert sorted(p.name for p in folder.iterdir()) == [
        "sonos-report-2.html", "sonos-report.html", "sonos-support-bundle-2.zip",
        "sonos-support-bundle.zip"]


@pytest.mark.parametrize(("platform", "reason"), [
    ("darwin", "Local Network"), ("win32", "Firewall"), ("linux", "firewall")])
def test_nothing_found_says_why_for_this_system(tmp_path: Path, platform: str,
                                                reason: str) -> None:
    fakes = Fakes(tmp_path, found_at=None)
    script = Script("", "", "q")
    code = fakes.guide(script, platform).run()
    assert code == api.EXIT_INCOMPLETE
    assert reason in script.text and "VPN" in script.text and "guest Wi-Fi" in script.text
    assert len(fakes.scans) == 2  # Enter searched again
    assert not fakes.documents.exists() and not fakes.history and not fakes.opened
    # a double-clicked window stays open until the person has read it
    assert script.text.rstrip().endswith("Press Enter to close this window.")


def test_end_of_input_stops_without_scanning(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    assert fakes.guide(Script()).run() == api.EXIT_OK
    assert fakes.scans == []


def test_end_of_input_after_nothing_found_saves_nothing(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path, found_at=None)
    script = Script("")
    assert fakes.guide(script).run() == api.EXIT_INCOMPLETE
    assert not fakes.documents.exists() and not fakes.history


def test_a_browser_that_cannot_start_is_not_an_error(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    guide = fakes.guide(script := Script("", "192.168.1.21", "", ""))
    guide.open_browser = lambda _path: False
    assert guide.run() == api.EXIT_CONFLICT
    assert "double-click it in that folder" in script.text


def test_prose_is_wrapped_to_the_terminal(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path, found_at=None)
    script = Script("", "q")
    guide = fakes.guide(script)
    guide.terminal = script.terminal(width=60)
    guide.run()
    for line in script.text.splitlines():
        assert len(line) <= 60 or " " not in line.strip(), line


def test_a_healthy_system_is_not_told_to_stop_updating(tmp_path: Path) -> None:
    from sonos_inventory import guide_text

    paths = (tmp_path, tmp_path / "r.html", tmp_path / "b.zip")
    assert "Do not retry" in guide_text.saved(*paths, opened=True, conflict=True)
    healthy = guide_text.saved(*paths, opened=True, conflict=False)
    assert "Do not retry" not in healthy and "No software-track conflict" in healthy


@pytest.mark.parametrize("spoil", ["a-file", "shared-folder", "planted-link"])
def test_the_report_is_never_lost_when_documents_cannot_be_used(tmp_path: Path,
                                                                spoil: str) -> None:
    fakes = Fakes(tmp_path)
    day = "sonos-inventory-2026-11-25"
    (tmp_path / "elsewhere").mkdir()
    if spoil == "a-file":  # Documents is not a folder (or cannot be written)
        fakes.documents.write_text("not a folder")
    elif spoil == "shared-folder":  # another user's, or anyone's, folder: not private
        (fakes.documents / day).mkdir(parents=True)
        (fakes.documents / day).chmod(0o777)
    else:  # a link planted where the folder would be
        fakes.documents.mkdir()
        (fakes.documents / day).symlink_to(tmp_path / "elsewhere")
    script = Script("", "192.168.1.21", "", "")
    fakes.guide(script).run()
    saved = fakes.fallbacks[0] / day
    assert (saved / "sonos-report.html").is_file()
    assert (saved / "sonos-support-bundle.zip").is_file()
    assert oct(saved.stat().st_mode & 0o777) == "0o700"
    assert "Trying the next place" in script.text and str(saved) in script.text
    assert not list((tmp_path / "elsewhere").iterdir())
    assert len(fakes.history) == 1  # the history entry is kept


def test_the_report_folder_is_private(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    fakes.guide(Script("", "192.168.1.21", "", "")).run()
    folder = fakes.documents / "sonos-inventory-2026-11-25"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_the_owners_screen_names_no_protocols_and_no_raw_household_ids(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    script = Script("", "192.168.1.21", "", "")
    fakes.guide(script).run()
    screen = script.text
    assert "Household 1: Sonos system" in screen
    assert "Sonos_FixtureErrorEightZeroThree01" not in screen.split("Saved in this folder")[0]
    assert "ssdp" not in screen.lower() and "mdns" not in screen.lower()
    assert "household(s)" not in screen and "1 household" in screen


def test_the_saved_report_says_to_attach_the_bundle_beside_it(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    script = Script("", "192.168.1.21", "", "")
    fakes.guide(script).run()
    html = (fakes.documents / "sonos-inventory-2026-11-25" / "sonos-report.html").read_text()
    assert "sonos-support-bundle.zip (in the same folder)" in html
    assert "Markdown or JSON" not in html
    assert "support.sonos.com" in html and "support.sonos.com" in script.text
    assert "sonos.com/support" not in html + script.text


def _ends_early(lines: list[str], width: int) -> list[str]:
    """Lines that end although the next line's first word would have fit on them, within one
    paragraph (the next line is a continuation: indented deeper or at the same level, not a
    new item, not blank)."""
    early = []
    for line, following in itertools.pairwise(lines):
        if not line.strip() or not following.strip() or following.lstrip().startswith("- "):
            continue
        if line.rstrip().endswith(":") or following.lstrip().startswith(("/", "C:")):
            continue
        lead = len(line) - len(line.lstrip())
        follow_lead = len(following) - len(following.lstrip())
        if follow_lead < lead or (follow_lead == lead and lead > 0):
            continue  # a new item, not a continuation
        word = following.split()[0]
        if len(line) + 1 + len(word) <= width:
            early.append(line)
    return early


@pytest.mark.parametrize("width", [60, 80, 120])
def test_every_guide_screen_is_wrapped_once(width: int) -> None:
    from sonos_inventory import guide_text
    from sonos_inventory.guide import Terminal

    screens = [guide_text.INTRO, guide_text.WHERE_IS_THE_IP, guide_text.DIAGNOSTIC_HELP,
               *(guide_text.reasons_nothing_found(p) for p in ("darwin", "win32", "linux")),
               guide_text.saved(Path("/tmp/x"), Path("/tmp/x/r.html"), Path("/tmp/x/b.zip"),
                                True)]
    for screen in screens:
        written: list[str] = []
        Terminal(lambda: "", written.append, False, width).say(screen)
        lines = "".join(written).splitlines()
        assert all(len(line) <= width for line in lines if " " in line.strip()), lines
        assert not _ends_early(lines, width), (width, _ends_early(lines, width))


def test_one_ctrl_c_delivered_twice_is_one_keyboard_interrupt() -> None:
    """The single file's launcher forwards the SIGINT the terminal also sent: one press."""
    import os
    import signal

    from sonos_inventory import console

    previous = signal.getsignal(signal.SIGINT)
    interrupts = 0
    try:
        console.one_interrupt_per_press(window_s=5.0)
        for _ in range(2):
            try:
                os.kill(os.getpid(), signal.SIGINT)
                signal.pthread_sigmask(signal.SIG_BLOCK, [])  # lets the handler run here
            except KeyboardInterrupt:
                interrupts += 1
        assert interrupts == 1
        console.one_interrupt_per_press(window_s=0.0)  # a later press interrupts again
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            signal.pthread_sigmask(signal.SIG_BLOCK, [])
    finally:
        signal.signal(signal.SIGINT, previous)


CTRL_C = "<ctrl-c>"  # an answer that is a Ctrl-C at that prompt (see interrupting)


def interrupting(script: Script) -> Script:
    plain = script.terminal().read_line

    def read_line() -> str:
        if script.answers and script.answers[0] == CTRL_C + "\n":
            script.answers.pop(0)
            raise KeyboardInterrupt
        return plain()

    script.terminal = lambda width=80: Terminal(read_line, script.out.append,  # type: ignore
                                                colour=False, width=width)
    return script


@pytest.mark.parametrize("answers", [(CTRL_C,), ("", CTRL_C)])
def test_ctrl_c_before_a_finished_scan_saves_nothing(tmp_path: Path,
                                                     answers: tuple[str, ...]) -> None:
    fakes = Fakes(tmp_path)
    script = interrupting(Script(*answers))
    assert fakes.guide(script).run() == api.EXIT_INTERRUPTED
    assert script.text.rstrip().endswith("Stopped (Ctrl-C). Nothing was saved.")
    assert not fakes.documents.exists() and not fakes.opened and not fakes.history


def test_a_search_cut_short_by_ctrl_c_stops_the_guide(tmp_path: Path) -> None:
    """The scan catches Ctrl-C and returns what it has: the guide must not carry on to the
    table, the firewall advice or "nothing answered at"."""
    fakes = Fakes(tmp_path)
    cut = replace(observe(SCENARIOS / "error-803"), interrupted=True)

    def scanner(options: ScanOptions, progress: Callable[[Progress], None]
                ) -> tuple[Inventory, ScanObservations]:
        fakes.scans.append(options)
        return api.inventory_from(cut), cut

    fakes.scanner = scanner  # type: ignore[method-assign]
    script = Script("", "192.168.1.21", "", "")
    assert fakes.guide(script).run() == api.EXIT_INTERRUPTED
    assert len(fakes.scans) == 1
    for wrong in ("firewall", "No Sonos product answered", "Diagnostic number", "INCOMPLETE"):
        assert wrong not in script.text
    assert not fakes.documents.exists() and not fakes.history


def test_ctrl_c_at_the_diagnostic_prompt_saves_the_report_without_the_answer(
        tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    script = interrupting(Script("", "192.168.1.21", CTRL_C))
    assert fakes.guide(script).run() == api.EXIT_INTERRUPTED
    html = fakes.documents / "sonos-inventory-2026-11-25" / "sonos-report.html"
    assert html.is_file() and fakes.opened == [html] and len(fakes.history) == 1
    assert str(html.parent.resolve()) in script.text and html.name in script.text
    assert "Press Enter to close" not in script.text


def test_ctrl_c_at_the_closing_prompt_keeps_the_one_saved_report(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    script = interrupting(Script("", "192.168.1.21", "", CTRL_C))
    assert fakes.guide(script).run() == api.EXIT_INTERRUPTED
    assert script.text.rstrip().endswith("The report was saved (see above).")
    assert len(list((fakes.documents / "sonos-inventory-2026-11-25").glob("*.html"))) == 1
    assert len(fakes.history) == 1


def test_w_at_the_start_checks_saves_then_watches_until_aligned(tmp_path: Path) -> None:
    """Enter still starts the plain check (scripts keep working); w and Enter checks, saves
    the report first, then watches with the options that found the system."""
    fakes = Fakes(tmp_path)
    watched: list[ScanOptions] = []
    html = fakes.documents / "sonos-inventory-2026-11-25" / "sonos-report.html"

    def watcher(options: ScanOptions) -> int:
        assert html.is_file()  # the report is saved before the watch begins
        watched.append(options)
        return api.EXIT_OK

    script = Script("w", "192.168.1.21", "", "")
    guide = Guide(script.terminal(), scanner=fakes.scanner, open_browser=fakes.open,
                  documents=lambda: [fakes.documents], save_history=fakes.save_history,
                  now=lambda: datetime(2026, 11, 25, 10, 30), watcher=watcher)
    assert guide.run() == api.EXIT_OK
    assert [s.endpoint.host for s in watched[0].hosts] == ["192.168.1.21"]
    assert "Watching your Sonos products until every one is on one track" in script.text


def test_a_conflict_says_how_to_watch_the_fix_later(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    script = Script("", "192.168.1.21", "", "")
    guide = Guide(script.terminal(), scanner=fakes.scanner, open_browser=fakes.open,
                  documents=lambda: [fakes.documents], save_history=fakes.save_history,
                  now=lambda: datetime(2026, 11, 25, 10, 30), watcher=lambda o: 0)
    assert guide.run() == api.EXIT_CONFLICT
    assert 'run this again and choose "watch until aligned"' in " ".join(script.text.split())
