"""The subagents' errors."""

from __future__ import annotations

from domain.errors import HexclawError


class SubagentError(HexclawError):
    """The root of this area's errors."""


class InvalidAgentsFlag(SubagentError):
    """``--agents`` is not the JSON object of agents Claude Code takes."""

    exit_code = 2
