"""The MCP session of a remote server (streamable HTTP, SSE): the official SDK's
``ClientSession``, its models dumped to the plain JSON the hub reads.

The SDK is imported here, and this module only when a remote server is configured: its
transports and OAuth client are what it brings. Its errors become this area's
(``McpRequestError``, ``McpConnectionClosed``, ``McpProtocolError``), so the hub handles both
sessions alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any

from mcp import ClientSession, types
from mcp.shared.context import RequestContext
from mcp.shared.exceptions import McpError as SdkError
from mcp.shared.session import RequestResponder
from pydantic import BaseModel, ValidationError

from domain.mcp.errors import McpConnectionClosed, McpProtocolError, McpRequestError
from domain.mcp.protocol import JSON, ServerHello, server_hello
from domain.mcp.session import OnProgress, SessionEvents

# The SDK logs its transports' failures (with tracebacks); hexclaw reports each server's
# failure itself, in one line, so the SDK's log records go nowhere.
_SDK_LOG = logging.getLogger("mcp")
_SDK_LOG.addHandler(logging.NullHandler())
_SDK_LOG.propagate = False

_RESULTS: dict[str, type[BaseModel]] = {
    "tools/list": types.ListToolsResult,
    "tools/call": types.CallToolResult,
    "prompts/list": types.ListPromptsResult,
    "prompts/get": types.GetPromptResult,
    "resources/list": types.ListResourcesResult,
    "resources/read": types.ReadResourceResult,
    "ping": types.EmptyResult,
}


def dumped(model: BaseModel) -> JSON:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


class SdkSession:
    """``McpSession`` over the SDK's streams (``transport`` yields the read and write
    streams); an async context manager."""

    def __init__(
        self,
        transport: contextlib.AbstractAsyncContextManager[Any],
        events: SessionEvents,
        client: tuple[str, str],
        cancel_reason: str,
    ) -> None:
        self.transport = transport
        self.events = events
        self.client = client
        self.cancel_reason = cancel_reason
        self._stack = contextlib.AsyncExitStack()
        self._session: ClientSession | None = None

    async def __aenter__(self) -> SdkSession:
        async with contextlib.AsyncExitStack() as stack:
            read, write = await stack.enter_async_context(self.transport)
            name, version = self.client
            self._session = await stack.enter_async_context(
                ClientSession(
                    read,
                    write,
                    message_handler=self._handle,
                    elicitation_callback=self._elicit,
                    logging_callback=_quiet,
                    client_info=types.Implementation(name=name, version=version),
                )
            )
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stack.__aexit__(kind, error, traceback)

    @property
    def session(self) -> ClientSession:
        assert self._session is not None
        return self._session

    async def initialize(self) -> ServerHello:
        try:
            init = await self.session.initialize()
        except SdkError as exc:
            raise _translated(exc) from None
        except RuntimeError as exc:  # the SDK's check of the protocol version
            raise McpProtocolError(str(exc)) from None
        return server_hello(dumped(init))

    async def request(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        progress: OnProgress | None = None,
        timeout: float | None = None,
    ) -> JSON:
        session = self.session
        asked = {"method": method, **({"params": dict(params)} if params is not None else {})}
        # The id send_request gives this request (the SDK does not expose it): nothing awaits
        # between reading it and the request taking it, so it is this one's.
        request_id = session._request_id

        report = progress

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            if report is not None:
                report({"progress": progress, "total": total, "message": message})

        try:
            result = await session.send_request(
                types.ClientRequest.model_validate(asked),
                _RESULTS[method],
                request_read_timeout_seconds=timedelta(seconds=timeout) if timeout else None,
                progress_callback=on_progress if report is not None else None,
            )
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await session.send_notification(
                    types.ClientNotification(
                        types.CancelledNotification(
                            params=types.CancelledNotificationParams(
                                requestId=request_id, reason=self.cancel_reason
                            )
                        )
                    )
                )
            raise
        except SdkError as exc:
            raise _translated(exc) from None
        except ValidationError as exc:
            raise McpProtocolError(f"{method}: {exc.errors()[0]['msg']}") from None
        return dumped(result)

    async def _handle(
        self,
        message: RequestResponder[types.ServerRequest, types.ClientResult]
        | types.ServerNotification
        | Exception,
    ) -> None:
        if isinstance(message, Exception):
            self.events.malformed(str(message))
        elif isinstance(message, types.ServerNotification):
            root = dumped(message.root)
            self.events.notified(str(root.get("method", "")), root.get("params") or {})

    async def _elicit(
        self, context: RequestContext[ClientSession, Any], params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        answer = await self.events.elicit(dumped(params))
        return types.ElicitResult.model_validate(answer)


async def _quiet(params: types.LoggingMessageNotificationParams) -> None:
    """A server's log messages are not hexclaw's to print."""


def _translated(exc: SdkError) -> McpRequestError:
    if exc.error.code == types.CONNECTION_CLOSED:
        return McpConnectionClosed(exc.error.code, exc.error.message)
    return McpRequestError(exc.error.code, exc.error.message)
