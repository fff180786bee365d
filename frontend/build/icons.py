#!/usr/bin/env python3
"""Draws the PWA icons into public/icons/ (pure Python, no dependencies): a white check mark
on the service's dark green. `any` icons have rounded corners; the maskable one is full-bleed
with the mark inside the central safe zone. Run once; the PNGs are committed."""
import math
import os
import struct
import zlib

GREEN = (0x14, 0x53, 0x2D)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "public", "icons")


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def in_rounded(x, y, r):
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    return math.hypot(x - cx, y - cy) <= r


def draw(size, corner, scale):
    """corner: radius of the background corners (fraction); scale: size of the mark."""
    a = (0.5 - 0.22 * scale, 0.52)
    b = (0.5 - 0.06 * scale, 0.52 + 0.16 * scale)
    c = (0.5 + 0.24 * scale, 0.52 - 0.20 * scale)
    width = 0.075 * scale
    ss = 3
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(ss):
                for si in range(ss):
                    x = (i + (si + 0.5) / ss) / size
                    y = (j + (sj + 0.5) / ss) / size
                    if corner > 0 and not in_rounded(x, y, corner):
                        continue
                    d = min(seg_dist(x, y, *a, *b), seg_dist(x, y, *b, *c))
                    col = WHITE if d <= width else GREEN
                    acc[0] += col[0]
                    acc[1] += col[1]
                    acc[2] += col[2]
                    acc[3] += 255
            n = ss * ss
            alpha = acc[3] // n
            if alpha:
                cov = acc[3] / 255
                row += bytes([int(acc[0] / cov), int(acc[1] / cov), int(acc[2] / cov), alpha])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(w, h, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, size, corner, scale in [
        ("icon-192.png", 192, 0.18, 1.0),
        ("icon-512.png", 512, 0.18, 1.0),
        ("maskable-512.png", 512, 0.0, 0.75),
        ("apple-touch-icon.png", 180, 0.0, 0.9),
    ]:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(draw(size, corner, scale))
        print(name)
