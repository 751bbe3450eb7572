"""The OAuth cassette family: token requests recorded against the npm OAuth server.

hexclaw's own token client (``adapters.auth.oauth_http.OAuthHttpClient``) talks to a real OAuth 2.0
server (``tests/fakes/oauth/server.mjs``, oauth2-mock-server) through the recording transport.
The browser's part (the authorize redirect that hands out the code) is not HTTP that hexclaw
sends, so it is done here directly and is not in the cassettes. Needs node; replay does not.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import httpx

from adapters.auth.oauth_http import OAuthHttpClient
from adapters.cassettes.recorder import RecordingTransport
from adapters.system.clock import SystemClock
from domain.auth.errors import RefreshRejected
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_flow import authorize_url, parse_callback
from domain.auth.pkce import Pkce, s256_challenge
from tests.fakes.oauth.server import CLIENT_ID, OAuthServer

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
REDIRECT = "http://localhost:54545/callback"
STATE = "cassette-state"
SCOPES = ("user:profile", "user:inference")


@attrs.frozen
class OAuthScenario:
    name: str
    proves: str
    server_options: tuple[str, ...]


SCENARIOS = (
    OAuthScenario(
        "exchange-and-rotating-refresh",
        "the code exchange (JSON body, as Anthropic's endpoint takes it) and a refresh that "
        "rotates the refresh token; every code, verifier and token is REDACTED",
        ("--encoding", "json"),
    ),
    OAuthScenario(
        "reused-refresh-token-rejected",
        "a single-use refresh token sent twice: the second refresh gets 400 invalid_grant, "
        "which hexclaw turns into RefreshRejected",
        ("--encoding", "json", "--single-use"),
    ),
)


def config_for(base_url: str) -> OAuthConfig:
    return OAuthConfig(
        client_id=CLIENT_ID,
        authorize_url=f"{base_url}/authorize",
        token_url=f"{base_url}/token",
        scopes=SCOPES,
        extra_authorize_params=(),
        token_request_encoding="json",
    )


def record_oauth_scenario(scenario: OAuthScenario, target: Path) -> None:
    with OAuthServer(*scenario.server_options) as server:
        config = config_for(server.url)
        pkce = Pkce(VERIFIER, s256_challenge(VERIFIER))
        redirect = httpx.get(
            authorize_url(config, REDIRECT, STATE, pkce), follow_redirects=False, trust_env=False
        )
        code = parse_callback(redirect.headers["location"].partition("?")[2], STATE)
        http = httpx.Client(transport=RecordingTransport(target), trust_env=False)
        client = OAuthHttpClient(config, SystemClock(), http=http)
        try:
            first = client.exchange(code, VERIFIER, REDIRECT, STATE)
            client.refresh(first.refresh_token or "", first.scopes)
            if "--single-use" in scenario.server_options:
                try:
                    client.refresh(first.refresh_token or "", first.scopes)
                except RefreshRejected:
                    pass
                else:
                    raise AssertionError("the server accepted a reused refresh token")
        finally:
            client.close()


def record_oauth_family(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for scenario in SCENARIOS:
        target = folder / f"{scenario.name}.yaml"
        record_oauth_scenario(scenario, target)
        written.append(target)
    return written
