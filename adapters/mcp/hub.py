"""``McpHub``: hexclaw's one wrapper around the SDK's async client.

A daemon thread runs an asyncio loop. Each server is served by one task that enters the
transport and the ``ClientSession``, lists what the server offers, then waits until the hub
closes; calls from hexclaw's synchronous side are coroutines submitted to that loop, awaited
through futures. The SDK is imported here and in the modules this one imports, never at
hexclaw's startup: bootstrap imports this module only when a server is configured.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal, TypeVar

import attrs
from mcp import ClientSession, types
from mcp.shared.context import RequestContext
from mcp.shared.exceptions import McpError as SdkError
from mcp.shared.session import RequestResponder

from adapters.http import httpx
from adapters.mcp.stdio_process import ProcessGroups, StderrTail, start_stdio
from adapters.mcp.stdio_transport import stdio_transport
from domain.mcp.config import ServerConfig
from domain.mcp.errors import McpError
from domain.repr_base import Record
from domain.version import VERSION

Status = Literal["pending", "connected", "failed", "needs login"]
# (server, message, requested schema) -> the answer's content, or None to decline. Asked on
# hexclaw's main thread (the REPL's form); without one every request is declined.
Elicit = Callable[[str, str, Mapping[str, Any]], "dict[str, Any] | None"]
T = TypeVar("T")
# The SDK logs its transports' failures (with tracebacks); hexclaw reports each server's
# failure itself, in one line, so the SDK's log records go nowhere.
_SDK_LOG = logging.getLogger("mcp")
_SDK_LOG.addHandler(logging.NullHandler())
_SDK_LOG.propagate = False
CLIENT = types.Implementation(name="hexclaw", version=VERSION)
# tools/list pages followed at most: a server that keeps sending cursors is cut off.
MAX_PAGES = 100


class McpCallError(McpError):
    """A call the server could not answer (not connected, gone, an error reply)."""


@attrs.frozen(repr=False)
class ToolInfo(Record):
    server: str
    name: str
    description: str
    input_schema: Mapping[str, Any]
    read_only: bool = False


@attrs.frozen(repr=False)
class PromptInfo(Record):
    server: str
    name: str
    description: str
    arguments: tuple[tuple[str, bool], ...] = ()
    """Each argument's name and whether it is required."""


@attrs.define(repr=False)
class ServerState(Record):
    config: ServerConfig
    status: Status = "pending"
    error: str = ""
    tools: list[ToolInfo] = attrs.field(factory=list)
    prompts: list[PromptInfo] = attrs.field(factory=list)
    resources: bool = False
    malformed: int = 0
    session: ClientSession | None = None
    ready: threading.Event = attrs.field(factory=threading.Event)
    stop: asyncio.Event | None = None
    stderr: StderrTail = attrs.field(factory=StderrTail)

    @property
    def name(self) -> str:
        return self.config.name

    def fail(self, why: str) -> None:
        self.status, self.error, self.session = "failed", why, None
        self.ready.set()


@attrs.frozen(repr=False)
class CallResult(Record):
    """A tools/call answer as plain JSON: content blocks, structuredContent, isError."""

    content: list[dict[str, Any]]
    structured: object = None
    is_error: bool = False


class McpHub:
    def __init__(
        self,
        servers: Sequence[ServerConfig],
        cwd: str,
        environ: Mapping[str, str],
        timeout: float = 30.0,
        tool_timeout: float | None = None,
        spawned: Mapping[str, subprocess.Popen[bytes] | OSError] | None = None,
        groups: ProcessGroups | None = None,
    ) -> None:
        """``spawned``: stdio servers already started (``start_stdio``), by name, with the
        ``groups`` they were added to; the others are started here."""
        self.states = {server.name: ServerState(server) for server in servers}
        self.cwd = cwd
        self.environ = dict(environ)
        self.timeout = timeout
        self.tool_timeout = tool_timeout
        self.groups = groups or ProcessGroups()
        self.spawned = dict(spawned or {})
        for server in servers:
            if server.transport == "stdio" and server.name not in self.spawned:
                self.spawned[server.name] = start_stdio(server, cwd, environ, self.groups)
        self.on_tools_changed: Callable[[str], None] | None = None
        # A remote server's OAuth (``oauth.provider_for``), or None: no authorization.
        self.auth: Callable[[ServerConfig], httpx.Auth | None] | None = None
        # The HTTP transport of a remote server's client (``--record``/``--replay``), or None:
        # httpx's own, to the network.
        self.http_transport: Callable[[ServerConfig], httpx.AsyncBaseTransport] | None = None
        self.elicit: Elicit | None = None
        # Elicitation requests waiting for the main thread, which answers them while it
        # waits for a call (a server asks in the middle of a tools/call).
        self._questions: queue.Queue[
            tuple[str, str, Mapping[str, Any], concurrent.futures.Future[dict[str, Any] | None]]
        ] = queue.Queue()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mcp", daemon=True)
        self._started = False
        self._closed = False

    # The synchronous side.

    def start(self) -> None:
        """Connect to every server in parallel; returns when each is connected or failed
        (at most ``timeout`` seconds)."""
        if self._started:
            return
        self._started = True
        self._thread.start()
        for state in self.states.values():
            asyncio.run_coroutine_threadsafe(self._serve(state), self._loop)
        deadline = time.monotonic() + self.timeout + 1.0
        for state in self.states.values():
            if not state.ready.wait(max(0.0, deadline - time.monotonic())):
                state.fail(f"timed out after {self.timeout:g}s")

    def reconnect(self, name: str, timeout: float | None = None) -> ServerState:
        """Connect to one server again (after a login): its old session, if any, is closed
        first; returns its state once connected or failed."""
        state = self.states[name]
        if state.stop is not None:
            self._loop.call_soon_threadsafe(state.stop.set)
        deadline = time.monotonic() + 5
        while state.session is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        state.status, state.error, state.ready = "pending", "", threading.Event()
        asyncio.run_coroutine_threadsafe(self._serve(state), self._loop)
        if not state.ready.wait(timeout or self.timeout):
            state.fail("timed out")
        return state

    def close(self) -> None:
        """Stop every server: the stdio process groups TERMed (KILLed after a grace period)
        first, since a server that only sees its stdin close may take its time to exit (a
        third of a second for mcp-server-time), then the sessions closed."""
        if self._closed:
            return
        self._closed = True
        self.groups.stop_all()
        if self._started:
            for state in self.states.values():
                if state.stop is not None:
                    self._loop.call_soon_threadsafe(state.stop.set)
            # The remote sessions end their HTTP exchanges before the loop stops.
            deadline = time.monotonic() + 2.0
            while any(s.session is not None for s in self.states.values()):
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.01)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=2.0)

    def tools(self) -> list[ToolInfo]:
        return [t for s in self.states.values() if s.status == "connected" for t in s.tools]

    def prompts(self) -> list[PromptInfo]:
        return [p for s in self.states.values() if s.status == "connected" for p in s.prompts]

    def call_tool(
        self,
        server: str,
        tool: str,
        arguments: Mapping[str, Any],
        progress: Callable[[str], None] | None = None,
    ) -> CallResult:
        state = self._connected(server)
        return self._wait(self._call(state, tool, dict(arguments), progress))

    def list_resources(self, server: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for state in self.states.values():
            if server is not None and state.name != server:
                continue
            if state.status != "connected" or not state.resources:
                if server is not None:
                    self._connected(server)
                continue
            listed = self._wait(self._resources(state))
            found.extend({**r, "server": state.name} for r in listed)
        return found

    def read_resource(self, server: str, uri: str) -> list[dict[str, Any]]:
        state = self._connected(server)
        return self._wait(self._read(state, uri))

    def get_prompt(
        self, server: str, name: str, arguments: Mapping[str, str]
    ) -> list[dict[str, Any]]:
        state = self._connected(server)
        return self._wait(self._prompt(state, name, dict(arguments)))

    def _connected(self, server: str) -> ServerState:
        state = self.states.get(server)
        if state is None:
            raise McpCallError(f"no MCP server named {server!r}")
        if state.status != "connected" or state.session is None:
            raise McpCallError(
                f"MCP server {server!r} is not connected ({state.error or state.status})"
            )
        return state

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            while True:
                try:
                    return future.result(timeout=0.05 if self.elicit is not None else None)
                except concurrent.futures.TimeoutError:
                    self._answer_questions()
        except KeyboardInterrupt:
            # The task's CancelledError handler tells the server (notifications/cancelled).
            future.cancel()
            raise
        except SdkError as exc:
            raise McpCallError(exc.error.message) from None

    def _answer_questions(self) -> None:
        while True:
            try:
                server, message, schema, answer = self._questions.get_nowait()
            except queue.Empty:
                return
            try:
                answer.set_result(self.elicit(server, message, schema) if self.elicit else None)
            except BaseException as exc:
                answer.set_result(None)
                if isinstance(exc, KeyboardInterrupt):
                    raise

    # The loop's side.

    async def _serve(self, state: ServerState) -> None:
        state.stop = asyncio.Event()
        try:
            async with contextlib.AsyncExitStack() as stack:
                async with asyncio.timeout(self.timeout):
                    read, write = await stack.enter_async_context(self._transport(state))
                    session = await stack.enter_async_context(
                        ClientSession(
                            read,
                            write,
                            message_handler=self._handler(state),
                            elicitation_callback=self._elicitation(state),
                            logging_callback=_quiet,
                            client_info=CLIENT,
                        )
                    )
                    init = await session.initialize()
                    capabilities = init.capabilities
                    state.session = session
                    if capabilities.tools is not None:
                        state.tools = await self._list_tools(state)
                    if capabilities.prompts is not None:
                        state.prompts = await self._list_prompts(state)
                    state.resources = capabilities.resources is not None
                state.status = "connected"
                state.ready.set()
                await state.stop.wait()
            state.session = None
        except BaseException as exc:
            if state.status == "connected" and self._closed:
                state.session = None
                return
            status, why = _describe(exc, state, self.timeout)
            state.fail(why)
            state.status = status
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise

    def _transport(self, state: ServerState) -> contextlib.AbstractAsyncContextManager[Any]:
        config = state.config
        if config.transport == "stdio":
            process = self.spawned[config.name]
            if isinstance(process, OSError):
                raise process
            return stdio_transport(process, self.groups, state.stderr)
        auth = self.auth(config) if self.auth is not None else None
        transport = self.http_transport(config) if self.http_transport is not None else None
        client = httpx.AsyncClient(
            headers=dict(config.headers),
            timeout=httpx.Timeout(self.timeout, read=300.0),
            follow_redirects=True,
            auth=auth,
            transport=transport,
        )
        if config.transport == "http":
            from mcp.client.streamable_http import streamable_http_client

            return _first_two(streamable_http_client(config.url, http_client=client))
        from mcp.client.sse import sse_client

        return sse_client(
            config.url,
            headers=dict(config.headers),
            timeout=self.timeout,
            auth=auth,
            httpx_client_factory=functools.partial(httpx.AsyncClient, transport=transport),
        )

    def _elicitation(self, state: ServerState) -> Any:
        async def answer(
            context: RequestContext[ClientSession, Any], params: types.ElicitRequestParams
        ) -> types.ElicitResult:
            """Asked on the main thread when it can (the REPL); declined otherwise (print
            mode, a URL-mode request)."""
            if self.elicit is None or not isinstance(params, types.ElicitRequestFormParams):
                return types.ElicitResult(action="decline")
            schema = params.requestedSchema
            future: concurrent.futures.Future[dict[str, Any] | None] = concurrent.futures.Future()
            self._questions.put((state.name, params.message, dict(schema), future))
            content = await asyncio.wrap_future(future)
            if content is None:
                return types.ElicitResult(action="decline")
            return types.ElicitResult(action="accept", content=content)

        return answer

    def _handler(self, state: ServerState) -> Any:
        async def handle(
            message: RequestResponder[types.ServerRequest, types.ClientResult]
            | types.ServerNotification
            | Exception,
        ) -> None:
            if isinstance(message, Exception):
                state.malformed += 1
                return
            if isinstance(message, types.ServerNotification):
                root = message.root
                if isinstance(root, types.ToolListChangedNotification):
                    # Not awaited here: the session's receive loop is what answers list_tools.
                    asyncio.get_running_loop().create_task(self._refresh_tools(state))
                elif isinstance(root, types.PromptListChangedNotification):
                    asyncio.get_running_loop().create_task(self._refresh_prompts(state))

        return handle

    async def _refresh_tools(self, state: ServerState) -> None:
        with contextlib.suppress(Exception):
            state.tools = await self._list_tools(state)
            if self.on_tools_changed is not None:
                self.on_tools_changed(state.name)

    async def _refresh_prompts(self, state: ServerState) -> None:
        with contextlib.suppress(Exception):
            state.prompts = await self._list_prompts(state)

    async def _list_tools(self, state: ServerState) -> list[ToolInfo]:
        assert state.session is not None
        tools: list[ToolInfo] = []
        cursor: str | None = None
        for _page in range(MAX_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            listed = await state.session.list_tools(params=params)
            for tool in listed.tools:
                hints = tool.annotations
                tools.append(
                    ToolInfo(
                        server=state.name,
                        name=tool.name,
                        description=tool.description or tool.title or "",
                        input_schema=tool.inputSchema,
                        read_only=bool(hints is not None and hints.readOnlyHint),
                    )
                )
            cursor = listed.nextCursor
            if not cursor:
                break
        return tools

    async def _list_prompts(self, state: ServerState) -> list[PromptInfo]:
        assert state.session is not None
        prompts: list[PromptInfo] = []
        cursor: str | None = None
        for _page in range(MAX_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            listed = await state.session.list_prompts(params=params)
            for prompt in listed.prompts:
                arguments = tuple((a.name, bool(a.required)) for a in prompt.arguments or [])
                prompts.append(
                    PromptInfo(state.name, prompt.name, prompt.description or "", arguments)
                )
            cursor = listed.nextCursor
            if not cursor:
                break
        return prompts

    async def _resources(self, state: ServerState) -> list[dict[str, Any]]:
        assert state.session is not None
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _page in range(MAX_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            listed = await state.session.list_resources(params=params)
            found.extend(
                r.model_dump(mode="json", by_alias=True, exclude_none=True)
                for r in listed.resources
            )
            cursor = listed.nextCursor
            if not cursor:
                break
        return found

    async def _read(self, state: ServerState, uri: str) -> list[dict[str, Any]]:
        from pydantic import AnyUrl

        assert state.session is not None
        result = await state.session.read_resource(AnyUrl(uri))
        return [
            c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in result.contents
        ]

    async def _prompt(
        self, state: ServerState, name: str, arguments: dict[str, str]
    ) -> list[dict[str, Any]]:
        assert state.session is not None
        result = await state.session.get_prompt(name, arguments)
        return [
            m.model_dump(mode="json", by_alias=True, exclude_none=True) for m in result.messages
        ]

    async def _call(
        self,
        state: ServerState,
        tool: str,
        arguments: dict[str, Any],
        report: Callable[[str], None] | None,
    ) -> CallResult:
        session = state.session
        assert session is not None
        # The id send_request gives this call (the SDK does not expose it): nothing awaits
        # between reading it and the request taking it, so it is this call's.
        request_id = session._request_id

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            if report is not None:
                share = f"{progress:g}/{total:g}" if total else f"{progress:g}"
                report(f"{state.name}: {message or 'working'} ({share})")

        timeout = timedelta(seconds=self.tool_timeout) if self.tool_timeout else None
        try:
            result = await session.call_tool(
                tool,
                arguments,
                read_timeout_seconds=timeout,
                progress_callback=on_progress if report is not None else None,
            )
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await session.send_notification(
                    types.ClientNotification(
                        types.CancelledNotification(
                            params=types.CancelledNotificationParams(
                                requestId=request_id, reason="the user interrupted hexclaw"
                            )
                        )
                    )
                )
            raise
        except SdkError as exc:
            if exc.error.code == types.CONNECTION_CLOSED:
                state.fail(f"connection closed{_stderr_hint(state)}")
            raise
        except RuntimeError as exc:
            # The SDK checks structuredContent against the tool's outputSchema.
            return CallResult(
                [{"type": "text", "text": f"invalid result from the server: {exc}"}], is_error=True
            )
        dumped = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        return CallResult(
            content=list(dumped.get("content", [])),
            structured=dumped.get("structuredContent"),
            is_error=bool(result.isError),
        )


async def _quiet(params: types.LoggingMessageNotificationParams) -> None:
    """A server's log messages are not hexclaw's to print."""


@contextlib.asynccontextmanager
async def _first_two(manager: contextlib.AbstractAsyncContextManager[Any]) -> Any:
    async with manager as streams:
        yield streams[0], streams[1]


def _describe(exc: BaseException, state: ServerState, timeout: float) -> tuple[Status, str]:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    hint = _stderr_hint(state)
    if isinstance(exc, McpError) and "needs a login" in str(exc):
        return "needs login", str(exc)
    if isinstance(exc, TimeoutError):
        return "failed", f"timed out after {timeout:g}s (MCP_TIMEOUT){hint}"
    if isinstance(exc, FileNotFoundError):
        return "failed", f"command not found: {state.config.command}"
    if isinstance(exc, SdkError):
        return "failed", f"{exc.error.message}{hint}"
    if isinstance(exc, httpx.HTTPStatusError):
        if exc.response.status_code == 401:
            return "needs login", "the server answered 401 (OAuth login is not supported yet)"
        return "failed", f"HTTP {exc.response.status_code} from {state.config.url}"
    if isinstance(exc, httpx.TransportError):
        return "failed", f"cannot reach {state.config.url} ({exc or type(exc).__name__})"
    if isinstance(exc, httpx.HTTPError):
        return "failed", f"{type(exc).__name__}: {exc or 'connection failed'}"
    if isinstance(exc, asyncio.CancelledError):
        return "failed", "stopped"
    return "failed", f"{str(exc) or type(exc).__name__}{hint}"


def _stderr_hint(state: ServerState) -> str:
    last = state.stderr.last()
    return f" (stderr: {last.strip()[:200]})" if last else ""
