"""What login and the credential chain need from the outside: stores, endpoints, a browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from domain.auth.oauth_credentials import OAuthCredentials


class AuthHeaderSource(Protocol):
    def headers(self) -> dict[str, str]:
        """The authentication headers for the next request (may refresh a token first)."""
        ...

    def refresh_after_unauthorized(self) -> bool:
        """Called after a 401; True when fresh credentials make one retry worthwhile."""
        ...


class ChainInputs(Protocol):
    """What the credential chain reads lazily, only when the environment names no credential."""

    def helper_key(self) -> str | None:
        """The ``apiKeyHelper`` command's key; None when no helper is configured."""
        ...

    def stored_oauth(self) -> OAuthCredentials | None:
        """The stored OAuth credentials; None when there are none."""
        ...


class CredentialsStore(Protocol):
    def load_oauth(self) -> OAuthCredentials | None: ...

    def save_oauth(self, credentials: OAuthCredentials) -> None:
        """Replace the ``oauth`` entry, keeping every other key of the store."""
        ...

    def remove_oauth(self) -> bool:
        """Remove the ``oauth`` entry only; True when there was one."""
        ...


class TokenEndpoint(Protocol):
    def exchange(
        self, code: str, verifier: str, redirect_uri: str, state: str
    ) -> OAuthCredentials: ...

    def refresh(self, refresh_token: str, scopes: tuple[str, ...]) -> OAuthCredentials: ...


class CallbackListener(Protocol):
    @property
    def redirect_uri(self) -> str: ...

    def wait(self, accept: Callable[[str], str]) -> str:
        """Wait for the redirect; ``accept(query)`` returns the code or raises an AuthError,
        and the browser is shown success or failure accordingly."""
        ...


class Browser(Protocol):
    def open(self, url: str) -> None:
        """Try to show ``url`` in the user's browser; never blocks, never raises."""
        ...
