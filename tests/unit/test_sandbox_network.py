"""Which hosts the sandbox's proxy lets through, and how it reads a proxy request."""

from __future__ import annotations

import pytest

from domain.permissions.rules import parse_rule
from domain.sandbox.config import NetworkConfig
from domain.sandbox.network import (
    BadProxyRequest,
    ProxyTarget,
    domain_policy,
    parse_proxy_head,
    status_response,
)


def test_nothing_is_reachable_by_default() -> None:
    policy = domain_policy(NetworkConfig(), [])
    assert not policy.any_allowed
    assert not policy.allows("example.com")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("github.com", True),
        ("GitHub.com.", True),
        ("api.github.com", False),
        ("x.pypi.org", True),
        ("pypi.org", False),
        ("bad.pypi.org", False),
        ("docs.python.org", True),
        ("localhost", True),
        ("evilgithub.com", False),
    ],
)
def test_allowed_domains_and_webfetch_rules_let_hosts_through_and_denied_wins(
    host: str, allowed: bool
) -> None:
    network = NetworkConfig(
        allowed_domains=("github.com", "*.pypi.org", "localhost"), denied_domains=("bad.pypi.org",)
    )
    rules = [parse_rule("WebFetch(domain:docs.python.org)"), parse_rule("Bash(ls)")]
    assert domain_policy(network, rules).allows(host) is allowed


def test_a_refusal_names_the_allowlist_and_the_fix() -> None:
    policy = domain_policy(NetworkConfig(allowed_domains=("github.com",)), [])
    text = policy.refusal("Evil.com")
    assert "evil.com is not in the sandbox's allowed domains (allowed: github.com)" in text
    assert "sandbox.network.allowedDomains" in text
    assert status_response(403, "Forbidden", text).startswith(b"HTTP/1.1 403 Forbidden\r\n")


def test_connect_and_absolute_form_requests_are_parsed() -> None:
    assert parse_proxy_head(b"CONNECT github.com:443 HTTP/1.1\r\nHost: x\r\n\r\n") == (
        ProxyTarget("github.com", 443, tunnel=True)
    )
    assert parse_proxy_head(b"CONNECT [::1]:8443 HTTP/1.1\r\n\r\n").host == "::1"
    plain = parse_proxy_head(b"GET http://127.0.0.1:8080/a?b=1 HTTP/1.1\r\nHost: h\r\n\r\nbody")
    assert (plain.host, plain.port, plain.tunnel) == ("127.0.0.1", 8080, False)
    assert plain.head == b"GET /a?b=1 HTTP/1.1\r\nHost: h\r\n\r\nbody"
    bare = parse_proxy_head(b"GET http://Example.com HTTP/1.0\r\n\r\n")
    assert (bare.host, bare.port) == ("Example.com", 80)
    assert bare.head.startswith(b"GET / HTTP/1.0\r\n")


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET https://x.com/ HTTP/1.1\r\n\r\n",
        b"CONNECT x.com:99999 HTTP/1.1\r\n\r\n",
        b"CONNECT :443 HTTP/1.1\r\n\r\n",
        b"hello\r\n\r\n",
        b"GET http://user@x.com/ HTTP/1.1\r\n\r\n",
        b"GET http:///a HTTP/1.1\r\n\r\n",
        "CONNECT 127\u30020\u30020\u30021:80 HTTP/1.1\r\n\r\n".encode(),
    ],
)
def test_anything_else_is_a_bad_request(head: bytes) -> None:
    with pytest.raises(BadProxyRequest):
        parse_proxy_head(head)


def test_socks5_requests_are_read_by_address_type() -> None:
    from domain.sandbox import socks

    assert socks.greeting_length(b"\x05") is None
    assert socks.greeting_length(b"\x05\x02") == 4
    assert socks.accepts_no_auth(b"\x05\x02\x02\x00")
    assert not socks.accepts_no_auth(b"\x05\x01\x02")
    name = b"\x05\x01\x00\x03\x0bexample.com\x01\xbb"
    assert socks.request_length(name[:5]) == len(name)
    assert socks.parse_request(name) == ("example.com", 443)
    ipv4 = b"\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50"
    assert socks.request_length(ipv4[:5]) == 10
    assert socks.parse_request(ipv4) == ("127.0.0.1", 80)
    ipv6 = b"\x05\x01\x00\x04" + bytes(15) + b"\x01" + b"\x1f\x90"
    assert socks.parse_request(ipv6) == ("::1", 8080)
    with pytest.raises(socks.BadSocksRequest) as bind:
        socks.parse_request(b"\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50")
    assert bind.value.reply_code == socks.COMMAND_NOT_SUPPORTED
    with pytest.raises(socks.BadSocksRequest):
        socks.request_length(b"\x05\x01\x00\x09\x00")
    with pytest.raises(socks.BadSocksRequest):
        socks.parse_request("\x05\x01\x00\x03\x03é.x\x00\x50".encode())
    assert socks.reply(socks.NOT_ALLOWED)[:2] == b"\x05\x02"
