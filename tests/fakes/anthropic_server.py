"""A scripted Anthropic-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

Each request to ``/v1/messages`` takes the next ``Reply`` from the script (or
asks a responder function). A reply can stream its body in chosen chunks, pause
between them, stall, or drop the connection, so every transport quirk is real
TCP behaviour rather than a mock. The server stops by itself after
``idle_timeout`` seconds without a request, and when its ``with`` block ends.

Run as a script it serves a JSON script file: ``python -m tests.fakes.anthropic_server FILE``.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs

from tests.fakes.sse_script import EventSpec, encode_events


@attrs.define
class Reply:
    status: int = 200
    chunks: list[bytes] = attrs.field(factory=list)
    headers: dict[str, str] = attrs.field(factory=dict)
    delay_between_chunks: float = 0.0
    stall_before: float = 0.0
    drop_after_chunks: int | None = None
    hold_open_after: float = 0.0
    # With drop_after_chunks: declare the full content-length, then cut the body short, so
    # the client sees a transport error instead of a clean close-delimited end.
    declare_full_length: bool = False
    # Hold the body before chunk number ``gate_before_chunk`` until the test sets ``gate``
    # (or 60 s pass), so a test can look at the client while the answer is half sent.
    gate_before_chunk: int | None = None
    gate: threading.Event | None = attrs.field(default=None, eq=False)

    @classmethod
    def sse(
        cls,
        events: Iterable[EventSpec],
        eol: str = "\n",
        event_lines: bool = True,
        chunk_size: int | None = None,
        space: bool = True,
        **kwargs: Any,
    ) -> Reply:
        body = encode_events(events, eol=eol, event_lines=event_lines, space=space)
        return cls.stream_bytes(body, chunk_size=chunk_size, **kwargs)

    @classmethod
    def stream_bytes(cls, body: bytes, chunk_size: int | None = None, **kwargs: Any) -> Reply:
        if chunk_size:
            chunks = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
        else:
            chunks = [body]
        headers = {"content-type": "text/event-stream", "request-id": "req_fake"}
        headers.update(kwargs.pop("headers", {}))
        return cls(chunks=chunks, headers=headers, **kwargs)

    @classmethod
    def error(cls, status: int, error_type: str, message: str, **headers: str) -> Reply:
        body = json.dumps({"type": "error", "error": {"type": error_type, "message": message}})
        all_headers = {"content-type": "application/json", "request-id": "req_err"}
        all_headers.update({k.replace("_", "-"): v for k, v in headers.items()})
        return cls(status=status, chunks=[body.encode()], headers=all_headers)

    def to_json(self) -> dict[str, Any]:
        out = attrs.asdict(self, filter=lambda field, _: field.name != "gate")
        out["chunks"] = [c.decode("latin-1") for c in self.chunks]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Reply:
        raw = dict(raw)
        raw["chunks"] = [c.encode("latin-1") for c in raw.get("chunks", [])]
        return cls(**raw)


@attrs.define
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float = 0.0  # time.monotonic() when the request arrived
    raw: bytes = b""  # the body as sent, for checks that must be byte for byte


Responder = Callable[[RecordedRequest], Reply]


class ScriptedAnthropicServer:
    def __init__(
        self,
        script: list[Reply] | None = None,
        responder: Responder | None = None,
        idle_timeout: float = 120.0,
    ) -> None:
        self._script = list(script or [])
        self._responder = responder
        self._lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self._idle_timeout = idle_timeout
        self._last_activity = time.monotonic()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def add(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def __enter__(self) -> ScriptedAnthropicServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self) -> None:
        watchdog = threading.Thread(target=self._watch_idle, daemon=True)
        watchdog.start()
        self._server.serve_forever(poll_interval=0.05)

    def _watch_idle(self) -> None:
        while True:
            time.sleep(0.5)
            if time.monotonic() - self._last_activity > self._idle_timeout:
                threading.Thread(target=self._server.shutdown, daemon=True).start()
                return

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._last_activity = time.monotonic()
            if self._script:
                return self._script.pop(0)
        if self._responder is not None:
            return self._responder(request)
        return Reply.error(500, "api_error", "the scripted server has no reply left")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                request = RecordedRequest(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    received_at=time.monotonic(),
                    raw=raw,
                )
                reply = server._next_reply(request)
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                if reply.stall_before:
                    time.sleep(reply.stall_before)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                complete = reply.drop_after_chunks is None
                if (complete and not reply.hold_open_after) or reply.declare_full_length:
                    self.send_header("content-length", str(sum(len(c) for c in reply.chunks)))
                else:
                    self.send_header("connection", "close")
                self.end_headers()
                try:
                    for number, chunk in enumerate(reply.chunks):
                        if (
                            reply.drop_after_chunks is not None
                            and number >= reply.drop_after_chunks
                        ):
                            break
                        if reply.gate is not None and number == reply.gate_before_chunk:
                            reply.gate.wait(60)
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if reply.delay_between_chunks:
                            time.sleep(reply.delay_between_chunks)
                    if reply.hold_open_after:
                        time.sleep(reply.hold_open_after)
                except (BrokenPipeError, ConnectionResetError):
                    return
                if not complete:
                    # An abrupt close: the client sees the body end without a proper finish.
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                elif reply.hold_open_after:
                    self.close_connection = True

        return Handler


def main(argv: list[str]) -> int:
    """Serve a JSON list of replies (see ``Reply.to_json``); print the URL; loop the script."""
    replies = [Reply.from_json(r) for r in json.loads(Path(argv[0]).read_text())]
    counter = {"n": 0}

    def responder(_: RecordedRequest) -> Reply:
        reply = replies[counter["n"] % len(replies)]
        counter["n"] += 1
        return reply

    idle = float(argv[1]) if len(argv) > 1 else 300.0
    with ScriptedAnthropicServer(responder=responder, idle_timeout=idle) as srv:
        print(srv.url, flush=True)
        while srv._thread.is_alive():
            srv._thread.join(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
