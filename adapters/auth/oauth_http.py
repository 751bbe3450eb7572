"""The token endpoint over httpx: the code exchange and the refresh, with timeouts.

Errors never carry the request (it holds the code, the verifier or the refresh token) nor a
2xx body (it holds tokens); they carry the status, the OAuth ``error`` and the server's
``error_description``.
"""

from __future__ import annotations

from adapters.http import httpx
from domain.auth.errors import OAuthServerError, RefreshRejected, TokenEndpointError
from domain.auth.oauth_config import OAuthConfig
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.token_request import TokenRequest, exchange_request, refresh_request
from domain.auth.token_response import oauth_error, parse_token_response
from domain.ports import Clock
from domain.version import VERSION

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class OAuthHttpClient:
    def __init__(
        self,
        config: OAuthConfig,
        clock: Clock,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._config = config
        self._clock = clock
        self._given_http = http
        self._timeout = timeout
        self._own_http: httpx.Client | None = None

    @property
    def _http(self) -> httpx.Client:
        # Built on first use: most runs never refresh, and a client loads the CA bundle.
        if self._given_http is not None:
            return self._given_http
        if self._own_http is None:
            self._own_http = httpx.Client(timeout=self._timeout, follow_redirects=False)
        return self._own_http

    def close(self) -> None:
        if self._own_http is not None:
            self._own_http.close()
        elif self._given_http is not None:
            self._given_http.close()

    def exchange(self, code: str, verifier: str, redirect_uri: str, state: str) -> OAuthCredentials:
        request = exchange_request(self._config, code, verifier, redirect_uri, state)
        return self._post(request, self._config.scopes)

    def refresh(self, refresh_token: str, scopes: tuple[str, ...]) -> OAuthCredentials:
        request = refresh_request(self._config, refresh_token, scopes)
        try:
            return self._post(request, scopes)
        except OAuthServerError as exc:
            if exc.error == "invalid_grant":
                raise RefreshRejected(exc.description or exc.error) from None
            raise

    def _post(self, request: TokenRequest, scopes: tuple[str, ...]) -> OAuthCredentials:
        body, content_type = request.body()
        headers = {
            "content-type": content_type,
            "accept": "application/json",
            "user-agent": f"hexclaw/{VERSION}",
        }
        try:
            response = self._http.post(request.url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise TokenEndpointError(
                f"the token endpoint {request.url} did not answer in time"
            ) from None
        except httpx.HTTPError as exc:
            raise TokenEndpointError(
                f"cannot reach the token endpoint {request.url}: {type(exc).__name__}"
            ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not response.is_success:
            error = oauth_error(payload, response.status_code)
            if error is not None:
                raise error
            raise TokenEndpointError(
                f"the token endpoint {request.url} answered HTTP {response.status_code}"
                f"{_snippet(response)}"
            )
        if payload is None:
            kind = response.headers.get("content-type", "no content type")
            raise TokenEndpointError(
                f"the token endpoint {request.url} answered HTTP {response.status_code} "
                f"with a body that is not JSON ({kind})"
            )
        return parse_token_response(payload, self._clock.now(), scopes)


def _snippet(response: httpx.Response) -> str:
    """The first line of an error page, which usually names the problem; never a 2xx body."""
    text = response.text.strip()
    if not text:
        return ""
    line = " ".join(text.splitlines()[0].split())[:120]
    return f" and a body that is not an OAuth error: {line}"
