"""The OAuth configuration: the ``oauth`` block of settings.json, or Anthropic's defaults.

A block that names its own server (``authorizeUrl``/``tokenUrl``) gets standard defaults
(form-encoded token requests, no extra authorize parameters, no manual redirect) rather than
Anthropic's quirks. Every malformed field is an error that names the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, NoReturn

import attrs

from domain.auth.errors import OAuthConfigError
from domain.repr_base import Record

ANTHROPIC_CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
ANTHROPIC_AUTHORIZE_URL = "https://claude.com/cai/oauth/authorize"
ANTHROPIC_TOKEN_URL = "https://platform.claude.com/v1/oauth/token"  # noqa: S105
ANTHROPIC_MANUAL_REDIRECT_URL = "https://platform.claude.com/oauth/code/callback"
ANTHROPIC_SCOPES = ("user:profile", "user:inference", "user:sessions:claude_code")
ANTHROPIC_EXTRA_AUTHORIZE_PARAMS = (("code", "true"),)
# API calls made with an OAuth access token need this beta flag next to the bearer header.
OAUTH_BETA = "oauth-2025-04-20"

DEFAULT_CALLBACK_HOST = "localhost"  # what Anthropic registered for the loopback redirect
CALLBACK_PATH = "/callback"
DEFAULT_CALLBACK_TIMEOUT = 300.0
DEFAULT_EXPIRY_MARGIN = 60.0
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# The flow sets these itself; letting settings override them would break PKCE or the state check.
RESERVED_AUTHORIZE_PARAMS = frozenset(
    {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    }
)
FIELDS = frozenset(
    {
        "clientId",
        "authorizeUrl",
        "tokenUrl",
        "callbackPort",
        "callbackHost",
        "callbackTimeoutSeconds",
        "scopes",
        "extraAuthorizeParams",
        "manualRedirectUrl",
        "tokenRequestEncoding",
        "expiryMarginSeconds",
    }
)
_URL = re.compile(r"^(?P<scheme>https?)://(?P<authority>[^/?#@\s]+)(?P<rest>[^\s]*)$")

Encoding = Literal["form", "json"]


@attrs.frozen(repr=False)
class OAuthConfig(Record):
    client_id: str = ANTHROPIC_CLIENT_ID
    authorize_url: str = ANTHROPIC_AUTHORIZE_URL
    token_url: str = ANTHROPIC_TOKEN_URL
    scopes: tuple[str, ...] = ANTHROPIC_SCOPES
    extra_authorize_params: tuple[tuple[str, str], ...] = ANTHROPIC_EXTRA_AUTHORIZE_PARAMS
    manual_redirect_url: str | None = ANTHROPIC_MANUAL_REDIRECT_URL
    token_request_encoding: Encoding = "json"  # noqa: S105
    callback_port: int = 0  # 0: an ephemeral port, as RFC 8252 allows
    callback_host: str = DEFAULT_CALLBACK_HOST
    callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT
    expiry_margin: float = DEFAULT_EXPIRY_MARGIN

    def with_port(self, port: int | None) -> OAuthConfig:
        return self if port is None else attrs.evolve(self, callback_port=port)


def url_host(url: str) -> str | None:
    """The host of an absolute http(s) URL (brackets of an IPv6 literal removed), else None."""
    match = _URL.match(url)
    if match is None:
        return None
    authority = match.group("authority")
    if authority.startswith("["):
        end = authority.find("]")
        return authority[1:end] if end > 0 else None
    return authority.rsplit(":", 1)[0] if ":" in authority else authority


def parse_oauth_config(block: object, source_of: Callable[[str | None], str]) -> OAuthConfig:
    """``block`` is the merged ``oauth`` value (None when absent); ``source_of(field)`` names
    the settings file that set ``oauth.field`` (``None``: the block itself)."""
    if block is None:
        return OAuthConfig()
    if not isinstance(block, Mapping):
        raise OAuthConfigError(f"{source_of(None)}: oauth: must be a JSON object")
    fields = _Fields(block, source_of)
    for key in block:
        if key not in FIELDS:
            fields.fail(str(key), f"unknown field (known: {', '.join(sorted(FIELDS))})")
    custom = "authorizeUrl" in block or "tokenUrl" in block
    if custom and not ("authorizeUrl" in block and "tokenUrl" in block):
        missing = "tokenUrl" if "authorizeUrl" in block else "authorizeUrl"
        present = "authorizeUrl" if missing == "tokenUrl" else "tokenUrl"
        fields.fail(missing, f"needed when oauth.{present} names another server")
    defaults = OAuthConfig()
    return OAuthConfig(
        client_id=fields.text("clientId", defaults.client_id),
        authorize_url=fields.url("authorizeUrl", defaults.authorize_url),
        token_url=fields.url("tokenUrl", defaults.token_url),
        scopes=fields.scopes(defaults.scopes),
        extra_authorize_params=fields.extra_params(
            () if custom else defaults.extra_authorize_params
        ),
        manual_redirect_url=fields.optional_url(
            "manualRedirectUrl", None if custom else defaults.manual_redirect_url
        ),
        token_request_encoding=fields.encoding("form" if custom else "json"),
        callback_port=fields.port(),
        callback_host=fields.callback_host(),
        callback_timeout=fields.number("callbackTimeoutSeconds", DEFAULT_CALLBACK_TIMEOUT, 0.0),
        expiry_margin=fields.number("expiryMarginSeconds", DEFAULT_EXPIRY_MARGIN, None),
    )


class _Fields:
    def __init__(self, block: Mapping[str, Any], source_of: Callable[[str | None], str]) -> None:
        self._block = block
        self._source_of = source_of

    def fail(self, field: str, problem: str) -> NoReturn:
        raise OAuthConfigError(f"{self._source_of(field)}: oauth.{field}: {problem}")

    def _get(self, field: str) -> Any:
        return self._block.get(field)

    def text(self, field: str, default: str) -> str:
        value = self._get(field)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            self.fail(field, "must be a non-empty string without surrounding spaces")
        return str(value)

    def url(self, field: str, default: str) -> str:
        value = self.optional_url(field, default)
        return default if value is None else value

    def optional_url(self, field: str, default: str | None) -> str | None:
        value = self._get(field)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(field, "must be a URL string")
        host = url_host(str(value))
        if host is None:
            self.fail(field, "must be an absolute http:// or https:// URL")
        if str(value).startswith("http://") and host not in LOOPBACK_HOSTS:
            self.fail(field, "must use https:// (plain http is allowed for loopback hosts only)")
        return str(value)

    def scopes(self, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get("scopes")
        if value is None:
            return default
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not value:
            self.fail("scopes", "must be a non-empty list of scope strings")
        for scope in value:
            if not isinstance(scope, str) or not scope or any(c.isspace() for c in scope):
                self.fail("scopes", "each scope must be a non-empty string without spaces")
        return tuple(value)

    def extra_params(self, default: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        value = self._get("extraAuthorizeParams")
        if value is None:
            return default
        if not isinstance(value, Mapping):
            self.fail("extraAuthorizeParams", "must be an object of string values")
        pairs = []
        for key, param in value.items():
            if key in RESERVED_AUTHORIZE_PARAMS:
                self.fail("extraAuthorizeParams", f"{key!r} is set by hexclaw itself")
            if isinstance(param, bool):
                text = "true" if param else "false"
            elif isinstance(param, str | int):
                text = str(param)
            else:
                self.fail("extraAuthorizeParams", f"{key!r} must be a string")
            pairs.append((str(key), text))
        return tuple(pairs)

    def encoding(self, default: Encoding) -> Encoding:
        value = self._get("tokenRequestEncoding")
        if value is None:
            return default
        if value == "form":
            return "form"
        if value != "json":
            self.fail("tokenRequestEncoding", 'must be "form" or "json"')
        return "json"

    def port(self) -> int:
        value = self._get("callbackPort")
        if value is None:
            return 0
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 65535:
            self.fail("callbackPort", "must be a whole number from 0 (any free port) to 65535")
        return int(value)

    def callback_host(self) -> str:
        value = self._get("callbackHost")
        if value is None:
            return DEFAULT_CALLBACK_HOST
        host = str(value).strip("[]") if isinstance(value, str) else None
        if host not in LOOPBACK_HOSTS:
            self.fail("callbackHost", "must be localhost, 127.0.0.1 or ::1 (RFC 8252 loopback)")
        return str(host)

    def number(self, field: str, default: float, minimum_exclusive: float | None) -> float:
        value = self._get(field)
        if value is None:
            return default
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            self.fail(field, "must be a number of seconds, zero or more")
        if minimum_exclusive is not None and value <= minimum_exclusive:
            self.fail(field, f"must be more than {minimum_exclusive:g} seconds")
        return float(value)
