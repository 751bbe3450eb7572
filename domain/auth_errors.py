"""Errors about credentials and login."""

from __future__ import annotations

from domain.errors import HexclawError


class AuthError(HexclawError):
    """Credentials are missing, expired or rejected."""


class NotLoggedIn(AuthError):
    def __init__(self) -> None:
        super().__init__(
            "no credentials: set ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN, or run `hexclaw login`"
        )
