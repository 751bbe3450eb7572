"""The ``oauth`` settings block: defaults, a configured server, and errors naming file and field."""

from __future__ import annotations

from typing import Any

import pytest

from domain.auth.errors import OAuthConfigError
from domain.auth.oauth_config import (
    ANTHROPIC_SCOPES,
    OAuthConfig,
    parse_oauth_config,
)


def _source(field: str | None) -> str:
    return "/home/u/.claude/settings.json" if field is None else f"/ws/.claude/{field}.json"


def parse(block: Any) -> OAuthConfig:
    return parse_oauth_config(block, _source)


CUSTOM = {
    "authorizeUrl": "https://id.example.com/authorize",
    "tokenUrl": "https://id.example.com/token",
}


def test_absent_block_means_anthropic_defaults() -> None:
    config = parse(None)
    assert config == OAuthConfig()
    assert config.client_id == "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
    assert config.token_url == "https://platform.claude.com/v1/oauth/token"
    assert config.authorize_url == "https://claude.com/cai/oauth/authorize"
    assert config.manual_redirect_url == "https://platform.claude.com/oauth/code/callback"
    assert config.scopes == ANTHROPIC_SCOPES
    assert config.token_request_encoding == "json"
    assert config.extra_authorize_params == (("code", "true"),)
    assert config.callback_port == 0
    assert config.callback_host == "localhost"
    assert config.callback_timeout == 300.0
    assert config.expiry_margin == 60.0


def test_a_configured_server_gets_standard_defaults() -> None:
    config = parse(CUSTOM)
    assert config.token_request_encoding == "form"
    assert config.extra_authorize_params == ()
    assert config.manual_redirect_url is None
    assert config.authorize_url == CUSTOM["authorizeUrl"]


def test_every_field_is_read() -> None:
    config = parse(
        {
            **CUSTOM,
            "clientId": "my-client",
            "callbackPort": 8765,
            "callbackHost": "127.0.0.1",
            "callbackTimeoutSeconds": 5,
            "scopes": ["openid", "email"],
            "extraAuthorizeParams": {"prompt": "consent", "max_age": 0, "flag": True},
            "manualRedirectUrl": "https://id.example.com/show-code",
            "tokenRequestEncoding": "json",
            "expiryMarginSeconds": 0,
        }
    )
    assert config.client_id == "my-client"
    assert config.callback_port == 8765
    assert config.callback_host == "127.0.0.1"
    assert config.callback_timeout == 5.0
    assert config.scopes == ("openid", "email")
    assert config.extra_authorize_params == (
        ("prompt", "consent"),
        ("max_age", "0"),
        ("flag", "true"),
    )
    assert config.manual_redirect_url == "https://id.example.com/show-code"
    assert config.token_request_encoding == "json"
    assert config.expiry_margin == 0.0
    assert config.with_port(9999).callback_port == 9999
    assert config.with_port(None).callback_port == 8765


def test_loopback_http_urls_are_allowed() -> None:
    config = parse({"authorizeUrl": "http://127.0.0.1:4000/a", "tokenUrl": "http://[::1]:4000/t"})
    assert config.token_url == "http://[::1]:4000/t"


@pytest.mark.parametrize(
    ("block", "field", "problem"),
    [
        ({"clientId": ""}, "clientId", "non-empty string"),
        ({"clientId": 5}, "clientId", "non-empty string"),
        ({**CUSTOM, "tokenUrl": "ftp://x/token"}, "tokenUrl", "absolute http"),
        ({**CUSTOM, "tokenUrl": "http://id.example.com/token"}, "tokenUrl", "https"),
        ({**CUSTOM, "authorizeUrl": "/relative"}, "authorizeUrl", "absolute http"),
        ({"authorizeUrl": "https://a.example/x"}, "tokenUrl", "needed when oauth.authorizeUrl"),
        ({"tokenUrl": "https://a.example/x"}, "authorizeUrl", "needed when oauth.tokenUrl"),
        ({"callbackPort": 70000}, "callbackPort", "0 (any free port) to 65535"),
        ({"callbackPort": "8080"}, "callbackPort", "whole number"),
        ({"callbackPort": True}, "callbackPort", "whole number"),
        ({"callbackHost": "example.com"}, "callbackHost", "loopback"),
        ({"callbackTimeoutSeconds": 0}, "callbackTimeoutSeconds", "more than 0"),
        ({"callbackTimeoutSeconds": "5"}, "callbackTimeoutSeconds", "number of seconds"),
        ({"expiryMarginSeconds": -1}, "expiryMarginSeconds", "zero or more"),
        ({"scopes": []}, "scopes", "non-empty list"),
        ({"scopes": ["a b"]}, "scopes", "without spaces"),
        ({"scopes": [1]}, "scopes", "without spaces"),
        ({"extraAuthorizeParams": ["x"]}, "extraAuthorizeParams", "object"),
        ({"extraAuthorizeParams": {"state": "x"}}, "extraAuthorizeParams", "set by hexclaw"),
        ({"extraAuthorizeParams": {"a": [1]}}, "extraAuthorizeParams", "must be a string"),
        ({"manualRedirectUrl": 3}, "manualRedirectUrl", "URL string"),
        ({"tokenRequestEncoding": "xml"}, "tokenRequestEncoding", '"form" or "json"'),
        ({"clientID": "typo"}, "clientID", "unknown field"),
    ],
)
def test_malformed_fields_name_the_file_and_the_field(
    block: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(OAuthConfigError) as caught:
        parse(block)
    message = str(caught.value)
    assert message.startswith(f"/ws/.claude/{field}.json: oauth.{field}: ")
    assert problem in message


def test_a_block_that_is_not_an_object() -> None:
    with pytest.raises(OAuthConfigError, match=r"^/home/u/.claude/settings.json: oauth: must be"):
        parse(["not", "an", "object"])


def test_scopes_may_be_one_space_separated_string() -> None:
    assert parse({"scopes": "openid  email"}).scopes == ("openid", "email")
