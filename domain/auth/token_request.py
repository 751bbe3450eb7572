"""Token endpoint requests: the code exchange (RFC 6749 4.1.3, RFC 7636 4.5) and the refresh
(RFC 6749 section 6), encoded as a form (the standard) or JSON (what Anthropic's endpoint takes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import attrs

from domain.auth.oauth_config import Encoding, OAuthConfig
from domain.auth.url_encoding import encode_pairs


@attrs.frozen(repr=False)
class TokenRequest:
    url: str
    params: tuple[tuple[str, str], ...]
    encoding: Encoding
    grant_type: str

    def __repr__(self) -> str:
        # The parameters carry the code, the verifier or the refresh token.
        return f"TokenRequest(url={self.url!r}, grant_type={self.grant_type!r})"

    def body(self) -> tuple[bytes, str]:
        """The encoded body and its Content-Type."""
        if self.encoding == "json":
            return json.dumps(dict(self.params)).encode("utf-8"), "application/json"
        return encode_pairs(list(self.params)).encode("ascii"), "application/x-www-form-urlencoded"


def exchange_request(
    config: OAuthConfig, code: str, verifier: str, redirect_uri: str, state: str
) -> TokenRequest:
    # ``state`` is not in RFC 6749's list, but Anthropic's endpoint wants it and the RFC tells
    # servers to ignore parameters they do not know (section 3.2), so it costs nothing elsewhere.
    params = (
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", config.client_id),
        ("code_verifier", verifier),
        ("state", state),
    )
    return TokenRequest(config.token_url, params, config.token_request_encoding, params[0][1])


def refresh_request(config: OAuthConfig, refresh_token: str, scopes: Sequence[str]) -> TokenRequest:
    params = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", config.client_id),
    ]
    if scopes:
        params.append(("scope", " ".join(scopes)))
    encoding = config.token_request_encoding
    return TokenRequest(config.token_url, tuple(params), encoding, "refresh_token")
