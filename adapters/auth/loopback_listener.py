"""The loopback redirect listener for the login (RFC 8252 section 7.3).

It binds loopback addresses only: 127.0.0.1, plus ::1 when the redirect URI says ``localhost``
(a browser may resolve that name to either, and another program must not be able to take the
other one). It answers the callback path once it has judged the query: a small page saying
success or failure. Any other path (a browser's ``/favicon.ico``) gets 404 and the wait goes on.
It gives up after the timeout. The request line is never logged: it carries the code.
"""

from __future__ import annotations

import errno
import html
import selectors
import socket
import socketserver
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from domain.auth.errors import AuthError, CallbackListenError, CallbackTimeout
from domain.auth.oauth_config import CALLBACK_PATH, DEFAULT_CALLBACK_HOST, DEFAULT_CALLBACK_TIMEOUT

_EPHEMERAL_ATTEMPTS = 8
_CLIENT_TIMEOUT = 5.0  # a client that connects and says nothing must not stall the login
_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>hexclaw login</title></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>{title}</h1><p>{text}</p></body></html>
"""


class _Server(socketserver.TCPServer):
    allow_reuse_address = True
    listener: LoopbackListener

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a broken browser connection is not worth a traceback on the user's terminal


class _Server6(_Server):
    address_family = socket.AF_INET6


class LoopbackListener:
    def __init__(
        self,
        host: str = DEFAULT_CALLBACK_HOST,
        port: int = 0,
        path: str = CALLBACK_PATH,
        timeout: float = DEFAULT_CALLBACK_TIMEOUT,
    ) -> None:
        self._host = host
        self._path = path
        self._timeout = timeout
        self._accept: Callable[[str], str] | None = None
        self._outcome: str | AuthError | None = None
        self._servers = self._bind(host, port)

    @property
    def port(self) -> int:
        return int(self._servers[0].server_address[1])

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [(str(s.server_address[0]), int(s.server_address[1])) for s in self._servers]

    @property
    def redirect_uri(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}{self._path}"

    def __enter__(self) -> LoopbackListener:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        for server in self._servers:
            server.server_close()

    def wait(self, accept: Callable[[str], str]) -> str:
        self._accept = accept
        deadline = time.monotonic() + self._timeout
        with selectors.DefaultSelector() as selector:
            for server in self._servers:
                selector.register(server, selectors.EVENT_READ, server)
            while self._outcome is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CallbackTimeout(self._timeout)
                for key, _ in selector.select(remaining):
                    server = key.data
                    server.handle_request()
                    if self._outcome is not None:
                        break
        if isinstance(self._outcome, AuthError):
            raise self._outcome
        return self._outcome

    def judge(self, request_path: str) -> tuple[int, str, str] | None:
        """The response to a request: None for a path that is not the callback (404)."""
        path, _, query = request_path.partition("?")
        if path != self._path or self._accept is None:
            return None
        try:
            self._outcome = self._accept(query)
        except AuthError as exc:
            self._outcome = exc
            return 400, "Login failed", f"{exc} You can close this tab."
        return 200, "Logged in", "hexclaw is logged in. You can close this tab."

    def _bind(self, host: str, port: int) -> list[_Server]:
        plans: dict[str, list[tuple[type[_Server], str]]] = {
            "localhost": [(_Server, "127.0.0.1"), (_Server6, "::1")],
            "127.0.0.1": [(_Server, "127.0.0.1")],
            "::1": [(_Server6, "::1")],
        }
        families = plans.get(host)
        if families is None:
            raise CallbackListenError(f"{host!r} is not a loopback host")
        attempts = 1 if port else _EPHEMERAL_ATTEMPTS
        for _ in range(attempts):
            servers: list[_Server] = []
            try:
                for number, (server_class, address) in enumerate(families):
                    bound = self._bind_one(server_class, address, port or _port_of(servers))
                    if bound is None:
                        if number == 0:
                            raise CallbackListenError(f"cannot listen on {address}")
                        continue  # no IPv6 loopback on this machine: 127.0.0.1 alone will do
                    servers.append(bound)
                return servers
            except OSError as exc:
                for server in servers:
                    server.server_close()
                if exc.errno != errno.EADDRINUSE or port:
                    where = f"{host} port {port}" if port else host
                    raise CallbackListenError(
                        f"cannot listen for the login callback on {where}: {exc.strerror}"
                        + ("; pick another with --port or oauth.callbackPort" if port else "")
                    ) from None
        raise CallbackListenError("cannot find a free loopback port for the login callback")

    def _bind_one(self, server_class: type[_Server], address: str, port: int) -> _Server | None:
        try:
            server = server_class((address, port), _handler_for(self))
        except OSError as exc:
            if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                return None
            raise
        server.timeout = 0.5
        return server


def _port_of(servers: list[_Server]) -> int:
    return int(servers[0].server_address[1]) if servers else 0


def _handler_for(listener: LoopbackListener) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = _CLIENT_TIMEOUT
        server_version = "hexclaw-login"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            return  # the request line holds the authorization code

        def do_GET(self) -> None:
            verdict = listener.judge(self.path)
            if verdict is None:
                self._reply(404, "Not found", "This is hexclaw's login listener.")
                return
            self._reply(*verdict)

        def _reply(self, status: int, title: str, text: str) -> None:
            body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
            self.send_response(status)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", "no-store")
            self.send_header("connection", "close")
            self.end_headers()
            self.wfile.write(body)

    return Handler
