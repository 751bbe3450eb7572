"""What has streamed of a message so far, so an interruption can keep it as it was."""

from __future__ import annotations

from domain.messages.content import ContentBlock, TextBlock, Usage
from domain.stream.updates import (
    BlockFinished,
    MessageDeltaReceived,
    MessageStarted,
    StreamUpdate,
    TextDelta,
)


class PartialMessage:
    """Finished blocks as they are, plus the text of a text block still streaming.

    A tool call or thinking block that had not finished is left out: its input or its
    signature is incomplete, and the API would refuse it back.
    """

    def __init__(self) -> None:
        self._finished: dict[int, ContentBlock] = {}
        self._open_text: dict[int, list[str]] = {}
        self.usage = Usage()

    def track(self, update: StreamUpdate) -> None:
        if isinstance(update, TextDelta):
            self._open_text.setdefault(update.index, []).append(update.text)
        elif isinstance(update, BlockFinished):
            self._finished[update.index] = update.block
            self._open_text.pop(update.index, None)
        elif isinstance(update, MessageDeltaReceived):
            self.usage = update.usage
        elif isinstance(update, MessageStarted):
            # A retried request starts over; what the failed attempt sent is not the answer.
            self._finished.clear()
            self._open_text.clear()
            self.usage = Usage()

    def content(self) -> list[ContentBlock]:
        blocks: dict[int, ContentBlock] = dict(self._finished)
        for index, parts in self._open_text.items():
            blocks[index] = TextBlock(text="".join(parts))
        return [blocks[i] for i in sorted(blocks)]
