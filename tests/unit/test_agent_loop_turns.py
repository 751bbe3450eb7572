"""The agent loop driven in-process: the real SSE framer and reducer, scripted events, fakes
for the ports. Interruption is walked through every callback of a turn."""

from __future__ import annotations

from typing import Any

from domain.conversation.transcript import Conversation
from domain.loop.agent_loop import (
    CUT_OFF_RESULT,
    INTERRUPTED_RESULT,
    NOT_STARTED_RESULT,
    AgentLoop,
    LoopSettings,
)
from domain.loop.turn_state import TurnState
from domain.messages.content import TextBlock, ToolResultBlock
from domain.messages.wire import conversation_message_to_wire
from domain.permissions.ports import PermissionPrompt
from domain.sessions.log import conversation_from_log, decode_log
from domain.stream.updates import MessageStarted, StreamUpdate, TextDelta
from domain.tools.calls import PermissionAnswer, ToolCall, ToolOutcome
from tests.fakes.api_rules import api_problems
from tests.fakes.fake_permissions import ScriptedPrompt, TableDecider
from tests.fakes.fake_tools import FakeToolRunner
from tests.fakes.memory_recorder import MemoryRecorder
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.scripted_model import ScriptedModelClient, ScriptedReply
from tests.fakes.sse_script import (
    EventSpec,
    message_delta,
    message_start,
    message_stop,
    text_message_events,
    tool_use_events,
)

ECHO_A = ("toolu_a", "Bash", {"command": "echo a"})
ECHO_B = ("toolu_b", "Bash", {"command": "echo b"})


def make_loop(
    script: list[Any],
    tools: FakeToolRunner | None = None,
    decider: TableDecider | None = None,
    prompt: PermissionPrompt | None = None,
    observer: RecordingObserver | None = None,
    max_turns: int = 50,
    recorder: MemoryRecorder | None = None,
) -> tuple[AgentLoop, ScriptedModelClient]:
    client = ScriptedModelClient(script)
    loop = AgentLoop(
        client=client,
        tools=tools or FakeToolRunner(),
        permissions=decider or TableDecider(),
        prompt=prompt,
        observer=observer or RecordingObserver(),
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=1024, max_turns=max_turns),
        recorder=recorder,
    )
    return loop, client


def wire(conversation: Conversation) -> list[dict[str, Any]]:
    return [conversation_message_to_wire(m) for m in conversation.messages]


def prompt(text: str) -> list[TextBlock]:
    return [TextBlock(text=text)]


def with_stop(
    events: list[EventSpec], stop_reason: str, usage: dict[str, Any] | None = None
) -> list[EventSpec]:
    """The same message with another stop reason (and usage) in its message_delta."""
    return [*events[:-2], message_delta(stop_reason, usage), message_stop()]


def tool_results(loop: AgentLoop) -> dict[str, ToolResultBlock]:
    return {
        b.tool_use_id: b
        for m in loop.conversation.messages
        for b in m.content
        if isinstance(b, ToolResultBlock)
    }


def test_an_interruption_at_any_callback_leaves_a_conversation_the_api_accepts() -> None:
    """Ctrl-C at each callback of a two-call tool turn in turn: every time the conversation and
    its log stay valid, no call runs twice, and the next turn goes through."""
    places: list[str] = []
    n = 0
    while True:
        n += 1
        observer = RecordingObserver(interrupt_at=n)
        tools = FakeToolRunner()
        recorder = MemoryRecorder()
        script = [
            tool_use_events([ECHO_A, ECHO_B], preface="Running both."),
            text_message_events("Both ran."),
        ]
        loop, client = make_loop(script, tools=tools, observer=observer, recorder=recorder)
        first = loop.run_turn(prompt("run a and b"))
        if observer.interrupted_in is None:
            assert first.subtype == "success"
            break
        places.append(observer.interrupted_in)
        assert first.subtype == "interrupted", observer.interrupted_in
        # Ctrl-C as the turn finishes interrupts nothing that was still going.
        ended = TurnState.FINISHED if observer.interrupted_in == "on_state(finished)" else None
        assert loop.state in (TurnState.INTERRUPTED, ended), observer.interrupted_in
        assert not api_problems(wire(loop.conversation)), observer.interrupted_in
        # The log says what memory says, so a resumed session continues the same conversation.
        assert wire(conversation_from_log(decode_log(recorder.data, "log"))) == wire(
            loop.conversation
        )
        ran_before = [c.id for c in tools.runs]
        observer.interrupt_at = None
        client.script = [text_message_events("Carrying on.")]
        second = loop.run_turn(prompt("next"))
        assert second.subtype == "success", observer.interrupted_in
        sent = client.requests[-1]["messages"]
        assert not api_problems(sent), (observer.interrupted_in, api_problems(sent))
        assert [c.id for c in tools.runs] == ran_before, "the next turn ran a call again"
        assert len(ran_before) == len(set(ran_before))
    # The walk really went through streaming, tool running and the turn's end.
    assert any(p.startswith("on_update(TextDelta") for p in places)
    assert "on_tool_start(toolu_b)" in places
    assert "on_tool_results" in places
    assert "on_state(finished)" in places


def test_ctrl_c_inside_a_tool_answers_it_as_interrupted_and_the_next_as_not_started() -> None:
    tools = FakeToolRunner(interrupt_on=frozenset({"toolu_a"}))
    loop, client = make_loop([tool_use_events([ECHO_A, ECHO_B])], tools=tools)
    result = loop.run_turn(prompt("run both"))
    assert result.subtype == "interrupted"
    results = tool_results(loop)
    assert (results["toolu_a"].content, results["toolu_a"].is_error) == (INTERRUPTED_RESULT, True)
    assert (results["toolu_b"].content, results["toolu_b"].is_error) == (NOT_STARTED_RESULT, True)
    assert tools.shell_log == ["echo a"]
    assert len(client.requests) == 1


def test_ctrl_c_at_the_permission_question_runs_nothing() -> None:
    tools = FakeToolRunner()
    asker = ScriptedPrompt([None])
    loop, _ = make_loop(
        [tool_use_events([ECHO_A])],
        tools=tools,
        decider=TableDecider({"Bash": "ask"}),
        prompt=asker,
    )
    result = loop.run_turn(prompt("run it"))
    assert result.subtype == "interrupted"
    assert [c.id for c in asker.asked] == ["toolu_a"]
    assert tools.runs == []
    assert tool_results(loop)["toolu_a"].content == NOT_STARTED_RESULT
    assert loop.state is TurnState.INTERRUPTED


def test_allow_for_the_session_is_remembered_and_not_asked_again() -> None:
    tools = FakeToolRunner()
    asker = ScriptedPrompt([PermissionAnswer("allow_session")])
    same = ("toolu_c", "Bash", {"command": "echo a"})
    observer = RecordingObserver()
    loop, _ = make_loop(
        [tool_use_events([ECHO_A]), tool_use_events([same]), text_message_events("done")],
        tools=tools,
        decider=TableDecider({"Bash": "ask"}),
        prompt=asker,
        observer=observer,
    )
    result = loop.run_turn(prompt("twice"))
    assert result.subtype == "success"
    assert [c.id for c in asker.asked] == ["toolu_a"]
    assert tools.shell_log == ["echo a", "echo a"]
    assert [s.value for s in observer.states] == [
        "streaming",
        "running_tools",
        "awaiting_permission",
        "running_tools",
        "streaming",
        "running_tools",
        "streaming",
        "finished",
    ]


def test_a_user_denial_with_a_reason_reaches_the_model() -> None:
    asker = ScriptedPrompt([PermissionAnswer("deny", "not on a Friday")])
    loop, client = make_loop(
        [tool_use_events([ECHO_A]), text_message_events("ok")],
        decider=TableDecider({"Bash": "ask"}),
        prompt=asker,
    )
    result = loop.run_turn(prompt("deploy"))
    sent = client.requests[1]["messages"][-1]["content"][0]
    assert sent["is_error"] is True
    assert "not on a Friday" in sent["content"]
    assert [d.reason for d in result.permission_denials] == ["not on a Friday"]


def test_print_mode_cannot_ask_so_an_ask_is_a_denial() -> None:
    tools = FakeToolRunner()
    loop, client = make_loop(
        [tool_use_events([ECHO_A]), text_message_events("ok")],
        tools=tools,
        decider=TableDecider({"Bash": "ask"}),
        prompt=None,
    )
    result = loop.run_turn(prompt("run"))
    assert tools.runs == []
    sent = client.requests[1]["messages"][-1]["content"][0]
    assert sent["is_error"] is True
    assert "print mode cannot ask" in sent["content"]
    assert result.permission_denials[0].tool_use_id == "toolu_a"


class CrashingTools(FakeToolRunner):
    """A tool runner with a bug: it raises where the port promises an outcome."""

    def run(self, call: ToolCall) -> ToolOutcome:
        raise RuntimeError("disk on fire")


def test_a_tool_that_raises_still_gets_an_error_result() -> None:
    loop, client = make_loop(
        [tool_use_events([ECHO_A]), text_message_events("ok")], tools=CrashingTools()
    )
    result = loop.run_turn(prompt("run"))
    assert result.subtype == "success"
    sent = client.requests[1]["messages"][-1]["content"][0]
    assert sent["is_error"] is True
    assert "RuntimeError: disk on fire" in sent["content"]


def test_a_call_whose_input_is_not_json_is_answered_without_running() -> None:
    events = tool_use_events([("toolu_x", "Bash", {"command": "echo x"})])
    # Replace the input fragments with broken JSON.
    broken = [e for e in events if e[1].get("delta", {}).get("type") != "input_json_delta"]
    at = next(i for i, e in enumerate(broken) if e[0] == "content_block_stop")
    broken.insert(
        at,
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": '{"command": "ec'},
            },
        ),
    )
    tools = FakeToolRunner()
    loop, client = make_loop([broken, text_message_events("sorry")], tools=tools)
    loop.run_turn(prompt("run"))
    assert tools.runs == []
    sent = client.requests[1]["messages"][-1]["content"][0]
    assert sent["is_error"] is True
    assert "not valid JSON" in sent["content"]


def test_usage_adds_up_per_call_per_turn_and_per_session() -> None:
    def reply(text: str, start: dict[str, int], end: dict[str, int]) -> list[EventSpec]:
        events = text_message_events(text)
        return [
            message_start(usage=start),
            *events[1:-2],
            message_delta("end_turn", end),
            events[-1],
        ]

    tool_call = [
        message_start(
            usage={"input_tokens": 100, "cache_creation_input_tokens": 50, "output_tokens": 1}
        ),
        *tool_use_events([ECHO_A])[1:-2],
        message_delta("tool_use", {"output_tokens": 20}),
        message_stop(),
    ]
    script = [
        tool_call,
        reply(
            "done",
            {"input_tokens": 10, "cache_read_input_tokens": 150, "output_tokens": 1},
            {"output_tokens": 5},
        ),
        reply(
            "again",
            {"input_tokens": 7, "cache_read_input_tokens": 200, "output_tokens": 1},
            {"output_tokens": 3},
        ),
    ]
    loop, _ = make_loop(script)
    first = loop.run_turn(prompt("one"))
    assert [u.output_tokens for u in first.call_usages] == [20, 5]
    assert (
        first.usage.input_tokens,
        first.usage.output_tokens,
        first.usage.cache_creation_input_tokens,
        first.usage.cache_read_input_tokens,
    ) == (110, 25, 50, 150)
    second = loop.run_turn(prompt("two"))
    assert (second.usage.input_tokens, second.usage.output_tokens) == (7, 3)
    session = loop.conversation.usage
    assert (session.input_tokens, session.output_tokens, session.cache_read_input_tokens) == (
        117,
        28,
        350,
    )
    assert loop.conversation.last_call_usage is not None
    assert loop.conversation.last_call_usage.output_tokens == 3


def test_pause_turn_sends_again_and_the_continuation_joins_the_paused_message() -> None:
    paused = text_message_events("Searching...", stop_reason="pause_turn")
    observer = RecordingObserver()
    loop, client = make_loop([paused, text_message_events("Found it.")], observer=observer)
    result = loop.run_turn(prompt("search"))
    assert result.subtype == "success"
    assert result.model_calls == 2
    second = client.requests[1]["messages"]
    assert second[-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Searching..."}],
    }
    assert wire(loop.conversation)[-1] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Searching..."},
            {"type": "text", "text": "Found it."},
        ],
    }
    assert observer.states == [TurnState.STREAMING, TurnState.STREAMING, TurnState.FINISHED]


def test_max_tokens_with_a_call_does_not_run_it_and_says_so() -> None:
    tools = FakeToolRunner()
    cut = with_stop(tool_use_events([ECHO_A]), "max_tokens")
    observer = RecordingObserver()
    loop, client = make_loop(
        [cut, text_message_events("continuing")], tools=tools, observer=observer
    )
    result = loop.run_turn(prompt("go"))
    assert (result.subtype, result.stop_reason, result.model_calls) == ("success", "max_tokens", 1)
    assert tools.runs == []
    assert tool_results(loop)["toolu_a"].content == CUT_OFF_RESULT
    assert any("max_tokens" in n for n in observer.notices)
    loop.run_turn(prompt("continue"))
    assert not api_problems(client.requests[1]["messages"])


def test_an_empty_answer_is_not_kept_and_the_next_prompt_merges() -> None:
    empty = [message_start(), message_delta("end_turn"), message_stop()]
    loop, client = make_loop([empty, text_message_events("hello")])
    assert loop.run_turn(prompt("one")).subtype == "success"
    loop.run_turn(prompt("two"))
    assert client.requests[1]["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        }
    ]


def test_ctrl_c_before_any_text_keeps_nothing_and_the_next_prompt_merges() -> None:
    observer = RecordingObserver(interrupt_on_update=lambda u: isinstance(u, MessageStarted))
    loop, client = make_loop(
        [text_message_events("never shown"), text_message_events("hi")], observer=observer
    )
    assert loop.run_turn(prompt("one")).subtype == "interrupted"
    loop.run_turn(prompt("two"))
    assert [m["role"] for m in client.requests[1]["messages"]] == ["user"]


def test_ctrl_c_mid_text_keeps_the_partial_answer_as_it_was() -> None:
    seen: list[str] = []

    def third_delta(update: StreamUpdate) -> bool:
        if isinstance(update, TextDelta):
            seen.append(update.text)
        return len(seen) == 3

    recorder = MemoryRecorder()
    observer = RecordingObserver(interrupt_on_update=third_delta)
    loop, _ = make_loop(
        [text_message_events("The quick brown fox jumps over")],
        observer=observer,
        recorder=recorder,
    )
    result = loop.run_turn(prompt("tell me"))
    assert result.subtype == "interrupted"
    assert wire(loop.conversation)[-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "".join(seen)}],
    }
    assert result.final_text == "".join(seen)
    assert [e.get("interrupted") for e in recorder.entries if e.get("type") == "message"] == [
        None,
        True,
    ]


def test_a_dropped_stream_after_tools_ran_is_not_sent_again() -> None:
    tools = FakeToolRunner()
    recorder = MemoryRecorder()
    answer = ScriptedReply(text_message_events("Half an ans", "wer"), cut_after=5)
    loop, client = make_loop([tool_use_events([ECHO_A]), answer], tools=tools, recorder=recorder)
    result = loop.run_turn(prompt("go"))
    assert result.subtype == "error_during_execution"
    assert len(client.requests) == 2
    assert [c.id for c in tools.runs] == ["toolu_a"]
    assert wire(loop.conversation)[-1]["role"] == "assistant"
    assert recorder.entries[-2]["incomplete"] is True
    assert result.final_text.startswith("Half")
