"""An in-process ``ModelClient`` that plays scripted SSE events through the real reducer.

For pure unit tests of the loop: the events go through ``domain.stream.sse`` and
``domain.stream.reducer`` exactly as bytes from the network would, without a socket.
An ``Exception`` in the script is raised instead of answering; ``cut_after`` ends a reply
early, as a dropped connection would.
"""

from __future__ import annotations

from typing import Any

import attrs

from domain.messages.content import Message
from domain.messages.request import MessageRequest
from domain.stream.errors import IncompleteStream
from domain.stream.ports import UpdateSink
from domain.stream.reducer import StreamReducer
from domain.stream.sse import SSEFramer
from tests.fakes.sse_script import EventSpec, encode_events


@attrs.define
class ScriptedReply:
    events: list[EventSpec]
    cut_after: int | None = None


class ScriptedModelClient:
    def __init__(self, script: list[list[EventSpec] | ScriptedReply | Exception]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        self.requests.append(request.to_wire())
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        reply = step if isinstance(step, ScriptedReply) else ScriptedReply(step)
        events = reply.events if reply.cut_after is None else reply.events[: reply.cut_after]
        framer, reducer = SSEFramer(), StreamReducer()
        for sse in framer.feed(encode_events(events)) + framer.close():
            for update in reducer.apply(sse):
                on_update(update)
            if reducer.done:
                break
        if reply.cut_after is not None and not reducer.done:
            raise IncompleteStream("the connection dropped mid-stream", reducer.partial())
        return reducer.finish()
