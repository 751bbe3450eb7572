"""A model client that asks every conversation request for the run's thinking and effort."""

from __future__ import annotations

from domain.messages.content import Message
from domain.messages.request import MessageRequest
from domain.reasoning.plan import ReasoningControls, shape
from domain.stream.ports import ModelClient, UpdateSink


class ThinkingClient:
    """Implements ``ModelClient``. It sits next to the HTTP client, below a fallback, so the
    request is shaped for the model it is actually sent to."""

    def __init__(self, inner: ModelClient, controls: ReasoningControls) -> None:
        self.inner = inner
        self.controls = controls

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        return self.inner.stream_message(shape(request, self.controls), on_update)
