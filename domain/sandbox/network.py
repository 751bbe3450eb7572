"""Which hosts sandboxed commands may reach through hexclaw's proxy, and the proxy's parsing.

Nothing is reachable by default. ``sandbox.network.allowedDomains`` and the
``WebFetch(domain:...)`` allow rules let a host through; ``deniedDomains`` wins over both.
``example.com`` is that host only, ``*.example.com`` its subdomains (not itself). Hosts are
compared lower-case without a trailing dot; an allowed ``localhost`` or ``127.0.0.1`` is
reachable through the proxy, but never directly (the sandbox has its own network namespace).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from domain.permissions.rules import PermissionRule
from domain.repr_base import Record
from domain.sandbox.config import NetworkConfig


@attrs.frozen(repr=False)
class DomainPolicy(Record):
    allowed: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()

    @property
    def any_allowed(self) -> bool:
        return bool(self.allowed)

    def allows(self, host: str) -> bool:
        name = _normal(host)
        if any(_matches(pattern, name) for pattern in self.denied):
            return False
        return any(_matches(pattern, name) for pattern in self.allowed)

    def with_allowed(self, host: str) -> DomainPolicy:
        return attrs.evolve(self, allowed=(*self.allowed, _normal(host)))

    def refusal(self, host: str) -> str:
        """The 403 text for a host that is not let through: it names the allowlist."""
        listed = ", ".join(self.allowed) if self.allowed else "none"
        return (
            f"hexclaw sandbox: {_normal(host)} is not in the sandbox's allowed domains "
            f"(allowed: {listed}). Add it to sandbox.network.allowedDomains or allow "
            f"WebFetch(domain:{_normal(host)}) in your settings.\n"
        )


def domain_policy(network: NetworkConfig, allow_rules: Iterable[PermissionRule]) -> DomainPolicy:
    from_rules = [
        rule.specifier.removeprefix("domain:")
        for rule in allow_rules
        if rule.tool == "WebFetch" and rule.specifier and rule.specifier.startswith("domain:")
    ]
    allowed = tuple(dict.fromkeys(_normal(d) for d in [*network.allowed_domains, *from_rules]))
    return DomainPolicy(allowed, tuple(_normal(d) for d in network.denied_domains))


def _normal(host: str) -> str:
    return host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")


def _matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


class BadProxyRequest(ValueError):
    """The client sent something that is not a proxy request the proxy understands."""


@attrs.frozen(repr=False)
class ProxyTarget(Record):
    host: str
    port: int
    tunnel: bool
    """CONNECT: after a 200 the bytes flow both ways unchanged."""
    head: bytes = b""
    """What to send upstream first: for plain HTTP the request with an origin-form request
    line; for CONNECT any bytes the client sent after its request."""


def parse_proxy_head(head: bytes) -> ProxyTarget:
    """``CONNECT host:port HTTP/1.1`` or ``GET http://host[:port]/path HTTP/1.1`` + headers."""
    first, _, rest = head.partition(b"\r\n")
    parts = first.decode("latin-1").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise BadProxyRequest("not an HTTP request line")
    method, target, version = parts
    if method.upper() == "CONNECT":
        host, port = _host_port(target, default=443)
        # Bytes sent before the 200 (an eager TLS hello) go through the tunnel too.
        early = rest.partition(b"\r\n\r\n")[2]
        return ProxyTarget(host, port, tunnel=True, head=early)
    if not target.lower().startswith("http://"):
        raise BadProxyRequest("a plain request must name an http:// URL (use CONNECT for https)")
    rest_of_url = target[len("http://") :]
    authority, slash, path = rest_of_url.partition("/")
    authority, _, _fragment = authority.partition("#")
    authority, query_mark, query = authority.partition("?")
    if "@" in authority:
        raise BadProxyRequest("a proxy request URL must not carry user information")
    host, port = _host_port(authority, default=80)
    origin = slash + path if slash else "/" + (query_mark + query if query_mark else "")
    origin = origin.partition("#")[0]
    line = f"{method} {origin} {version}".encode("latin-1")
    return ProxyTarget(host, port, tunnel=False, head=line + b"\r\n" + rest)


def _host_port(target: str, default: int) -> tuple[str, int]:
    host, sep, port_text = target.rpartition(":")
    if not sep or "]" in port_text:
        host, port_text = target, str(default)
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise BadProxyRequest(f"bad host or port {target!r}")
    if not host.isascii() or any(c.isspace() or c in "/\\%" for c in host):
        # The resolver would map some of these (IDNA full stops) to another host than the one
        # the allowlist was checked against.
        raise BadProxyRequest(f"host {host!r} must be plain ASCII (use its punycode form)")
    return host, int(port_text)


def status_response(code: int, reason: str, text: str = "") -> bytes:
    body = text.encode("utf-8")
    return (
        f"HTTP/1.1 {code} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode("latin-1") + body
