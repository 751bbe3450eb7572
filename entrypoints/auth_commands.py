"""``hexclaw login``, ``hexclaw logout`` and ``hexclaw auth status``.

Nothing here prints a token, a code or a verifier: ``auth status`` shows secrets masked to
their first and last 4 characters at most.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from domain.auth.credential_chain import (
    API_KEY_VAR,
    AUTH_TOKEN_VAR,
    HELPER_SOURCE,
    OAUTH_SOURCE,
    RefreshFirst,
    Unusable,
    UseHeaders,
)
from domain.auth.errors import InvalidCallback
from domain.auth.oauth_credentials import OAuthCredentials
from domain.auth.secret_mask import mask_secret
from domain.auth.token_policy import TokenPolicy
from entrypoints import say
from entrypoints.bootstrap import (
    build_auth,
    build_browser,
    build_callback_listener,
    build_login_flow,
    clock,
    credentials_store,
    oauth_config,
    print_warnings,
)
from entrypoints.config import Config, load_config

_SENT_AS = {
    API_KEY_VAR: "x-api-key",
    AUTH_TOKEN_VAR: "Authorization: Bearer",
    HELPER_SOURCE: "x-api-key and Authorization: Bearer",
    OAUTH_SOURCE: "Authorization: Bearer, with anthropic-beta oauth-2025-04-20",
}


def run_auth_command(args: argparse.Namespace) -> int:
    ctx = load_config(args.settings)
    print_warnings(ctx)
    if args.command == "login":
        return log_in(ctx, manual=args.manual, no_browser=args.no_browser, port=args.port)
    if args.command == "logout":
        return log_out(ctx)
    return _status(ctx)


def _say(text: str) -> None:
    say.line(text)


def log_in(ctx: Config, manual: bool, no_browser: bool, port: int | None = None) -> int:
    """The OAuth login: the loopback redirect (opening the browser unless ``no_browser``), or
    a pasted code with ``manual``."""
    config = oauth_config(ctx, port)
    # The authorization server issues tokens for a code only once: a save that can only fail
    # must stop the login before the browser opens or a code is asked for, not after.
    credentials_store(ctx).check_can_save()
    flow = build_login_flow(ctx, config, _say)
    if manual:
        credentials = flow.with_pasted_code(_read_pasted_code)
    else:
        with build_callback_listener(config) as listener:
            browser = None if no_browser else build_browser()
            credentials = flow.with_loopback(listener, browser)
    path = credentials_store(ctx).path
    _say(f"Logged in with OAuth; credentials saved to {path}")
    for line in _describe_oauth(credentials, TokenPolicy(config.expiry_margin)):
        _say(line)
    shadowing = [name for name in (API_KEY_VAR, AUTH_TOKEN_VAR) if ctx.env(name)]
    if shadowing:
        _say(f"Note: {shadowing[0]} is set and comes before this login (`hexclaw auth status`)")
    return 0


def _read_pasted_code() -> str:
    if sys.stdin.isatty():
        # No echo: the code is short-lived, but it has no business in the scrollback.
        return getpass.getpass("Paste the code here: ")
    _say("Paste the code here: ")
    line = sys.stdin.readline()
    if not line.strip():
        raise InvalidCallback("no code was pasted")
    return line


def log_out(ctx: Config) -> int:
    store = credentials_store(ctx)
    if store.remove_oauth():
        _say(f"Logged out: removed the OAuth credentials from {store.path}")
    else:
        _say("Not logged in with OAuth: nothing to remove")
    shadowing = [name for name in (API_KEY_VAR, AUTH_TOKEN_VAR) if ctx.env(name)]
    if shadowing:
        _say(f"Note: {shadowing[0]} is still set in the environment")
    return 0


def _status(ctx: Config) -> int:
    config = oauth_config(ctx)
    policy = TokenPolicy(config.expiry_margin)
    result = build_auth(ctx, check=False).resolve()
    if isinstance(result, Unusable):
        _say("Credentials: none usable")
        _say(f"Why: {result.reason}")
        _say(f"Fix: {result.error}")
        return 1
    source = result.source
    where = f" ({credentials_store(ctx).path})" if source == OAUTH_SOURCE else ""
    _say(f"Credentials: {_label(source)}{where}, sent as {_SENT_AS[source]}")
    _say(f"Why: {result.reason}")
    passed_over = [name for name in (API_KEY_VAR, AUTH_TOKEN_VAR) if ctx.env(name)][1:]
    if passed_over:
        _say(f"Also set but not used: {', '.join(passed_over)}")
    if isinstance(result, UseHeaders) and result.credentials is None:
        _say(f"Secret: {mask_secret(result.secret)}")
    credentials = result.credentials
    if credentials is not None:
        for line in _describe_oauth(credentials, policy):
            _say(line)
    if isinstance(result, RefreshFirst):
        _say("Refresh due: yes; hexclaw refreshes it before the next request")
    elif source == OAUTH_SOURCE:
        _say(f"Refresh due: no (it is refreshed when less than {policy.margin:g} s remain)")
    return 0


def _label(source: str) -> str:
    if source == OAUTH_SOURCE:
        return "stored OAuth login"
    if source == HELPER_SOURCE:
        return "apiKeyHelper (settings)"
    return source


def _describe_oauth(credentials: OAuthCredentials, policy: TokenPolicy) -> list[str]:
    lines = [f"Access token: {mask_secret(credentials.access_token)}"]
    lines.append(
        "Refresh token: "
        + ("present (hexclaw refreshes automatically)" if credentials.refresh_token else "none")
    )
    lines.append(f"Scopes: {' '.join(credentials.scopes) or '(none granted)'}")
    lines.append(f"Expires: {_when(credentials.expires_at)}")
    return lines


def _when(expires_at: float | None) -> str:
    if expires_at is None:
        return "unknown (the server gave no lifetime)"
    stamp = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    left = expires_at - clock().now()
    return f"{stamp} ({_duration(left)})"


def _duration(seconds: float) -> str:
    ago = seconds < 0
    total = int(abs(seconds))
    if total < 120:
        text = f"{total} s"
    elif total < 7200:
        text = f"{total // 60} min"
    elif total < 172800:
        text = f"{total // 3600} h {total % 3600 // 60} min"
    else:
        text = f"{total // 86400} days"
    return f"expired {text} ago" if ago else f"in {text}"
