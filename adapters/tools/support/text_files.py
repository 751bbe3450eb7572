"""Decoding a text file so an edit can write it back exactly as it was, apart from the edit.

The encoding (a byte-order mark, UTF-8, or Latin-1 for anything else, which round-trips every
byte) and the line endings (CRLF when every line ends so) are kept. Files with a NUL byte
in their first 8 KiB are binary.
"""

from __future__ import annotations

import attrs

from adapters.tools.support.tool_errors import ToolError
from domain.repr_base import Record

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
SNIFF_BYTES = 8192


class BinaryFile(ToolError):
    pass


@attrs.frozen(repr=False)
class TextContent(Record):
    text: str
    encoding: str = "utf-8"
    bom: bytes = b""
    newline: str = "\n"


def bom_of(data: bytes) -> tuple[bytes, str] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return None


def looks_binary(data: bytes) -> bool:
    return bom_of(data) is None and b"\0" in data[:SNIFF_BYTES]


def decode_text(data: bytes, shown_as: str) -> TextContent:
    found = bom_of(data)
    if found is not None:
        bom, codec = found
        try:
            text = data[len(bom) :].decode(codec)
        except UnicodeDecodeError:
            raise BinaryFile(f"{shown_as} is not valid {codec} text") from None
    elif looks_binary(data):
        raise BinaryFile(f"{shown_as} is a binary file, not text")
    else:
        bom = b""
        try:
            text, codec = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, codec = data.decode("latin-1"), "latin-1"
    crlf = text.count("\r\n")
    if crlf and crlf == text.count("\n"):
        return TextContent(text.replace("\r\n", "\n"), codec, bom, "\r\n")
    return TextContent(text, codec, bom, "\n")


def encode_text(text: str, like: TextContent) -> bytes:
    if like.newline == "\r\n":
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    try:
        return like.bom + text.encode(like.encoding)
    except UnicodeEncodeError:
        raise ToolError(
            f"the new text has characters that {like.encoding} (the file's encoding) cannot hold"
        ) from None
