"""Images and PDFs as the Messages API takes them: which files they are, how big they may be,
which pages are asked for, and the ``image`` and ``document`` blocks that carry them.

The limits are the API's, with room for the rest of the request: an image is at most 5 MB
once base64-encoded (3.75 MB of file), a request at most 32 MB, a PDF at most 100 pages.
hexclaw sends at most ``MAX_PDF_PAGES`` pages of a PDF at a time, as Claude Code's Read does.
"""

from __future__ import annotations

import base64
import re

from domain.errors import HexclawError
from domain.messages.content import JSONObject

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
PDF_TYPE = "application/pdf"
MAX_IMAGE_BYTES = 3_750_000
MAX_PDF_BYTES = 20_000_000
MAX_PDF_PAGES = 20
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


class MediaError(HexclawError):
    """An image or PDF that cannot be sent; the message says why and what to do."""


def media_type_of(path: str) -> str | None:
    """``image/...`` or ``application/pdf`` from the file name; None for anything else."""
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot >= 0 else ""
    if suffix == ".pdf":
        return PDF_TYPE
    return IMAGE_TYPES.get(suffix)


def check_size(shown: str, media_type: str, size: int) -> None:
    limit = MAX_PDF_BYTES if media_type == PDF_TYPE else MAX_IMAGE_BYTES
    if size > limit:
        kind = "PDFs" if media_type == PDF_TYPE else "images"
        raise MediaError(
            f"{shown} is {size:,} bytes; {kind} over {limit:,} bytes cannot be sent to the model"
        )


def image_block(data: bytes, media_type: str) -> JSONObject:
    """The API checks the bytes against the media type: a PNG saved as ``.jpg`` is sent as
    the PNG it is."""
    return {"type": "image", "source": _base64_source(data, sniffed_image_type(data, media_type))}


def sniffed_image_type(data: bytes, fallback: str) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return fallback


def document_block(data: bytes) -> JSONObject:
    return {"type": "document", "source": _base64_source(data, PDF_TYPE)}


def _base64_source(data: bytes, media_type: str) -> JSONObject:
    return {
        "type": "base64",
        "media_type": media_type,
        "data": base64.b64encode(data).decode("ascii"),
    }


def parse_pages(spec: str, page_count: int) -> list[int]:
    """Zero-based page indexes from ``"3"``, ``"1-5"`` or ``"1-3,7,10-12"`` (one-based, as
    people count pages), in order, each once; a range past the end or over the per-read
    limit is a ``MediaError`` that says what would work."""
    pages: list[int] = []
    for part in spec.split(","):
        match = _RANGE.match(part)
        if match is None:
            raise MediaError(f'pages {spec!r} is not a page range; use e.g. "3", "1-5" or "1-3,7"')
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if first < 1 or last < first:
            raise MediaError(f"pages {part.strip()!r} is not a range of pages counted from 1")
        if last > page_count:
            raise MediaError(
                f"pages {part.strip()!r} goes past the end: the PDF has {page_count} "
                f"page{'s' if page_count != 1 else ''}"
            )
        for page in range(first - 1, last):
            if page not in pages:
                pages.append(page)
        if len(pages) > MAX_PDF_PAGES:
            raise MediaError(
                f"pages {spec!r} is {len(pages)}+ pages; at most {MAX_PDF_PAGES} are read at a time"
            )
    return pages


def page_span(pages: list[int]) -> str:
    """``"1-3, 7"`` for the zero-based indexes [0, 1, 2, 6]."""
    spans: list[str] = []
    start = prev = None
    for page in [*pages, None]:
        if page is not None and prev is not None and page == prev + 1:
            prev = page
            continue
        if start is not None and prev is not None:
            spans.append(f"{start + 1}" if start == prev else f"{start + 1}-{prev + 1}")
        start = prev = page
    return ", ".join(spans)
