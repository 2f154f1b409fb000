"""Render a tmux `capture-pane -e` dump (text with ANSI colours) as a PNG terminal window.

    python docs/screenshots/render_terminal.py screen.ans docs/guide.png

Needs Pillow and the DejaVu Sans Mono font (Debian: fonts-dejavu-core).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SIZE = 15
BACKGROUND, FOREGROUND = (30, 32, 36), (220, 223, 228)
COLOURS = {30: (70, 70, 70), 31: (240, 90, 90), 32: (120, 210, 120), 33: (235, 200, 90),
           34: (110, 160, 240), 35: (210, 130, 230), 36: (100, 210, 220), 37: (235, 235, 235)}
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def spans(line: str) -> list[tuple[str, tuple[int, int, int], bool]]:
    out, colour, bold, dim, position = [], FOREGROUND, False, False, 0
    for match in SGR.finditer(line):
        if match.start() > position:
            shade = tuple(c * 6 // 10 for c in colour) if dim else colour
            out.append((line[position:match.start()], shade, bold))
        for code in [int(c) for c in match.group(1).split(";") if c] or [0]:
            if code == 0:
                colour, bold, dim = FOREGROUND, False, False
            elif code == 1:
                bold = True
            elif code == 2:
                dim = True
            elif code in COLOURS:
                colour = COLOURS[code]
            elif 90 <= code <= 97:
                colour = COLOURS[code - 60]
            elif code == 39:
                colour = FOREGROUND
        position = match.end()
    shade = tuple(c * 6 // 10 for c in colour) if dim else colour
    out.append((line[position:], shade, bold))  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def main(source: str, target: str) -> None:
    lines = Path(source).read_text("utf-8").rstrip("\n").split("\n")
    while lines and not SGR.sub("", lines[-1]).strip():
        lines.pop()
    regular = ImageFont.truetype(str(FONT_DIR / "DejaVuSansMono.ttf"), SIZE)
    bold = ImageFont.truetype(str(FONT_DIR / "DejaVuSansMono-Bold.ttf"), SIZE)
    cell_w = regular.getbbox("M")[2]
    cell_h = SIZE + 4
    columns = max(len(SGR.sub("", line)) for line in lines)
    pad, bar = 16, 28
    image = Image.new("RGB", (columns * cell_w + 2 * pad, len(lines) * cell_h + 2 * pad + bar),
                      BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width, bar), fill=(52, 54, 60))
    for index, colour in enumerate(((237, 106, 94), (245, 191, 79), (98, 197, 84))):
        draw.ellipse((12 + index * 20, 8, 24 + index * 20, 20), fill=colour)
    for row, line in enumerate(lines):
        x, y = pad, bar + pad + row * cell_h
        for text, colour, is_bold in spans(line):
            draw.text((x, y), text, font=bold if is_bold else regular, fill=colour)
            x += len(text) * cell_w
    image.save(target, optimize=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
