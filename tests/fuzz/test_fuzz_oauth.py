"""Fuzzing the login callback's query parser and the token response parser."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.auth.errors import AuthError
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.oauth_flow import parse_callback, parse_pasted_code
from domain.auth.token_response import parse_token_response
from domain.auth.url_encoding import quote
from tests.fuzz.limits import fuzz_settings, within_memory

pytestmark = pytest.mark.fuzz

STATE = "Zm9yZ2VkLW9yLW5vdA-expected_state"
NOW = 1_700_000_000.0
SCOPES = ("user:profile", "user:inference")

query_text = st.text(st.sampled_from("%&=+;#?abcAF09 é\x00\n/"), max_size=60)
keys = st.sampled_from(["code", "state", "error", "error_description", "scope", "x"]) | st.text(
    max_size=6
)
values = st.sampled_from([STATE, STATE + "x", "", "abc", "access_denied"]) | st.text(max_size=20)


@st.composite
def callback_queries(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(keys, values), max_size=6))
    encode = draw(st.booleans())
    return "&".join(
        f"{quote(k) if encode else k}={quote(v) if encode else v}" for k, v in pairs
    ) + draw(st.sampled_from(["", "&", "%", "%4", "%zz", "=", "&&"]))


@fuzz_settings
@given(st.one_of(callback_queries(), query_text))
def test_a_callback_gives_a_code_only_with_the_right_state(query: str) -> None:
    outcome = within_memory(lambda: parse_callback(query, STATE), len(query))
    if isinstance(outcome, str):
        assert outcome
        assert f"state={STATE}" in query or f"state={quote(STATE)}" in query
    else:
        assert isinstance(outcome, AuthError)


@fuzz_settings
@given(st.one_of(callback_queries(), query_text, st.text(max_size=80)))
def test_a_pasted_code_is_believed_only_with_the_right_state(pasted: str) -> None:
    outcome = within_memory(lambda: parse_pasted_code(pasted, STATE), len(pasted))
    if isinstance(outcome, str):
        assert STATE in pasted or quote(STATE) in pasted
    else:
        assert isinstance(outcome, AuthError)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["Bearer", "bearer", "mac", "3600", "1e999", "-1", "nan", "inf", "a b"])
    | st.sampled_from([1e308, -1e308, 10**30, -(10**30), 2**63, 1_800_000_000_000]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
token_keys = st.sampled_from(
    [
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "expires_at",
        "scope",
        "scopes",
        "error",
        "error_description",
    ]
)
token_payloads = st.one_of(
    json_values,
    st.dictionaries(token_keys, json_values, max_size=8),
    st.dictionaries(token_keys, json_values, max_size=8).map(
        lambda d: {"access_token": "at", "scope": " ".join(SCOPES), **d}
    ),
)


@fuzz_settings
@given(token_payloads)
def test_a_token_response_is_credentials_or_a_typed_error(payload: Any) -> None:
    size = len(json.dumps(payload))
    outcome = within_memory(lambda: parse_token_response(payload, NOW, SCOPES), size)
    if isinstance(outcome, OAuthCredentials):
        assert isinstance(payload, dict)
        assert outcome.access_token == payload["access_token"]
        assert outcome.expires_at is None or outcome.expires_at == int(outcome.expires_at)
    else:
        assert isinstance(outcome, AuthError)
