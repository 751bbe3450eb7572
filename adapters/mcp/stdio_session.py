"""The lean MCP session over a stdio server's pipes: JSON-RPC lines both ways, no SDK.

Importing the SDK's client costs about 0.7 s (its pydantic models); a stdio session needs
none of it: the messages are JSON objects, one a line, whose rules are in
``domain/mcp/protocol.py``. This module does the I/O, on the hub's event loop:

- one task reads stdout: a reply resolves the request waiting for it; a server request
  (``ping``, ``elicitation/create``; anything else is answered ``-32601``) is answered in a
  task of its own, so the reading goes on while the user fills a form; a notification goes to
  the hub, a ``notifications/progress`` to the call that asked for it; a malformed line is
  counted and skipped;
- another task keeps stderr's last lines, for the line that says why a server failed;
- at the end of stdout (the server exited) every waiting request fails with
  ``McpConnectionClosed``; leaving the session closes stdin, then stops the process group
  (TERM, a grace period, KILL) off the loop's thread.

The process was started earlier (``stdio_process.py``), so its start-up overlaps hexclaw's.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from adapters.mcp.stdio_process import GRACE, ProcessGroups, StderrTail
from domain.mcp.errors import McpConnectionClosed, McpRequestError
from domain.mcp.protocol import (
    CONNECTION_CLOSED,
    INTERNAL_ERROR,
    JSON,
    METHOD_NOT_FOUND,
    REQUEST_TIMEOUT,
    Incoming,
    Malformed,
    Notification,
    Request,
    RequestId,
    Response,
    ServerHello,
    cancelled,
    classify,
    encoded,
    error_reply,
    initialize_params,
    notification,
    reply,
    request,
    server_hello,
    with_progress_token,
)
from domain.mcp.session import OnProgress, SessionEvents

# A line longer than this is not a message any server should send: the session ends.
MAX_LINE = 64 * 1024 * 1024


class StdioSession:
    """``McpSession`` over a started process; an async context manager."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        groups: ProcessGroups,
        stderr: StderrTail,
        events: SessionEvents,
        client: tuple[str, str],
        cancel_reason: str,
    ) -> None:
        self.process = process
        self.groups = groups
        self.stderr = stderr
        self.events = events
        self.client = client
        self.cancel_reason = cancel_reason
        self._last_id = 0
        self._waiting: dict[RequestId, asyncio.Future[Response]] = {}
        self._progress: dict[RequestId, OnProgress] = {}
        self._answering: dict[RequestId, asyncio.Task[None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._pipe: asyncio.WriteTransport | None = None
        self._gone = False

    async def __aenter__(self) -> StdioSession:
        process = self.process
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        loop = asyncio.get_running_loop()
        out = asyncio.StreamReader(limit=MAX_LINE)
        err = asyncio.StreamReader(limit=1 << 16)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(out), process.stdout)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(err), process.stderr)
        self._pipe, _protocol = await loop.connect_write_pipe(asyncio.Protocol, process.stdin)
        self._tasks = [
            loop.create_task(self._read_stdout(out)),
            loop.create_task(self._read_stderr(err)),
        ]
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        reading = self._tasks[1:]
        for task in [*self._tasks[:1], *self._answering.values()]:
            task.cancel()
        if self._pipe is not None:
            self._pipe.close()
        # MCP's stdio shutdown: stdin closed, then TERM and KILL the group, off the loop's
        # thread so the wait does not stall the other servers.
        await asyncio.to_thread(self.groups.stop, self.process.pid, GRACE)
        await asyncio.to_thread(self.process.wait)
        self._lost()
        # stderr's last lines say why a server failed: read them to its end (the group is
        # gone, so that end is near) before the failure is described.
        if reading:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(reading[0]), 0.5)
            reading[0].cancel()

    # The port.

    async def initialize(self) -> ServerHello:
        name, version = self.client
        params = initialize_params(name, version, elicitation=True)
        hello = server_hello(await self.request("initialize", params))
        self._send(notification("notifications/initialized"))
        return hello

    async def request(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        progress: OnProgress | None = None,
        timeout: float | None = None,
    ) -> JSON:
        self._last_id += 1
        request_id = self._last_id
        body = dict(params) if params is not None else None
        if progress is not None:
            body = with_progress_token(body or {}, request_id)
            self._progress[request_id] = progress
        answer: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        try:
            self._send(request(request_id, method, body))
            try:
                async with asyncio.timeout(timeout):
                    response = await answer
            except TimeoutError:
                # MCP asks a client that gives up on a request to say so.
                with contextlib.suppress(McpConnectionClosed):
                    self._send(cancelled(request_id, f"timed out after {timeout:g}s"))
                raise McpRequestError(
                    REQUEST_TIMEOUT,
                    f"Timed out while waiting for response to {method}. "
                    f"Waited {timeout:g} seconds.",
                ) from None
            except asyncio.CancelledError:
                if not self._gone:
                    with contextlib.suppress(McpConnectionClosed):
                        self._send(cancelled(request_id, self.cancel_reason))
                raise
        finally:
            self._waiting.pop(request_id, None)
            self._progress.pop(request_id, None)
        if response.result is None:
            raise McpRequestError(response.error_code, response.error_message)
        return response.result

    # Writing.

    def _send(self, message: JSON) -> None:
        if self._gone or self._pipe is None or self._pipe.is_closing():
            raise McpConnectionClosed(CONNECTION_CLOSED, "Connection closed")
        self._pipe.write(encoded(message))

    # Reading.

    async def _read_stdout(self, out: asyncio.StreamReader) -> None:
        try:
            while True:
                try:
                    line = await out.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    self.events.malformed("a message longer than 64 MiB")
                    return
                if not line:
                    return
                if line.strip():
                    self._receive(classify(line))
        finally:
            self._lost()

    def _receive(self, message: Incoming) -> None:
        if isinstance(message, Response):
            waiting = self._waiting.get(message.id)
            # A reply nobody waits for (its request was cancelled) is dropped.
            if waiting is not None and not waiting.done():
                waiting.set_result(message)
        elif isinstance(message, Request):
            task = asyncio.get_running_loop().create_task(self._answer(message))
            self._answering[message.id] = task
        elif isinstance(message, Notification):
            self._notified(message)
        elif isinstance(message, Malformed):
            self.events.malformed(message.why)

    def _notified(self, message: Notification) -> None:
        params = message.params
        if message.method == "notifications/progress":
            token: Any = params.get("progressToken")
            report = self._progress.get(token)
            if report is not None:
                with contextlib.suppress(Exception):
                    report(params)
        elif message.method == "notifications/cancelled":
            asked_id: Any = params.get("requestId")
            answering = self._answering.get(asked_id)
            if answering is not None:
                answering.cancel()
        else:
            self.events.notified(message.method, params)

    async def _answer(self, asked: Request) -> None:
        """A server request's reply; a request the server cancelled gets none (MCP's rule)."""
        try:
            if asked.method == "ping":
                result: JSON = {}
            elif asked.method == "elicitation/create":
                result = await self.events.elicit(asked.params)
            else:
                self._send(
                    error_reply(asked.id, METHOD_NOT_FOUND, f"Method not found: {asked.method}")
                )
                return
            self._send(reply(asked.id, result))
        except McpConnectionClosed:
            pass
        except Exception as exc:
            with contextlib.suppress(McpConnectionClosed):
                self._send(error_reply(asked.id, INTERNAL_ERROR, str(exc) or type(exc).__name__))
        finally:
            self._answering.pop(asked.id, None)

    async def _read_stderr(self, err: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await err.readline()
            except (ValueError, asyncio.LimitOverrunError):
                continue
            if not line:
                return
            self.stderr.lines.append(line.decode("utf-8", "replace").rstrip("\n")[:500])

    def _lost(self) -> None:
        """The server's side is gone: every request still waiting fails."""
        self._gone = True
        for waiting in self._waiting.values():
            if not waiting.done():
                waiting.set_exception(McpConnectionClosed(CONNECTION_CLOSED, "Connection closed"))
