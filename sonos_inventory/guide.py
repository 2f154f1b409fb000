"""The guided scan (`sonos-inventory guide`, or the bare command on a terminal): for a person
who double-clicked the downloaded file and knows no flags.

It reads every answer as one line from standard input, so a script can drive it. It scans only
what it was told: the default search, or the one address a person typed (with the same logic as
`scan --host`, and no other search). A scan that found nothing is never saved, in the history
or anywhere else.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import click

from . import api, console, guide_text
from .deliver import OutputRequest, deliver
from .errors import UsageError
from .fileio import make_private_dir, shown
from .model import Inventory, Likelihood, ScanObservations
from .report.context import ReportContext
from .scan import Progress, ScanOptions

MAX_ANSWER = 200  # characters kept of one typed line
_DIGITS = re.compile(r"[0-9]{1,20}")

Scanner = Callable[[ScanOptions, Callable[[Progress], None]],
                   tuple[Inventory, ScanObservations]]


def _scan(options: ScanOptions, on_progress: Callable[[Progress], None]
          ) -> tuple[Inventory, ScanObservations]:
    return api.run_scan(options, on_progress=on_progress)


def paragraphs(text: str) -> list[str]:
    """The text's logical lines: a prose line that goes on from the one before (not indented,
    not a list item, the one before neither indented nor ending in a colon) is joined to it."""
    out: list[str] = []
    for line in text.split("\n"):
        previous = out[-1] if out else ""
        if (line.strip() and previous.strip() and not line.startswith((" ", "-", "\t"))
                and not previous.startswith(" ") and not previous.rstrip().endswith(":")):
            out[-1] = previous.rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


@dataclass(frozen=True)
class Terminal:
    """Where the guide reads and writes; stdin/stdout unless a test gives others."""

    read_line: Callable[[], str]
    write: Callable[[str], None]
    colour: bool
    width: int | None

    @classmethod
    def standard(cls) -> Terminal:
        def write(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()

        return cls(sys.stdin.readline, write, console.colour_enabled(sys.stdout),
                   console.terminal_width(sys.stdout))

    def say(self, text: str = "") -> None:
        """Prose wrapped once, to the terminal's width: the texts' own line breaks inside a
        paragraph are joined first (they were written for reading the source), then each
        paragraph and list item is wrapped between words, list items indented."""
        from .report.table_fit import wrap

        out = []
        for line in paragraphs(text):
            lead = len(line) - len(line.lstrip(" "))
            indent = " " * (lead + (2 if line.lstrip(" ").startswith("- ") else 0))
            out.extend(wrap(line, self.width, indent))
        self.write("\n".join(out) + "\n")

    def ask(self, prompt: str) -> str | None:
        """One line, stripped and bounded; None at the end of input."""
        self.write(prompt)
        line = self.read_line()
        if not line:
            self.write("\n")
            return None
        return line.strip()[:MAX_ANSWER]

    def style(self, text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if self.colour else text  # type: ignore[arg-type]


_COLOUR = {"verdict-likely": "red", "verdict-possible": "yellow",
           "verdict-not-indicated": "green", "verdict-unknown": "yellow", "error": "red",
           "warning": "yellow"}


def painter(terminal: Terminal) -> Callable[[str, str], str] | None:
    """Colours for the table's lines, chosen from the data (the verdict, a finding's severity)
    by render_table: never from the text, which a device could have written."""
    if not terminal.colour:
        return None

    def paint(line: str, kind: str) -> str:
        return terminal.style(line, fg=_COLOUR.get(kind, "white"), bold=kind.startswith("verdict"))
    return paint


def unique(path: Path) -> Path:
    """`path`, or path-2, path-3, ... when it exists."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


class Guide:
    def __init__(self, terminal: Terminal, *, scanner: Scanner = _scan,
                 open_browser: Callable[[Path], bool] = console.open_in_browser,
                 documents: Callable[[], list[Path]] = console.report_folders,
                 save_history: Callable[[Inventory, ReportContext], ReportContext] | None = None,
                 platform: str = sys.platform, now: Callable[[], datetime] = datetime.now,
                 watcher: Callable[[ScanOptions], int] | None = None):
        self.terminal = terminal
        self.scanner = scanner
        self.open_browser = open_browser
        self.documents = documents
        self.save_history = save_history
        self.platform = platform
        self.now = now
        self.watcher = watcher  # `watch --until-aligned` from these options; its exit code
        self.finished: tuple[Inventory, ScanObservations] | None = None  # shown, not saved
        self.saving = False
        self.saved = False

    def run(self) -> int:
        """The guide, start to end; its exit code. Ctrl-C at any moment stops it (exit 130):
        during a search nothing is saved; after a finished scan the report is saved first."""
        try:
            return self.steps()
        except KeyboardInterrupt:
            return self.stop()

    def stop(self) -> int:
        """Ctrl-C: say so in one line; save a finished scan's report (without the answers still
        to come) unless it is saved already."""
        term = self.terminal
        term.write("\r" + " " * 40 + "\r")
        if self.saving and not self.saved:
            term.say("\nStopped (Ctrl-C) while saving the report: it may be incomplete.")
            return api.EXIT_INTERRUPTED
        if self.finished is not None and not self.saved:
            inventory, observations = self.finished
            term.say("\nStopped (Ctrl-C). Saving the report of the finished scan first.")
            try:
                self.save(inventory, observations, ReportContext(None, None))
            except KeyboardInterrupt:
                term.say("Stopped (Ctrl-C) while saving.")
            return api.EXIT_INTERRUPTED
        if self.saved:
            term.say("\nStopped (Ctrl-C). The report was saved (see above).")
        else:
            term.say("\nStopped (Ctrl-C). Nothing was saved.")
        return api.EXIT_INTERRUPTED

    def steps(self) -> int:
        term = self.terminal
        term.say(term.style(guide_text.INTRO.splitlines()[0], bold=True))
        term.say("\n".join(guide_text.INTRO.splitlines()[1:]))
        term.say()
        answer = term.ask(guide_text.START_PROMPT)
        if answer is None or answer.lower() in ("q", "quit"):
            return api.EXIT_OK
        watch_after = answer.lower() in ("w", "watch") and self.watcher is not None
        options = ScanOptions()
        inventory, observations = self.search(options)
        while not inventory.players:
            term.say()
            term.say(guide_text.reasons_nothing_found(self.platform))
            term.say()
            term.say(guide_text.WHERE_IS_THE_IP)
            answer = term.ask(guide_text.IP_PROMPT)
            if answer is None or answer.lower() in ("q", "quit"):
                term.say("Nothing was found, so nothing was saved.")
                self.wait_close()
                return api.EXIT_INCOMPLETE
            if not answer:
                options = ScanOptions()
                inventory, observations = self.search(options)
                continue
            typed = self.host_options(answer)
            if typed is None:
                continue
            options = typed
            inventory, observations = self.search(options)
            if not inventory.players:
                term.say(guide_text.nothing_at(answer))
        self.show(inventory, observations)
        self.finished = (inventory, observations)
        diagnostic = self.ask_diagnostic()
        self.save(inventory, observations, ReportContext(None, diagnostic))
        conflict = inventory.verdict.error_803 in (Likelihood.LIKELY, Likelihood.POSSIBLE)
        if watch_after and self.watcher is not None:  # the report is saved first, always
            term.say()
            term.say(guide_text.WATCH_NOW)
            code = self.watcher(options)
            if code == api.EXIT_INTERRUPTED:  # Ctrl-C: its summary was the last word
                return code
            term.say()
            term.say(guide_text.AFTER_WATCH)
            self.wait_close()
            return code
        if conflict and self.watcher is not None:
            term.say()
            term.say(guide_text.WATCH_LATER)
        self.wait_close()
        return api.exit_code(inventory)

    def search(self, options: ScanOptions) -> tuple[Inventory, ScanObservations]:
        term = self.terminal
        last = [0.0]

        def progress(p: Progress) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.2:
                last[0] = now
                term.write(f"\rSearching... {p.found} found, {p.read} read   ")

        term.say()
        term.write("Searching...")
        inventory, observations = self.scanner(options, progress)
        term.write("\r" + " " * 40 + "\r")
        if observations.interrupted:  # Ctrl-C cut the search short: stop, never carry on
            raise KeyboardInterrupt
        # The scan's notes speak of command-line options; they go into the bundle's manifest.
        return inventory, observations

    def host_options(self, answer: str) -> ScanOptions | None:
        from .discovery.hosts import host_sightings

        try:
            sightings = host_sightings([answer])
        except UsageError:
            self.terminal.say(guide_text.not_an_address(answer))
            return None
        return ScanOptions(hosts=sightings, use_ssdp=False, use_mdns=False)

    def show(self, inventory: Inventory, observations: ScanObservations) -> None:
        from .report.render_table import render_table

        hint = ("The report and the support bundle are saved next.",)
        table = render_table(inventory, width=self.terminal.width, hint=hint,
                             paint=painter(self.terminal), owner=True)
        self.terminal.say()
        self.terminal.write(table)
        self.terminal.say()

    def ask_diagnostic(self) -> str | None:
        term = self.terminal
        term.say(guide_text.DIAGNOSTIC_HELP)
        while True:
            answer = term.ask(guide_text.DIAGNOSTIC_PROMPT)
            if not answer:
                return None
            if _DIGITS.fullmatch(answer):
                return answer
            term.say(guide_text.bad_diagnostic(answer))

    def save(self, inventory: Inventory, observations: ScanObservations,
             context: ReportContext) -> None:
        """Save the report and the bundle in the first place that takes them: the report is
        never lost because Documents cannot be written (or is not private)."""
        term = self.terminal
        self.saving = True
        stamp = self.now()
        if self.save_history is not None:
            context = self.save_history(inventory, context)
        for place in self.documents():
            folder = place / f"sonos-inventory-{stamp:%Y-%m-%d}"
            try:
                make_private_dir(folder)  # 0700, never through a link
                html = unique(folder / "sonos-report.html")
                bundle = unique(folder / "sonos-support-bundle.zip")
                said = replace(context, attach=f"{bundle.name} (in the same folder)")
                delivered = deliver(inventory, OutputRequest("html", html, bundle), said,
                                    observations=observations, options={"command": "guide"})
            except (OSError, UsageError) as exc:
                term.say(f"Could not save the report in {shown(folder)}: "
                         f"{getattr(exc, 'strerror', None) or exc}. Trying the next place.")
                continue
            if delivered.failures:
                term.say(f"Could not save the report in {shown(folder)}: "
                         f"{delivered.failures[0]}. Trying the next place.")
                continue
            break
        else:
            term.say("The report could not be saved anywhere on this computer.")
            return
        self.saved = True
        opened = self.open_browser(html)
        conflict = inventory.verdict.error_803 in (Likelihood.LIKELY, Likelihood.POSSIBLE)
        term.say(guide_text.saved(folder.resolve(), html.resolve(), bundle.resolve(), opened,
                                  conflict))

    def wait_close(self) -> None:
        self.terminal.say()
        self.terminal.ask(guide_text.CLOSE_PROMPT)
