"""``--agents JSON``: agents for one run, in Claude Code's shape:
``{"reviewer": {"description": "...", "prompt": "...", "tools": ["Read"], "model": "sonnet"}}``.
"""

from __future__ import annotations

import json

from domain.agents.definitions import AgentDefinition
from domain.extensions.frontmatter import tool_list
from domain.subagents.errors import InvalidAgentsFlag

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def parse_agents_flag(text: str) -> list[AgentDefinition]:
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise InvalidAgentsFlag(f"--agents is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise InvalidAgentsFlag('--agents takes a JSON object: {"name": {"description": ...}}')
    agents: list[AgentDefinition] = []
    for name, spec in raw.items():
        where = f"--agents: agent {name!r}"
        if not name or not set(name) <= _NAME_CHARS:
            raise InvalidAgentsFlag(f"{where}: a name is letters, digits, '-' or '_'")
        if not isinstance(spec, dict):
            raise InvalidAgentsFlag(f"{where} must be an object")
        description, prompt = spec.get("description"), spec.get("prompt")
        if not isinstance(description, str) or not description.strip():
            raise InvalidAgentsFlag(f"{where} needs a description")
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidAgentsFlag(f"{where} needs a prompt (its system prompt)")
        model = spec.get("model")
        if model is not None and not isinstance(model, str):
            raise InvalidAgentsFlag(f"{where}: model must be a string")
        tools = spec.get("tools")
        if tools is not None and not (
            isinstance(tools, list) and all(isinstance(t, str) for t in tools)
        ):
            raise InvalidAgentsFlag(f"{where}: tools must be a list of tool names")
        listed = tool_list(tools) if tools is not None else None
        isolation = spec.get("isolation")
        if isolation not in (None, "worktree"):
            raise InvalidAgentsFlag(f"{where}: isolation can only be worktree")
        agents.append(
            AgentDefinition(
                name=name,
                description=description.strip(),
                system_prompt=prompt.strip(),
                tools=None if listed is not None and "*" in listed else listed,
                model=model,
                isolation="worktree" if isolation == "worktree" else None,
                source="--agents",
                scope="user",
            )
        )
    return agents
