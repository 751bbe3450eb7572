"""MCP tool names as Claude Code spells them, and what a permission rule names.

``mcp__<server>__<tool>``: each part normalised (anything outside ``[A-Za-z0-9_-]`` becomes
``_``). A rule ``mcp__server`` or ``mcp__server__*`` covers every tool of the server,
``mcp__server__tool`` that one tool.
"""

from __future__ import annotations

import re

PREFIX = "mcp__"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# The Messages API caps a tool name at 64 characters.
MAX_TOOL_NAME = 64


def normalise(name: str) -> str:
    return _UNSAFE.sub("_", name)


def tool_name(server: str, tool: str) -> str:
    return f"{PREFIX}{normalise(server)}__{normalise(tool)}"[:MAX_TOOL_NAME]


def prompt_command(server: str, prompt: str) -> str:
    """The slash command (without ``/``) of a server's prompt."""
    return f"{PREFIX}{normalise(server)}__{normalise(prompt)}"


def rule_covers(rule_tool: str, tool: str) -> bool:
    """Whether a rule naming ``rule_tool`` covers the MCP tool ``tool`` (beyond equality)."""
    if not (rule_tool.startswith(PREFIX) and tool.startswith(PREFIX)):
        return False
    if rule_tool.endswith("__*"):
        return tool.startswith(rule_tool[:-1])
    server_only = "__" not in rule_tool[len(PREFIX) :]
    return server_only and tool.startswith(rule_tool + "__")


def server_of(tool: str) -> str | None:
    """The (normalised) server part of an MCP tool name."""
    if not tool.startswith(PREFIX):
        return None
    rest = tool[len(PREFIX) :]
    return rest.split("__", 1)[0] if "__" in rest else None
