"""Token exchange and refresh over HTTP, against the npm OAuth server and scripted servers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from adapters.auth.oauth_http import OAuthHttpClient
from adapters.system.clock import SystemClock
from domain.auth.errors import OAuthServerError, RefreshRejected, TokenEndpointError
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_flow import authorize_url, parse_callback
from domain.auth.pkce import Pkce, s256_challenge
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.oauth.server import CLIENT_ID, OAuthServer

pytestmark = pytest.mark.node

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
PKCE = Pkce(VERIFIER, s256_challenge(VERIFIER))
REDIRECT = "http://localhost:53682/callback"
STATE = "state-123"


def _config(server: OAuthServer, encoding: str = "form") -> OAuthConfig:
    return OAuthConfig(
        client_id=CLIENT_ID,
        authorize_url=f"{server.url}/authorize",
        token_url=f"{server.url}/token",
        scopes=("openid", "profile"),
        extra_authorize_params=(),
        token_request_encoding="json" if encoding == "json" else "form",
    )


def _authorize(config: OAuthConfig, redirect: str = REDIRECT) -> str:
    """What the browser does: follow the authorize URL and read the code from the redirect."""
    url = authorize_url(config, redirect, STATE, PKCE)
    response = httpx.get(url, follow_redirects=False, trust_env=False)
    assert response.status_code == 302
    return parse_callback(response.headers["location"].partition("?")[2], STATE)


@pytest.fixture
def single_use_server() -> Iterator[OAuthServer]:
    with OAuthServer("--single-use", "--encoding", "form", "--ttl", "120") as server:
        yield server


def test_exchange_and_rotating_refresh_with_form_encoding(single_use_server: OAuthServer) -> None:
    config = _config(single_use_server)
    client = OAuthHttpClient(config, SystemClock())
    clock = SystemClock()
    before = clock.now()
    creds = client.exchange(_authorize(config), VERIFIER, REDIRECT, STATE)
    assert single_use_server.is_live(creds.access_token)
    assert creds.refresh_token
    assert before + 118 <= (creds.expires_at or 0) <= clock.now() + 120
    fresh = client.refresh(creds.refresh_token, creds.scopes)
    assert fresh.access_token != creds.access_token
    assert fresh.refresh_token
    assert fresh.refresh_token != creds.refresh_token
    assert single_use_server.is_live(fresh.access_token)
    # The old refresh token was single-use: using it again is rejected, with the login hint.
    with pytest.raises(RefreshRejected, match=r"already used.*hexclaw login") as caught:
        client.refresh(creds.refresh_token, creds.scopes)
    assert creds.refresh_token not in str(caught.value)
    stats = single_use_server.stats()
    assert (stats["exchanges"], stats["refreshes"], stats["rejected"]) == (1, 1, 1)
    client.close()


def test_json_encoding_against_a_server_that_accepts_only_json() -> None:
    with OAuthServer("--encoding", "json") as server:
        config = _config(server, "json")
        creds = OAuthHttpClient(config, SystemClock()).exchange(
            _authorize(config), VERIFIER, REDIRECT, STATE
        )
        assert server.is_live(creds.access_token)
        wrong = _config(server, "form")
        with pytest.raises(OAuthServerError, match="accepts only json") as caught:
            OAuthHttpClient(wrong, SystemClock()).exchange(
                _authorize(wrong), VERIFIER, REDIRECT, STATE
            )
        assert caught.value.status == 400
        assert server.stats()["badEncoding"] == 1


def test_the_exact_json_body_on_the_wire() -> None:
    def only_json(request: RecordedRequest) -> Reply:
        if request.headers.get("content-type") != "application/json":
            return Reply(status=415, chunks=[b'{"error": "invalid_request"}'])
        body = json.dumps({"access_token": "at", "token_type": "Bearer", "expires_in": 60})
        return Reply(chunks=[body.encode()], headers={"content-type": "application/json"})

    with ScriptedAnthropicServer(responder=only_json, idle_timeout=30) as server:
        config = OAuthConfig(token_url=f"{server.url}/v1/oauth/token")
        client = OAuthHttpClient(config, SystemClock())
        creds = client.exchange("the-code", VERIFIER, REDIRECT, STATE)
        client.refresh("rt-1", ("user:inference",))
    assert creds.access_token == "at"
    exchange, refresh = server.requests
    assert exchange.path == "/v1/oauth/token"
    assert exchange.body == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REDIRECT,
        "client_id": config.client_id,
        "code_verifier": VERIFIER,
        "state": STATE,
    }
    assert refresh.body == {
        "grant_type": "refresh_token",
        "refresh_token": "rt-1",
        "client_id": config.client_id,
        "scope": "user:inference",
    }


def test_a_refresh_without_a_new_refresh_token() -> None:
    with OAuthServer("--no-rotate", "--single-use") as server:
        config = _config(server)
        client = OAuthHttpClient(config, SystemClock())
        creds = client.exchange(_authorize(config), VERIFIER, REDIRECT, STATE)
        fresh = client.refresh(creds.refresh_token or "", creds.scopes)
        assert fresh.refresh_token is None
        kept = creds.rotated(fresh)
        assert kept.refresh_token == creds.refresh_token
        assert kept.access_token == fresh.access_token
        # The old refresh token is still the valid one.
        again = client.refresh(kept.refresh_token or "", kept.scopes)
        assert server.is_live(again.access_token)


def test_a_wrong_redirect_uri_or_verifier_is_refused_by_the_server() -> None:
    with OAuthServer() as server:
        config = _config(server)
        client = OAuthHttpClient(config, SystemClock())
        with pytest.raises(OAuthServerError, match="redirect_uri does not match"):
            client.exchange(_authorize(config), VERIFIER, "http://localhost:1/other", STATE)
        with pytest.raises(OAuthServerError, match="code_verifier") as caught:
            client.exchange(_authorize(config), "x" * 43, REDIRECT, STATE)
        assert caught.value.error == "invalid_request"


def _scripted(*replies: Reply) -> ScriptedAnthropicServer:
    return ScriptedAnthropicServer(list(replies), idle_timeout=30)


def test_a_non_json_error_page_is_a_typed_error_with_its_status() -> None:
    page = Reply(status=502, chunks=[b"<html>Bad Gateway from the proxy</html>\n<p>x"])
    with _scripted(page) as server:
        client = OAuthHttpClient(OAuthConfig(token_url=f"{server.url}/t"), SystemClock())
        with pytest.raises(TokenEndpointError, match=r"HTTP 502.*Bad Gateway from the proxy"):
            client.refresh("secret-refresh", ())


def test_a_2xx_body_that_is_not_json_is_an_error_that_does_not_echo_it() -> None:
    body = Reply(
        status=200, chunks=[b"access_token=leaked&x=1"], headers={"content-type": "text/plain"}
    )
    with _scripted(body) as server:
        client = OAuthHttpClient(OAuthConfig(token_url=f"{server.url}/t"), SystemClock())
        with pytest.raises(TokenEndpointError, match="not JSON") as caught:
            client.refresh("secret-refresh", ())
    assert "leaked" not in str(caught.value)
    assert "secret-refresh" not in str(caught.value)


def test_an_oauth_error_with_a_non_standard_status() -> None:
    reply = Reply(
        status=401,
        chunks=[b'{"error": "invalid_client", "error_description": "unknown client"}'],
        headers={"content-type": "application/json"},
    )
    with _scripted(reply) as server:
        client = OAuthHttpClient(OAuthConfig(token_url=f"{server.url}/t"), SystemClock())
        with pytest.raises(OAuthServerError, match=r"invalid_client: unknown client \(HTTP 401\)"):
            client.exchange("c", VERIFIER, REDIRECT, STATE)


def test_timeouts_and_refused_connections_are_typed_errors() -> None:
    with _scripted(Reply(stall_before=2.0, chunks=[b"{}"])) as server:
        client = OAuthHttpClient(
            OAuthConfig(token_url=f"{server.url}/t"), SystemClock(), timeout=httpx.Timeout(0.3)
        )
        with pytest.raises(TokenEndpointError, match="did not answer in time"):
            client.refresh("r", ())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = OAuthHttpClient(OAuthConfig(token_url=f"http://127.0.0.1:{port}/t"), SystemClock())
    with pytest.raises(TokenEndpointError, match="cannot reach the token endpoint"):
        client.refresh("r", ())
