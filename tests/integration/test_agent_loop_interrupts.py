"""Ctrl-C and dropped connections in the agent loop, over real HTTP to the scripted server:
each time, the next request is one the API accepts (every tool_use answered, roles alternate)
and nothing is re-sent or re-run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.system.entropy import SystemRandom
from domain.loop.agent_loop import INTERRUPTED_RESULT, NOT_STARTED_RESULT, AgentLoop, LoopSettings
from domain.loop.turn_state import TurnState
from domain.messages.content import TextBlock
from domain.messages.retry_policy import RetryPolicy
from domain.messages.wire import conversation_message_to_wire
from domain.sessions.log import conversation_from_log, decode_log
from domain.stream.updates import BlockFinished, StreamUpdate, TextDelta
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.fake_permissions import TableDecider
from tests.fakes.fake_tools import FakeToolRunner
from tests.fakes.memory_recorder import MemoryRecorder
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.sse_script import text_message_events, tool_use_events

TWO_CALLS = [
    ("toolu_a", "Bash", {"command": "echo a"}),
    ("toolu_b", "Bash", {"command": "echo b"}),
]


@pytest.fixture
def server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=30) as srv:
        yield srv


def make_loop(
    server: ScriptedAnthropicServer,
    tools: FakeToolRunner,
    observer: RecordingObserver,
    recorder: MemoryRecorder | None = None,
) -> AgentLoop:
    config = ClientConfig(base_url=server.url, retry=RetryPolicy(max_retries=0))
    client = AnthropicClient(config, StaticAuthHeaders({"x-api-key": "k"}), SystemRandom())
    return AgentLoop(
        client=client,
        tools=tools,
        permissions=TableDecider(),
        prompt=None,
        observer=observer,
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=2048),
        recorder=recorder,
    )


def next_request_after(loop: AgentLoop, server: ScriptedAnthropicServer) -> list[dict[str, Any]]:
    """Run the next turn and return the messages it sent, checked against the API's rules."""
    server.add(Reply.sse(text_message_events("Continuing.")))
    assert loop.run_turn([TextBlock(text="carry on")]).subtype == "success"
    messages: list[dict[str, Any]] = server.requests[-1].body["messages"]
    assert not api_problems(messages), api_problems(messages)
    return messages


def results(message: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    return {
        b["tool_use_id"]: (b["content"], b["is_error"])
        for b in message["content"]
        if b["type"] == "tool_result"
    }


def test_ctrl_c_between_two_tool_calls(server: ScriptedAnthropicServer) -> None:
    tools = FakeToolRunner()
    observer = RecordingObserver(interrupt_on_tool_start="toolu_b")
    recorder = MemoryRecorder()
    server.add(Reply.sse(tool_use_events(TWO_CALLS, preface="Running a then b.")))
    loop = make_loop(server, tools, observer, recorder)
    result = loop.run_turn([TextBlock(text="run a and b")])
    assert result.subtype == "interrupted"
    assert loop.state is TurnState.INTERRUPTED
    assert tools.shell_log == ["echo a"]
    assert len(server.requests) == 1
    # The log resumes to the same conversation.
    resumed = conversation_from_log(decode_log(recorder.data, "log"))
    assert [conversation_message_to_wire(m) for m in resumed.messages] == [
        conversation_message_to_wire(m) for m in loop.conversation.messages
    ]
    sent = next_request_after(loop, server)
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    answered = results(sent[2])
    assert answered["toolu_a"] == ("a\n", False)
    assert answered["toolu_b"] == (NOT_STARTED_RESULT, True)
    assert sent[2]["content"][-1] == {"type": "text", "text": "carry on"}
    assert tools.shell_log == ["echo a"], "nothing ran again"


def test_ctrl_c_inside_a_running_tool(server: ScriptedAnthropicServer) -> None:
    tools = FakeToolRunner(interrupt_on=frozenset({"toolu_a"}))
    server.add(Reply.sse(tool_use_events(TWO_CALLS)))
    loop = make_loop(server, tools, RecordingObserver())
    assert loop.run_turn([TextBlock(text="run")]).subtype == "interrupted"
    answered = results(next_request_after(loop, server)[2])
    assert answered == {
        "toolu_a": (INTERRUPTED_RESULT, True),
        "toolu_b": (NOT_STARTED_RESULT, True),
    }


def test_ctrl_c_while_text_streams_keeps_what_arrived(server: ScriptedAnthropicServer) -> None:
    seen: list[str] = []

    def after_two_deltas(update: StreamUpdate) -> bool:
        if isinstance(update, TextDelta):
            seen.append(update.text)
        return len(seen) == 2

    observer = RecordingObserver(interrupt_on_update=after_two_deltas)
    server.add(Reply.sse(text_message_events("A long answer that streams slowly"), chunk_size=64))
    loop = make_loop(server, FakeToolRunner(), observer)
    result = loop.run_turn([TextBlock(text="talk")])
    assert result.subtype == "interrupted"
    assert result.final_text == "".join(seen)
    sent = next_request_after(loop, server)
    assert sent[1] == {"role": "assistant", "content": [{"type": "text", "text": "".join(seen)}]}


def test_ctrl_c_while_a_second_call_streams(server: ScriptedAnthropicServer) -> None:
    """The first call's block had finished and is kept (answered, not run); the second,
    still streaming, is left out."""
    observer = RecordingObserver(
        interrupt_on_update=lambda u: isinstance(u, BlockFinished) and u.index == 1
    )
    tools = FakeToolRunner()
    server.add(Reply.sse(tool_use_events(TWO_CALLS, preface="Two calls."), chunk_size=40))
    loop = make_loop(server, tools, observer)
    assert loop.run_turn([TextBlock(text="go")]).subtype == "interrupted"
    assert tools.runs == []
    sent = next_request_after(loop, server)
    assert [b["type"] for b in sent[1]["content"]] == ["text", "tool_use"]
    assert sent[1]["content"][1]["id"] == "toolu_a"
    assert results(sent[2]) == {"toolu_a": (NOT_STARTED_RESULT, True)}


def test_a_dropped_connection_after_tools_ran_is_not_sent_again(
    server: ScriptedAnthropicServer,
) -> None:
    tools = FakeToolRunner()
    recorder = MemoryRecorder()
    server.add(
        Reply.sse(tool_use_events([TWO_CALLS[0]])),
        Reply.sse(
            text_message_events("The output was a, and then the line dro"),
            chunk_size=150,
            drop_after_chunks=4,
        ),
    )
    loop = make_loop(server, tools, RecordingObserver(), recorder)
    result = loop.run_turn([TextBlock(text="run a")])
    assert result.subtype == "error_during_execution"
    assert result.error is not None
    assert len(server.requests) == 2
    assert tools.shell_log == ["echo a"]
    incomplete = [e for e in recorder.entries if e.get("incomplete")]
    assert len(incomplete) == 1
    kept = incomplete[0]["message"]["content"][0]["text"]
    assert "The output was a, and then the line dro".startswith(kept)
    assert kept
    sent = next_request_after(loop, server)
    assert sent[3] == {"role": "assistant", "content": [{"type": "text", "text": kept}]}
    assert tools.shell_log == ["echo a"], "the tool did not run again"
