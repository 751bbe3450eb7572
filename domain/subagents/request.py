"""The Agent tool's input (Claude Code's schema), checked."""

from __future__ import annotations

import attrs

from domain.messages.content import JSONObject
from domain.repr_base import Record
from domain.subagents.worktree_plan import Isolation, parse_isolation

SCHEMA: JSONObject = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "prompt": {"type": "string"},
        "subagent_type": {"type": "string"},
        "model": {"type": "string", "enum": ["sonnet", "opus", "haiku", "fable"]},
        "effort": {"type": "string", "enum": ["low", "medium", "high", "xhigh", "max"]},
        "run_in_background": {"type": "boolean"},
        "isolation": {"type": "string", "enum": ["worktree", "remote"]},
    },
    "required": ["description", "prompt"],
    "additionalProperties": False,
}


@attrs.frozen(repr=False)
class AgentRequest(Record):
    description: str
    prompt: str
    subagent_type: str | None = None
    model: str | None = None
    background: bool = False
    """``run_in_background``: the parent goes on; the report comes in a later message."""
    isolation: Isolation | None = None
    """``worktree``: the subagent works in a git worktree of its own."""


def parse_request(tool_input: JSONObject) -> AgentRequest | str:
    """The request, or the error text the model gets for an input that cannot run."""
    description = tool_input.get("description")
    prompt = tool_input.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return "Error: Agent needs a non-empty prompt (the subagent's whole task)."
    if not isinstance(description, str):
        return "Error: Agent needs a short description (3 to 5 words) of the task."
    isolation = parse_isolation(tool_input.get("isolation"))
    if isolation is not None and isolation != "worktree":
        return isolation
    subagent_type = tool_input.get("subagent_type")
    model = tool_input.get("model")
    return AgentRequest(
        description=description,
        prompt=prompt,
        subagent_type=subagent_type if isinstance(subagent_type, str) and subagent_type else None,
        model=model if isinstance(model, str) and model else None,
        background=tool_input.get("run_in_background") is True,
        isolation="worktree" if isolation == "worktree" else None,
    )
