"""Strings a stream sends in pieces, found in the raw bytes of a recorded SSE body.

A model streams text, thinking and tool input as ``content_block_delta`` fragments cut at
arbitrary points, so a path or a secret is often split across two events and never appears
whole in the bytes. This module finds the fragments of each content block (the JSON string
values of ``text``, ``partial_json`` and ``thinking``), decodes them while keeping the raw byte
offset of every character, and turns a match in a block's joined text into byte spans: the
part in the first fragment becomes the replacement, the parts in later fragments become
empty. Nothing else in the body changes, not even the number of events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import attrs

from domain.cassettes.chunked_body import Span
from domain.repr_base import Record

_LINE = re.compile(rb"[^\r\n]+")
_DELTA_STRING = re.compile(rb'"(?:text|partial_json|thinking)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_INDEX = re.compile(rb'"index"\s*:\s*(\d+)')
_ESCAPES = {
    ord('"'): '"',
    ord("\\"): "\\",
    ord("/"): "/",
    ord("b"): "\b",
    ord("f"): "\f",
    ord("n"): "\n",
    ord("r"): "\r",
    ord("t"): "\t",
}


@attrs.frozen(repr=False)
class Fragment(Record):
    block: int
    text: str
    offsets: tuple[int, ...]
    """The raw byte offset where each character starts, then where the last one ends."""


def delta_fragments(body: bytes) -> list[Fragment]:
    """The delta fragments of the body, in stream order."""
    fragments: list[Fragment] = []
    for line in _LINE.finditer(body):
        raw = line.group()
        if b"content_block_delta" not in raw:
            continue
        value, index = _DELTA_STRING.search(raw), _INDEX.search(raw)
        if value is None or index is None:
            continue
        decoded = _decode(body, line.start() + value.start(1), line.start() + value.end(1))
        if decoded is not None:
            fragments.append(Fragment(int(index.group(1)), decoded[0], decoded[1]))
    return fragments


def spans_across_fragments(
    fragments: list[Fragment],
    needles: Iterable[str],
    replacement: bytes,
    accept: Callable[[str, int, int], bool] = lambda _text, _start, _end: True,
) -> list[Span]:
    """Spans that replace every occurrence of a needle in a block's joined fragments.

    ``accept(joined, start, end)`` can refuse an occurrence (a path that goes on, say).
    """
    spans: list[Span] = []
    by_block: dict[int, list[Fragment]] = {}
    for fragment in fragments:
        by_block.setdefault(fragment.block, []).append(fragment)
    wanted = [n for n in set(needles) if n]
    for pieces in by_block.values():
        joined = "".join(p.text for p in pieces)
        for needle in wanted:
            start = joined.find(needle)
            while start != -1:
                end = start + len(needle)
                if accept(joined, start, end):
                    spans.extend(_spans_for(pieces, start, end, replacement))
                start = joined.find(needle, end)
    return spans


def _spans_for(pieces: list[Fragment], start: int, end: int, replacement: bytes) -> list[Span]:
    spans: list[Span] = []
    position = 0
    first = True
    for piece in pieces:
        piece_end = position + len(piece.text)
        low, high = max(start, position), min(end, piece_end)
        if low < high:
            raw_start = piece.offsets[low - position]
            raw_end = piece.offsets[high - position]
            spans.append((raw_start, raw_end, replacement if first else b""))
            first = False
        position = piece_end
        if position >= end:
            break
    return spans


def _decode(body: bytes, start: int, end: int) -> tuple[str, tuple[int, ...]] | None:
    """A JSON string's content decoded, with the offset of each character; None if broken."""
    chars: list[str] = []
    offsets: list[int] = []
    i = start
    while i < end:
        offsets.append(i)
        byte = body[i]
        if byte == ord("\\"):
            kind = body[i + 1] if i + 1 < end else -1
            if kind == ord("u"):
                unit = _hex4(body, i + 2, end)
                if unit is None:
                    return None
                i += 6
                if 0xD800 <= unit < 0xDC00 and body[i : i + 2] == b"\\u":
                    low = _hex4(body, i + 2, end)
                    if low is not None and 0xDC00 <= low < 0xE000:
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                chars.append(chr(unit))
                continue
            if kind not in _ESCAPES:
                return None
            chars.append(_ESCAPES[kind])
            i += 2
            continue
        size = 1 if byte < 0x80 else 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
        try:
            chars.append(body[i : i + size].decode("utf-8"))
        except UnicodeDecodeError:
            return None
        i += size
    offsets.append(end)
    return "".join(chars), tuple(offsets)


def _hex4(body: bytes, start: int, end: int) -> int | None:
    digits = body[start : start + 4]
    if start + 4 > end or not re.fullmatch(rb"[0-9A-Fa-f]{4}", digits):
        return None
    return int(digits, 16)
