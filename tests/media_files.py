"""Real image and PDF files for the tests: a valid PNG of any size, a PDF whose pages can be
told apart by their width."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path


def png_bytes(padding: int = 0) -> bytes:
    """A 1x1 PNG; ``padding`` bytes of an ancillary chunk make it as big as a test needs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    extra = chunk(b"tEXt", b"pad\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def pdf_bytes(pages: int) -> bytes:
    """A PDF of blank pages; page n (from 1) is 100 + n points wide."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for number in range(1, pages + 1):
        writer.add_blank_page(width=100 + number, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_page_widths(data: bytes) -> list[int]:
    from pypdf import PdfReader

    return [int(page.mediabox.width) for page in PdfReader(io.BytesIO(data)).pages]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
