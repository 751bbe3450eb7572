"""An MCP server built on the SDK's own FastMCP class, for the faults real servers do not make
on demand: a crash in the middle of a call, a call that hangs until cancelled, one answered
late, a huge result, a tool list that changes, malformed output, a start that never answers.

Run as ``python -m tests.fakes.mcp_fault_server [--hang-on-start] [--garbage] [--marker DIR]``;
it speaks MCP on stdin/stdout, or over HTTP on 127.0.0.1 with ``--http PORT`` (streamable
HTTP, at ``/mcp``) or ``--sse PORT`` (the legacy transport, at ``/sse``). ``--marker DIR``
gets a file per event the tests check (``started``, ``cancelled``), so a test can tell a
server started, or saw a cancellation. ``--resumable`` (with ``--http``) keeps its events in
memory and gives each an id, so a client can resume a broken stream with ``Last-Event-ID``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp.types import JSONRPCMessage, ToolAnnotations
from pydantic import BaseModel

server = FastMCP("faults")
# Where the event files go (--marker), set once at start.
MARKERS: list[Path] = []


def mark(name: str) -> None:
    for folder in MARKERS:
        (folder / name).write_text(str(os.getpid()))


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def echo(text: str) -> str:
    """Echoes the text back."""
    return f"echo: {text}"


@server.tool()
def crash() -> str:
    """Exits the server in the middle of the call."""
    os._exit(3)


@server.tool()
async def slow(ctx: Context) -> str:  # type: ignore[type-arg]
    """Reports progress, then waits until cancelled."""
    try:
        await ctx.report_progress(1, 10, "warming up")
        await anyio.sleep(3600)
    except anyio.get_cancelled_exc_class():
        mark("cancelled")
        raise
    return "never"


@server.tool()
async def progress_then_answer(seconds: float, ctx: Context) -> str:  # type: ignore[type-arg]
    """Reports progress, then answers after ``seconds``."""
    await ctx.report_progress(1, 2, "half way")
    await anyio.sleep(seconds)
    return f"answered after {seconds:g}s"


class MemoryEvents(EventStore):
    """Every event kept, numbered in order: the ones after an id are replayed on its stream."""

    def __init__(self) -> None:
        self.events: list[tuple[StreamId, JSONRPCMessage | None]] = []

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        self.events.append((stream_id, message))
        return str(len(self.events))

    async def replay_events_after(
        self, last_event_id: EventId, send_callback: EventCallback
    ) -> StreamId | None:
        if not last_event_id.isdigit() or not 0 < int(last_event_id) <= len(self.events):
            return None
        stream, _ = self.events[int(last_event_id) - 1]
        for number, (other, message) in enumerate(self.events, start=1):
            if number > int(last_event_id) and other == stream and message is not None:
                await send_callback(EventMessage(message, str(number)))
        return stream


@server.tool()
async def nap(seconds: float) -> str:
    """Answers after this many seconds."""
    await anyio.sleep(seconds)
    return f"napped {seconds:g}s"


@server.tool()
def huge(chars: int) -> str:
    """Returns this many characters."""
    return "x" * chars


@server.tool()
def failing() -> str:
    """Always fails: the result has isError."""
    raise ValueError("the tool failed on purpose")


@server.tool()
async def grow(ctx: Context) -> str:  # type: ignore[type-arg]
    """Adds a tool named ``added`` and tells the client the list changed."""

    def added() -> str:
        """A tool that did not exist at the start."""
        return "added works"

    server.add_tool(added, name="added")
    await ctx.session.send_tool_list_changed()
    return "grown"


@server.tool()
async def probe(ctx: Context) -> str:  # type: ignore[type-arg]
    """Sends the client a ping, then asks for its roots and for a sampling: says how each
    went (the client answers ping, and "method not found" to what it does not offer)."""
    from mcp.shared.exceptions import McpError
    from mcp.types import SamplingMessage, TextContent

    said = []
    await ctx.session.send_ping()
    said.append("ping ok")
    try:
        await ctx.session.list_roots()
        said.append("roots answered")
    except McpError as exc:
        said.append(f"roots {exc.error.code}")
    try:
        message = SamplingMessage(role="user", content=TextContent(type="text", text="hi"))
        await ctx.session.create_message([message], max_tokens=5)
        said.append("sampling answered")
    except McpError as exc:
        said.append(f"sampling {exc.error.code}")
    return ", ".join(said)


class Answer(BaseModel):
    name: str
    age: int = 30


@server.tool()
async def ask(ctx: Context) -> str:  # type: ignore[type-arg]
    """Asks the user who they are (elicitation)."""
    result = await ctx.elicit("Who are you?", schema=Answer)
    if result.action == "accept":
        return f"accepted {result.data.name} {result.data.age}"
    return result.action


def serve_with_bearer(port: int, token: str) -> None:
    """Streamable HTTP that answers 401 unless the request carries the token; the
    ``echo_token`` tool then returns it, as a careless server might."""
    import uvicorn
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response

    @server.tool()
    def echo_token(ctx: Context) -> str:  # type: ignore[type-arg]
        """Returns the bearer token this call came with."""
        request = ctx.request_context.request
        header = request.headers.get("authorization", "") if request is not None else ""
        return f"you sent {header.removeprefix('Bearer ')}"

    async def check(request: Request, call_next: Any) -> Response:
        if request.headers.get("authorization") != f"Bearer {token}":
            return PlainTextResponse("no", status_code=401)
        answer: Response = await call_next(request)
        return answer

    app = server.streamable_http_app()
    app.add_middleware(BaseHTTPMiddleware, dispatch=check)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hang-on-start", action="store_true")
    parser.add_argument("--garbage", action="store_true")
    parser.add_argument("--marker")
    parser.add_argument("--http", type=int, metavar="PORT", help="streamable HTTP on 127.0.0.1")
    parser.add_argument("--sse", type=int, metavar="PORT", help="legacy SSE on 127.0.0.1")
    parser.add_argument(
        "--bearer-env", metavar="VAR", help="with --http: only `Authorization: Bearer $VAR`"
    )
    parser.add_argument("--resumable", action="store_true", help="with --http: event ids")
    args = parser.parse_args()
    if args.resumable:
        server._event_store = MemoryEvents()
    MARKERS.extend([Path(args.marker)] if args.marker else [])
    mark("started")
    if args.hang_on_start:
        time.sleep(3600)
    if args.garbage:
        sys.stdout.write('this is not JSON-RPC\n{"jsonrpc": "2.0", "bogus": true}\n')
        sys.stdout.flush()
    if args.http and args.bearer_env:
        serve_with_bearer(args.http, os.environ[args.bearer_env])
        return
    if args.http or args.sse:
        server.settings.host = "127.0.0.1"
        server.settings.port = args.http or args.sse
        server.settings.log_level = "WARNING"
        server.run("streamable-http" if args.http else "sse")
        return
    server.run("stdio")


if __name__ == "__main__":
    main()
