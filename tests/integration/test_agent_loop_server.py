"""The agent loop against the scripted Anthropic server over real HTTP: tool round trips,
denials, errors and every stop reason. ``server.requests`` shows exactly what was sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.system.entropy import SystemRandom
from domain.loop.agent_loop import CUT_OFF_RESULT, AgentLoop, LoopSettings
from domain.loop.turn_state import TurnState
from domain.messages.content import TextBlock
from domain.messages.retry_policy import RetryPolicy
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.fake_permissions import TableDecider
from tests.fakes.fake_tools import FakeToolRunner
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.sse_script import (
    EventSpec,
    message_delta,
    message_stop,
    text_message_events,
    tool_use_events,
)


@pytest.fixture
def server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=30) as srv:
        yield srv


def client_for(server: ScriptedAnthropicServer) -> AnthropicClient:
    config = ClientConfig(base_url=server.url, retry=RetryPolicy(max_retries=0))
    return AnthropicClient(config, StaticAuthHeaders({"x-api-key": "sk-test"}), SystemRandom())


def make_loop(
    server: ScriptedAnthropicServer,
    tools: FakeToolRunner | None = None,
    decider: TableDecider | None = None,
    observer: RecordingObserver | None = None,
    max_turns: int = 50,
) -> AgentLoop:
    return AgentLoop(
        client=client_for(server),
        tools=tools or FakeToolRunner(),
        permissions=decider or TableDecider(),
        prompt=None,
        observer=observer or RecordingObserver(),
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=2048, max_turns=max_turns),
    )


def sent(server: ScriptedAnthropicServer, number: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = server.requests[number].body["messages"]
    assert not api_problems(messages), api_problems(messages)
    return messages


def results_of(message: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    assert message["role"] == "user"
    return [
        (b["tool_use_id"], b["content"], b["is_error"])
        for b in message["content"]
        if b["type"] == "tool_result"
    ]


def with_stop(events: list[EventSpec], stop_reason: str) -> list[EventSpec]:
    return [*events[:-2], message_delta(stop_reason), message_stop()]


def ask(loop: AgentLoop, text: str) -> Any:
    return loop.run_turn([TextBlock(text=text)])


def test_a_two_call_tool_round_trip(server: ScriptedAnthropicServer) -> None:
    tools = FakeToolRunner(files={"/w/notes.txt": "alpha\nbeta"})
    server.add(
        Reply.sse(
            tool_use_events([("toolu_1", "Read", {"file_path": "/w/notes.txt"})], "Reading.")
        ),
        Reply.sse(text_message_events("It has two lines.")),
    )
    result = ask(make_loop(server, tools), "what is in notes.txt?")
    assert (result.subtype, result.final_text, result.model_calls) == (
        "success",
        "It has two lines.",
        2,
    )
    assert [t["name"] for t in server.requests[0].body["tools"]] == ["Read", "Write", "Bash"]
    second = sent(server, 1)
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert second[1]["content"][1] == {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "Read",
        "input": {"file_path": "/w/notes.txt"},
    }
    assert results_of(second[2]) == [("toolu_1", "     1\talpha\n     2\tbeta", False)]


def test_parallel_calls_are_answered_together_in_order(server: ScriptedAnthropicServer) -> None:
    tools = FakeToolRunner()
    calls = [
        ("toolu_a", "Bash", {"command": "echo one"}),
        ("toolu_b", "Bash", {"command": "echo two"}),
    ]
    server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("Both done.")))
    result = ask(make_loop(server, tools), "run both")
    assert result.subtype == "success"
    assert tools.shell_log == ["echo one", "echo two"]
    second = sent(server, 1)
    assert results_of(second[-1]) == [("toolu_a", "one\n", False), ("toolu_b", "two\n", False)]


def test_a_denied_call_is_an_error_result_and_nothing_runs(
    server: ScriptedAnthropicServer,
) -> None:
    tools = FakeToolRunner()
    server.add(
        Reply.sse(tool_use_events([("toolu_w", "Write", {"file_path": "/x", "content": "hi"})])),
        Reply.sse(text_message_events("I could not write it.")),
    )
    result = ask(make_loop(server, tools, decider=TableDecider({"Write": "deny"})), "write /x")
    assert tools.files == {}
    assert tools.runs == []
    [(tool_id, content, is_error)] = results_of(sent(server, 1)[-1])
    assert (tool_id, is_error) == ("toolu_w", True)
    assert content.startswith("Permission denied: Write is not allowed")
    assert "Do not retry" in content
    assert [(d.tool_name, d.tool_use_id) for d in result.permission_denials] == [
        ("Write", "toolu_w")
    ]


def test_a_failing_tool_tells_the_model_what_went_wrong(server: ScriptedAnthropicServer) -> None:
    server.add(
        Reply.sse(tool_use_events([("toolu_r", "Read", {"file_path": "/missing"})])),
        Reply.sse(tool_use_events([("toolu_e", "Bash", {"command": "exit 3"})])),
        Reply.sse(text_message_events("Both failed.")),
    )
    result = ask(make_loop(server), "try things")
    assert result.subtype == "success"
    assert results_of(sent(server, 1)[-1]) == [("toolu_r", "File does not exist: /missing", True)]
    assert results_of(sent(server, 2)[-1]) == [("toolu_e", "Exit code 3", True)]


def test_max_tokens_stops_says_so_and_continue_goes_on(server: ScriptedAnthropicServer) -> None:
    observer = RecordingObserver()
    server.add(
        Reply.sse(text_message_events("The first half of a long", stop_reason="max_tokens")),
        Reply.sse(text_message_events("answer, finished.")),
    )
    loop = make_loop(server, observer=observer)
    result = ask(loop, "a long answer please")
    assert (result.subtype, result.stop_reason, result.model_calls) == (
        "success",
        "max_tokens",
        1,
    )
    assert len(server.requests) == 1
    assert any("max_tokens" in n and "continue" in n for n in observer.notices)
    ask(loop, "continue")
    second = sent(server, 1)
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert second[1]["content"][0]["text"] == "The first half of a long"


def test_a_call_cut_off_by_max_tokens_is_answered_but_not_run(
    server: ScriptedAnthropicServer,
) -> None:
    tools = FakeToolRunner()
    cut = with_stop(tool_use_events([("toolu_m", "Bash", {"command": "echo hi"})]), "max_tokens")
    server.add(Reply.sse(cut), Reply.sse(text_message_events("ok")))
    loop = make_loop(server, tools)
    result = ask(loop, "go")
    assert (result.subtype, result.stop_reason) == ("success", "max_tokens")
    assert tools.runs == []
    assert len(server.requests) == 1
    ask(loop, "continue")
    assert results_of(sent(server, 1)[-1]) == [("toolu_m", CUT_OFF_RESULT, True)]


def test_pause_turn_sends_the_paused_message_back(server: ScriptedAnthropicServer) -> None:
    server.add(
        Reply.sse(text_message_events("Searching the web...", stop_reason="pause_turn")),
        Reply.sse(text_message_events("Here is what I found.")),
    )
    result = ask(make_loop(server), "search for it")
    assert (result.subtype, result.model_calls, result.final_text) == (
        "success",
        2,
        "Here is what I found.",
    )
    second = server.requests[1].body["messages"]
    assert second[-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Searching the web..."}],
    }


def test_refusal_is_reported_and_stops(server: ScriptedAnthropicServer) -> None:
    observer = RecordingObserver()
    server.add(Reply.sse(text_message_events("I can't help with that.", stop_reason="refusal")))
    result = ask(make_loop(server, observer=observer), "something bad")
    assert (result.subtype, result.stop_reason, result.model_calls) == ("success", "refusal", 1)
    assert any("declined" in n for n in observer.notices)
    assert observer.states[-1] is TurnState.FINISHED


def test_stop_sequence_ends_the_turn(server: ScriptedAnthropicServer) -> None:
    server.add(Reply.sse(text_message_events("Up to the marker", stop_reason="stop_sequence")))
    result = ask(make_loop(server), "go")
    assert (result.subtype, result.stop_reason, result.final_text) == (
        "success",
        "stop_sequence",
        "Up to the marker",
    )


def test_max_turns_stops_an_endless_tool_loop(server: ScriptedAnthropicServer) -> None:
    counter = {"n": 0}

    def always_a_tool(_: RecordedRequest) -> Reply:
        counter["n"] += 1
        call = (f"toolu_{counter['n']}", "Bash", {"command": f"echo {counter['n']}"})
        return Reply.sse(tool_use_events([call]))

    endless = ScriptedAnthropicServer(responder=always_a_tool, idle_timeout=30)
    with endless:
        observer = RecordingObserver()
        loop = make_loop(endless, observer=observer, max_turns=3)
        result = ask(loop, "loop forever")
        assert (result.subtype, result.model_calls) == ("error_max_turns", 3)
        assert result.is_error
        assert len(endless.requests) == 3
        assert any("--max-turns 3" in n for n in observer.notices)
        # The third call's result is in the conversation: the next turn is a valid request.
        endless.add(Reply.sse(text_message_events("Stopping.")))
        assert ask(loop, "stop now").subtype == "success"
        assert not api_problems(endless.requests[3].body["messages"])
        assert results_of(endless.requests[3].body["messages"][-1])[0][0] == "toolu_3"
