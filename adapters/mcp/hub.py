"""``McpHub``: hexclaw's one wrapper around the MCP servers' async sessions.

A daemon thread runs an asyncio loop. Each server is served by one task that opens its
session (``domain/mcp/session.py``: the lean stdio one, or the SDK's for remote servers),
lists what the server offers, then waits until the hub closes; calls from hexclaw's
synchronous side are coroutines submitted to that loop, awaited through futures. The answers
come back as plain JSON from either session and become records here (``domain/mcp/listing``).
The SDK is imported only for a remote (http, sse) server, in ``_open``: a run whose servers
are all stdio loads neither ``mcp`` nor ``pydantic``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import queue
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs

from adapters.http import httpx
from adapters.mcp.stdio_process import ProcessGroups, StderrTail, start_stdio
from domain.mcp.config import ServerConfig
from domain.mcp.errors import McpConnectionClosed, McpError, McpProtocolError, McpRequestError
from domain.mcp.listing import (
    CallResult,
    PromptInfo,
    ToolInfo,
    call_result_of,
    contents_of,
    messages_of,
    missing_structure,
    prompts_of,
    resources_of,
    tools_of,
)
from domain.mcp.protocol import (
    JSON,
    MAX_PAGES,
    Pager,
    elicitation_answer,
    form_elicitation,
    progress_line,
)
from domain.mcp.session import McpSession, SessionEvents
from domain.repr_base import Record
from domain.version import VERSION

Status = Literal["pending", "connected", "failed", "needs login"]
# (server, message, requested schema) -> the answer's content, or None to decline. Asked on
# hexclaw's main thread (the REPL's form); without one every request is declined.
Elicit = Callable[[str, str, Mapping[str, Any]], "dict[str, Any] | None"]
T = TypeVar("T")
# Puts a JSON-RPC message (a dict) on a session's incoming stream.
Inject = Callable[[dict[str, Any]], None]
CLIENT = ("hexclaw", VERSION)
CANCEL_REASON = "the user interrupted hexclaw"
# How long the sessions have to end at exit before what is left is cancelled.
CLOSE_GRACE = 2.0
__all__ = ["MAX_PAGES", "CallResult", "McpCallError", "McpHub", "PromptInfo", "ToolInfo"]


class McpCallError(McpError):
    """A call the server could not answer (not connected, gone, an error reply)."""


@attrs.define(repr=False)
class ServerState(Record):
    config: ServerConfig
    status: Status = "pending"
    error: str = ""
    tools: list[ToolInfo] = attrs.field(factory=list)
    prompts: list[PromptInfo] = attrs.field(factory=list)
    resources: bool = False
    malformed: int = 0
    session: McpSession | None = None
    ready: threading.Event = attrs.field(factory=threading.Event)
    stop: asyncio.Event | None = None
    stderr: StderrTail = attrs.field(factory=StderrTail)

    @property
    def name(self) -> str:
        return self.config.name

    def fail(self, why: str) -> None:
        self.status, self.error, self.session = "failed", why, None
        self.ready.set()


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
        # A remote server's OAuth (``oauth.provider_for``), or None: no authorization. Its
        # second argument, for an SSE server, puts a message of hexclaw's on the session's
        # stream (``SseRelay.inject``): the transport drops POST answers.
        self.auth: Callable[[ServerConfig, Inject | None], httpx.Auth | None] | None = None
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
        self._deadline = 0.0
        self._waiting = threading.Lock()
        self._waited = False
        # Called once every server is connected or failed (the start's warnings).
        self.on_started: Callable[[], None] | None = None
        self._background: set[asyncio.Task[None]] = set()

    # The synchronous side.

    def start(self, wait: bool = True) -> None:
        """Connect to every server in parallel; returns when each is connected or failed
        (at most ``timeout`` seconds), or at once with ``wait=False``: then the first use of
        the servers (``tools()``, a call...) waits for them, so hexclaw builds the rest of
        the run meanwhile."""
        if self._started:
            return
        self._started = True
        self._deadline = time.monotonic() + self.timeout + 1.0
        self._thread.start()
        for state in self.states.values():
            asyncio.run_coroutine_threadsafe(self._serve(state), self._loop)
        if wait:
            self.wait_started()

    def wait_started(self) -> None:
        """Returns when every server is connected or failed; then, once, ``on_started``."""
        with self._waiting:
            if self._waited or not self._started:
                return
            for state in self.states.values():
                if not state.ready.wait(max(0.0, self._deadline - time.monotonic())):
                    state.fail(f"timed out after {self.timeout:g}s")
            self._waited = True
            if self.on_started is not None:
                self.on_started()

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
            ended = asyncio.run_coroutine_threadsafe(self._end_sessions(), self._loop)
            with contextlib.suppress(Exception):
                ended.result(timeout=CLOSE_GRACE + 1.0)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=2.0)

    async def _end_sessions(self) -> None:
        """Every session told to end (the remote ones end their HTTP exchanges), then what is
        still running after the grace period cancelled: no task is left pending when the loop
        stops, to be closed half-way by the garbage collector."""
        for state in self.states.values():
            if state.stop is not None:
                state.stop.set()
        tasks = asyncio.all_tasks() - {asyncio.current_task()}
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=CLOSE_GRACE)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=0.5)

    def tools(self) -> list[ToolInfo]:
        self.wait_started()
        return [t for s in self.states.values() if s.status == "connected" for t in s.tools]

    def prompts(self) -> list[PromptInfo]:
        self.wait_started()
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
        self.wait_started()
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
        self.wait_started()
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
        except (McpRequestError, McpProtocolError) as exc:
            raise McpCallError(str(exc)) from None

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
                    session = await stack.enter_async_context(self._open(state))
                    hello = await session.initialize()
                    state.session = session
                    # Both listings in flight at once: one round trip less before the run.
                    tools, prompts = await asyncio.gather(
                        self._list_tools(state) if hello.offers("tools") else _nothing(),
                        self._list_prompts(state) if hello.offers("prompts") else _nothing(),
                    )
                    state.tools, state.prompts = list(tools), list(prompts)
                    state.resources = hello.offers("resources")
                state.status = "connected"
                state.ready.set()
                await state.stop.wait()
            state.session = None
        except GeneratorExit:
            raise
        except BaseException as exc:
            if state.status == "connected" and self._closed:
                state.session = None
                return
            status, why = _describe(exc, state, self.timeout)
            state.fail(why)
            state.status = status
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise

    def _open(self, state: ServerState) -> contextlib.AbstractAsyncContextManager[McpSession]:
        """The server's session: the lean one for stdio, the SDK's for remote servers."""
        events = SessionEvents(
            notified=self._notified(state),
            elicit=self._elicitation(state),
            malformed=lambda why: self._malformed(state),
        )
        if state.config.transport == "stdio":
            from adapters.mcp.stdio_session import StdioSession

            process = self.spawned[state.config.name]
            if isinstance(process, OSError):
                raise process
            return StdioSession(process, self.groups, state.stderr, events, CLIENT, CANCEL_REASON)
        from adapters.mcp.sdk_session import SdkSession

        return SdkSession(self._transport(state), events, CLIENT, CANCEL_REASON)

    def _transport(self, state: ServerState) -> contextlib.AbstractAsyncContextManager[Any]:
        """A remote server's SDK streams (read, write)."""
        config = state.config
        relay = None
        if config.transport == "sse":
            from adapters.mcp.sse_relay import SseRelay

            relay = SseRelay()
        inject = relay.inject if relay is not None else None
        auth = self.auth(config, inject) if self.auth is not None else None
        transport = self.http_transport(config) if self.http_transport is not None else None
        if config.transport == "http":
            from mcp.client.streamable_http import streamable_http_client

            from adapters.mcp.http_answers import AnsweringClient

            # Its POSTs are answered even when the server dies in the middle of a call.
            client = AnsweringClient(
                headers=dict(config.headers),
                timeout=httpx.Timeout(self.timeout, read=300.0),
                follow_redirects=True,
                auth=auth,
                transport=transport,
            )
            return _first_two(streamable_http_client(config.url, http_client=client))
        from mcp.client.sse import sse_client

        assert relay is not None
        return relay.around(
            sse_client(
                config.url,
                headers=dict(config.headers),
                timeout=self.timeout,
                auth=auth,
                httpx_client_factory=functools.partial(httpx.AsyncClient, transport=transport),
            )
        )

    @staticmethod
    def _malformed(state: ServerState) -> None:
        state.malformed += 1

    def _elicitation(self, state: ServerState) -> Callable[[Mapping[str, Any]], Awaitable[JSON]]:
        async def answer(params: Mapping[str, Any]) -> JSON:
            """Asked on the main thread when it can (the REPL); declined otherwise (print
            mode, a URL-mode request)."""
            form = form_elicitation(params)
            if self.elicit is None or form is None:
                return elicitation_answer(None)
            message, schema = form
            future: concurrent.futures.Future[dict[str, Any] | None] = concurrent.futures.Future()
            self._questions.put((state.name, message, dict(schema), future))
            content = await asyncio.wrap_future(future)
            return elicitation_answer(content)

        return answer

    def _notified(self, state: ServerState) -> Callable[[str, Mapping[str, Any]], None]:
        def notified(method: str, params: Mapping[str, Any]) -> None:
            # Not awaited here: the session's reading is what answers the listing.
            if method == "notifications/tools/list_changed":
                self._later(self._refresh_tools(state))
            elif method == "notifications/prompts/list_changed":
                self._later(self._refresh_prompts(state))

        return notified

    def _later(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh_tools(self, state: ServerState) -> None:
        with contextlib.suppress(Exception):
            state.tools = await self._list_tools(state)
            if self.on_tools_changed is not None:
                self.on_tools_changed(state.name)

    async def _refresh_prompts(self, state: ServerState) -> None:
        with contextlib.suppress(Exception):
            state.prompts = await self._list_prompts(state)

    async def _pages(self, state: ServerState, method: str) -> list[JSON]:
        """Each page of a listing, following ``nextCursor`` (``Pager``'s limits)."""
        assert state.session is not None
        pages: list[JSON] = []
        pager = Pager()
        while True:
            page = await state.session.request(method, pager.params())
            pages.append(page)
            if not pager.advance(page):
                return pages

    async def _list_tools(self, state: ServerState) -> list[ToolInfo]:
        pages = await self._pages(state, "tools/list")
        return [tool for page in pages for tool in tools_of(state.name, page)]

    async def _list_prompts(self, state: ServerState) -> list[PromptInfo]:
        pages = await self._pages(state, "prompts/list")
        return [prompt for page in pages for prompt in prompts_of(state.name, page)]

    async def _resources(self, state: ServerState) -> list[dict[str, Any]]:
        pages = await self._pages(state, "resources/list")
        return [resource for page in pages for resource in resources_of(page)]

    async def _read(self, state: ServerState, uri: str) -> list[dict[str, Any]]:
        assert state.session is not None
        return contents_of(await state.session.request("resources/read", {"uri": uri}))

    async def _prompt(
        self, state: ServerState, name: str, arguments: dict[str, str]
    ) -> list[dict[str, Any]]:
        assert state.session is not None
        asked = {"name": name, "arguments": arguments}
        return messages_of(await state.session.request("prompts/get", asked))

    async def _call(
        self,
        state: ServerState,
        tool: str,
        arguments: dict[str, Any],
        report: Callable[[str], None] | None,
    ) -> CallResult:
        session = state.session
        assert session is not None

        def on_progress(params: Mapping[str, Any]) -> None:
            line = progress_line(state.name, params)
            if line is not None and report is not None:
                report(line)

        try:
            answer = await session.request(
                "tools/call",
                {"name": tool, "arguments": arguments},
                progress=on_progress if report is not None else None,
                timeout=self.tool_timeout,
            )
        except McpConnectionClosed:
            state.fail(f"connection closed{_stderr_hint(state)}")
            raise
        result = call_result_of(answer)
        info = next((t for t in state.tools if t.name == tool), None)
        problem = missing_structure(info, result)
        if problem is None and info is not None and info.output_schema and not result.is_error:
            from adapters.mcp.output_schema import schema_problem

            problem = schema_problem(info.name, info.output_schema, result.structured)
        if problem is not None:
            return CallResult(
                [{"type": "text", "text": f"invalid result from the server: {problem}"}],
                is_error=True,
            )
        return result


async def _nothing() -> list[Any]:
    return []


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
    if isinstance(exc, McpRequestError | McpProtocolError):
        return "failed", f"{exc}{hint}"
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
