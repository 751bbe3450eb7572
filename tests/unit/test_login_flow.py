"""The login use case through working in-memory fakes of its ports."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

import attrs
import pytest

from domain.auth.errors import OAuthServerError, StateMismatch
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.oauth_login import LoginFlow, ManualLoginUnavailable
from domain.auth.pkce import s256_challenge

ISSUED = OAuthCredentials("at", "rt", 1000.0, ("user:inference",))


class SeededRandom:
    def __init__(self) -> None:
        self.n = 0

    def token_bytes(self, count: int) -> bytes:
        self.n += 1
        return bytes([self.n]) * count

    def fraction(self) -> float:
        return 0.0


@attrs.define
class Endpoint:
    fail: bool = False
    exchanges: list[tuple[str, str, str, str]] = attrs.field(factory=list)

    def exchange(self, code: str, verifier: str, redirect_uri: str, state: str) -> OAuthCredentials:
        self.exchanges.append((code, verifier, redirect_uri, state))
        if self.fail:
            raise OAuthServerError("invalid_grant", "code expired")
        return ISSUED

    def refresh(self, refresh_token: str, scopes: tuple[str, ...]) -> OAuthCredentials:
        raise AssertionError("a login does not refresh")


@attrs.define
class Store:
    saved: list[OAuthCredentials] = attrs.field(factory=list)

    def load_oauth(self) -> OAuthCredentials | None:
        return self.saved[-1] if self.saved else None

    def save_oauth(self, credentials: OAuthCredentials) -> None:
        self.saved.append(credentials)

    def remove_oauth(self) -> bool:
        return bool(self.saved)


@attrs.define
class Browser:
    opened: list[str] = attrs.field(factory=list)

    def open(self, url: str) -> None:
        self.opened.append(url)


@attrs.define
class Listener:
    """Answers like a browser that followed the URL: the server echoes the state it was given."""

    said: list[str]
    redirect_uri: str = "http://localhost:4242/callback"
    tamper: bool = False

    def wait(self, accept: Callable[[str], str]) -> str:
        url = next(line for line in self.said if line.startswith("https://"))
        state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["state"]
        if self.tamper:
            state = "forged"
        return accept(f"code=the-code&state={state}")


def _params(said: list[str]) -> dict[str, str]:
    url = next(line for line in said if line.startswith("https://"))
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_loopback_login_exchanges_the_code_with_the_matching_verifier_and_saves() -> None:
    said: list[str] = []
    endpoint, store, browser = Endpoint(), Store(), Browser()
    flow = LoginFlow(OAuthConfig(), endpoint, store, SeededRandom(), said.append)
    listener = Listener(said)
    assert flow.with_loopback(listener, browser) == ISSUED
    params = _params(said)
    [(code, verifier, redirect_uri, state)] = endpoint.exchanges
    assert code == "the-code"
    assert s256_challenge(verifier) == params["code_challenge"]
    assert redirect_uri == params["redirect_uri"] == listener.redirect_uri
    assert state == params["state"]
    assert store.saved == [ISSUED]
    assert browser.opened == [line for line in said if line.startswith("https://")]
    assert any("http://localhost:4242/callback" in line for line in said)
    assert not any(verifier in line for line in said)


def test_no_browser_only_prints() -> None:
    said: list[str] = []
    flow = LoginFlow(OAuthConfig(), Endpoint(), Store(), SeededRandom(), said.append)
    flow.with_loopback(Listener(said), None)
    assert any(line.startswith("https://claude.com/cai/oauth/authorize?") for line in said)


def test_a_forged_state_saves_nothing_and_exchanges_nothing() -> None:
    said: list[str] = []
    endpoint, store = Endpoint(), Store()
    flow = LoginFlow(OAuthConfig(), endpoint, store, SeededRandom(), said.append)
    with pytest.raises(StateMismatch):
        flow.with_loopback(Listener(said, tamper=True), None)
    assert endpoint.exchanges == []
    assert store.saved == []


def test_a_failed_exchange_saves_nothing() -> None:
    said: list[str] = []
    store = Store()
    flow = LoginFlow(OAuthConfig(), Endpoint(fail=True), store, SeededRandom(), said.append)
    with pytest.raises(OAuthServerError, match="code expired"):
        flow.with_loopback(Listener(said), None)
    assert store.saved == []


def test_manual_login_uses_the_manual_redirect_and_checks_the_pasted_state() -> None:
    said: list[str] = []
    endpoint, store = Endpoint(), Store()
    flow = LoginFlow(OAuthConfig(), endpoint, store, SeededRandom(), said.append)
    result = flow.with_pasted_code(lambda: f"pasted-code#{_params(said)['state']}\n")
    assert result == ISSUED
    [(code, _, redirect_uri, _)] = endpoint.exchanges
    assert code == "pasted-code"
    assert redirect_uri == "https://platform.claude.com/oauth/code/callback"
    assert _params(said)["redirect_uri"] == redirect_uri
    assert store.saved == [ISSUED]


def test_manual_login_needs_a_manual_redirect_url() -> None:
    config = OAuthConfig(manual_redirect_url=None)
    flow = LoginFlow(config, Endpoint(), Store(), SeededRandom(), lambda _: None)
    with pytest.raises(ManualLoginUnavailable, match=r"oauth\.manualRedirectUrl"):
        flow.with_pasted_code(lambda: "x#y")
