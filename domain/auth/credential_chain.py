"""The credential chain: which credential a request carries, decided from a snapshot.

Order, first present wins (an empty variable counts as unset):
1. ``ANTHROPIC_API_KEY``, sent as ``x-api-key``;
2. ``ANTHROPIC_AUTH_TOKEN``, sent as ``Authorization: Bearer``;
3. the ``apiKeyHelper`` command's output, sent as both ``x-api-key`` and
   ``Authorization: Bearer`` as Claude Code does, so a key or a gateway token both work;
4. the stored OAuth credentials (``hexclaw login``), sent as ``Authorization: Bearer`` with
   the ``anthropic-beta`` flag OAuth tokens need.
Explicit environment variables beat configured helpers, which beat a stored login: the more
deliberate and local the choice, the earlier it comes. An expired token is never sent: the
result says to refresh first, or why nothing is usable.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from domain.auth.errors import AuthError, NotLoggedIn, TokenExpired
from domain.auth.oauth_config import OAUTH_BETA
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.ports import ChainInputs
from domain.auth.token_policy import TokenPolicy
from domain.repr_base import Record

API_KEY_VAR = "ANTHROPIC_API_KEY"
AUTH_TOKEN_VAR = "ANTHROPIC_AUTH_TOKEN"  # noqa: S105 (a variable name, not a secret)
HELPER_SOURCE = "apiKeyHelper"
OAUTH_SOURCE = "oauth"


@attrs.frozen(repr=False)
class UseHeaders:
    source: str
    headers: dict[str, str]
    secret: str
    reason: str
    credentials: OAuthCredentials | None = None

    def __repr__(self) -> str:
        return f"UseHeaders(source={self.source!r}, headers={sorted(self.headers)!r})"


@attrs.frozen(repr=False)
class RefreshFirst(Record):
    credentials: OAuthCredentials
    reason: str
    source: str = OAUTH_SOURCE


@attrs.frozen(repr=False)
class Unusable(Record):
    error: AuthError
    reason: str
    source: str | None = None


ChainResult = UseHeaders | RefreshFirst | Unusable


def oauth_headers(access_token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {access_token}", "anthropic-beta": OAUTH_BETA}


def resolve_chain(
    env: Mapping[str, str], inputs: ChainInputs, now: float, policy: TokenPolicy
) -> ChainResult:
    key = env.get(API_KEY_VAR)
    if key:
        return UseHeaders(API_KEY_VAR, {"x-api-key": key}, key, f"{API_KEY_VAR} is set")
    token = env.get(AUTH_TOKEN_VAR)
    if token:
        return UseHeaders(
            AUTH_TOKEN_VAR,
            {"authorization": f"Bearer {token}"},
            token,
            f"{AUTH_TOKEN_VAR} is set and {API_KEY_VAR} is not",
        )
    helper_key = inputs.helper_key()
    if helper_key is not None:
        return UseHeaders(
            HELPER_SOURCE,
            {"x-api-key": helper_key, "authorization": f"Bearer {helper_key}"},
            helper_key,
            f"settings name an apiKeyHelper and neither {API_KEY_VAR} nor {AUTH_TOKEN_VAR} is set",
        )
    return decide_stored(inputs.stored_oauth(), now, policy)


def decide_stored(stored: OAuthCredentials | None, now: float, policy: TokenPolicy) -> ChainResult:
    if stored is None:
        return Unusable(NotLoggedIn(), "no environment variable, helper or stored login")
    if not policy.is_expired(stored.expires_at, now):
        return UseHeaders(
            OAUTH_SOURCE,
            oauth_headers(stored.access_token),
            stored.access_token,
            "stored OAuth login, and no environment variable or helper comes before it",
            stored,
        )
    if stored.refresh_token:
        return RefreshFirst(
            stored, f"the access token expires within {policy.margin:g} s of now: refresh first"
        )
    return Unusable(
        TokenExpired(), "the stored access token has expired and there is no refresh token"
    )
