"""The httpx client of a streamable HTTP server: every request hexclaw POSTs gets an answer,
the server's or, when the server cannot give one any more, a JSON-RPC error of hexclaw's.

Why: the SDK's streamable HTTP transport leaves a call waiting for its timeout (forever
without ``MCP_TOOL_TIMEOUT``) when the server dies in the middle of it: a POST's event stream
that breaks, or ends, before the answer with no event id to resume from is dropped
(``_handle_sse_response``), a JSON answer cut short goes to the message handler as an
exception that names no request, and a POST whose connection fails raises inside the
transport's request task, which ends the transport without answering the calls under way.
Here such a POST is answered with the request's error, in the POST's own answer, where
streamable HTTP carries answers (as ``oauth.py`` answers a step-up 403): the session reads it
like the server's, and the call fails with "connection closed: ...". A POST that cannot reach
the server gets ``CONNECTION_CLOSED`` (the SDK's own code for a closed connection), which also
marks the server failed; a stream that broke or ended before the answer gets ``ANSWER_LOST``,
which fails that call only: each call has its own POST, and the network cutting one (a proxy's
time limit on a long call, say) says nothing of the server's session. A server that died
mid-call is found out by the next call, which cannot reach it.

A stream with event ids is the SDK's to resume: it reconnects with ``Last-Event-ID`` (a GET)
and the answer can still come. But when its reconnects all fail it gives up without a word and
the call waits again; so the reconnects of a stream that broke before its answer are watched
too, and the last one the SDK makes (``MAX_RECONNECTION_ATTEMPTS``), failing, is answered with
the call's ``CONNECTION_CLOSED``: the server is out of reach or has lost the stream.

Rules a reader must not break:
- only a POST carrying a JSON-RPC request is watched, and only its own answer replaced: the
  other calls under way keep their streams, and are answered when their answers come;
- an event stream is passed on whole event by whole event, as it arrives (progress and
  elicitation must not wait for the end); a stream with an event id is left to the SDK,
  which resumes it (``Last-Event-ID``) and can still get the answer;
- a failed ``initialize`` still raises: that is how a server that cannot be reached fails
  to connect ("cannot reach ..."); so does a request whose answer is compressed (its bytes
  cannot be read here), and every error that is not httpx's transport failure (an OAuth
  ``NeedsLogin``...);
- whatever httpx transport the client has (the network's, a cassette's) is used unchanged.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from mcp.client.streamable_http import MAX_RECONNECTION_ATTEMPTS

from adapters.http import httpx
from domain.mcp.answer_watch import AnswerWatch, as_event
from domain.mcp.protocol import ANSWER_LOST, CONNECTION_CLOSED, JSON

_SSE = "text/event-stream"
_JSON = "application/json"


def connection_closed(request_id: object, why: str, code: int = CONNECTION_CLOSED) -> JSON:
    """The JSON-RPC error answering ``request_id``, whose answer cannot come any more."""
    error = {"code": code, "message": f"Connection closed: {why}"}
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def answer_lost(request_id: object, why: str) -> JSON:
    return connection_closed(request_id, why, ANSWER_LOST)


class AnsweringClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose ``send`` answers a JSON-RPC request the server cannot
    answer any more (see the module's docstring)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # The streams that broke before their answer, by the event id they resume from: the
        # request each answers, and how many of its reconnects failed in a row.
        self._resumable: dict[str, tuple[object, int]] = {}

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        resumed = self._resumable.get(request.headers.get("last-event-id", ""))
        if request.method == "GET" and resumed is not None:
            return await self._resume(request, *resumed, stream, auth, follow_redirects)
        method, request_id = _rpc_request(request)
        try:
            response = await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        except httpx.TransportError as exc:
            if method in (None, "initialize"):
                raise
            why = f"the server cannot be reached ({_said(exc)})"
            return _answered(request, connection_closed(request_id, why))
        if method is None or not stream or response.status_code != 200:
            return response
        body = response.stream
        if response.headers.get("content-encoding", "identity") != "identity" or not isinstance(
            body, httpx.AsyncByteStream
        ):
            return response
        kind = response.headers.get("content-type", "").lower()
        if kind.startswith(_SSE):
            response.stream = _WatchedEvents(body, request_id, self._broke_resumable)
        elif kind.startswith(_JSON):
            response.stream = _WholeJson(body, request_id)
        return response

    def _broke_resumable(self, last_event_id: str, request_id: object) -> None:
        self._resumable[last_event_id] = (request_id, 0)

    async def _resume(
        self,
        request: httpx.Request,
        request_id: object,
        failed: int,
        stream: bool,
        auth: Any,
        follow_redirects: Any,
    ) -> httpx.Response:
        """The SDK's reconnect to a stream that broke before its answer: passed on, and
        watched like the stream it resumes; the last one it makes, failing, is answered."""
        last_event_id = request.headers["last-event-id"]
        try:
            response = await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        except httpx.TransportError as exc:
            if failed + 1 < MAX_RECONNECTION_ATTEMPTS:
                self._resumable[last_event_id] = (request_id, failed + 1)
                raise
            problem = _said(exc)
        else:
            body = response.stream
            if response.status_code == 200 and isinstance(body, httpx.AsyncByteStream):
                self._resumable[last_event_id] = (request_id, 0)
                response.stream = _WatchedEvents(
                    body, request_id, self._broke_resumable, resumes_from=last_event_id
                )
                return response
            if failed + 1 < MAX_RECONNECTION_ATTEMPTS:
                self._resumable[last_event_id] = (request_id, failed + 1)
                return response
            await response.aclose()
            problem = f"HTTP {response.status_code}"
        del self._resumable[last_event_id]
        why = f"the server's answer stream broke and could not be resumed ({problem})"
        return httpx.Response(
            200,
            headers={"content-type": _SSE},
            content=as_event(connection_closed(request_id, why)),
            request=request,
        )


class _WatchedEvents(httpx.AsyncByteStream):
    """An event stream passed on whole event by whole event, ended by the request's error
    if it breaks or ends before the answer (``AnswerWatch``)."""

    def __init__(
        self,
        inner: httpx.AsyncByteStream,
        request_id: object,
        broke_resumable: Callable[[str, object], None],
        resumes_from: str | None = None,
    ) -> None:
        self._inner = inner
        # A resumed stream stays resumable from where it started, new events or not.
        self._watch = AnswerWatch(request_id, resumes_from)
        self._broke_resumable = broke_resumable

    async def __aiter__(self) -> AsyncIterator[bytes]:
        watch = self._watch
        try:
            async for chunk in self._inner:
                whole = watch.feed(chunk)
                if whole:
                    yield whole
        except httpx.TransportError as exc:
            self._ended()
            ending = watch.ending(answer_lost(watch.request_id, _broke(exc)))
            if not ending:
                raise
            yield ending
            return
        self._ended()
        why = "the server ended its answer stream without the answer"
        ending = watch.ending(answer_lost(watch.request_id, why))
        if ending:
            yield ending

    def _ended(self) -> None:
        """A stream ending before its answer with an event id: the SDK will resume it."""
        watch = self._watch
        if watch.last_event_id is not None and not watch.answered:
            self._broke_resumable(watch.last_event_id, watch.request_id)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _WholeJson(httpx.AsyncByteStream):
    """A JSON answer, passed on once whole (the SDK reads it whole anyway), or replaced by
    the request's error if it breaks."""

    def __init__(self, inner: httpx.AsyncByteStream, request_id: object) -> None:
        self._inner = inner
        self._request_id = request_id

    async def __aiter__(self) -> AsyncIterator[bytes]:
        body = bytearray()
        try:
            async for chunk in self._inner:
                body += chunk
        except httpx.TransportError as exc:
            yield json.dumps(answer_lost(self._request_id, _broke(exc))).encode()
            return
        yield bytes(body)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _rpc_request(request: httpx.Request) -> tuple[str | None, object]:
    """The method and id of the JSON-RPC request a POST carries; (None, None) if none."""
    if request.method != "POST":
        return None, None
    try:
        sent = json.loads(request.content)
    except (ValueError, httpx.RequestNotRead):
        return None, None
    if not isinstance(sent, dict) or "id" not in sent or not isinstance(sent.get("method"), str):
        return None, None
    return sent["method"], sent["id"]


def _answered(request: httpx.Request, answer: JSON) -> httpx.Response:
    return httpx.Response(200, json=answer, request=request)


def _broke(exc: httpx.TransportError) -> str:
    return f"the server's answer stream broke ({_said(exc)})"


def _said(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
