"""The set of tools offered to the model, dispatching calls by name.

A tool's failure is an ``is_error`` result the model reads, never an exception: the
registry turns ``ToolError`` and OS errors into outcomes. ``KeyboardInterrupt`` passes
through so the agent loop can handle the interruption.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Protocol

from adapters.tools.support.tool_errors import ToolError
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolCall, ToolOutcome


class Tool(Protocol):
    name: str

    def definition(self) -> JSONObject: ...

    def access_of(self, tool_input: JSONObject) -> ToolAccess: ...

    def run(self, tool_input: JSONObject) -> ToolOutcome: ...


class ToolRegistry:
    def __init__(self, tools: list[Tool]) -> None:
        self._fixed = {tool.name: tool for tool in tools}
        # Former names a model may still call a tool by (``Task`` for ``Agent``).
        self._aliases = {alias: t.name for t in tools for alias in getattr(t, "aliases", ())}
        # Tools whose list can change during a session (an MCP server's tools/list_changed):
        # asked again each time the tools are listed.
        self._sources: list[Callable[[], list[Tool]]] = []

    def add(self, tool: Tool) -> None:
        self._fixed[tool.name] = tool
        self._aliases.update({alias: tool.name for alias in getattr(tool, "aliases", ())})

    def add_source(self, source: Callable[[], list[Tool]]) -> None:
        self._sources.append(source)

    @property
    def _tools(self) -> dict[str, Tool]:
        if not self._sources:
            return self._fixed
        tools = dict(self._fixed)
        for source in self._sources:
            tools.update((tool.name, tool) for tool in source() if tool.name not in tools)
        return tools

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def offers_any(self) -> bool:
        """Whether any tool is offered. The fixed tools answer first, since asking a source
        waits for it (an MCP server's tools are listed once it has started)."""
        return bool(self._fixed) or bool(self._tools)

    def tool(self, name: str) -> Tool | None:
        # The fixed tools (and their former names) answer first, without waiting for the
        # sources, whose tools are named apart (``mcp__server__tool``).
        keys = (name, self._aliases.get(name, ""))
        found = next((self._fixed[key] for key in keys if key in self._fixed), None)
        if found is None and self._sources:
            tools = self._tools
            found = next((tools[key] for key in keys if key in tools), None)
        return found

    def definitions(self) -> list[JSONObject]:
        return [tool.definition() for tool in self._tools.values()]

    def access_of(self, call: ToolCall) -> ToolAccess:
        tool = self.tool(call.name)
        if tool is None:
            return ToolAccess(tool=call.name, kind="none")
        try:
            return tool.access_of(call.input)
        except ToolError as exc:
            return ToolAccess(tool=call.name, kind="none", invalid=str(exc))

    def run(self, call: ToolCall) -> ToolOutcome:
        tool = self.tool(call.name)
        if tool is None:
            known = ", ".join(sorted(self._tools)) or "none"
            return ToolOutcome(
                content=f"Unknown tool {call.name!r}. Available tools: {known}.",
                is_error=True,
                summary="unknown tool",
            )
        try:
            # A tool that needs the call's id (Agent: its subagent's messages name it).
            run_call = getattr(tool, "run_call", None)
            if run_call is not None:
                outcome: ToolOutcome = run_call(call)
                return outcome
            return tool.run(call.input)
        except ToolError as exc:
            return ToolOutcome(content=f"Error: {exc}", is_error=True, summary=str(exc))
        except OSError as exc:
            detail = exc.strerror or str(exc)
            where = f" ({exc.filename})" if exc.filename else ""
            return ToolOutcome(
                content=f"Error: {call.name} failed: {detail}{where}",
                is_error=True,
                summary=f"{detail}{where}",
            )


class ListedWhenAsked(Collection[str]):
    """Names listed at the first question about them, then kept: a check that may never be
    made (an agent file naming tools) does not wait for the MCP servers' tools."""

    def __init__(self, listing: Callable[[], Collection[str]]) -> None:
        self._listing = listing
        self._names: Collection[str] | None = None

    def _listed(self) -> Collection[str]:
        if self._names is None:
            self._names = self._listing()
        return self._names

    def __contains__(self, name: object) -> bool:
        return name in self._listed()

    def __iter__(self) -> Iterator[str]:
        return iter(self._listed())

    def __len__(self) -> int:
        return len(self._listed())
