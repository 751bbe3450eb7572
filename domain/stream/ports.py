"""The model, as the domain calls it: a request in, streamed updates out, a message back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from domain.messages.content import Message
from domain.messages.request import MessageRequest
from domain.stream.updates import StreamUpdate

UpdateSink = Callable[[StreamUpdate], None]


class ModelClient(Protocol):
    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        """Send a request, stream its updates to ``on_update`` and return the final message.

        Raises ``domain.messages.api_errors.ApiError`` or ``domain.stream.errors.StreamFailure``.
        """
        ...
