"""Whether a hook's matcher selects a tool name (or a session source, a compaction trigger)."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"^[A-Za-z0-9_|-]+$")


def matcher_problem(matcher: str) -> str | None:
    """Why a matcher can never work (a bad regular expression), or None."""
    if matcher in ("", "*") or _PLAIN.match(matcher):
        return None
    try:
        re.compile(matcher)
    except re.error as exc:
        return f"matcher {matcher!r} is not a valid regular expression ({exc})"
    return None


def matcher_matches(matcher: str, value: str) -> bool:
    """Empty or ``*``: everything; letters and ``|`` only: exact names (``Edit|Write``);
    anything else: a regular expression over the whole value (``mcp__github__.*``)."""
    if matcher in ("", "*"):
        return True
    if _PLAIN.match(matcher):
        return value in matcher.split("|")
    try:
        return re.fullmatch(matcher, value) is not None
    except re.error:
        return False
