"""Errors raised while reducing a Messages stream. Each carries the partial message."""

from __future__ import annotations

from domain.errors import HexclawError
from domain.messages.content import Message

RETRYABLE_ERROR_TYPES = frozenset({"overloaded_error", "api_error", "rate_limit_error"})


class StreamFailure(HexclawError):
    """The stream did not produce a complete message; ``partial`` is what did arrive."""

    def __init__(self, message: str, partial: Message | None = None) -> None:
        super().__init__(message)
        self.partial = partial


class IncompleteStream(StreamFailure):
    """The stream ended before the message was complete (a dropped connection, a proxy cut)."""


class StreamProtocolError(StreamFailure):
    """The stream broke the protocol: malformed JSON in an event, or events out of order."""


class StreamError(StreamFailure):
    """The server sent an ``error`` event mid-stream."""

    def __init__(
        self,
        error_type: str,
        message: str,
        partial: Message | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{error_type}: {message}", partial)
        self.error_type = error_type
        self.error_message = message
        self.request_id = request_id

    @property
    def retryable(self) -> bool:
        return self.error_type in RETRYABLE_ERROR_TYPES
