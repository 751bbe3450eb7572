"""Remote MCP traffic in the session's cassette, as the async httpx transports the MCP clients use.

With ``--record``, ``McpRecorder`` gives each remote server a transport that passes every
exchange on live and stores it in the same cassette as the model's traffic, through the same
``RecordingTransport.append`` (so one redactor sees every secret of the session: a bearer
token configured for a server is scrubbed wherever else it shows up), tagged with the server's
name. With ``--replay``, ``McpReplay`` answers each server's requests from its recordings and
never opens a socket; what must match, and how ids are fitted, is in
``domain.cassettes.mcp_exchanges``. stdio servers never come here: they run for real.

A request with no recording left is refused in one line naming it
(``McpReplayMismatch``): a JSON-RPC request gets that line as its error reply, so the server's
status (at start) or the tool result (in a call) says it, and ``on_refusal`` prints it (not for
``initialize``: the server's failure line already does); anything else raises it. Two
exceptions: a standing GET stream the recording does not hold (it is optional, and a session
may end before the stream's recording is written) opens and stays empty, and a notification
(nothing answers it: a Ctrl-C's ``notifications/cancelled`` comes whenever the user presses it)
is accepted with a 202, as a server would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from adapters.cassettes.recorder import Exchange, RecordingTransport, headers_of
from adapters.http import httpx
from domain.cassettes.cassette import Cassette, CassetteRequest, CassetteResponse, Interaction
from domain.cassettes.errors import McpReplayMismatch
from domain.cassettes.mcp_exchanges import (
    IdKey,
    IdMap,
    describe,
    error_reply,
    exchange_key,
    id_map,
    jsonrpc_messages,
    request_ids,
    rewrite_event,
    rewrite_json,
    sse_events,
    standing_plan,
)
from domain.cassettes.storage import comparable_request, restore_chunks
from domain.mcp.config import ServerConfig

_DROPPED_ON_REPLAY = frozenset({"content-length", "transfer-encoding", "content-encoding"})
EVENT_STREAM = "text/event-stream"


class McpRecorder:
    def __init__(self, recording: RecordingTransport) -> None:
        self._recording = recording

    def __call__(self, server: ServerConfig) -> httpx.AsyncBaseTransport:
        return self.transport_for(server.name)

    def transport_for(self, server: str) -> httpx.AsyncBaseTransport:
        return _RecordingTransport(server, self._recording)


class _RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        server: str,
        recording: RecordingTransport,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._server = server
        self._recording = recording
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        exchange = Exchange(request, body, await self._inner.handle_async_request(request))

        def done(chunks: list[bytes], error: str | None) -> None:
            received = exchange.received(chunks, error)
            self._recording.append(exchange.sent, received, mcp_server=self._server)

        return exchange.passed_on(_AsyncTee(exchange.decoded, done))

    async def aclose(self) -> None:
        await self._inner.aclose()


class _AsyncTee(httpx.AsyncByteStream):
    """Hands each decoded chunk on as it arrives and keeps it; stored when the client closes
    the response (a standing stream when the session ends)."""

    def __init__(
        self, source: httpx.Response, done: Callable[[list[bytes], str | None], None]
    ) -> None:
        self._source = source
        self._done = done
        self._chunks: list[bytes] = []
        self._error: str | None = None
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._source.aiter_bytes():
                self._chunks.append(chunk)
                yield chunk
        except httpx.TransportError as exc:
            self._error = f"{type(exc).__name__}: {exc}"
            raise

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._source.aclose()
        finally:
            # Synchronous, so it runs even when the close itself is cancelled (session end).
            self._done(self._chunks, self._error)


class McpReplay:
    """The MCP exchanges of a cassette, answered server by server."""

    def __init__(
        self,
        cassette: Cassette,
        workspace: str | None = None,
        secrets: Iterable[str] = (),
        on_refusal: Callable[[str], None] | None = None,
    ) -> None:
        self._workspace = workspace
        self._secrets = tuple(secrets)
        self._on_refusal = on_refusal
        self._books: dict[str, _ServerBook] = {}
        for interaction in cassette.interactions:
            if interaction.mcp_server is not None:
                self._book(interaction.mcp_server).recorded.append(interaction)

    def __call__(self, server: ServerConfig) -> httpx.AsyncBaseTransport:
        return self.transport_for(server.name, legacy_sse=server.transport == "sse")

    def transport_for(self, server: str, legacy_sse: bool = False) -> httpx.AsyncBaseTransport:
        book = self._book(server)
        book.legacy_sse = legacy_sse
        return _ReplayTransport(server, book, self._workspace, self._secrets, self._on_refusal)

    def unplayed(self, server: str) -> int:
        """How many of the server's recordings no request has taken yet."""
        book = self._book(server)
        return len(book.recorded) - len(book.played)

    def _book(self, server: str) -> _ServerBook:
        return self._books.setdefault(server, _ServerBook())


class _ServerBook:
    """One server's recordings, which of them were played, and its standing streams."""

    def __init__(self) -> None:
        self.recorded: list[Interaction] = []
        self.played: set[int] = set()
        self.legacy_sse = False
        self.pending: dict[IdKey, tuple[bytes, ...]] = {}
        self.streams: list[asyncio.Queue[bytes]] = []

    def take(self, key: str) -> Interaction | None:
        for number, interaction in enumerate(self.recorded):
            if number in self.played or interaction.response.status == 401:
                # A 401 asked the recording's client to authorize; a replay sends no
                # credentials and plays the authorized exchange that followed.
                continue
            if exchange_key(interaction.request) == key:
                self.played.add(number)
                return interaction
        return None

    def release(self, mapping: IdMap) -> None:
        for recorded_id in mapping.recorded_ids:
            for event in self.pending.pop(recorded_id, ()):
                self.send(rewrite_event(event, mapping))

    def send(self, event: bytes) -> None:
        for stream in self.streams:
            stream.put_nowait(event)


class _ReplayTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        server: str,
        book: _ServerBook,
        workspace: str | None,
        secrets: tuple[str, ...],
        on_refusal: Callable[[str], None] | None,
    ) -> None:
        self._server = server
        self._book = book
        self._workspace = workspace
        self._secrets = secrets
        self._on_refusal = on_refusal

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        live = comparable_request(
            CassetteRequest(
                method=request.method,
                uri=str(request.url),
                headers=headers_of(request.headers),
                body=await request.aread(),
            ),
            self._workspace,
            self._secrets,
        )
        recorded = self._book.take(exchange_key(live))
        if recorded is None:
            return self._unrecorded(request, live)
        mapping = id_map(recorded.request, live)
        self._book.release(mapping)
        return self._answer(request, recorded.response, mapping)

    def _answer(
        self, request: httpx.Request, recorded: CassetteResponse, mapping: IdMap
    ) -> httpx.Response:
        body = b"".join(restore_chunks(recorded, self._workspace))
        content_type = _header(recorded.headers, "content-type")
        stream: httpx.AsyncByteStream
        if content_type.startswith(EVENT_STREAM) and request.method == "GET":
            plan = standing_plan(body)
            self._book.pending.update(plan.by_response)
            stream = self._standing(plan.opening)
        elif content_type.startswith(EVENT_STREAM):
            stream = _Events([rewrite_event(e, mapping) for e in sse_events(body)])
        else:
            stream = _Events([rewrite_json(body, mapping)] if body else [])
        headers = [
            (name, value)
            for name, values in recorded.headers.items()
            if name.lower() not in _DROPPED_ON_REPLAY
            for value in values
        ]
        return httpx.Response(
            recorded.status,
            headers=headers,
            stream=stream,
            extensions={"reason_phrase": recorded.reason.encode("ascii", "replace")},
        )

    def _unrecorded(self, request: httpx.Request, live: CassetteRequest) -> httpx.Response:
        accepts = request.headers.get("accept", "")
        if request.method == "GET" and EVENT_STREAM in accepts:
            return httpx.Response(
                200, headers={"content-type": EVENT_STREAM}, stream=self._standing(())
            )
        messages = jsonrpc_messages(live.body)
        if messages and all("method" in m and "id" not in m for m in messages):
            return httpx.Response(202, content=b"Accepted")  # notifications only
        refusal = McpReplayMismatch(self._server, describe(live))
        ids = request_ids(live)
        if not ids:
            raise refusal
        if self._on_refusal is not None and messages and messages[0].get("method") != "initialize":
            self._on_refusal(str(refusal))
        reply = error_reply(ids[0], str(refusal))
        if self._book.legacy_sse:
            # The legacy transport answers on the standing stream; the POST only says 202.
            self._book.send(b"event: message\r\ndata: " + reply + b"\r\n\r\n")
            return httpx.Response(202, content=b"Accepted")
        return httpx.Response(200, headers={"content-type": "application/json"}, content=reply)

    def _standing(self, opening: Iterable[bytes]) -> httpx.AsyncByteStream:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._book.streams.append(queue)
        return _Standing(list(opening), queue, lambda: self._book.streams.remove(queue))


class _Events(httpx.AsyncByteStream):
    def __init__(self, events: list[bytes]) -> None:
        self._events = events

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self._events:
            yield event


class _Standing(httpx.AsyncByteStream):
    """A standing SSE stream: what it opens with, then what replayed requests release, until
    the client closes it."""

    def __init__(
        self, opening: list[bytes], queue: asyncio.Queue[bytes], closed: Callable[[], Any]
    ) -> None:
        self._opening = opening
        self._queue = queue
        self._closed = closed
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self._opening:
            yield event
        while True:
            yield await self._queue.get()

    async def aclose(self) -> None:
        if not self._done:
            self._done = True
            self._closed()


def _header(headers: dict[str, list[str]], name: str) -> str:
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0].lower()
    return ""
