"""The authorize URL, the callback query and the pasted code of the manual flow."""

from __future__ import annotations

import urllib.parse

import pytest

from domain.auth.errors import AuthorizationDenied, InvalidCallback, StateMismatch
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_flow import authorize_url, parse_callback, parse_pasted_code
from domain.auth.pkce import Pkce
from domain.auth.url_encoding import MalformedQuery, encode_pairs, parse_pairs, quote, unquote

PKCE = Pkce(verifier="v" * 43, challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
STATE = "s-T4te_~.xyz"


def _query(url: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def test_authorize_url_for_anthropic_defaults() -> None:
    url = authorize_url(OAuthConfig(), "http://localhost:5555/callback", STATE, PKCE)
    assert url.startswith("https://claude.com/cai/oauth/authorize?")
    assert _query(url) == [
        ("response_type", "code"),
        ("client_id", "9d1c250a-e61b-44d9-88ed-5944d1962f5e"),
        ("redirect_uri", "http://localhost:5555/callback"),
        ("scope", "user:profile user:inference user:sessions:claude_code"),
        ("state", STATE),
        ("code_challenge", PKCE.challenge),
        ("code_challenge_method", "S256"),
        ("code", "true"),
    ]
    assert "plain" not in url


def test_authorize_url_is_strictly_percent_encoded() -> None:
    url = authorize_url(OAuthConfig(), "http://localhost:1/callback?x=a b", STATE, PKCE)
    query = url.partition("?")[2]
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A1%2Fcallback%3Fx%3Da%20b" in query
    assert "scope=user%3Aprofile%20user%3Ainference%20user%3Asessions%3Aclaude_code" in query
    assert "+" not in query
    assert " " not in url


def test_an_authorize_url_with_a_query_keeps_it() -> None:
    config = OAuthConfig(
        authorize_url="https://id.example.com/auth?tenant=acme&x=1#frag",
        extra_authorize_params=(("prompt", "consent"),),
    )
    url = authorize_url(config, "http://127.0.0.1:9/callback", STATE, PKCE)
    assert url.startswith("https://id.example.com/auth?tenant=acme&x=1&response_type=code&")
    assert url.endswith("&prompt=consent#frag")
    assert ("tenant", "acme") in _query(url.partition("#")[0])


def test_percent_encoding_round_trips_unicode_and_reserved_characters() -> None:
    text = "a b+c&d=e/f?g#h%i~j.k_l-m é ✓"
    assert unquote(quote(text)) == text
    assert quote("AZaz09-._~") == "AZaz09-._~"
    assert quote("é") == "%C3%A9"
    assert parse_pairs(encode_pairs([("k 1", "v&2"), ("e", "")])) == [("k 1", "v&2"), ("e", "")]
    assert unquote("a+b") == "a b"
    with pytest.raises(MalformedQuery):
        unquote("%G1")
    with pytest.raises(MalformedQuery):
        unquote("%C3")


def test_callback_with_matching_state_gives_the_code() -> None:
    assert parse_callback(f"code=abc%2F123&state={STATE}", STATE) == "abc/123"


@pytest.mark.parametrize(
    "query",
    ["code=abc&state=other", "code=abc", "code=abc&state=", f"code=abc&state={STATE}x"],
)
def test_callback_state_mismatch(query: str) -> None:
    with pytest.raises(StateMismatch, match="does not match"):
        parse_callback(query, STATE)


def test_callback_error_becomes_authorization_denied() -> None:
    query = f"error=access_denied&error_description=The+user+said+no&state={STATE}"
    with pytest.raises(AuthorizationDenied, match="access_denied") as caught:
        parse_callback(query, STATE)
    assert "The user said no" in str(caught.value)
    assert caught.value.error == "access_denied"


def test_callback_error_without_state_is_still_reported() -> None:
    with pytest.raises(AuthorizationDenied, match="invalid_scope"):
        parse_callback("error=invalid_scope", STATE)


def test_callback_error_with_a_forged_state_is_a_mismatch() -> None:
    with pytest.raises(StateMismatch):
        parse_callback("error=access_denied&state=forged", STATE)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (f"state={STATE}", "neither a code nor an error"),
        (f"code=&state={STATE}", "neither a code nor an error"),
        (f"code=a&code=b&state={STATE}", "repeats the parameter 'code'"),
        (f"code=a&state={STATE}&state={STATE}", "repeats the parameter 'state'"),
        (f"code=%ZZ&state={STATE}", "malformed"),
    ],
)
def test_malformed_callbacks(query: str, message: str) -> None:
    with pytest.raises(InvalidCallback, match=message):
        parse_callback(query, STATE)


def test_error_text_from_the_server_is_cleaned() -> None:
    with pytest.raises(AuthorizationDenied) as caught:
        parse_callback("error=access_denied&error_description=line1%0Aline2%1B[31m", STATE)
    assert "\n" not in str(caught.value)
    assert "\x1b" not in str(caught.value)


def test_pasted_code_hash_state() -> None:
    assert parse_pasted_code(f"  the-code#{STATE}\n", STATE) == "the-code"


def test_pasted_redirect_url() -> None:
    pasted = f"https://platform.claude.com/oauth/code/callback?code=c0de&state={STATE}"
    assert parse_pasted_code(pasted, STATE) == "c0de"


def test_pasted_code_with_the_wrong_state() -> None:
    with pytest.raises(StateMismatch):
        parse_pasted_code("the-code#another-state", STATE)


@pytest.mark.parametrize("pasted", ["the-code", "", "#state", "code#"])
def test_pasted_code_without_state_is_refused(pasted: str) -> None:
    with pytest.raises(InvalidCallback, match="CODE#STATE"):
        parse_pasted_code(pasted, STATE)
