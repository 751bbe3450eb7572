"""The login use case: PKCE and state, the authorize URL, the callback or a pasted code, the
code exchange, and saving the result. Everything it touches comes in through ports."""

from __future__ import annotations

from collections.abc import Callable

from domain.auth.errors import AuthError
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.oauth_flow import authorize_url, new_state, parse_callback, parse_pasted_code
from domain.auth.pkce import new_pkce
from domain.auth.ports import Browser, CallbackListener, CredentialsStore, TokenEndpoint
from domain.ports import RandomSource


class ManualLoginUnavailable(AuthError):
    def __init__(self) -> None:
        super().__init__(
            "manual login needs oauth.manualRedirectUrl in settings (a page of the "
            "authorization server that shows the code)"
        )


class LoginFlow:
    def __init__(
        self,
        config: OAuthConfig,
        endpoint: TokenEndpoint,
        store: CredentialsStore,
        random: RandomSource,
        say: Callable[[str], None],
    ) -> None:
        self._config = config
        self._endpoint = endpoint
        self._store = store
        self._random = random
        self._say = say

    def with_loopback(
        self, listener: CallbackListener, browser: Browser | None
    ) -> OAuthCredentials:
        state = new_state(self._random)
        pkce = new_pkce(self._random)
        redirect_uri = listener.redirect_uri
        url = authorize_url(self._config, redirect_uri, state, pkce)
        self._say(f"Waiting for the login callback on {redirect_uri}")
        self._say("Open this URL in a browser to log in:")
        self._say(url)
        if browser is not None:
            browser.open(url)
        code = listener.wait(lambda query: parse_callback(query, state))
        return self._finish(code, pkce.verifier, redirect_uri, state)

    def with_pasted_code(self, read_code: Callable[[], str]) -> OAuthCredentials:
        redirect_uri = self._config.manual_redirect_url
        if redirect_uri is None:
            raise ManualLoginUnavailable
        state = new_state(self._random)
        pkce = new_pkce(self._random)
        url = authorize_url(self._config, redirect_uri, state, pkce)
        self._say("Open this URL in any browser, log in, then paste the code it shows:")
        self._say(url)
        code = parse_pasted_code(read_code(), state)
        return self._finish(code, pkce.verifier, redirect_uri, state)

    def _finish(self, code: str, verifier: str, redirect_uri: str, state: str) -> OAuthCredentials:
        credentials = self._endpoint.exchange(code, verifier, redirect_uri, state)
        self._store.save_oauth(credentials)
        missing = [scope for scope in self._config.scopes if scope not in credentials.scopes]
        if missing:
            # RFC 6749 3.3 lets a server grant other scopes; the user must not find out later
            # from a 403. The credentials keep the scopes actually granted, and a refresh asks
            # for those, never again for the ones refused.
            self._say(
                f"Note: the server did not grant {' '.join(missing)} (granted: "
                f"{' '.join(credentials.scopes) or 'none'}); requests that need them will fail"
            )
        return credentials
