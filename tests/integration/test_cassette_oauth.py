"""The OAuth family replays through hexclaw's real token client, with no OAuth server running."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from adapters.auth.oauth_http import OAuthHttpClient
from adapters.cassettes.file import load_cassette
from adapters.cassettes.replay import ReplayTransport
from adapters.system.clock import SystemClock
from domain.auth.errors import RefreshRejected
from domain.cassettes.errors import ReplayMismatch
from domain.cassettes.redaction import REDACTED
from tests.fakes.oauth_cassettes import REDIRECT, STATE, VERIFIER, config_for

OAUTH = Path(__file__).resolve().parents[2] / "cassettes" / "oauth"


def _client(name: str) -> tuple[OAuthHttpClient, ReplayTransport]:
    transport = ReplayTransport(load_cassette(OAUTH / f"{name}.yaml"))
    http = httpx.Client(transport=transport)
    # Any host: a replay compares paths, and never connects.
    return OAuthHttpClient(config_for("https://auth.invalid"), SystemClock(), http=http), transport


def test_exchange_then_rotating_refresh() -> None:
    client, transport = _client("exchange-and-rotating-refresh")
    before = SystemClock().now()
    # The code differs from the one recorded: codes are redacted on both sides of the match.
    first = client.exchange("a-fresh-code-from-this-run", VERIFIER, REDIRECT, STATE)
    assert (first.access_token, first.refresh_token) == (REDACTED, REDACTED)
    assert before + 3599 <= (first.expires_at or 0) <= SystemClock().now() + 3600
    second = client.refresh(first.refresh_token or "", first.scopes)
    assert second.access_token == REDACTED
    assert transport.unplayed == 0


def test_a_reused_refresh_token_is_rejected() -> None:
    client, transport = _client("reused-refresh-token-rejected")
    first = client.exchange("code", VERIFIER, REDIRECT, STATE)
    client.refresh(first.refresh_token or "", first.scopes)
    with pytest.raises(RefreshRejected, match="already used"):
        client.refresh(first.refresh_token or "", first.scopes)
    assert transport.unplayed == 0


def test_a_different_redirect_is_a_mismatch_that_names_the_field() -> None:
    client, _ = _client("exchange-and-rotating-refresh")
    with pytest.raises(ReplayMismatch, match=r"body\.redirect_uri: the cassette has"):
        client.exchange("code", VERIFIER, "http://localhost:1/callback", STATE)
