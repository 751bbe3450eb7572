"""Keeping long output short: cut in the middle, say how much was cut, hold bounded memory."""

from __future__ import annotations

UNICODE_REPLACEMENT = "\ufffd"


def truncate_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep_head = limit // 2
    keep_tail = limit - keep_head
    cut = len(text) - keep_head - keep_tail
    return f"{text[:keep_head]}\n\n[... {cut:,} characters cut ...]\n\n{text[-keep_tail:]}"


class HeadTailBuffer:
    """The first and last bytes of a stream of any length, and how long it was.

    Memory stays under ``head + tail`` bytes however much is fed, so 100 MB of command
    output costs no more than a few hundred KiB.
    """

    def __init__(self, head: int, tail: int) -> None:
        self.head_limit = head
        self.tail_limit = tail
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> bool:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.tail_limit:
                del self.tail[: len(self.tail) - self.tail_limit]
        return True

    @property
    def complete(self) -> bool:
        return self.total == len(self.head) + len(self.tail)

    def text(self, limit: int) -> str:
        """The output as text of at most about ``limit`` characters, cut in the middle."""
        if self.complete:
            return truncate_middle(bytes(self.head + self.tail).decode("utf-8", "replace"), limit)
        head = bytes(self.head).decode("utf-8", "replace")[: limit // 2].rstrip(UNICODE_REPLACEMENT)
        tail = bytes(self.tail).decode("utf-8", "replace").lstrip(UNICODE_REPLACEMENT)
        tail = tail[-(limit - limit // 2) :]
        cut = self.total - len(head.encode()) - len(tail.encode())
        return f"{head}\n\n[... {cut:,} bytes cut ...]\n\n{tail}"
