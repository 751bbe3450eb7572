"""Token requests (form or JSON) and token responses turned into credentials or typed errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.auth.errors import CredentialsFileError, OAuthServerError, TokenEndpointError
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_credentials import OAuthCredentials, credentials_from_entry
from domain.auth.token_request import exchange_request, refresh_request
from domain.auth.token_response import parse_token_response
from domain.auth.url_encoding import parse_pairs

NOW = 1_700_000_000.5
SCOPES = ("user:profile", "user:inference")


def test_exchange_request_as_json() -> None:
    request = exchange_request(OAuthConfig(), "c/de", "v" * 43, "http://localhost:1/callback", "st")
    body, content_type = request.body()
    assert content_type == "application/json"
    assert json.loads(body) == {
        "grant_type": "authorization_code",
        "code": "c/de",
        "redirect_uri": "http://localhost:1/callback",
        "client_id": "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
        "code_verifier": "v" * 43,
        "state": "st",
    }
    assert "c/de" not in repr(request)
    assert "v" * 43 not in repr(request)


def test_refresh_request_as_form() -> None:
    config = OAuthConfig(client_id="cli ent", token_request_encoding="form")
    request = refresh_request(config, "rt+/=", SCOPES)
    body, content_type = request.body()
    assert content_type == "application/x-www-form-urlencoded"
    assert b"refresh_token=rt%2B%2F%3D" in body
    assert parse_pairs(body.decode()) == [
        ("grant_type", "refresh_token"),
        ("refresh_token", "rt+/="),
        ("client_id", "cli ent"),
        ("scope", "user:profile user:inference"),
    ]
    assert "rt+/=" not in repr(request)


def test_full_token_response() -> None:
    creds = parse_token_response(
        {
            "access_token": "at",
            "token_type": "Bearer",
            "refresh_token": "rt",
            "expires_in": 3600,
            "scope": "a b",
        },
        NOW,
        SCOPES,
    )
    assert creds == OAuthCredentials("at", "rt", 1_700_003_600.0, ("a", "b"))


def test_expires_at_scopes_list_and_lowercase_bearer() -> None:
    creds = parse_token_response(
        {
            "access_token": "at",
            "token_type": "bearer",
            "expires_at": 1_800_000_000,
            "scopes": ["x"],
        },
        NOW,
        SCOPES,
    )
    assert creds.expires_at == 1_800_000_000.0
    assert creds.scopes == ("x",)
    assert creds.refresh_token is None


def test_expires_at_in_milliseconds_is_understood() -> None:
    creds = parse_token_response({"access_token": "a", "expires_at": 1_800_000_000_123}, NOW, ())
    assert creds.expires_at == 1_800_000_000.0


def test_missing_scope_means_the_requested_scopes_and_missing_lifetime_means_unknown() -> None:
    creds = parse_token_response({"access_token": "at"}, NOW, SCOPES)
    assert creds.scopes == SCOPES
    assert creds.expires_at is None


def test_expires_in_as_a_string_is_accepted() -> None:
    assert parse_token_response({"access_token": "a", "expires_in": "60"}, NOW, ()).expires_at == (
        1_700_000_060.0
    )


def test_oauth_error_bodies_become_typed_errors() -> None:
    with pytest.raises(OAuthServerError) as caught:
        parse_token_response(
            {"error": "invalid_grant", "error_description": "code\nexpired"}, NOW, ()
        )
    assert caught.value.error == "invalid_grant"
    assert str(caught.value) == "OAuth error invalid_grant: code expired"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "not a JSON object"),
        ({}, "no access_token"),
        ({"access_token": ""}, "no access_token"),
        ({"access_token": "a", "token_type": "mac"}, "unsupported token_type"),
        ({"access_token": "a", "expires_in": "soon"}, "expires_in is not a number"),
        ({"access_token": "a", "expires_in": True}, "expires_in is not a number"),
        ({"access_token": "a", "refresh_token": 5}, "refresh_token is not a string"),
        ({"access_token": "a", "scope": 5}, "scope is neither"),
    ],
)
def test_malformed_token_responses(payload: Any, message: str) -> None:
    with pytest.raises(TokenEndpointError, match=message):
        parse_token_response(payload, NOW, ())


def test_a_rotated_refresh_token_replaces_the_old_one_and_none_keeps_it() -> None:
    old = OAuthCredentials("at1", "rt1", 10.0, ("a",))
    assert old.rotated(OAuthCredentials("at2", "rt2", 20.0, ("a",))).refresh_token == "rt2"
    kept = old.rotated(OAuthCredentials("at2", None, 20.0, ()))
    assert kept == OAuthCredentials("at2", "rt1", 20.0, ("a",))


def test_credentials_round_trip_the_stored_entry_and_hide_tokens() -> None:
    creds = OAuthCredentials("secret-access", "secret-refresh", 1_700_000_000.0, ("a", "b"))
    entry = creds.to_entry()
    assert entry == {
        "accessToken": "secret-access",
        "refreshToken": "secret-refresh",
        "expiresAt": 1_700_000_000,
        "scopes": ["a", "b"],
    }
    assert credentials_from_entry(entry, "f") == creds
    assert "secret" not in repr(creds)


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"refreshToken": "r"}, "accessToken"),
        ({"accessToken": "a", "expiresAt": "tomorrow"}, "expiresAt"),
        ({"accessToken": "a", "refreshToken": 3}, "refreshToken"),
        ({"accessToken": "a", "scopes": {"x": 1}}, "scopes"),
    ],
)
def test_malformed_stored_entries_name_file_and_field(entry: dict[str, Any], field: str) -> None:
    with pytest.raises(CredentialsFileError, match=rf"^/c/credentials.json: oauth\.{field}: "):
        credentials_from_entry(entry, "/c/credentials.json")
