"""The stored OAuth credentials and their shape in credentials.json.

The entry lives under the key ``oauth``: ``accessToken``, ``refreshToken``, ``expiresAt``
(epoch seconds) and ``scopes``. Tokens are kept out of every repr so a stray log line or
traceback cannot leak them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from domain.auth.errors import CredentialsFileError

OAUTH_KEY = "oauth"


@attrs.frozen(repr=False)
class OAuthCredentials:
    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scopes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"OAuthCredentials(expires_at={self.expires_at!r}, scopes={self.scopes!r}, "
            f"refresh_token={'yes' if self.refresh_token else 'no'})"
        )

    def rotated(self, fresh: OAuthCredentials) -> OAuthCredentials:
        """The result of a refresh: a response without a refresh token keeps the old one."""
        return OAuthCredentials(
            access_token=fresh.access_token,
            refresh_token=fresh.refresh_token or self.refresh_token,
            expires_at=fresh.expires_at,
            scopes=fresh.scopes or self.scopes,
        )

    def to_entry(self) -> dict[str, Any]:
        expires = self.expires_at
        if expires is not None and float(expires).is_integer():
            expires = int(expires)
        return {
            "accessToken": self.access_token,
            "refreshToken": self.refresh_token,
            "expiresAt": expires,
            "scopes": list(self.scopes),
        }


def credentials_from_entry(entry: object, path: str) -> OAuthCredentials:
    """Reads the ``oauth`` entry; a malformed one is an error naming the file and the field."""

    def bad(field: str, problem: str) -> CredentialsFileError:
        return CredentialsFileError(
            f"{path}: {OAUTH_KEY}.{field}: {problem}; run `hexclaw login` to replace it"
        )

    if not isinstance(entry, Mapping):
        raise CredentialsFileError(f"{path}: {OAUTH_KEY}: must be a JSON object")
    access = entry.get("accessToken")
    if not isinstance(access, str) or not access:
        raise bad("accessToken", "missing or not a string")
    refresh = entry.get("refreshToken")
    if refresh is not None and (not isinstance(refresh, str) or not refresh):
        raise bad("refreshToken", "not a string")
    expires = entry.get("expiresAt")
    if expires is not None and (not isinstance(expires, int | float) or isinstance(expires, bool)):
        raise bad("expiresAt", "not a number of epoch seconds")
    scopes = entry.get("scopes", [])
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise bad("scopes", "not a list of strings")
    return OAuthCredentials(
        access_token=access,
        refresh_token=refresh,
        expires_at=None if expires is None else float(expires),
        scopes=tuple(scopes),
    )
