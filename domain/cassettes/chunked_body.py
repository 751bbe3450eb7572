"""A body that arrived in chunks, edited without losing where the chunks fell.

Recording keeps the bytes and the boundaries a stream arrived with; redaction and the
workspace placeholder replace spans of the whole body. A boundary that falls inside a replaced
span moves to the end of the replacement, so a replacement is never split across chunks and
can be undone chunk by chunk on replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Span = tuple[int, int, bytes]
"""``(start, end, replacement)``: the body's bytes ``[start, end)`` become ``replacement``."""


def boundaries_of(chunks: Sequence[bytes]) -> list[int]:
    """The offsets in the joined body where one chunk ends and the next begins."""
    offsets: list[int] = []
    position = 0
    for chunk in chunks[:-1]:
        position += len(chunk)
        offsets.append(position)
    return offsets


def split_at(body: bytes, boundaries: Iterable[int]) -> list[bytes]:
    """The body cut at the given offsets; empty pieces are dropped."""
    pieces: list[bytes] = []
    start = 0
    for cut in sorted(set(boundaries)):
        if start < cut < len(body):
            pieces.append(body[start:cut])
            start = cut
    if start < len(body):
        pieces.append(body[start:])
    return pieces


def split_by_lengths(body: bytes, lengths: Sequence[int]) -> list[bytes]:
    offsets: list[int] = []
    position = 0
    for length in lengths[:-1]:
        position += length
        offsets.append(position)
    return split_at(body, offsets)


def fixed_size(body: bytes, size: int) -> list[bytes]:
    """The body in pieces of ``size`` bytes (the last may be shorter)."""
    if size < 1:
        raise ValueError("a chunk holds at least one byte")
    return [body[i : i + size] for i in range(0, len(body), size)]


def rewrite_chunks(chunks: Sequence[bytes], spans: Iterable[Span]) -> list[bytes]:
    """Apply the replacements to the joined body and re-cut it where the chunks fell.

    Overlapping spans keep the earliest (then the longest) and drop the rest.
    """
    body = b"".join(chunks)
    kept = _non_overlapping(spans, len(body))
    if not kept:
        return [c for c in chunks if c]
    pieces: list[bytes] = []
    position = 0
    for start, end, replacement in kept:
        pieces.append(body[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(body[position:])
    new_body = b"".join(pieces)
    moved = [_new_offset(offset, kept) for offset in boundaries_of(chunks)]
    return split_at(new_body, moved)


def _non_overlapping(spans: Iterable[Span], size: int) -> list[Span]:
    ordered = sorted(
        (s for s in spans if 0 <= s[0] < s[1] <= size), key=lambda s: (s[0], -(s[1] - s[0]))
    )
    kept: list[Span] = []
    for span in ordered:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


def _new_offset(offset: int, spans: list[Span]) -> int:
    shift = 0
    for start, end, replacement in spans:
        if end <= offset:
            shift += len(replacement) - (end - start)
        elif start < offset:
            # Inside a replaced span: the boundary moves to the end of the replacement.
            return start + shift + len(replacement)
        else:
            break
    return offset + shift
