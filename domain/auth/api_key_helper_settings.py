"""The ``apiKeyHelper`` and ``apiKeyHelperTtlSeconds`` settings, checked."""

from __future__ import annotations

import attrs

from domain.auth.errors import ApiKeyHelperError
from domain.repr_base import Record

DEFAULT_HELPER_TTL = 300.0  # 5 minutes, as in Claude Code


@attrs.frozen(repr=False)
class HelperSettings(Record):
    command: str
    ttl: float = DEFAULT_HELPER_TTL


def parse_helper_settings(
    command: object, ttl: object, command_source: str, ttl_source: str
) -> HelperSettings | None:
    if command is None or command == "":
        return None
    if not isinstance(command, str) or not command.strip():
        raise ApiKeyHelperError(f"{command_source}: apiKeyHelper: must be a command string")
    if ttl is None:
        return HelperSettings(command)
    if not isinstance(ttl, int | float) or isinstance(ttl, bool) or ttl < 0:
        raise ApiKeyHelperError(
            f"{ttl_source}: apiKeyHelperTtlSeconds: must be a number of seconds, zero or more"
        )
    return HelperSettings(command, float(ttl))
