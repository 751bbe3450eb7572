"""The authorization code flow's pure steps: ``state``, the authorize URL, reading the callback.

``state`` carries 256 random bits (RFC 6749 10.12 asks for at least 128) and is compared in
constant time. The callback must carry the same ``state`` before its ``code`` is believed;
an ``error`` is reported as the server sent it.
"""

from __future__ import annotations

import hmac

from domain.auth.errors import AuthorizationDenied, InvalidCallback, StateMismatch
from domain.auth.oauth_config import OAuthConfig
from domain.auth.pkce import Pkce, base64url
from domain.auth.url_encoding import MalformedQuery, encode_pairs, parse_pairs
from domain.ports import RandomSource

STATE_BYTES = 32


def new_state(random: RandomSource) -> str:
    return base64url(random.token_bytes(STATE_BYTES))


def states_match(expected: str, received: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8"))


def authorize_url(config: OAuthConfig, redirect_uri: str, state: str, pkce: Pkce) -> str:
    params = [
        ("response_type", "code"),
        ("client_id", config.client_id),
        ("redirect_uri", redirect_uri),
        ("scope", " ".join(config.scopes)),
        ("state", state),
        ("code_challenge", pkce.challenge),
        ("code_challenge_method", pkce.method),
        *config.extra_authorize_params,
    ]
    base, hash_mark, fragment = config.authorize_url.partition("#")
    separator = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        separator = ""
    return f"{base}{separator}{encode_pairs(params)}{hash_mark}{fragment}"


def parse_callback(query: str, expected_state: str) -> str:
    """The authorization code from a redirect's query string, or a typed error."""
    try:
        pairs = parse_pairs(query)
    except MalformedQuery as exc:
        raise InvalidCallback(f"the login callback is malformed: {exc}") from None
    values: dict[str, str] = {}
    for key, value in pairs:
        if key in values and key in ("code", "state", "error"):
            # RFC 6749 3.1: parameters must not repeat; a repeat smells of injection.
            raise InvalidCallback(f"the login callback repeats the parameter {key!r}")
        values[key] = value
    state = values.get("state")
    error = values.get("error")
    if error is not None:
        if state is not None and not states_match(expected_state, state):
            raise StateMismatch
        raise AuthorizationDenied(
            _clean(error, 60) or "unknown_error", _clean(values.get("error_description"), 200)
        )
    if state is None or not states_match(expected_state, state):
        raise StateMismatch
    code = values.get("code")
    if not code:
        raise InvalidCallback("the login callback carries neither a code nor an error")
    return code


def parse_pasted_code(text: str, expected_state: str) -> str:
    """What a user pastes in the manual flow: ``code#state`` (the page Anthropic shows) or the
    whole redirect URL. A bare code is refused: without its state the paste cannot be checked."""
    pasted = text.strip()
    if pasted.startswith(("http://", "https://")):
        without_fragment = pasted.partition("#")[0]
        return parse_callback(without_fragment.partition("?")[2], expected_state)
    code, hash_mark, state = pasted.partition("#")
    if not hash_mark or not code or not state:
        raise InvalidCallback(
            "paste the whole value the page shows (it looks like CODE#STATE), "
            "or the full URL the browser was sent to"
        )
    if not states_match(expected_state, state):
        raise StateMismatch
    return code


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    printable = "".join(c for c in text if c.isprintable())
    return " ".join(printable.split())[:limit] or None
