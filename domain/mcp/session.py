"""The port between ``McpHub`` and a server's session: requests in, plain JSON out.

Two adapters implement it: ``adapters/mcp/stdio_session.py`` (JSON-RPC lines over a process's
pipes, no SDK) and ``adapters/mcp/sdk_session.py`` (the official SDK's ``ClientSession`` over
streamable HTTP or SSE, its models dumped to JSON). The hub turns the JSON into records
(``listing.py``) in one place, whichever session answered.

A session raises only this area's errors: ``McpRequestError`` (an error reply, a timeout),
``McpConnectionClosed`` (the server is gone), ``McpProtocolError`` (an answer that breaks
MCP). A call cancelled by the user (the task is cancelled) tells the server with
``notifications/cancelled`` before it ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs

from domain.mcp.protocol import JSON, ServerHello
from domain.repr_base import Record

# A notifications/progress's params, for the call that asked for them.
OnProgress = Callable[[Mapping[str, Any]], None]


@attrs.frozen(repr=False)
class SessionEvents(Record):
    """What a session hands back to the hub, on the loop's thread."""

    notified: Callable[[str, Mapping[str, Any]], None]
    """A server notification (``notifications/tools/list_changed``...), method and params."""
    elicit: Callable[[Mapping[str, Any]], Awaitable[JSON]]
    """An ``elicitation/create`` request's params to the ``ElicitResult`` JSON."""
    malformed: Callable[[str], None]
    """A received line that is no JSON-RPC message, and why."""


class McpSession(Protocol):
    async def initialize(self) -> ServerHello:
        """The handshake (``initialize``, then ``notifications/initialized``): the server's
        answer, its protocol version checked (``protocol.server_hello``)."""
        ...

    async def request(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        progress: OnProgress | None = None,
        timeout: float | None = None,
    ) -> JSON:
        """One request's result; ``progress`` asks the server for progress notifications."""
        ...
