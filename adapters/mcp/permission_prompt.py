"""The ``PermissionPrompt`` of ``--permission-prompt-tool mcp__server__tool``: in ``-p``, a
call that would ask is put to that MCP tool, which answers allow (with an optional
``updatedInput``, checked against the deny rules again by the loop) or deny."""

from __future__ import annotations

from adapters.tools.registry import Tool
from domain.headless.control import prompt_tool_input, verdict_from_prompt_tool
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall


class McpPermissionPrompt:
    def __init__(self, tool: Tool) -> None:
        self._tool = tool

    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        outcome = self._tool.run(prompt_tool_input(call))
        content = outcome.content
        if isinstance(content, str):
            text = content
        else:
            text = "".join(
                str(block.get("text", "")) for block in content if block.get("type") == "text"
            )
        return verdict_from_prompt_tool(text, outcome.is_error).answer
