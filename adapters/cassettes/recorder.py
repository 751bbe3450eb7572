"""Recording HTTP traffic into a cassette, as an httpx transport.

Why a transport of ours and not vcrpy's httpx patch: vcrpy reads the whole response before
the client sees any of it and stores it as one string, so a recorded stream would neither
stream live nor keep the chunks it arrived in. This transport passes each chunk on the
moment it arrives and keeps it, then writes vcrpy's cassette format (``adapters.cassettes.file``)
with the chunk lengths beside the body.

A content-encoded body (gzip...) is decoded before it is passed on and stored, and its
``content-encoding`` and ``content-length`` headers are dropped, so the client receives exactly
the bytes the cassette holds. The cassette is rewritten after each response, redacted
(``domain.cassettes.storage``); a connection that fails before any response is not recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from adapters.cassettes.file import save_cassette
from adapters.http import httpx
from domain.cassettes.cassette import Cassette, CassetteRequest, CassetteResponse, Headers
from domain.cassettes.storage import Redactor
from domain.version import VERSION

_ENCODING_HEADERS = frozenset({"content-encoding", "content-length"})


class RecordingTransport(httpx.BaseTransport):
    def __init__(
        self,
        target: Path,
        inner: httpx.BaseTransport | None = None,
        workspace: str | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self._target = target
        self._inner = inner or httpx.HTTPTransport()
        self._workspace = workspace
        # The values the system prompt hides (secret-named environment variables) are
        # scrubbed from everything stored: a tool may print them (``env``, ``cat .env``).
        self._redactor = Redactor(known=set(secrets))
        self._lock = threading.Lock()
        self.cassette = Cassette(metadata={"recorded_with": f"hexclaw {VERSION}"})
        # Written now, so an unwritable target fails before the first request, not after it.
        save_cassette(target, self.cassette)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        exchange = Exchange(request, body, self._inner.handle_request(request))

        def done(chunks: list[bytes], error: str | None) -> None:
            self.append(exchange.sent, exchange.received(chunks, error))

        return exchange.passed_on(_TeeStream(exchange.decoded, done))

    def close(self) -> None:
        self._inner.close()

    def append(
        self, request: CassetteRequest, response: CassetteResponse, mcp_server: str | None = None
    ) -> None:
        """Store one exchange, redacted, and rewrite the file. MCP exchanges come here too
        (``adapters.cassettes.mcp_http``), so one redactor sees every secret of the session."""
        with self._lock:
            interaction = self._redactor.interaction(request, response, self._workspace)
            if mcp_server is not None:
                interaction = attrs.evolve(interaction, mcp_server=mcp_server)
            self.cassette = self.cassette.adding(interaction)
            save_cassette(self._target, self.cassette)


class Exchange:
    """One request and its response as recording transports pass it on: the body decoded,
    without the encoding headers, so the client gets exactly the bytes the cassette keeps."""

    def __init__(self, request: httpx.Request, body: bytes, response: httpx.Response) -> None:
        self.sent = CassetteRequest(
            method=request.method,
            uri=str(request.url),
            headers=headers_of(request.headers),
            body=body,
        )
        self.response = response
        self.decoded = httpx.Response(
            response.status_code, headers=response.headers, stream=response.stream
        )
        encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
        self.headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if not (encoded and name.lower() in _ENCODING_HEADERS)
        ]

    def passed_on(self, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> httpx.Response:
        """The response the client reads, its body from ``stream`` (a tee of ``decoded``)."""
        return httpx.Response(
            self.response.status_code,
            headers=self.headers,
            stream=stream,
            extensions=self.response.extensions,
        )

    def received(self, chunks: list[bytes], error: str | None) -> CassetteResponse:
        """The response as stored, once the client has read (or stopped reading) it."""
        reason = self.response.extensions.get("reason_phrase", b"")
        return CassetteResponse(
            status=self.response.status_code,
            reason=reason.decode("ascii", "replace") if isinstance(reason, bytes) else "",
            headers=_grouped(self.headers),
            chunks=tuple(chunks),
            ended_by_error=error,
        )


class _TeeStream(httpx.SyncByteStream):
    """Hands each decoded chunk to the client as it arrives, and keeps it for the cassette."""

    def __init__(
        self, source: httpx.Response, done: Callable[[list[bytes], str | None], None]
    ) -> None:
        self._source = source
        self._done = done
        self._chunks: list[bytes] = []
        self._error: str | None = None
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._source.iter_bytes():
                self._chunks.append(chunk)
                yield chunk
        except httpx.TransportError as exc:
            self._error = f"{type(exc).__name__}: {exc}"
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._source.close()
        finally:
            # The client may stop reading early (at message_stop): what it read is what it saw.
            self._done(self._chunks, self._error)


def headers_of(headers: httpx.Headers) -> Headers:
    return _grouped(headers.multi_items())


def _grouped(items: list[tuple[str, str]]) -> Headers:
    grouped: Headers = {}
    for name, value in items:
        grouped.setdefault(name.lower(), []).append(value)
    return grouped
