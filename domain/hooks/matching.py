"""Whether a hook's matcher selects a tool name (or a session source, a compaction trigger)."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"^[A-Za-z0-9_|-]+$")
_FORMER_NAMES = {"Agent": ("Task",), "Task": ("Agent",)}


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
    # A matcher written for the Agent tool's former name (Task) still selects it.
    names = [value, *_FORMER_NAMES.get(value, ())]
    if _PLAIN.match(matcher):
        return any(name in matcher.split("|") for name in names)
    try:
        return any(re.fullmatch(matcher, name) is not None for name in names)
    except re.error:
        return False
