"""What the REPL's renderer shows of subagents: a live line each while they run, the report
folded when the Agent call ends (a real rich Console writing to a string)."""

from __future__ import annotations

import io

from rich.console import Console

from adapters.terminal.renderer import REPORT_LINES, TerminalRenderer
from domain.tools.calls import ToolCall, ToolOutcome
from tests.integration.test_terminal_renderer import StepClock


def make() -> tuple[TerminalRenderer, StepClock, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=100, height=20, no_color=True, highlight=False)
    clock = StepClock()
    return TerminalRenderer(console, clock, workspace="/work/app"), clock, out


def rendered(renderer: TerminalRenderer) -> str:
    out = io.StringIO()
    Console(file=out, width=100, no_color=True).print(renderer.live_view())
    return out.getvalue()


def test_each_running_subagent_has_its_live_line() -> None:
    renderer, clock, _ = make()
    renderer.subagent_started("toolu_1", "Explore", "find the tests")
    renderer.subagent_started("toolu_2", "Plan", "plan the change")
    read = ToolCall("toolu_r", "Read", {"file_path": "/work/app/src/main.py"})
    renderer.subagent_tool("toolu_1", read, None)
    renderer.subagent_tool("toolu_1", read, ToolOutcome(content="x"))
    renderer.subagent_tool("toolu_1", ToolCall("toolu_g", "Grep", {"pattern": "def test"}), None)
    clock.t += 12
    view = rendered(renderer)
    assert "Explore(find the tests) · 2 tool uses · 12s · Grep(def test)" in view
    assert "Plan(plan the change) · 0 tool uses · 12s" in view
    renderer.subagent_finished("toolu_1", ToolOutcome(content="done"))
    view = rendered(renderer)
    assert "Explore" not in view
    assert "Plan(plan the change)" in view


def test_the_report_is_folded_under_the_agent_call() -> None:
    renderer, _, out = make()
    call = ToolCall("toolu_1", "Agent", {"description": "find it", "prompt": "..."})
    report = "\n".join(f"finding {n}" for n in range(1, 8))
    renderer.on_tool_end(call, ToolOutcome(content=report, summary="Done (3 tool uses · 2.0s)"))
    text = out.getvalue()
    assert "Agent(find it)" in text
    assert "⎿  Done (3 tool uses · 2.0s)" in text
    for n in range(1, REPORT_LINES + 1):
        assert f"finding {n}" in text
    assert f"finding {REPORT_LINES + 1}" not in text
    assert f"… {7 - REPORT_LINES} more lines" in text


def test_each_result_of_a_batch_sits_under_its_own_name() -> None:
    renderer, _, out = make()
    first = ToolCall("toolu_1", "Read", {"file_path": "/work/app/a.py"})
    second = ToolCall("toolu_2", "Read", {"file_path": "/work/app/b.py"})
    renderer.on_tool_start(first)
    renderer.on_tool_start(second)
    renderer.on_tool_end(first, ToolOutcome(content="x", summary="Read a.py (lines 1-3 of 3)"))
    renderer.on_tool_end(second, ToolOutcome(content="y", summary="Read b.py (lines 1-9 of 9)"))
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert lines == [
        "● Read(a.py)",
        "● Read(b.py)",
        "● Read(a.py)",
        "  ⎿  Read a.py (lines 1-3 of 3)",
        "● Read(b.py)",
        "  ⎿  Read b.py (lines 1-9 of 9)",
    ]


def test_a_single_call_is_named_once() -> None:
    renderer, _, out = make()
    call = ToolCall("toolu_1", "Read", {"file_path": "/work/app/a.py"})
    renderer.on_tool_start(call)
    renderer.on_tool_end(call, ToolOutcome(content="x", summary="Read a.py"))
    assert [line.rstrip() for line in out.getvalue().splitlines()] == [
        "● Read(a.py)",
        "  ⎿  Read a.py",
    ]


def test_a_new_turn_starts_without_the_last_turns_subagent_lines() -> None:
    renderer, _, _ = make()
    renderer.subagent_started("toolu_1", "Explore", "never finished")
    renderer.begin_turn()
    assert "never finished" not in rendered(renderer)
