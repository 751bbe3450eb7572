"""The ``AuthHeaderSource`` the Anthropic client uses: the credential chain, applied per request.

A stored OAuth token that is due is refreshed under the credentials file's cross-process lock.
After taking the lock the file is read again: when another hexclaw process refreshed meanwhile,
its token is used and no second refresh is sent (a server that accepts each refresh token
once would reject it). A 401 leads to at most one refresh, and the client retries once.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.auth.api_key_helper import ApiKeyHelper
from adapters.auth.credentials_store import CredentialsFile
from domain.auth.credential_chain import (
    HELPER_SOURCE,
    OAUTH_SOURCE,
    ChainResult,
    RefreshFirst,
    UseHeaders,
    oauth_headers,
    resolve_chain,
)
from domain.auth.errors import NotLoggedIn, TokenExpired
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.ports import TokenEndpoint
from domain.auth.token_policy import TokenPolicy
from domain.ports import Clock


class _Inputs:
    def __init__(self, helper: ApiKeyHelper | None, store: CredentialsFile) -> None:
        self._helper = helper
        self._store = store

    def helper_key(self) -> str | None:
        return None if self._helper is None else self._helper.key()

    def stored_oauth(self) -> OAuthCredentials | None:
        return self._store.load_oauth()


class ChainAuth:
    def __init__(
        self,
        environ: Mapping[str, str],
        store: CredentialsFile,
        endpoint: TokenEndpoint,
        clock: Clock,
        policy: TokenPolicy,
        scopes: tuple[str, ...],
        helper: ApiKeyHelper | None = None,
    ) -> None:
        self._environ = dict(environ)
        self._store = store
        self._endpoint = endpoint
        self._clock = clock
        self._policy = policy
        self._scopes = scopes
        self._helper = helper
        self._inputs = _Inputs(helper, store)
        self._last: UseHeaders | None = None

    def resolve(self) -> ChainResult:
        """What the chain picks now, without refreshing anything (for ``auth status``)."""
        return resolve_chain(self._environ, self._inputs, self._clock.now(), self._policy)

    def headers(self) -> dict[str, str]:
        result = self.resolve()
        if isinstance(result, RefreshFirst):
            fresh = self._refresh(stale=result.credentials)
            result = UseHeaders(
                OAUTH_SOURCE, oauth_headers(fresh.access_token), fresh.access_token, "refreshed"
            )
        if not isinstance(result, UseHeaders):
            raise result.error
        self._last = result
        return dict(result.headers)

    def refresh_after_unauthorized(self) -> bool:
        last = self._last
        if last is None:
            return False
        if last.source == HELPER_SOURCE and self._helper is not None:
            self._helper.invalidate()
            return self._helper.key() != last.secret
        if last.source != OAUTH_SOURCE:
            return False
        with self._store.locked():
            current = self._store.load_oauth()
            if current is None:
                return False
            if current.access_token != last.secret and not self._expired(current):
                return True  # another process has refreshed since our request left
            if not current.refresh_token:
                return False
            self._refresh_locked(current)
            return True

    def _refresh(self, stale: OAuthCredentials) -> OAuthCredentials:
        with self._store.locked():
            current = self._store.load_oauth()
            if current is None:
                raise NotLoggedIn
            if current.access_token != stale.access_token and not self._expired(current):
                return current
            if not current.refresh_token:
                raise TokenExpired
            return self._refresh_locked(current)

    def _refresh_locked(self, current: OAuthCredentials) -> OAuthCredentials:
        assert current.refresh_token is not None
        fresh = self._endpoint.refresh(current.refresh_token, current.scopes or self._scopes)
        renewed = current.rotated(fresh)
        self._store.save_oauth(renewed)
        return renewed

    def _expired(self, credentials: OAuthCredentials) -> bool:
        return self._policy.is_expired(credentials.expires_at, self._clock.now())
