"""``@path`` mentions in a prompt: finding them and attaching the files they name.

An ``@`` only starts a mention at the start of the text or after whitespace, so e-mail
addresses and decorators in pasted code are left alone.
"""

from __future__ import annotations

import re

import attrs

from domain.messages.content import ContentBlock, JSONObject, TextBlock, UnknownBlock
from domain.repr_base import Record

_MENTION = re.compile(r"(?:^|(?<=\s))@(?P<path>[^\s@]+)")
_IMAGE_SUFFIX = r"\.(?:png|jpe?g|gif|webp)"
# A path a terminal pastes when an image file is dropped on it: absolute (or from ~ or a
# file:// URL), quoted or with its spaces escaped. A file named in passing ("rename logo.png")
# is not one, and a mention (``@logo.png``) is attached as a mention.
_START = r"(?:file://|~)?/"
_PASTED = re.compile(
    r"(?:^|(?<=\s))(?:'(?P<single>" + _START + r"[^']+" + _IMAGE_SUFFIX + r")'"
    r'|"(?P<double>' + _START + r'[^"]+' + _IMAGE_SUFFIX + r')"'
    r"|(?P<bare>" + _START + r"(?:[^\s\\]|\\.)*" + _IMAGE_SUFFIX + r"))(?=\s|$)",
    re.IGNORECASE,
)
# Sentence punctuation after a mention ("look at @src/app.py.") is not part of the path.
_TRAILING = ".,;:!?)]}'\""


@attrs.frozen(repr=False)
class Attachment(Record):
    path: str
    text: str
    # An image or PDF: its ``image`` or ``document`` block, sent after a line naming it.
    media: JSONObject | None = None


def find_mentions(text: str) -> list[str]:
    """The mentioned paths in order of appearance, each once."""
    found: list[str] = []
    for match in _MENTION.finditer(text):
        path = match["path"].rstrip(_TRAILING)
        if path and path not in found:
            found.append(path)
    return found


def pasted_image_paths(text: str) -> list[str]:
    """Paths of image files pasted into a prompt (a file dropped on the terminal), unquoted
    and unescaped, in order, each once. Whether they exist is for the caller to see."""
    found: list[str] = []
    for match in _PASTED.finditer(text):
        path = match["single"] or match["double"]
        if path is None:
            path = re.sub(r"\\(.)", r"\1", match["bare"])
            if path.lower().startswith("file://"):
                path = path[len("file://") :]
        if path not in found:
            found.append(path)
    return found


def attachment_blocks(attachment: Attachment) -> list[ContentBlock]:
    if attachment.media is None:
        return [attachment_block(attachment)]
    kind = "a PDF" if attachment.media.get("type") == "document" else "an image"
    return [
        TextBlock(text=f"The user attached {kind}, {attachment.path}:"),
        UnknownBlock(raw=dict(attachment.media)),
    ]


def attachment_block(attachment: Attachment) -> TextBlock:
    body = attachment.text if attachment.text.endswith("\n") else attachment.text + "\n"
    return TextBlock(
        text=f'The user attached {attachment.path}:\n<file path="{attachment.path}">\n{body}</file>'
    )


def prompt_content(prompt: str, attachments: list[Attachment]) -> list[ContentBlock]:
    """The user message: the prompt as typed, then one block per attached file."""
    return [TextBlock(text=prompt), *(b for a in attachments for b in attachment_blocks(a))]
