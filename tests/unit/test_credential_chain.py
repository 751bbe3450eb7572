"""The credential chain as a table: both variables, the helper, every kind of stored login,
and the clock on either side of the expiry margin."""

from __future__ import annotations

import itertools

import attrs
import pytest

from domain.auth.credential_chain import RefreshFirst, Unusable, UseHeaders, resolve_chain
from domain.auth.errors import NotLoggedIn, TokenExpired
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.secret_mask import mask_secret
from domain.auth.token_policy import TokenPolicy

T0 = 1_000_000.0
STORED = {
    "none": None,
    "valid": OAuthCredentials("at-valid", "rt", T0 + 3600, ("s",)),
    "expiring": OAuthCredentials("at-expiring", "rt", T0 + 30, ("s",)),
    "expired+refresh": OAuthCredentials("at-expired", "rt", T0 - 10, ("s",)),
    "expired-no-refresh": OAuthCredentials("at-dead", None, T0 - 10, ("s",)),
    "no-lifetime": OAuthCredentials("at-forever", None, None, ()),
}
CLOCKS = {"now": T0, "an hour later": T0 + 3600}


@attrs.define
class Inputs:
    helper: str | None
    stored: OAuthCredentials | None
    helper_calls: int = 0
    store_reads: int = 0

    def helper_key(self) -> str | None:
        self.helper_calls += 1
        return self.helper

    def stored_oauth(self) -> OAuthCredentials | None:
        self.store_reads += 1
        return self.stored


def expected(
    api_key: str | None, auth_token: str | None, helper: str | None, stored: str, now: float
) -> tuple[str, object]:
    """The rule, stated independently of the implementation."""
    if api_key:
        return "use", {"x-api-key": api_key}
    if auth_token:
        return "use", {"authorization": f"Bearer {auth_token}"}
    if helper:
        return "use", {"x-api-key": helper, "authorization": f"Bearer {helper}"}
    creds = STORED[stored]
    if creds is None:
        return "error", NotLoggedIn
    if creds.expires_at is None or now < creds.expires_at - 60:
        return "use", {
            "authorization": f"Bearer {creds.access_token}",
            "anthropic-beta": "oauth-2025-04-20",
        }
    if creds.refresh_token:
        return "refresh", creds
    return "error", TokenExpired


CASES = list(
    itertools.product(
        [None, "", "sk-key"],
        [None, "", "tok"],
        [None, "helper-key"],
        list(STORED),
        list(CLOCKS),
    )
)


@pytest.mark.parametrize(("api_key", "auth_token", "helper", "stored", "clock"), CASES)
def test_chain_table(
    api_key: str | None, auth_token: str | None, helper: str | None, stored: str, clock: str
) -> None:
    env = {"UNRELATED": "x"}
    if api_key is not None:
        env["ANTHROPIC_API_KEY"] = api_key
    if auth_token is not None:
        env["ANTHROPIC_AUTH_TOKEN"] = auth_token
    inputs = Inputs(helper, STORED[stored])
    now = CLOCKS[clock]
    result = resolve_chain(env, inputs, now, TokenPolicy())
    kind, detail = expected(api_key, auth_token, helper, stored, now)
    if kind == "use":
        assert isinstance(result, UseHeaders)
        assert result.headers == detail
    elif kind == "refresh":
        assert isinstance(result, RefreshFirst)
        assert result.credentials == detail
    else:
        assert isinstance(result, Unusable)
        assert isinstance(detail, type)
        assert type(result.error) is detail
    # Lazy: the helper runs and the store is read only when the environment names nothing.
    if api_key or auth_token:
        assert (inputs.helper_calls, inputs.store_reads) == (0, 0)
    elif helper:
        assert (inputs.helper_calls, inputs.store_reads) == (1, 0)


def test_an_expired_token_is_never_sent() -> None:
    for creds, now in itertools.product(STORED.values(), CLOCKS.values()):
        result = resolve_chain({}, Inputs(None, creds), now, TokenPolicy())
        if isinstance(result, UseHeaders) and creds is not None and creds.expires_at is not None:
            assert now < creds.expires_at - 60


def test_sources_and_reasons_are_named() -> None:
    both = {"ANTHROPIC_API_KEY": "sk-secret-value", "ANTHROPIC_AUTH_TOKEN": "t"}
    result = resolve_chain(both, Inputs(None, None), T0, TokenPolicy())
    assert isinstance(result, UseHeaders)
    assert result.source == "ANTHROPIC_API_KEY"
    assert "sk-secret-value" not in repr(result)
    stored = resolve_chain({}, Inputs(None, STORED["valid"]), T0, TokenPolicy())
    assert isinstance(stored, UseHeaders)
    assert stored.source == "oauth"
    assert stored.credentials == STORED["valid"]
    helper = resolve_chain({}, Inputs("hk", None), T0, TokenPolicy())
    assert isinstance(helper, UseHeaders)
    assert helper.source == "apiKeyHelper"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        ("sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "sk-a…wxyz (39 characters)"),
        ("short-secret", "**** (12 characters)"),
        ("", "**** (0 characters)"),
    ],
)
def test_masking_shows_at_most_four_and_four(secret: str, shown: str) -> None:
    assert mask_secret(secret) == shown


def test_each_link_of_the_chain_says_why_it_was_chosen() -> None:
    def why(env: dict[str, str], helper: str | None, stored: str) -> str:
        return resolve_chain(env, Inputs(helper, STORED[stored]), T0, TokenPolicy()).reason

    assert why({"ANTHROPIC_API_KEY": "k"}, "hk", "valid") == "ANTHROPIC_API_KEY is set"
    assert why({"ANTHROPIC_AUTH_TOKEN": "t"}, "hk", "valid") == (
        "ANTHROPIC_AUTH_TOKEN is set and ANTHROPIC_API_KEY is not"
    )
    assert why({}, "hk", "valid") == (
        "settings name an apiKeyHelper and neither ANTHROPIC_API_KEY nor "
        "ANTHROPIC_AUTH_TOKEN is set"
    )
    assert why({}, None, "valid") == (
        "stored OAuth login, and no environment variable or helper comes before it"
    )
    assert why({}, None, "none") == "no environment variable, helper or stored login"
    assert why({}, None, "expiring") == "the access token expires within 60 s of now: refresh first"
    assert why({}, None, "expired-no-refresh") == (
        "the stored access token has expired and there is no refresh token"
    )


def test_each_link_sends_the_headers_its_credential_needs() -> None:
    def headers(env: dict[str, str], helper: str | None) -> dict[str, str]:
        result = resolve_chain(env, Inputs(helper, STORED["valid"]), T0, TokenPolicy())
        assert isinstance(result, UseHeaders)
        return result.headers

    assert headers({"ANTHROPIC_API_KEY": "k"}, None) == {"x-api-key": "k"}
    assert headers({"ANTHROPIC_AUTH_TOKEN": "t"}, None) == {"authorization": "Bearer t"}
    assert headers({}, "hk") == {"x-api-key": "hk", "authorization": "Bearer hk"}
    assert headers({}, None) == {
        "authorization": "Bearer at-valid",
        "anthropic-beta": "oauth-2025-04-20",
    }


def test_each_link_names_its_source_and_the_secret_it_sends() -> None:
    def chosen(env: dict[str, str], helper: str | None) -> tuple[str, str]:
        result = resolve_chain(env, Inputs(helper, STORED["valid"]), T0, TokenPolicy())
        assert isinstance(result, UseHeaders)
        return result.source, result.secret

    assert chosen({"ANTHROPIC_API_KEY": "k"}, None) == ("ANTHROPIC_API_KEY", "k")
    assert chosen({"ANTHROPIC_AUTH_TOKEN": "t"}, None) == ("ANTHROPIC_AUTH_TOKEN", "t")
    assert chosen({}, "hk") == ("apiKeyHelper", "hk")
    assert chosen({}, None) == ("oauth", "at-valid")
