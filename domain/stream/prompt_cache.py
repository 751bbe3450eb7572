"""Prompt caching for every request: the newest block of the conversation gets a breakpoint.

Claude Code marks the last block of each request with ``cache_control``, so the next call
(which repeats the whole conversation and adds to it) reads that prefix from the cache at a
tenth of the input price. This wrapper does that for any ``ModelClient``; the system
prompt's own breakpoints come from ``domain.context.system_prompt``.
"""

from __future__ import annotations

import attrs

from domain.messages.content import Message
from domain.messages.request import MessageRequest
from domain.stream.ports import ModelClient, UpdateSink


class PrefixCachingClient:
    def __init__(self, inner: ModelClient) -> None:
        self.inner = inner

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        return self.inner.stream_message(attrs.evolve(request, cache_last_message=True), on_update)
