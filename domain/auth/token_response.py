"""Token endpoint responses (RFC 6749 sections 5.1 and 5.2) turned into credentials or errors.

``expires_in`` becomes an absolute expiry with the injected clock's ``now``; an absolute
``expires_at`` from the server is accepted too. ``scope`` (a space-separated string) or
``scopes`` (a list); when both are absent the granted scopes are the requested ones (5.1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from domain.auth.errors import OAuthServerError, TokenEndpointError
from domain.auth.oauth_credentials import OAuthCredentials

# An expires_at this large is in milliseconds (Claude Code's own files use milliseconds).
_MILLISECONDS_THRESHOLD = 100_000_000_000
_LATEST_EXPIRY = 253_402_300_799  # 9999-12-31T23:59:59Z


def oauth_error(payload: object, status: int | None) -> OAuthServerError | None:
    """The typed error of an OAuth error body (``error``, ``error_description``), if it is one."""
    if not isinstance(payload, Mapping) or "error" not in payload:
        return None
    error = payload.get("error")
    code = error if isinstance(error, str) and error else "unknown_error"
    description = payload.get("error_description")
    text = " ".join(description.split())[:300] if isinstance(description, str) else None
    return OAuthServerError(code, text or None, status)


def parse_token_response(
    payload: object, now: float, requested_scopes: Sequence[str]
) -> OAuthCredentials:
    error = oauth_error(payload, None)
    if error is not None:
        raise error
    if not isinstance(payload, Mapping):
        raise TokenEndpointError("the token response is not a JSON object")
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise TokenEndpointError("the token response has no access_token")
    token_type = payload.get("token_type")
    if token_type is not None and (
        not isinstance(token_type, str) or token_type.lower() != "bearer"
    ):
        raise TokenEndpointError(f"unsupported token_type {str(token_type)[:40]!r} (want Bearer)")
    refresh = payload.get("refresh_token")
    if refresh is not None and not isinstance(refresh, str):
        raise TokenEndpointError("the token response's refresh_token is not a string")
    return OAuthCredentials(
        access_token=access,
        refresh_token=refresh or None,
        expires_at=_expiry(payload, now),
        scopes=_scopes(payload, requested_scopes),
    )


def _number(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TokenEndpointError(f"the token response's {name} is not a number")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise TokenEndpointError(f"the token response's {name} is not a number") from None
    if not isinstance(value, int | float):
        raise TokenEndpointError(f"the token response's {name} is not a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        number = math.inf
    if math.isnan(number):
        raise TokenEndpointError(f"the token response's {name} is not a number")
    return number


def _expiry(payload: Mapping[str, object], now: float) -> float | None:
    expires_in = _number(payload.get("expires_in"), "expires_in")
    if expires_in is not None:
        # Whole seconds, rounded down: never later than the server meant.
        return _whole_seconds(now + max(expires_in, 0.0), "expires_in")
    expires_at = _number(payload.get("expires_at"), "expires_at")
    if expires_at is not None and expires_at > _MILLISECONDS_THRESHOLD:
        expires_at /= 1000
    return None if expires_at is None else _whole_seconds(expires_at, "expires_at")


def _whole_seconds(moment: float, name: str) -> float:
    # inf (``1e999``), or a moment before 1970 or after 9999, names no date: refuse, not crash.
    if not (math.isfinite(moment) and 0 <= moment <= _LATEST_EXPIRY):
        raise TokenEndpointError(f"the token response's {name} is out of range")
    return float(int(moment))


def _scopes(payload: Mapping[str, object], requested: Sequence[str]) -> tuple[str, ...]:
    scope = payload.get("scope")
    if isinstance(scope, str):
        return tuple(scope.split())
    scopes = payload.get("scopes")
    if isinstance(scopes, list) and all(isinstance(s, str) for s in scopes):
        return tuple(str(s) for s in scopes)
    if scope is not None or scopes is not None:
        raise TokenEndpointError("the token response's scope is neither a string nor a list")
    return tuple(requested)
