"""The 803 report rendered by a real browser (headless Chromium), checked through its DOM."""

from __future__ import annotations

import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sonos_inventory.report.render_html import render_html

from ..helpers import inventory_of

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
    "google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does)")
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


class Tiles(HTMLParser):
    """Collects each product tile of the rendered DOM with its label and links."""

    def __init__(self) -> None:
        super().__init__()
        self.tiles: list[dict[str, object]] = []
        self.ids: set[str] = set()
        self._tile: dict[str, object] | None = None
        self._depth = 0
        self._in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        classes = (values.get("class") or "").split()
        if tag == "article" and "tile" in classes and values.get("data-uuid"):
            self._tile = {"uuid": values["data-uuid"], "classes": classes, "label": "",
                          "links": []}
            self.tiles.append(self._tile)
            self._depth = 0
        if self._tile is not None:
            self._depth += tag not in ("br", "img", "path", "rect", "circle")
            if tag == "span" and "track-label" in classes:
                self._in_label = True
            if tag == "a" and values.get("href"):
                links = self._tile["links"]
                assert isinstance(links, list)
                links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if self._tile is not None:
            self._in_label = False if tag == "span" else self._in_label
            if tag not in ("br", "img", "path", "rect", "circle"):
                self._depth -= 1
            if self._depth <= 0:
                self._tile = None

    def handle_data(self, data: str) -> None:
        if self._tile is not None and self._in_label:
            self._tile["label"] = str(self._tile["label"]) + data.strip()


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_803_report_in_headless_chromium(tmp_path: Path) -> None:
    inventory = inventory_of("error-803")
    page = tmp_path / "report.html"
    page.write_text(render_html(inventory))
    shot = tmp_path / "report.png"
    result = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600",
                      page.as_uri())
    assert shot.exists(), result.stderr[-2000:]
    width, height = png_size(shot)
    assert (width, height) == (1280, 1600) and shot.stat().st_size > 20_000
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    parser = Tiles()
    parser.feed(dom)
    assert len(parser.tiles) == len(inventory.players) == 4
    tracks = {p.uuid: p.track.value for p in inventory.players}
    for tile in parser.tiles:
        assert tile["label"] == tracks[str(tile["uuid"])], tile  # every tile says S1 or S2
    conflicting = [t for t in parser.tiles if "conflict" in t["classes"]]  # type: ignore[operator]
    assert [t["uuid"] for t in conflicting] == ["RINCON_000E58F0010401400"]
    links: list[str] = conflicting[0]["links"]  # type: ignore[assignment]
    [link] = links
    assert link == "#finding-1" and "finding-1" in parser.ids
    assert "verdict" in parser.ids


@pytest.mark.slow  # a browser's print: the table's print rules are checked at 740 px
def test_803_report_prints_to_pdf(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(inventory_of("error-803")))
    pdf = tmp_path / "report.pdf"
    result = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    assert pdf.exists(), result.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 1


MEASURE = """<script>
window.addEventListener('load', () => {
  const t = document.querySelector('table.inventory');
  const box = getComputedStyle(t.parentElement);
  const room = t.parentElement.clientWidth - parseFloat(box.paddingLeft)
    - parseFloat(box.paddingRight);
  const lines = c => { const r = document.createRange(); r.selectNodeContents(c);
    return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; };
  const rows = [...t.querySelectorAll('tbody tr:not(.household-row)')].map(
    r => Object.fromEntries([...r.children].map(c => [c.className, lines(c)])));
  document.body.setAttribute('data-measured', JSON.stringify({
    width: t.getBoundingClientRect().width, room: room,
    heads: [...t.querySelectorAll('thead th')].map(x => x.textContent),
    groups: [...t.querySelectorAll('.household-row')].map(x => x.textContent), rows: rows}));
});
</script>"""


@pytest.mark.parametrize("width", [pytest.param(1280, marks=pytest.mark.slow), 740])  # wide; print
def test_the_inventory_table_fits_the_page_and_drops_nothing(tmp_path: Path, width: int) -> None:
    """The print rules are the narrow-window rules (@media print, (max-width: 820px)), so a
    740 px window shows the table as a printed A4 or Letter page does."""
    import html
    import json
    import re

    from sonos_inventory.report.context import ReportContext
    from sonos_inventory.report.view import COLUMNS

    inventory = inventory_of("error-803")
    seen = ReportContext(None, None, ((inventory.players[0].uuid, "2026-10-01T08:00:00Z"),))
    document = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                      render_html(inventory, seen)).replace("</body>", MEASURE + "</body>")
    page = tmp_path / "report.html"
    page.write_text(document, "utf-8")
    dom = chromium(tmp_path, "--dump-dom", f"--window-size={width},1600",
                   "--virtual-time-budget=3000", page.as_uri()).stdout
    found = re.search(r'data-measured="([^"]*)"', dom)
    assert found, dom[-2000:]
    measured = json.loads(html.unescape(found.group(1)))
    assert measured["width"] <= measured["room"] + 1, measured  # nothing is cut off
    assert measured["heads"] == [c.label for c in COLUMNS] + ["First seen"]  # nothing dropped
    assert measured["groups"] == ["Household 1: Sonos_FixtureErrorEightZeroThree01"]
    assert len(measured["rows"]) == len(inventory.players)
    for row in measured["rows"]:
        assert row["col-serial"] <= 2, row  # a serial number is never spread over five lines
        assert max(row.values()) <= 3, row
    shown = html.unescape(dom)
    assert "2026-10-01" in shown and "this scan" in shown  # first seen, as the history says
