"""Faults the scripted Anthropic server cannot make on its own, all on 127.0.0.1.

- ``TLSAnthropicServer``: the scripted server behind TLS with a self-signed certificate made
  at test time by the ``openssl`` command, so a client that checks certificates refuses it;
- ``gzip_chunks``: an event stream compressed as one gzip member but flushed piece by piece,
  as a compressing proxy sends it, so each piece can be decoded as soon as it arrives;
- ``captive_portal``: the HTML page (or redirect to it) a hotel network answers with;
- ``OAuthFault``: a small authorization server (authorize redirect, PKCE-checked code
  exchange, refresh) that remembers every code, verifier and token it handed out, and can
  grant other scopes than the ones asked for.

Every server stops by itself after ``idle_timeout`` seconds without a request, and when its
``with`` block ends.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import ssl
import subprocess
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs

from tests.fakes.anthropic_server import Reply, Responder, ScriptedAnthropicServer

CAPTIVE_PORTAL_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Hotel WiFi - Sign in</title></head>\n"
    b"<body><h1>Welcome! Please accept the terms to continue.</h1>"
    b'<form action="/portal/accept"><button>Connect</button></form></body></html>\n'
)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no trust store knows, and its key."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed to make a test certificate")
    cert, key = directory / "untrusted-cert.pem", directory / "untrusted-key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


class TLSAnthropicServer(ScriptedAnthropicServer):
    """The scripted server, spoken to over TLS with a certificate only ``cert`` vouches for."""

    def __init__(
        self,
        cert: Path,
        key: Path,
        script: list[Reply] | None = None,
        responder: Responder | None = None,
        idle_timeout: float = 30.0,
    ) -> None:
        super().__init__(script, responder, idle_timeout)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        # The handshake runs in accept(); a client that rejects the certificate makes accept
        # fail with an SSLError, which socketserver drops, and the server goes on serving.
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)

    def __enter__(self) -> TLSAnthropicServer:
        super().__enter__()
        return self

    @property
    def url(self) -> str:
        return "https" + super().url.removeprefix("http")


def gzip_chunks(body: bytes, pieces: int) -> list[bytes]:
    """``body`` as one gzip stream cut into ``pieces`` parts, each flushed so it decodes alone."""
    compressor = zlib.compressobj(wbits=31)  # 31: the gzip container
    size = max(1, -(-len(body) // pieces))
    chunks = [
        compressor.compress(body[i : i + size]) + compressor.flush(zlib.Z_SYNC_FLUSH)
        for i in range(0, len(body), size)
    ]
    chunks[-1] += compressor.flush()
    return chunks


def gzip_stream_reply(body: bytes, pieces: int, **kwargs: Any) -> Reply:
    reply = Reply.stream_bytes(b"", headers={"content-encoding": "gzip"}, **kwargs)
    reply.chunks = gzip_chunks(body, pieces)
    return reply


def captive_portal(redirect: bool = False) -> Reply:
    """A captive portal's answer to any request: its sign-in page, or a redirect to it."""
    if redirect:
        return Reply(
            status=302,
            chunks=[CAPTIVE_PORTAL_HTML],
            headers={"location": "http://portal.example/login", "content-type": "text/html"},
        )
    return Reply(chunks=[CAPTIVE_PORTAL_HTML], headers={"content-type": "text/html"})


def _challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@attrs.define
class OAuthRecord:
    """Everything secret the authorization server handed out or was sent."""

    codes: list[str] = attrs.field(factory=list)
    verifiers: list[str] = attrs.field(factory=list)
    access_tokens: list[str] = attrs.field(factory=list)
    refresh_tokens: list[str] = attrs.field(factory=list)
    exchanges: int = 0
    refreshes: int = 0
    rejected: int = 0  # refresh tokens presented after they had been used (or never issued)
    refresh_scopes: list[str] = attrs.field(factory=list)  # the scope each refresh asked for

    def secrets(self) -> list[str]:
        return [*self.codes, *self.verifiers, *self.access_tokens, *self.refresh_tokens]


class OAuthFault:
    """An authorization server on 127.0.0.1: ``/authorize``, ``/token``; PKCE S256 checked.

    ``granted_scope`` replaces the scope the client asked for in every token response (None:
    grant what was asked). Codes are single use; the exchange must carry the verifier whose
    challenge the authorize request sent and the same redirect_uri. Refresh tokens rotate: each
    is accepted once. ``token_delay`` holds every token response, to widen race windows.
    """

    def __init__(
        self,
        client_id: str,
        granted_scope: str | None = None,
        token_delay: float = 0.0,
        idle_timeout: float = 30.0,
    ) -> None:
        self.client_id = client_id
        self.granted_scope = granted_scope
        self.token_delay = token_delay
        self._live_refresh: set[str] = set()
        self.record = OAuthRecord()
        self._pending: dict[str, tuple[str, str, str]] = {}  # code -> challenge, redirect, scope
        self._lock = threading.Lock()
        self._idle_timeout = idle_timeout
        self._last_activity = time.monotonic()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings(self, scopes: list[str]) -> dict[str, Any]:
        """The ``oauth`` settings block that points hexclaw at this server."""
        return {
            "clientId": self.client_id,
            "authorizeUrl": f"{self.url}/authorize",
            "tokenUrl": f"{self.url}/token",
            "scopes": scopes,
        }

    def __enter__(self) -> OAuthFault:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self) -> None:
        threading.Thread(target=self._watch_idle, daemon=True).start()
        self._server.serve_forever(poll_interval=0.05)

    def _watch_idle(self) -> None:
        while time.monotonic() - self._last_activity <= self._idle_timeout:
            time.sleep(0.5)
        threading.Thread(target=self._server.shutdown, daemon=True).start()

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or query.get("code_challenge_method") != (
            "S256"
        ):
            return 400, {}, {"error": "invalid_request"}
        code = "code-" + secrets.token_urlsafe(24)
        with self._lock:
            self._pending[code] = (query.get("code_challenge", ""), redirect, query["scope"])
            self.record.codes.append(code)
        params = urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"location": f"{redirect}?{params}"}, {}

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("client_id") != self.client_id:
            return 401, {"error": "invalid_client"}
        with self._lock:
            if form.get("grant_type") == "authorization_code":
                verifier = form.get("code_verifier", "")
                self.record.verifiers.append(verifier)
                pending = self._pending.pop(form.get("code", ""), None)
                if pending is None or _challenge_of(verifier) != pending[0]:
                    return 400, {"error": "invalid_grant", "error_description": "bad code"}
                if form.get("redirect_uri") != pending[1]:
                    return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
                self.record.exchanges += 1
                scope = pending[2]
            elif form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in self._live_refresh:
                    self.record.rejected += 1
                    return 400, {"error": "invalid_grant", "error_description": "used or unknown"}
                self._live_refresh.discard(form.get("refresh_token", ""))
                self.record.refreshes += 1
                scope = form.get("scope", "")
                self.record.refresh_scopes.append(scope)
            else:
                return 400, {"error": "unsupported_grant_type"}
            access, refresh = self._new_tokens()
        return 200, {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": scope if self.granted_scope is None else self.granted_scope,
        }

    def issue(self) -> tuple[str, str]:
        """An access and a refresh token, as if a login had happened earlier."""
        with self._lock:
            return self._new_tokens()

    def is_live(self, access_token: str) -> bool:
        """Whether this token was issued here (tokens do not expire in this fake)."""
        return access_token in self.record.access_tokens

    def _new_tokens(self) -> tuple[str, str]:
        access = "at-" + secrets.token_urlsafe(32)
        refresh = "rt-" + secrets.token_urlsafe(32)
        self.record.access_tokens.append(access)
        self.record.refresh_tokens.append(refresh)
        self._live_refresh.add(refresh)
        return access, refresh

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fault = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                return

            def do_GET(self) -> None:
                fault._last_activity = time.monotonic()
                path, _, query = self.path.partition("?")
                if path != "/authorize":
                    self._send(404, {}, {"error": "not_found"})
                    return
                status, headers, body = fault.authorize(dict(urllib.parse.parse_qsl(query)))
                self._send(status, headers, body)

            def do_POST(self) -> None:
                fault._last_activity = time.monotonic()
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                if self.headers.get("content-type", "").startswith("application/json"):
                    form = {k: str(v) for k, v in json.loads(raw or "{}").items()}
                else:
                    form = dict(urllib.parse.parse_qsl(raw))
                if fault.token_delay:
                    time.sleep(fault.token_delay)
                status, body = fault.token(form)
                self._send(status, {}, body)

            def _send(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("cache-control", "no-store")
                self.end_headers()
                self.wfile.write(data)

        return Handler
