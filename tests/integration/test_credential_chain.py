"""ChainAuth with a real credentials file, the npm OAuth server and a real apiKeyHelper."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest

from adapters.auth.api_key_helper import ApiKeyHelper
from adapters.auth.chain_auth import ChainAuth
from adapters.auth.credentials_store import CredentialsFile
from adapters.auth.oauth_http import OAuthHttpClient
from adapters.system.clock import SystemClock
from domain.auth.credential_chain import RefreshFirst, UseHeaders
from domain.auth.errors import ApiKeyHelperError, RefreshRejected, TokenExpired
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.oauth_flow import authorize_url, parse_callback
from domain.auth.pkce import Pkce, s256_challenge
from domain.auth.token_policy import TokenPolicy
from tests.fakes.oauth.server import CLIENT_ID, OAuthServer

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
REDIRECT = "http://localhost:1/callback"
BETA = "oauth-2025-04-20"


@attrs.define
class ManualClock:
    wall: float = 1_000_000.0
    mono: float = 0.0

    def now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono


def _config(server: OAuthServer) -> OAuthConfig:
    return OAuthConfig(
        client_id=CLIENT_ID,
        authorize_url=f"{server.url}/authorize",
        token_url=f"{server.url}/token",
        scopes=("openid",),
        extra_authorize_params=(),
        token_request_encoding="form",
    )


def _login(server: OAuthServer, store: CredentialsFile, expired: bool = True) -> OAuthCredentials:
    """A real login, then the stored access token is made to look expired."""
    config = _config(server)
    url = authorize_url(config, REDIRECT, "st", Pkce(VERIFIER, s256_challenge(VERIFIER)))
    location = httpx.get(url, trust_env=False).headers["location"]
    code = parse_callback(location.partition("?")[2], "st")
    creds = OAuthHttpClient(config, SystemClock()).exchange(code, VERIFIER, REDIRECT, "st")
    if expired:
        creds = attrs.evolve(creds, expires_at=SystemClock().now() - 5)
    store.save_oauth(creds)
    return creds


def _chain(
    server: OAuthServer, store: CredentialsFile, environ: dict[str, str] | None = None
) -> ChainAuth:
    config = _config(server)
    return ChainAuth(
        environ or {},
        store,
        OAuthHttpClient(config, SystemClock()),
        SystemClock(),
        TokenPolicy(),
        config.scopes,
    )


@pytest.fixture
def server() -> Iterator[OAuthServer]:
    with OAuthServer("--single-use", "--token-delay-ms", "300") as running:
        yield running


@pytest.mark.node
def test_an_expired_token_is_refreshed_and_saved_before_use(
    server: OAuthServer, tmp_path: Path
) -> None:
    store = CredentialsFile(tmp_path / "credentials.json")
    (tmp_path / "credentials.json").write_text(json.dumps({"other": {"keep": True}}))
    old = _login(server, store)
    chain = _chain(server, store)
    assert isinstance(chain.resolve(), RefreshFirst)
    headers = chain.headers()
    saved = store.load_oauth()
    assert saved is not None
    assert headers == {"authorization": f"Bearer {saved.access_token}", "anthropic-beta": BETA}
    assert saved.access_token != old.access_token
    assert saved.refresh_token != old.refresh_token  # rotated
    assert server.is_live(saved.access_token)
    assert json.loads((tmp_path / "credentials.json").read_text())["other"] == {"keep": True}
    # The fresh token is used as it is: no second refresh.
    assert chain.headers() == headers
    assert server.stats()["refreshes"] == 1


@pytest.mark.node
def test_threads_refreshing_at_once_refresh_once(server: OAuthServer, tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    _login(server, CredentialsFile(path))
    results: list[dict[str, str]] = []
    errors: list[Exception] = []

    def use() -> None:
        try:
            results.append(_chain(server, CredentialsFile(path)).headers())
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len({r["authorization"] for r in results}) == 1
    assert server.stats()["refreshes"] == 1
    assert server.stats()["rejected"] == 0


@pytest.mark.node
def test_a_rejected_refresh_leaves_the_stored_entry_as_it_was(
    server: OAuthServer, tmp_path: Path
) -> None:
    path = tmp_path / "credentials.json"
    store = CredentialsFile(path)
    _login(server, store)
    # Someone else uses the refresh token, so ours is now spent on the server.
    spent = store.load_oauth()
    assert spent is not None
    assert spent.refresh_token is not None
    OAuthHttpClient(_config(server), SystemClock()).refresh(spent.refresh_token, ())
    before = path.read_bytes()
    with pytest.raises(RefreshRejected, match="hexclaw login") as caught:
        _chain(server, store).headers()
    assert spent.refresh_token not in str(caught.value)
    assert path.read_bytes() == before


@pytest.mark.node
def test_after_a_401_one_refresh_makes_a_retry_worthwhile(
    server: OAuthServer, tmp_path: Path
) -> None:
    store = CredentialsFile(tmp_path / "credentials.json")
    first = _login(server, store, expired=False)
    chain = _chain(server, store)
    assert chain.headers()["authorization"] == f"Bearer {first.access_token}"
    assert chain.refresh_after_unauthorized() is True
    assert server.stats()["refreshes"] == 1
    renewed = store.load_oauth()
    assert renewed is not None
    assert renewed.access_token != first.access_token
    assert chain.headers()["authorization"] == f"Bearer {renewed.access_token}"
    # Another process that still sent the old token finds the new one: no second refresh.
    other = _chain(server, store)
    other_last = attrs.evolve(renewed, access_token=first.access_token)
    store_copy = CredentialsFile(tmp_path / "credentials.json")
    store_copy.save_oauth(other_last)
    assert other.headers()["authorization"] == f"Bearer {first.access_token}"
    store_copy.save_oauth(renewed)
    assert other.refresh_after_unauthorized() is True
    assert server.stats()["refreshes"] == 1


def test_an_expired_token_without_refresh_token(tmp_path: Path) -> None:
    store = CredentialsFile(tmp_path / "credentials.json")
    store.save_oauth(OAuthCredentials("at", None, SystemClock().now() - 1, ()))
    chain = ChainAuth({}, store, _NoEndpoint(), SystemClock(), TokenPolicy(), ())
    with pytest.raises(TokenExpired, match="hexclaw login"):
        chain.headers()
    assert chain.refresh_after_unauthorized() is False


class _NoEndpoint:
    def exchange(self, code: str, verifier: str, redirect_uri: str, state: str) -> OAuthCredentials:
        raise AssertionError("no exchange expected")

    def refresh(self, refresh_token: str, scopes: tuple[str, ...]) -> OAuthCredentials:
        raise AssertionError("no refresh expected")


def test_environment_variables_win_and_the_store_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("{corrupt")
    store = CredentialsFile(path)
    env = {"ANTHROPIC_API_KEY": "sk-1", "ANTHROPIC_AUTH_TOKEN": "tok"}
    chain = ChainAuth(env, store, _NoEndpoint(), SystemClock(), TokenPolicy(), ())
    assert chain.headers() == {"x-api-key": "sk-1"}
    assert chain.refresh_after_unauthorized() is False
    chain = ChainAuth(
        {"ANTHROPIC_AUTH_TOKEN": "tok"}, store, _NoEndpoint(), SystemClock(), TokenPolicy(), ()
    )
    assert chain.headers() == {"authorization": "Bearer tok"}


def _helper_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "helper.py"
    script.write_text(body)
    return f"{sys.executable} {script}"


COUNTING_HELPER = """
import pathlib
counter = pathlib.Path(__file__).with_name("calls")
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
print(f"helper-key-{n}")
"""


def test_the_api_key_helper_is_cached_for_its_ttl_and_renewed_after_a_401(tmp_path: Path) -> None:
    clock = ManualClock()
    helper = ApiKeyHelper(_helper_script(tmp_path, COUNTING_HELPER), clock, tmp_path, ttl=300)
    store = CredentialsFile(tmp_path / "credentials.json")
    chain = ChainAuth({}, store, _NoEndpoint(), clock, TokenPolicy(), (), helper)
    expected = {"x-api-key": "helper-key-1", "authorization": "Bearer helper-key-1"}
    assert chain.headers() == expected
    clock.mono += 299
    assert chain.headers() == expected
    assert (tmp_path / "calls").read_text() == "1"
    clock.mono += 1
    assert chain.headers()["x-api-key"] == "helper-key-2"
    assert chain.refresh_after_unauthorized() is True
    assert chain.headers()["x-api-key"] == "helper-key-3"
    assert (tmp_path / "calls").read_text() == "3"
    assert not (tmp_path / "credentials.json").exists()


def test_the_helper_comes_after_the_environment(tmp_path: Path) -> None:
    helper = ApiKeyHelper(_helper_script(tmp_path, COUNTING_HELPER), ManualClock(), tmp_path)
    store = CredentialsFile(tmp_path / "credentials.json")
    chain = ChainAuth(
        {"ANTHROPIC_AUTH_TOKEN": "t"},
        store,
        _NoEndpoint(),
        ManualClock(),
        TokenPolicy(),
        (),
        helper,
    )
    assert chain.headers() == {"authorization": "Bearer t"}
    assert not (tmp_path / "calls").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("import sys; sys.stderr.write('vault sealed\\n'); sys.exit(3)", "status 3: vault sealed"),
        ("print('')", "printed no key"),
        ("print('two words')", "printed no key"),
    ],
)
def test_helper_failures_are_clear(tmp_path: Path, body: str, message: str) -> None:
    helper = ApiKeyHelper(_helper_script(tmp_path, body), ManualClock(), tmp_path)
    with pytest.raises(ApiKeyHelperError, match=message):
        helper.key()


def test_a_helper_that_hangs_times_out(tmp_path: Path) -> None:
    body = "import time; time.sleep(30)"
    helper = ApiKeyHelper(_helper_script(tmp_path, body), ManualClock(), tmp_path, run_timeout=0.5)
    with pytest.raises(ApiKeyHelperError, match=r"within 0\.5 s"):
        helper.key()


def test_resolve_reports_without_refreshing(tmp_path: Path) -> None:
    store = CredentialsFile(tmp_path / "credentials.json")
    store.save_oauth(
        OAuthCredentials("at-1234567890abcdefghij", "rt", SystemClock().now() + 999, ())
    )
    result = ChainAuth({}, store, _NoEndpoint(), SystemClock(), TokenPolicy(), ()).resolve()
    assert isinstance(result, UseHeaders)
    assert result.source == "oauth"
