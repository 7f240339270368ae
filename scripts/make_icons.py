"""The app's icons for the web app manifest (PNG 192 and 512, and a maskable 512), drawn from
favicon.svg's hexagon and H without any imaging library. Run once after changing the logo:

    .venv/bin/python scripts/make_icons.py

The PNGs are committed under hexa/web/static/web/icons/.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "hexa" / "web" / "static" / "web" / "icons"
BLUE = (0x1A, 0x5F, 0xB4)
WHITE = (0xFF, 0xFF, 0xFF)
# favicon.svg, in its 32-unit box.
HEXAGON = [(16, 1.5), (28.6, 8.75), (28.6, 23.25), (16, 30.5), (3.4, 23.25), (3.4, 8.75)]
LETTER = [(10, 9, 13.2, 23), (18.8, 9, 22, 23), (13.2, 14.4, 18.8, 17.2)]  # the H's bars
SAMPLES = 3  # per pixel side: smooth edges


def _inside(polygon: list[tuple[float, float]], x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _colour(x: float, y: float, background: tuple[int, ...] | None) -> tuple[int, ...] | None:
    if any(left <= x <= right and top <= y <= bottom for left, top, right, bottom in LETTER):
        return WHITE
    if _inside(HEXAGON, x, y):
        return BLUE
    return background


def draw(size: int, *, maskable: bool) -> bytes:
    """RGBA rows of the icon: the logo on transparency, or, maskable, on a full blue square
    with the logo inside the safe zone (the middle 80%)."""
    scale = 32 / (size * 0.72) if maskable else 32 / size
    offset = (32 - size * scale) / 2
    rows = bytearray()
    for row in range(size):
        rows.append(0)  # no filter
        for column in range(size):
            totals = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = offset + (column + (sx + 0.5) / SAMPLES) * scale
                    y = offset + (row + (sy + 0.5) / SAMPLES) * scale
                    colour = _colour(x, y, BLUE if maskable else None)
                    if colour is not None:
                        for index, value in enumerate((*colour, 255)):
                            totals[index] += value
            covered = totals[3] // 255
            n = SAMPLES * SAMPLES
            if covered:
                rows.extend(value // covered for value in totals[:3])
            else:
                rows.extend((0, 0, 0))
            rows.append(totals[3] // n)
    return bytes(rows)


def png(size: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
    ):
        (OUT / name).write_bytes(png(size, draw(size, maskable=maskable)))
        print(OUT / name)


if __name__ == "__main__":
    main()
