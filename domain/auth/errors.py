"""Errors about credentials and login.

No message here ever carries a token, a code or a verifier: they are built from error codes,
server descriptions, paths and field names only.
"""

from __future__ import annotations

from domain.errors import HexclawError

LOGIN_HINT = "run `hexclaw login`"


class AuthError(HexclawError):
    """Credentials are missing, expired or rejected."""


class NotLoggedIn(AuthError):
    def __init__(self) -> None:
        super().__init__(
            "no credentials: set ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN, or run `hexclaw login`"
        )


class TokenExpired(AuthError):
    """The stored access token has expired and there is no refresh token to renew it."""

    def __init__(self) -> None:
        super().__init__(
            f"the stored OAuth token has expired and cannot be refreshed: {LOGIN_HINT}"
        )


class RefreshRejected(AuthError):
    """The authorization server refused the refresh token (revoked, expired or already used)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the OAuth refresh was rejected ({detail}): {LOGIN_HINT}")


class OAuthServerError(AuthError):
    """The authorization server answered with an OAuth error (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str | None, status: int | None = None) -> None:
        self.error = error
        self.description = description
        self.status = status
        text = f"OAuth error {error}"
        if description:
            text += f": {description}"
        if status is not None:
            text += f" (HTTP {status})"
        super().__init__(text)


class TokenEndpointError(AuthError):
    """The token endpoint could not be reached or gave an answer that is not a token response."""


class AuthorizationDenied(AuthError):
    """The callback carried ``error`` (the user clicked Deny, or the server refused)."""

    def __init__(self, error: str, description: str | None) -> None:
        self.error = error
        text = f"authorization failed: {error}"
        if description:
            text += f" ({description})"
        super().__init__(text)


class StateMismatch(AuthError):
    def __init__(self) -> None:
        super().__init__(
            "the login callback's state does not match this login (a stale or forged redirect); "
            "nothing was saved, run `hexclaw login` again"
        )


class InvalidCallback(AuthError):
    """A callback that is neither a code nor an OAuth error."""


class CallbackTimeout(AuthError):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"no login callback arrived within {seconds:g} s; run `hexclaw login` again "
            "(or `hexclaw login --manual` when the browser cannot reach this machine)"
        )


class CallbackListenError(AuthError):
    """The loopback listener could not bind its port."""


class OAuthConfigError(AuthError):
    """The ``oauth`` settings block is malformed; the message names the file and the field."""


class CredentialsFileError(AuthError):
    """credentials.json cannot be read or written; the message names its path."""


class CredentialsLocked(AuthError):
    """Another process held the credentials lock for too long."""


class ApiKeyHelperError(AuthError):
    """The ``apiKeyHelper`` command failed or printed no key."""
