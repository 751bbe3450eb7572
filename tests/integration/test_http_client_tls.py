"""The Messages client's TLS settings: a plain-http base URL skips loading the CA bundle, and
the context it uses instead fails closed if a TLS connection is ever attempted."""

from __future__ import annotations

import httpx
import pytest

from adapters.anthropic.client import ClientConfig, make_http_client
from tests.fakes.fault_server import TLSAnthropicServer


def test_a_plain_http_client_refuses_any_tls_peer(tls_server: TLSAnthropicServer) -> None:
    with (
        make_http_client(ClientConfig(base_url="http://127.0.0.1:9")) as http,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        http.post(tls_server.url + "/v1/messages", content=b"{}")
    assert tls_server.requests == []


def test_an_https_client_verifies_against_the_ca_bundle(tls_server: TLSAnthropicServer) -> None:
    with (
        make_http_client(ClientConfig(base_url=tls_server.url)) as http,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        http.post(tls_server.url + "/v1/messages", content=b"{}")
    assert tls_server.requests == []
