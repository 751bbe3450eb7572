"""Answering HTTP requests from a cassette, as an httpx transport: nothing reaches the network.

Interactions are played in order, each once, the way vcrpy's ``record_mode="none"`` plays a
cassette without repeats: the Nth request of the run must match the Nth recorded request
(``domain.cassettes.match``), or the replay stops with ``ReplayMismatch`` saying which request
differed and how. Order matters because a retried request (a 529, then success) is sent twice
with the same bytes and must get a different answer each time.

A body is replayed in the chunks it was recorded in, or in a chunking the caller chooses;
``pace`` waits between chunks so a replay streams on screen the way the session did live.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from adapters.cassettes.file import load_cassette
from adapters.cassettes.recorder import headers_of
from adapters.http import httpx
from domain.cassettes.cassette import Cassette, CassetteRequest, CassetteResponse
from domain.cassettes.errors import ReplayExhausted, ReplayMismatch
from domain.cassettes.match import request_difference
from domain.cassettes.storage import comparable_request, restore_chunks

Chunking = Callable[[bytes], list[bytes]]


class ReplayTransport(httpx.BaseTransport):
    def __init__(
        self,
        cassette: Cassette,
        workspace: str | None = None,
        chunking: Chunking | None = None,
        pace: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        secrets: Iterable[str] = (),
    ) -> None:
        self.recorded = cassette
        # MCP exchanges are matched by ``adapters.cassettes.mcp_http``, not in this order.
        self.cassette = attrs.evolve(
            cassette, interactions=tuple(i for i in cassette.interactions if i.mcp_server is None)
        )
        # The secret values the recording scrubbed: a live request is compared as stored.
        self._secrets = tuple(secrets)
        self._workspace = workspace
        self._chunking = chunking
        self._pace = pace
        self._sleep = sleep
        self._lock = threading.Lock()
        self.played = 0

    @classmethod
    def from_file(
        cls,
        path: Path,
        workspace: str | None = None,
        pace: float = 0.0,
        secrets: Iterable[str] = (),
    ) -> ReplayTransport:
        return cls(load_cassette(path), workspace=workspace, pace=pace, secrets=secrets)

    @property
    def unplayed(self) -> int:
        return len(self.cassette.interactions) - self.played

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        live = comparable_request(
            CassetteRequest(
                method=request.method,
                uri=str(request.url),
                headers=headers_of(request.headers),
                body=request.read(),
            ),
            self._workspace,
            self._secrets,
        )
        interactions = self.cassette.interactions
        with self._lock:
            number = self.played + 1
            if self.played >= len(interactions):
                raise ReplayExhausted(number, len(interactions), live.line)
            recorded = interactions[self.played]
            difference = request_difference(recorded.request, live)
            if difference is not None:
                raise ReplayMismatch(number, len(interactions), recorded.request.line, difference)
            self.played = number
        return self._response(recorded.response)

    def _response(self, recorded: CassetteResponse) -> httpx.Response:
        chunks = restore_chunks(recorded, self._workspace)
        if self._chunking is not None:
            chunks = self._chunking(b"".join(chunks))
        size = sum(len(c) for c in chunks)
        headers = [
            (name, str(size) if name.lower() == "content-length" else value)
            for name, values in recorded.headers.items()
            for value in values
        ]
        return httpx.Response(
            recorded.status,
            headers=headers,
            stream=_ChunkStream(chunks, recorded.ended_by_error, self._pace, self._sleep),
            extensions={"reason_phrase": recorded.reason.encode("ascii", "replace")},
        )


class _ChunkStream(httpx.SyncByteStream):
    def __init__(
        self,
        chunks: list[bytes],
        error: str | None,
        pace: float,
        sleep: Callable[[float], None],
    ) -> None:
        self._chunks = chunks
        self._error = error
        self._pace = pace
        self._sleep = sleep

    def __iter__(self) -> Iterator[bytes]:
        for number, chunk in enumerate(self._chunks):
            if number and self._pace > 0:
                self._sleep(self._pace)
            yield chunk
        if self._error is not None:
            raise replayed_error(self._error)


def replayed_error(recorded: str) -> httpx.TransportError:
    """The transport error a recording ended with, as the same httpx exception class."""
    name, _, message = recorded.partition(": ")
    kind = getattr(httpx, name, None)
    if isinstance(kind, type) and issubclass(kind, httpx.TransportError):
        return kind(message)
    return httpx.RemoteProtocolError(recorded)
