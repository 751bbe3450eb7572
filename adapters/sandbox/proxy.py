"""The proxy sandboxed commands reach the network through: HTTP CONNECT and plain HTTP,
letting through only the hosts the ``DomainPolicy`` allows.

It serves listening sockets that sandboxes hand out (see ``bridge``): each is a loopback
port inside one sandbox's network namespace, accepted on here, outside it. A refused host
gets ``403`` with a body naming the allowlist, and is remembered so the Bash tool can tell
the model.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

from domain.sandbox import socks
from domain.sandbox.network import (
    BadProxyRequest,
    DomainPolicy,
    ProxyTarget,
    parse_proxy_head,
    status_response,
)

MAX_HEAD = 64 * 1024
CONNECT_TIMEOUT = 10.0
HANDOVER_TIMEOUT = 10.0


class Adopted:
    """One sandbox's listening socket, served until ``close``."""

    def __init__(self, channel: socket.socket) -> None:
        self.channel = channel
        self.listeners: list[socket.socket] = []
        self.closed = False

    def close(self) -> None:
        self.closed = True
        for sock in [*self.listeners, self.channel]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class FilteringProxy:
    def __init__(self, domains: Callable[[], DomainPolicy]) -> None:
        self._domains = domains
        self._blocked: list[str] = []
        self._lock = threading.Lock()
        self._adopted: list[Adopted] = []
        self.seen: list[str] = []
        """Every host:port let through, in order."""

    def adopt(self, channel: socket.socket) -> Adopted:
        """Wait (in a thread) for the listening sockets a sandbox sends over ``channel``, then
        serve them until the returned handle is closed."""
        adopted = Adopted(channel)
        with self._lock:
            self._adopted.append(adopted)
        threading.Thread(target=self._receive, args=(adopted,), daemon=True).start()
        return adopted

    def stop(self) -> None:
        with self._lock:
            adopted, self._adopted = self._adopted, []
        for item in adopted:
            item.close()

    def take_blocked(self) -> list[str]:
        with self._lock:
            blocked, self._blocked = self._blocked, []
        return blocked

    def _receive(self, adopted: Adopted) -> None:
        adopted.channel.settimeout(HANDOVER_TIMEOUT)
        try:
            _, fds, _, _ = socket.recv_fds(adopted.channel, 16, 4)
        except OSError:
            return
        listeners = [socket.socket(fileno=fd) for fd in fds]
        for listener in listeners:
            if listener.family != socket.AF_INET or listener.type != socket.SOCK_STREAM:
                listener.close()
                continue
            adopted.listeners.append(listener)
            if adopted.closed:
                listener.close()
                continue
            threading.Thread(target=self._accept, args=(adopted, listener), daemon=True).start()

    def _accept(self, adopted: Adopted, listener: socket.socket) -> None:
        while not adopted.closed:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            client.settimeout(CONNECT_TIMEOUT)
            try:
                first = client.recv(1, socket.MSG_PEEK)
            except OSError:
                return
            if first == bytes([socks.VERSION]):
                self._serve_socks(client)
            else:
                self._serve_http(client)

    def _serve_http(self, client: socket.socket) -> None:
        head = _read_head(client)
        if head is None:
            return
        try:
            target = parse_proxy_head(head)
        except BadProxyRequest as exc:
            client.sendall(status_response(400, "Bad Request", f"hexclaw sandbox: {exc}\n"))
            return
        if not self._allowed(target.host):
            refusal = self._domains().refusal(target.host)
            client.sendall(status_response(403, "Forbidden", refusal))
            return
        upstream = self._connect(target)
        if isinstance(upstream, OSError):
            text = f"hexclaw sandbox: cannot reach {target.host}:{target.port}: {upstream}\n"
            client.sendall(status_response(502, "Bad Gateway", text))
            return
        with upstream:
            if target.tunnel:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if target.head:
                upstream.sendall(target.head)
            _splice(client, upstream)

    def _serve_socks(self, client: socket.socket) -> None:
        greeting = _read_sized(client, socks.greeting_length)
        if greeting is None:
            return
        ok = socks.accepts_no_auth(greeting)
        client.sendall(socks.method_reply(ok))
        if not ok:
            return
        try:
            request = _read_sized(client, socks.request_length)
            if request is None:
                return
            host, port = socks.parse_request(request)
        except socks.BadSocksRequest as exc:
            client.sendall(socks.reply(exc.reply_code))
            return
        if not self._allowed(host):
            client.sendall(socks.reply(socks.NOT_ALLOWED))
            return
        upstream = self._connect(ProxyTarget(host, port, tunnel=True))
        if isinstance(upstream, OSError):
            client.sendall(socks.reply(socks.HOST_UNREACHABLE))
            return
        with upstream:
            client.sendall(socks.reply(socks.SUCCEEDED))
            _splice(client, upstream)

    def _allowed(self, host: str) -> bool:
        if self._domains().allows(host):
            return True
        with self._lock:
            if host not in self._blocked:
                self._blocked.append(host)
        return False

    def _connect(self, target: ProxyTarget) -> socket.socket | OSError:
        try:
            upstream = socket.create_connection((target.host, target.port), timeout=CONNECT_TIMEOUT)
        except OSError as exc:
            return exc
        upstream.settimeout(None)
        with self._lock:
            self.seen.append(f"{target.host}:{target.port}")
        return upstream


def _read_head(client: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = client.recv(4096)
        except OSError:
            return None
        if not chunk or len(data) > MAX_HEAD:
            return None
        data += chunk
    # Bytes after the head (a body sent at once) belong to the request too: keep them.
    return data


def _read_sized(client: socket.socket, length: Callable[[bytes], int | None]) -> bytes | None:
    """Bytes until ``length`` of what has arrived says the message is complete."""
    data = b""
    while True:
        needed = length(data)
        if needed is not None and len(data) >= needed:
            return data
        try:
            chunk = client.recv((needed or len(data) + 2) - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk


def _splice(a: socket.socket, b: socket.socket) -> None:
    a.settimeout(None)
    other = threading.Thread(target=_pump, args=(a, b), daemon=True)
    other.start()
    _pump(b, a)
    other.join()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
