"""Strict percent-encoding for URLs and form bodies (RFC 3986 section 2).

Only the unreserved characters stay as they are; everything else, spaces included, becomes
``%XX`` of its UTF-8 bytes. Hand-written because the domain may not import ``urllib``.
"""

from __future__ import annotations

import re

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


class MalformedQuery(ValueError):
    """A query string with a broken escape or bytes that are not UTF-8."""


def quote(text: str) -> str:
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def encode_pairs(pairs: list[tuple[str, str]]) -> str:
    """``k=v&k=v`` for a query string or an ``application/x-www-form-urlencoded`` body."""
    return "&".join(f"{quote(key)}={quote(value)}" for key, value in pairs)


def unquote(text: str) -> str:
    """Decodes ``%XX`` and ``+`` (a space in form and query encoding); rejects broken escapes."""
    raw = text.replace("+", " ").encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == ord("%"):
            match = _ESCAPE.match(raw[i : i + 3].decode("ascii", "replace"))
            if match is None:
                raise MalformedQuery("a % escape is not followed by two hex digits")
            out.append(int(match.group(1), 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedQuery("the query is not UTF-8") from None


def parse_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs
