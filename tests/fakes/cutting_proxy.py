"""A TCP proxy on 127.0.0.1 that can cut some of the connections it carries: a network fault
that breaks one HTTP exchange while the server and the other exchanges go on.

    with CuttingProxy(server_port) as proxy:
        ...  # clients connect to proxy.port
        proxy.cut(b'"name":"slow"')  # every connection whose client sent these bytes

A cut connection is shut down both ways: the client sees its answer end in the middle (for a
chunked answer, "incomplete chunked read"), the server sees its client go.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

import attrs


@attrs.define
class _Link:
    client: socket.socket
    server: socket.socket
    sent: bytearray = attrs.field(factory=bytearray)
    received: bytearray = attrs.field(factory=bytearray)

    def shut(self) -> None:
        for end in (self.client, self.server):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


class CuttingProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, marker: bytes, answered_with: bytes = b"") -> int:
        """Shuts every connection whose client has sent ``marker`` (and, with
        ``answered_with``, whose server has sent that back); how many there were."""
        with self._lock:
            chosen = [
                link
                for link in self._links
                if marker in link.sent and answered_with in link.received
            ]
        for link in chosen:
            link.shut()
        return len(chosen)

    def close(self) -> None:
        self._closed = True
        # Closing alone would leave the accept under way listening (Linux): shut it first.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            links = list(self._links)
        for link in links:
            link.shut()

    def __enter__(self) -> CuttingProxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
                server = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                return
            link = _Link(client, server)
            with self._lock:
                self._links.append(link)
            threading.Thread(target=self._pump, args=(link, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(link, False), daemon=True).start()

    def _pump(self, link: _Link, upstream: bool) -> None:
        source, target = (link.client, link.server) if upstream else (link.server, link.client)
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
                with self._lock:
                    (link.sent if upstream else link.received).extend(chunk)
        except OSError:
            pass
        link.shut()
        with contextlib.suppress(OSError):
            source.close()
