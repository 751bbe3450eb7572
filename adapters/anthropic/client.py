"""The Messages API over httpx: streaming, retries, typed errors.

A request is retried (connection errors, retryable statuses, a retryable error
event or a cut-off stream before anything was shown) only while no update has
reached the caller, so a retry can never duplicate text the user has already seen.
"""

from __future__ import annotations

import email.utils
import json
import ssl
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import attrs

from adapters.http import httpx
from domain.auth.ports import AuthHeaderSource
from domain.messages.api_errors import ApiConnectionError, ApiError, ApiStatusError, ApiTimeoutError
from domain.messages.content import Message
from domain.messages.request import MessageRequest
from domain.messages.retry_policy import RetryPolicy
from domain.ports import RandomSource
from domain.repr_base import Record
from domain.stream.errors import IncompleteStream, StreamError, StreamProtocolError
from domain.stream.ports import UpdateSink
from domain.stream.reducer import StreamReducer
from domain.stream.sse import SSEFramer, SSEFramingError
from domain.stream.updates import MessageStarted, StreamUpdate
from domain.version import VERSION

DEFAULT_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
USER_AGENT = f"hexclaw/{VERSION}"
_SNIPPET_CHARS = 160


@attrs.frozen(repr=False)
class ClientConfig(Record):
    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = 10.0
    read_timeout: float = 600.0
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    extra_headers: dict[str, str] = attrs.field(factory=dict)

    @property
    def messages_url(self) -> str:
        return self.base_url.rstrip("/") + "/v1/messages"


def make_http_client(
    config: ClientConfig, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    # The read timeout bounds the silence between two chunks, not the whole answer.
    timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
    verify: ssl.SSLContext | bool = True
    if config.base_url.startswith("http://"):
        # A plain-http proxy (LiteLLM on localhost) never does TLS, and loading the CA bundle
        # costs ~20 ms of startup. A strict context with no CAs fails closed if TLS ever came up.
        verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return httpx.Client(timeout=timeout, transport=transport, follow_redirects=False, verify=verify)


class AnthropicClient:
    def __init__(
        self,
        config: ClientConfig,
        auth: AuthHeaderSource,
        random: RandomSource,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._auth = auth
        self._random = random
        self._http = http or make_http_client(config)
        self._sleep = sleep
        self._now = now
        # --include-partial-messages: each event of the stream, parsed, as the API sent it.
        self.on_raw_event: Callable[[dict[str, Any]], None] | None = None

    def close(self) -> None:
        self._http.close()

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        body = json.dumps(request.to_wire(), ensure_ascii=False).encode()
        failures = 0
        refreshed = False
        while True:
            delivery = _Delivery(on_update, self.on_raw_event)
            try:
                return self._attempt(body, delivery, request.betas)
            except ApiStatusError as exc:
                if exc.status == 401 and not refreshed and self._auth.refresh_after_unauthorized():
                    refreshed = True
                    continue
                failures += 1
                if not exc.retryable or not self._config.retry.may_retry(failures):
                    raise
                retry_after = _retry_after_seconds(exc.retry_after, self._now())
                delay = self._config.retry.delay(
                    failures, self._random.fraction(), retry_after, exc.retry_after_ms
                )
                self._sleep(delay)
            except (_Retryable, StreamError, IncompleteStream) as exc:
                if delivery.delivered:
                    raise _unwrap(exc) from None
                retryable = exc.retryable if isinstance(exc, StreamError) else True
                failures += 1
                if not retryable or not self._config.retry.may_retry(failures):
                    raise _unwrap(exc) from None
                self._sleep(self._config.retry.delay(failures, self._random.fraction()))

    def _attempt(self, body: bytes, delivery: _Delivery, betas: tuple[str, ...] = ()) -> Message:
        headers = self._headers(betas)
        url = self._config.messages_url
        try:
            with self._http.stream("POST", url, content=body, headers=headers) as response:
                if response.status_code != 200:
                    raise _status_error(response)
                _refuse_non_stream(response, url)
                return _read_stream(response, delivery)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise ApiConnectionError(
                f"cannot use base URL {self._config.base_url!r} ({_describe(exc)}); "
                "set ANTHROPIC_BASE_URL to an http:// or https:// URL"
            ) from None
        except httpx.TimeoutException as exc:
            raise _Retryable(
                ApiTimeoutError(
                    f"the API at {self._config.base_url} did not answer in time "
                    f"({_describe(exc)}); the timeouts are HEXCLAW_CONNECT_TIMEOUT and "
                    "HEXCLAW_READ_TIMEOUT"
                )
            ) from exc
        except httpx.HTTPError as exc:
            error = ApiConnectionError(
                f"cannot reach {self._config.base_url}: {_describe(exc)}; "
                "check the network and ANTHROPIC_BASE_URL"
            )
            if isinstance(exc, httpx.ConnectError) and _caused_by_certificate(exc):
                # The same certificate will be rejected again: a retry only delays the answer.
                raise error from None
            raise _Retryable(error) from exc

    def _headers(self, betas: tuple[str, ...] = ()) -> dict[str, str]:
        headers = {
            "anthropic-version": ANTHROPIC_VERSION,
            "content-type": "application/json",
            "accept": "text/event-stream",
            "user-agent": USER_AGENT,
        }
        headers.update(self._config.extra_headers)
        auth = self._auth.headers()
        beta = ",".join(
            v
            for v in (headers.get("anthropic-beta"), auth.pop("anthropic-beta", None), *betas)
            if v
        )
        headers.update(auth)
        if beta:
            headers["anthropic-beta"] = beta
        return headers


class _Delivery:
    """Forwards updates, holding back ``message_start`` until real content arrives.

    ``message_start`` alone tells the user nothing, and holding it keeps a stream that
    fails right after it (an ``overloaded_error`` event) retryable.
    """

    def __init__(
        self, sink: UpdateSink, raw: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        self._sink = sink
        self.raw = raw
        self._held: list[StreamUpdate] = []
        self.delivered = False

    def __call__(self, update: StreamUpdate) -> None:
        if not self.delivered and isinstance(update, MessageStarted):
            self._held.append(update)
            return
        self.delivered = True
        if self._held:
            held, self._held = self._held, []
            for early in held:
                self._sink(early)
        self._sink(update)

    def flush(self) -> None:
        """The message is complete: whatever was held back goes out now."""
        held, self._held = self._held, []
        for early in held:
            self.delivered = True
            self._sink(early)


class _Retryable(Exception):
    def __init__(self, error: ApiError) -> None:
        super().__init__(str(error))
        self.error = error


def _pass_raw(data: str, raw: Callable[[dict[str, Any]], None]) -> None:
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):
        return  # a keep-alive or a proxy's text: the reducer decides what it means
    if isinstance(payload, dict) and isinstance(payload.get("type"), str):
        raw(payload)


def _unwrap(exc: Exception) -> Exception:
    return exc.error if isinstance(exc, _Retryable) else exc


def _read_stream(response: httpx.Response, delivery: _Delivery) -> Message:
    framer = SSEFramer()
    reducer = StreamReducer()
    request_id = response.headers.get("request-id")
    try:
        for chunk in response.iter_bytes():
            for event in framer.feed(chunk):
                if delivery.raw is not None:
                    _pass_raw(event.data, delivery.raw)
                for update in reducer.apply(event):
                    delivery(update)
                if reducer.done:
                    break
            if reducer.done:
                # Some proxies keep the connection open after message_stop: stop reading.
                break
        else:
            for event in framer.close():
                for update in reducer.apply(event):
                    delivery(update)
    except StreamError as exc:
        if exc.request_id is None:
            exc.request_id = request_id
        raise
    except SSEFramingError as exc:
        raise StreamProtocolError(str(exc), reducer.partial()) from None
    except httpx.HTTPError as exc:
        # Before any output the caller may still retry the whole request.
        if not delivery.delivered:
            raise
        if isinstance(exc, httpx.TimeoutException):
            what = "the stream stalled and timed out"
        else:
            what = "the connection dropped mid-stream"
        raise IncompleteStream(f"{what} ({_describe(exc)})", reducer.partial()) from exc
    message = reducer.finish()
    delivery.flush()
    return message


def _refuse_non_stream(response: httpx.Response, url: str) -> None:
    """A 200 that is not an event stream: a JSON error from a gateway, or the wrong URL."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("", "text/event-stream") or not content_type.startswith(
        ("application/json", "text/html")
    ):
        return
    response.read()
    request_id = response.headers.get("request-id")
    if content_type == "application/json":
        error = _error_object(response)
        if error is not None:
            error_type, message = error
            raise ApiStatusError(200, error_type, message, request_id)
    raise ApiError(
        f"{url} answered with {content_type}, not an event stream "
        f"({_snippet(response)}); check ANTHROPIC_BASE_URL"
    )


def _status_error(response: httpx.Response) -> ApiStatusError:
    response.read()
    request_id = response.headers.get("request-id")
    error_type = "http_error"
    message = response.reason_phrase or "unexpected response"
    error = _error_object(response)
    if error is not None:
        error_type, message = error
    else:
        snippet = _snippet(response)
        if snippet:
            message = f"{message}; the body is not a JSON error: {snippet}"
    return ApiStatusError(
        response.status_code,
        error_type,
        message,
        request_id,
        retry_after=response.headers.get("retry-after"),
        retry_after_ms=response.headers.get("retry-after-ms"),
    )


def _retry_after_seconds(raw: str | None, now: float) -> str | None:
    """``retry-after`` in the seconds form the retry policy reads, an HTTP-date made relative.

    The policy cannot read the clock, so a date becomes seconds from ``now`` here; anything
    that is not a date is passed on as it came, for the policy to read or ignore.
    """
    if raw is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, OverflowError):
        return raw
    if when.tzinfo is None:
        # ``-0000`` parses as naive; an HTTP-date is always UTC (RFC 9110 §5.6.7).
        when = when.replace(tzinfo=UTC)
    # A date already past means the server is ready: retry at once.
    return repr(max(0.0, when.timestamp() - now))


def _caused_by_certificate(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _error_object(response: httpx.Response) -> tuple[str, str] | None:
    """``(type, message)`` from an Anthropic error body, or None when it is not one."""
    try:
        payload = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        return (
            str(error.get("type") or "http_error"),
            str(error.get("message") or response.reason_phrase or "unexpected response"),
        )
    if isinstance(error, str) and error:
        return ("http_error", error)
    return None


def _snippet(response: httpx.Response) -> str:
    text = response.content.decode("utf-8", "replace").strip()
    line = text.splitlines()[0] if text else ""
    return line[:_SNIPPET_CHARS]


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
