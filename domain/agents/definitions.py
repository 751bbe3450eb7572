"""One agent file: frontmatter ``name``, ``description``, ``tools``, ``model``,
``permissionMode``, ``isolation``; the body is its system prompt."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

import attrs

from domain.extensions.frontmatter import parse_markdown, tool_list
from domain.permission_modes import PERMISSION_MODES, PermissionMode
from domain.repr_base import Record

AgentScope = Literal["project", "user"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$", re.I)
_TOOL_NAME = re.compile(r"^(?P<name>[A-Za-z0-9_*-]+)")


@attrs.frozen(repr=False)
class AgentDefinition(Record):
    name: str
    description: str
    system_prompt: str = attrs.field(repr=False)
    tools: tuple[str, ...] | None = None
    """None: the parent's tools; a tuple: exactly these (unknown ones already removed)."""
    model: str | None = None
    """As written (``sonnet``, ``opus``, ``haiku``, ``inherit`` or a model id)."""
    permission_mode: PermissionMode | None = None
    isolation: Literal["worktree"] | None = None
    """``worktree``: every run of this agent works in a git worktree of its own."""
    source: str = ""
    scope: AgentScope = "user"
    warnings: tuple[str, ...] = ()

    def listing_line(self) -> str:
        """How the parent sees it: ``- NAME: description (Tools: Read, Grep)``."""
        tools = ", ".join(self.tools) if self.tools is not None else "All tools"
        return f"- {self.name}: {self.description} (Tools: {tools})"


def parse_agent(
    text: str,
    source: str,
    scope: AgentScope,
    fallback_name: str,
    known_tools: Collection[str] | None = None,
) -> AgentDefinition | str:
    """The definition, or the one-line reason the file cannot be one."""
    doc = parse_markdown(text)
    # A frontmatter YAML rejects (a description with ": " in it) was read line by line, as
    # Claude Code reads it, so it is no reason for a warning.
    warnings: list[str] = []
    name = doc.text("name") or fallback_name
    if not _NAME.match(name):
        return f"{source}: agent name {name!r} must be letters, digits, '-' or '_' (skipped)"
    description = doc.text("description")
    if not description:
        return f"{source}: agent {name!r} has no description (skipped)"
    tools = tool_list(doc.values.get("tools"))
    if tools is not None and known_tools is not None:
        unknown = [t for t in tools if not _known(t, known_tools)]
        if unknown:
            warnings.append(
                f"{source}: agent {name!r} names unknown tools: {', '.join(unknown)} (left out)"
            )
            tools = tuple(t for t in tools if t not in unknown)
    if tools is not None and "*" in tools:
        tools = None
    mode_text = doc.text("permissionMode")
    mode: PermissionMode | None = None
    if mode_text:
        for candidate in PERMISSION_MODES:
            if candidate == mode_text:
                mode = candidate
        if mode is None:
            warnings.append(
                f"{source}: agent {name!r} has unknown permissionMode {mode_text!r} (ignored)"
            )
    isolation = doc.text("isolation")
    if isolation and isolation != "worktree":
        available = "is not available in hexclaw" if isolation == "remote" else "is unknown"
        warnings.append(
            f"{source}: agent {name!r} has isolation {isolation!r}, which {available} (ignored)"
        )
    return AgentDefinition(
        name=name,
        description=description,
        system_prompt=doc.body.strip(),
        tools=tools,
        model=doc.text("model") or None,
        permission_mode=mode,
        isolation="worktree" if isolation == "worktree" else None,
        source=source,
        scope=scope,
        warnings=tuple(warnings),
    )


def _known(tool: str, known_tools: Collection[str]) -> bool:
    if tool == "*" or tool.startswith("mcp__"):
        return True  # MCP tools appear once their servers start
    match = _TOOL_NAME.match(tool)
    return match is not None and match.group("name") in known_tools
