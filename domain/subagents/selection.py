"""Which agent a call names, and what its subagent gets: tools, model, system prompt."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from domain.agents.definitions import AgentDefinition
from domain.messages.content import JSONObject
from domain.subagents.builtin import (
    AGENT_TOOL,
    FORMER_NAME,
    GENERAL_PURPOSE,
    READ_ONLY_TYPES,
)
from domain.web_search.offer import PERMISSION_NAME as WEB_SEARCH

# The main conversation is depth 0; a subagent at MAX_DEPTH is not offered Agent.
MAX_DEPTH = 2
# Claude Code's model aliases, as the Agent tool and agent files use them.
MODEL_ALIASES = {
    "sonnet": "claude-sonnet-4-5",
    "opus": "claude-opus-4-5",
    "haiku": "claude-haiku-4-5",
}
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]+")


def merge_agents(*layers: Iterable[AgentDefinition]) -> dict[str, AgentDefinition]:
    """Agents by name; a later layer's agent replaces an earlier one of the same name."""
    merged: dict[str, AgentDefinition] = {}
    for layer in layers:
        for agent in layer:
            merged[agent.name] = agent
    return merged


def find_agent(agents: Mapping[str, AgentDefinition], name: str | None) -> AgentDefinition | str:
    """The agent ``subagent_type`` names (general-purpose when none is given), or why not."""
    wanted = name or GENERAL_PURPOSE
    if wanted in agents:
        return agents[wanted]
    return f"Agent type {wanted!r} not found. Available agents: {', '.join(sorted(agents))}"


def canonical_tool(name: str) -> str:
    """A tool name as the registry knows it: ``Task`` is ``Agent``; ``Bash(git:*)`` is Bash."""
    found = _TOOL_NAME.match(name.strip())
    base = found.group(0) if found else name.strip()
    return AGENT_TOOL if base == FORMER_NAME else base


def subagent_tools(agent: AgentDefinition, parent_tools: Sequence[str], depth: int) -> list[str]:
    """The tool names a subagent at ``depth`` (1 for the main conversation's own) is offered:
    the agent's list (the parent's tools when it has none), only tools the parent has, and
    ``Agent`` only while nesting stays within ``MAX_DEPTH``."""
    wanted = (
        list(parent_tools)
        if agent.tools is None
        else list(dict.fromkeys(canonical_tool(t) for t in agent.tools))
    )
    return [
        name
        for name in wanted
        if name in parent_tools and (name != AGENT_TOOL or depth < MAX_DEPTH)
    ]


def nameable_tools(offered: Iterable[str]) -> list[str]:
    """The tool names an agent file may list: the tools offered, the Agent tool under both
    its names, and the web search server tool (offered by the client, not the registry)."""
    return list(dict.fromkeys([*offered, AGENT_TOOL, FORMER_NAME, WEB_SEARCH]))


def offers_web_search(agent: AgentDefinition) -> bool:
    """Whether the subagent's requests may offer the web search server tool (still only while
    the rules allow it): an agent with a tools list must name ``WebSearch`` in it."""
    return agent.tools is None or WEB_SEARCH in (canonical_tool(t) for t in agent.tools)


def subagent_model(requested: str | None, agent: AgentDefinition, parent_model: str) -> str:
    """The call's ``model`` first, then the agent's, then the parent's; aliases resolved. An
    alias hexclaw has no model for (``fable``) and ``inherit`` keep the parent's model."""
    for choice in (requested, agent.model):
        if not choice or choice == "inherit":
            continue
        if choice in MODEL_ALIASES:
            return MODEL_ALIASES[choice]
        if choice.startswith("claude-") or "/" in choice or "." in choice:
            return choice  # a model id (a proxy's own names too)
    return parent_model


def is_read_only(agent: AgentDefinition) -> bool:
    """Explore, Plan, and any agent whose ``permissionMode`` is ``plan``."""
    builtin = agent.source == "built-in" and agent.name in READ_ONLY_TYPES
    return builtin or agent.permission_mode == "plan"


def system_blocks(agent: AgentDefinition, cwd: str, notes: Sequence[str] = ()) -> list[JSONObject]:
    """The subagent's system prompt: where it works, then the agent's own prompt, last."""
    facts = "\n".join(
        [
            "You are a subagent of hexclaw, a command-line coding agent, launched by another "
            "agent to do one task.",
            f"Working directory: {cwd}",
            *notes,
        ]
    )
    return [{"type": "text", "text": facts}, {"type": "text", "text": agent.system_prompt}]


def listing(agents: Iterable[AgentDefinition]) -> str:
    """The agent types, one line each, as Claude Code lists them to the model."""
    return "\n".join(agent.listing_line() for agent in sorted(agents, key=lambda a: a.name))
