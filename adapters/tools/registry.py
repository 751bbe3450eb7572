"""The set of tools offered to the model, dispatching calls by name."""

from __future__ import annotations

from typing import Protocol

from domain.messages import JSONObject
from domain.tool_calls import ToolAccess, ToolCall, ToolOutcome


class Tool(Protocol):
    name: str

    def definition(self) -> JSONObject: ...

    def access_of(self, tool_input: JSONObject) -> ToolAccess: ...

    def run(self, tool_input: JSONObject) -> ToolOutcome: ...


class ToolRegistry:
    def __init__(self, tools: list[Tool]) -> None:
        self._tools = {tool.name: tool for tool in tools}

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def definitions(self) -> list[JSONObject]:
        return [tool.definition() for tool in self._tools.values()]

    def access_of(self, call: ToolCall) -> ToolAccess:
        tool = self._tools.get(call.name)
        if tool is None:
            return ToolAccess(tool=call.name, kind="none")
        return tool.access_of(call.input)

    def run(self, call: ToolCall) -> ToolOutcome:
        tool = self._tools.get(call.name)
        if tool is None:
            known = ", ".join(sorted(self._tools)) or "none"
            return ToolOutcome(
                content=f"Unknown tool {call.name!r}. Available tools: {known}.",
                is_error=True,
                summary="unknown tool",
            )
        return tool.run(call.input)
