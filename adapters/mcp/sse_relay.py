"""A relay between the legacy SSE transport's read stream and the SDK's ``ClientSession``,
through which hexclaw can put a message of its own on the session's incoming stream.

Why: the SDK's SSE client POSTs each message and drops what the POST answers (the server's
answers come on the event stream). A step-up 403 (``oauth.py``) is answered by hexclaw itself
with the JSON-RPC error of the call it refused; over streamable HTTP that error takes the
403's place in the POST's answer, but on SSE it would be dropped and the call would wait for
its timeout. Here it goes on the stream the session reads, and the session cannot tell it from
the server's answers.

Rules a reader must not break:
- every message the transport reads reaches the session in its order, with the transport's
  backpressure (an unbuffered stream, as the SDK's own);
- ``inject`` never blocks: it is called from the transport's POST task, which the session
  may be waiting on to send (a buffered stream of hexclaw's messages, forwarded by its own
  task); after the session ended it drops the message;
- the session sees the end of the stream when the transport's stream ends.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp import types
from mcp.shared.message import SessionMessage

from domain.mcp.protocol import JSON

Incoming = SessionMessage | Exception
_GONE = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream)


class SseRelay:
    """``around(transport)`` yields the transport's (read, write) streams with ``read``
    replaced by the relay's; ``inject(message)`` adds a JSON-RPC message to it."""

    def __init__(self) -> None:
        self._own_send, self._own_receive = anyio.create_memory_object_stream[SessionMessage](
            math.inf
        )

    def inject(self, message: JSON) -> None:
        """Puts a JSON-RPC message (a dict) on the session's stream, after what it has read."""
        parsed = SessionMessage(types.JSONRPCMessage.model_validate(message))
        with contextlib.suppress(*_GONE):
            self._own_send.send_nowait(parsed)

    @contextlib.asynccontextmanager
    async def around(
        self, transport: contextlib.AbstractAsyncContextManager[Any]
    ) -> AsyncIterator[tuple[MemoryObjectReceiveStream[Incoming], Any]]:
        to_session, session_reads = anyio.create_memory_object_stream[Incoming](0)
        async with transport as (read, write), anyio.create_task_group() as group:
            group.start_soon(self._from_transport, read, to_session.clone())
            group.start_soon(self._from_hexclaw, to_session)
            try:
                yield session_reads, write
            finally:
                group.cancel_scope.cancel()
                self._own_send.close()
                session_reads.close()

    async def _from_transport(
        self, read: MemoryObjectReceiveStream[Incoming], out: MemoryObjectSendStream[Incoming]
    ) -> None:
        with out, contextlib.suppress(*_GONE):
            async for message in read:
                await out.send(message)
        # The server's stream ended: once what hexclaw put on the stream is read, so does
        # the session's.
        self._own_send.close()

    async def _from_hexclaw(self, out: MemoryObjectSendStream[Incoming]) -> None:
        with out, self._own_receive, contextlib.suppress(*_GONE):
            async for message in self._own_receive:
                await out.send(message)
