"""``@path`` mentions in a prompt: finding them and attaching the files they name.

An ``@`` only starts a mention at the start of the text or after whitespace, so e-mail
addresses and decorators in pasted code are left alone.
"""

from __future__ import annotations

import re

import attrs

from domain.messages.content import ContentBlock, TextBlock
from domain.repr_base import Record

_MENTION = re.compile(r"(?:^|(?<=\s))@(?P<path>[^\s@]+)")
# Sentence punctuation after a mention ("look at @src/app.py.") is not part of the path.
_TRAILING = ".,;:!?)]}'\""


@attrs.frozen(repr=False)
class Attachment(Record):
    path: str
    text: str


def find_mentions(text: str) -> list[str]:
    """The mentioned paths in order of appearance, each once."""
    found: list[str] = []
    for match in _MENTION.finditer(text):
        path = match["path"].rstrip(_TRAILING)
        if path and path not in found:
            found.append(path)
    return found


def attachment_block(attachment: Attachment) -> TextBlock:
    body = attachment.text if attachment.text.endswith("\n") else attachment.text + "\n"
    return TextBlock(
        text=f'The user attached {attachment.path}:\n<file path="{attachment.path}">\n{body}</file>'
    )


def prompt_content(prompt: str, attachments: list[Attachment]) -> list[ContentBlock]:
    """The user message: the prompt as typed, then one block per attached file."""
    return [TextBlock(text=prompt), *(attachment_block(a) for a in attachments)]
