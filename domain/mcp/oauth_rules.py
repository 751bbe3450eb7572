"""The OAuth rules hexclaw adds around the SDK's flow for remote MCP servers.

- A ``WWW-Authenticate: Bearer`` challenge (RFC 6750 §3) is read into its parameters; a 403
  with ``error="insufficient_scope"`` is a step-up: the ``scope`` it names is what the next
  login must ask for, on top of what the last one asked (the union, in first-seen order, so a
  step-up never loses a scope the server already needed).
- A client ID metadata document URL (``oauth.clientMetadataUrl``, the MCP authorization spec
  2025-11-25, SEP-991) must be an ``https`` URL with a path other than ``/``, no fragment and
  no user info, as the draft requires; anything else is refused when the entry is read.
"""

from __future__ import annotations

import re

# auth-param = token BWS "=" BWS ( token / quoted-string ), RFC 9110 §11.2.
_PARAM = re.compile(r'([!#$%&\'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)')
_ESCAPE = re.compile(r"\\(.)")
# RFC 3986 appendix B (the domain may not import ``urllib``).
_URI = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(#.*)?$", re.DOTALL)


def bearer_challenge(header: str) -> dict[str, str]:
    """The parameters of the ``Bearer`` challenge in a ``WWW-Authenticate`` value (empty when
    there is none). Other schemes' challenges in the same value are skipped."""
    start = re.search(r"(?:^|,)\s*Bearer(?:\s+|$)", header, re.IGNORECASE)
    if start is None:
        return {}
    params: dict[str, str] = {}
    rest = header[start.end() :]
    position = 0
    while True:
        match = _PARAM.match(rest, position)
        if match is None:
            break
        name, value = match.group(1).lower(), match.group(2)
        if value.startswith('"'):
            value = _ESCAPE.sub(r"\1", value[1:-1])
        params.setdefault(name, value)
        position = match.end()
        separator = re.match(r"\s*,\s*", rest[position:])
        if separator is None:
            break
        # After a comma comes another parameter, or the next scheme's challenge (``Basic
        # realm=...``), which ``_PARAM`` does not match: its parameters are not Bearer's.
        position += separator.end()
    return params


def step_up_scope(status: int, header: str) -> str | None:
    """The scope a 403 ``insufficient_scope`` answer asks for; None for any other answer.
    A challenge naming no scope still counts (an empty string): the login must happen again."""
    if status != 403:
        return None
    params = bearer_challenge(header)
    if params.get("error") != "insufficient_scope":
        return None
    return params.get("scope", "")


def scope_union(*scopes: str | None) -> str:
    """The space-separated union of scope strings, each scope once, in first-seen order."""
    seen: dict[str, None] = {}
    for scope in scopes:
        for item in (scope or "").split():
            seen.setdefault(item, None)
    return " ".join(seen)


def covers(granted: str | None, needed: str | None) -> bool:
    """Whether every scope of ``needed`` is in ``granted``."""
    return set((needed or "").split()) <= set((granted or "").split())


def metadata_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a client ID metadata document URL, or None when it can."""
    match = _URI.match(url)
    if match is None or (match.group(1) or "").lower() != "https" or match.group(2) is None:
        return "must be an https URL"
    authority, path, fragment = match.group(2), match.group(3), match.group(5)
    if "@" in authority:
        return "must not carry a user name or password"
    host = authority.rsplit(":", 1)[0] if not authority.endswith("]") else authority
    if not host:
        return "names no host"
    if any(c.isspace() for c in url):
        return "must not contain spaces"
    if path in ("", "/"):
        return "must have a path (the document's own, such as /hexclaw/client.json)"
    if fragment is not None:
        return "must not have a fragment"
    return None
