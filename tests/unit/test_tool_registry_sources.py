"""The registry asks its sources (an MCP server's tools, which wait for the server to start)
only when the fixed tools cannot answer, and a fixed tool keeps its name over a source's."""

from __future__ import annotations

from adapters.tools.registry import ListedWhenAsked, Tool, ToolRegistry
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolOutcome


class Named:
    def __init__(self, name: str, aliases: tuple[str, ...] = ()) -> None:
        self.name = name
        self.aliases = aliases

    def definition(self) -> JSONObject:
        return {"name": self.name}

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        return ToolAccess(tool=self.name, kind="none")

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        return ToolOutcome(content=self.name)


class CountedSource:
    def __init__(self, tools: list[Tool]) -> None:
        self.tools = tools
        self.asked = 0

    def __call__(self) -> list[Tool]:
        self.asked += 1
        return self.tools


def registry_with(source: CountedSource) -> ToolRegistry:
    registry = ToolRegistry([Named("Read"), Named("Agent", aliases=("Task",))])
    registry.add_source(source)
    return registry


def test_fixed_tools_and_their_aliases_are_found_without_asking_the_sources() -> None:
    source = CountedSource([Named("mcp__s__echo")])
    registry = registry_with(source)
    read, agent = registry.tool("Read"), registry.tool("Task")
    assert read is not None
    assert read.name == "Read"
    assert agent is not None
    assert agent.name == "Agent"
    assert registry.offers_any()
    assert source.asked == 0


def test_a_source_tool_is_found_by_asking_the_sources() -> None:
    source = CountedSource([Named("mcp__s__echo")])
    registry = registry_with(source)
    echo = registry.tool("mcp__s__echo")
    assert echo is not None
    assert echo.name == "mcp__s__echo"
    assert registry.tool("mcp__s__missing") is None
    assert source.asked >= 1


def test_a_fixed_tool_keeps_its_name_over_a_source_tool() -> None:
    impostor = Named("Read")
    registry = registry_with(CountedSource([impostor]))
    assert registry.tool("Read") is not impostor
    assert registry.names == ["Read", "Agent"]


def test_with_no_fixed_tools_the_sources_say_whether_any_is_offered() -> None:
    empty, offering = CountedSource([]), CountedSource([Named("mcp__s__echo")])
    quiet, busy = ToolRegistry([]), ToolRegistry([])
    quiet.add_source(empty)
    busy.add_source(offering)
    assert not quiet.offers_any()
    assert busy.offers_any()


def test_names_listed_when_asked_are_listed_once_and_only_when_asked() -> None:
    source = CountedSource([Named("mcp__s__echo")])
    registry = registry_with(source)
    names = ListedWhenAsked(lambda: registry.names)
    assert source.asked == 0
    assert "mcp__s__echo" in names
    assert "Write" not in names
    assert len(names) == 3
    assert sorted(names) == ["Agent", "Read", "mcp__s__echo"]
    assert source.asked == 1
