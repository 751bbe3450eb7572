"""``--fallback-model``: when the model stays overloaded (HTTP 529, or an ``overloaded_error``
before any output) after the client's own retries, the run goes on with the fallback model
for the rest of the session, and says so."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from domain.messages.api_errors import ApiStatusError
from domain.messages.content import Message
from domain.messages.request import MessageRequest
from domain.stream.errors import StreamError
from domain.stream.ports import ModelClient, UpdateSink

OVERLOADED_STATUS = 529


def is_overload(exc: Exception) -> bool:
    if isinstance(exc, ApiStatusError):
        return exc.status == OVERLOADED_STATUS
    # After output has streamed, a second attempt would show it twice: not a fallback case.
    return (
        isinstance(exc, StreamError)
        and exc.error_type == "overloaded_error"
        and (exc.partial is None or not exc.partial.content)
    )


class FallbackClient:
    """Implements ``ModelClient``; ``switched_to`` names the model in use after a fallback."""

    def __init__(self, inner: ModelClient, fallback: str, say: Callable[[str], None]) -> None:
        self.inner = inner
        self.fallback = fallback
        self.switched_to: str | None = None
        self._say = say

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        if self.switched_to is not None:
            request = attrs.evolve(request, model=self.switched_to)
        try:
            return self.inner.stream_message(request, on_update)
        except (ApiStatusError, StreamError) as exc:
            if self.switched_to is not None or request.model == self.fallback:
                raise
            if not is_overload(exc):
                raise
        self.switched_to = self.fallback
        self._say(
            f"{request.model} is overloaded (529) after retries; continuing on "
            f"{self.fallback} (--fallback-model)"
        )
        return self.inner.stream_message(attrs.evolve(request, model=self.fallback), on_update)
