#!/usr/bin/env python3
"""Ferry.icns from the icon PNGs, and a check of an .icns: the same code on a Mac and in CI.

    icns.py write ICONS_DIR OUT.icns   # ICONS_DIR holds ferry-<N>.png (assets/icons)
    icns.py check FILE.icns            # every size macOS asks for, each PNG the size it says

An .icns is "icns", the file's length, then entries of a four-letter type, the entry's length
(both big-endian, the 8-byte header included) and the data; each type below holds a PNG of
one pixel size. These ten are what `iconutil` writes for a full iconset (16 to 512, each with
its @2x twin): Finder, the Dock and Retina screens pick from them. Written here rather than
by iconutil so that Linux CI checks the very bytes a Mac build ships.
"""

import struct
import sys
from pathlib import Path

# (type, pixel size): 16, 32, 128, 256, 512 points at 1x and 2x.
ENTRIES = [
    (b"icp4", 16),
    (b"ic11", 32),  # 16@2x
    (b"icp5", 32),
    (b"ic12", 64),  # 32@2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512@2x
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (always the first)."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def write(icons: Path, out: Path) -> None:
    body = b""
    for kind, size in ENTRIES:
        png = (icons / f"ferry-{size}.png").read_bytes()
        if png_size(png) != (size, size):
            sys.exit(f"{icons}/ferry-{size}.png is {png_size(png)}, not {size}x{size}")
        body += kind + struct.pack(">I", len(png) + 8) + png
    out.write_bytes(b"icns" + struct.pack(">I", len(body) + 8) + body)


def check(path: Path) -> None:
    data = path.read_bytes()
    if data[:4] != b"icns" or struct.unpack(">I", data[4:8])[0] != len(data):
        sys.exit(f"{path}: not an icns file, or its length is wrong")
    found = {}
    at = 8
    while at < len(data):
        kind = data[at : at + 4]
        length = struct.unpack(">I", data[at + 4 : at + 8])[0]
        if length < 8 or at + length > len(data):
            sys.exit(f"{path}: entry {kind!r} at {at} runs past the end")
        found[kind] = data[at + 8 : at + length]
        at += length
    for kind, size in ENTRIES:
        if kind not in found:
            sys.exit(f"{path}: no {kind.decode()} ({size}x{size}) entry")
        try:
            got = png_size(found[kind])
        except ValueError:
            sys.exit(f"{path}: {kind.decode()} is not a PNG")
        if got != (size, size):
            sys.exit(f"{path}: {kind.decode()} is {got[0]}x{got[1]}, not {size}x{size}")
    print(f"{path}: {len(ENTRIES)} sizes, 16 to 1024 px, each the size it says")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(Path(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        check(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
