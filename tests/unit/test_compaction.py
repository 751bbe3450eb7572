"""Compaction, pure: context estimate, threshold, the split, the summary request, the swap;
and the Compactor driven in-process through the loop's ports (scripted model, fakes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.conversation.compaction_plan import (
    CHARS_PER_TOKEN,
    DEFAULT_AUTO_COMPACT_THRESHOLD,
    SUMMARY_INSTRUCTIONS,
    TAIL_NOTE,
    auto_compact_threshold,
    compacted_messages,
    compaction_due,
    estimate_context_tokens,
    estimate_tokens_of,
    plan_compaction,
    replay_compaction,
    safe_split_points,
    summary_message_text,
    summary_request_messages,
)
from domain.conversation.compaction_run import CompactionFailed, Compactor, run_compaction
from domain.conversation.transcript import Conversation
from domain.loop.agent_loop import AgentLoop, LoopSettings
from domain.messages.api_errors import ApiStatusError
from domain.messages.content import (
    ContentBlock,
    ConversationMessage,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from domain.messages.wire import conversation_message_to_wire
from domain.settings.merge import SettingsLayer, merge_layers
from tests.fakes.api_rules import api_problems, assert_api_accepts
from tests.fakes.fake_permissions import TableDecider
from tests.fakes.fake_tools import FakeToolRunner
from tests.fakes.memory_recorder import MemoryRecorder
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.scripted_model import ScriptedModelClient
from tests.fakes.sse_script import (
    message_delta,
    message_start,
    message_stop,
    text_message_events,
    tool_use_events,
)


def user(*blocks: ContentBlock | str) -> ConversationMessage:
    return ConversationMessage("user", [TextBlock(b) if isinstance(b, str) else b for b in blocks])


def assistant(*blocks: ContentBlock | str) -> ConversationMessage:
    return ConversationMessage(
        "assistant", [TextBlock(b) if isinstance(b, str) else b for b in blocks]
    )


def call(tool_id: str, text: str = "") -> ToolUseBlock:
    return ToolUseBlock(id=tool_id, name="Bash", input={"command": f"echo {text}"})


def result(tool_id: str, text: str = "ok") -> ToolResultBlock:
    return ToolResultBlock(tool_use_id=tool_id, content=text)


def wire(messages: list[ConversationMessage]) -> list[dict[str, Any]]:
    return [conversation_message_to_wire(m) for m in messages]


def tool_conversation() -> list[ConversationMessage]:
    return [
        user("fix the build"),
        assistant("Looking.", call("t1")),
        user(result("t1", "error: x")),
        assistant(call("t2"), call("t3")),
        user(result("t2"), result("t3")),
        assistant("Fixed it."),
        user("thanks, now the docs"),
        assistant("Done."),
    ]


# --- the context estimate ------------------------------------------------------------------


def test_before_any_call_the_estimate_is_the_character_heuristic() -> None:
    messages = [user("x" * 400), assistant("y" * 400)]
    system = [{"type": "text", "text": "s" * 80}]
    tools = [{"name": "Bash", "input_schema": {}}]
    expected_chars = (
        sum(len(json.dumps(m)) for m in wire(messages))
        + len(json.dumps(system[0]))
        + len(json.dumps(tools[0]))
    )
    estimate = estimate_context_tokens(Conversation(messages=messages), system, tools)
    assert estimate == pytest.approx(expected_chars / CHARS_PER_TOKEN, abs=3)


def test_after_a_call_the_estimate_is_the_reported_tokens() -> None:
    last = Usage(
        input_tokens=1_000,
        cache_read_input_tokens=150_000,
        cache_creation_input_tokens=2_000,
        output_tokens=500,
    )
    conversation = Conversation(
        messages=[user("x" * 100_000), assistant("short")], last_call_usage=last
    )
    # The huge message was measured by the API: no heuristic over it.
    assert estimate_context_tokens(conversation, [{"text": "z" * 10_000}]) == 153_500


def test_what_came_after_the_last_call_is_added_by_heuristic() -> None:
    results = user(result("t1", "r" * 4_000))
    conversation = Conversation(
        messages=[user("go"), assistant(call("t1")), results],
        last_call_usage=Usage(input_tokens=10_000, output_tokens=50),
    )
    assert estimate_context_tokens(conversation) == 10_050 + estimate_tokens_of([results])
    assert estimate_tokens_of([results]) > 1_000


# --- the threshold -------------------------------------------------------------------------


def test_threshold_defaults_to_85_percent_and_reads_the_setting() -> None:
    assert auto_compact_threshold(merge_layers([])) == DEFAULT_AUTO_COMPACT_THRESHOLD == 0.85
    custom = merge_layers([SettingsLayer("s.json", {"autoCompactThreshold": 0.6})])
    assert auto_compact_threshold(custom) == 0.6


@pytest.mark.parametrize(
    ("tokens", "threshold", "due"),
    [(169_999, 0.85, False), (170_000, 0.85, True), (119_999, 0.6, False), (120_000, 0.6, True)],
)
def test_compaction_is_due_at_a_share_of_the_models_window(
    tokens: int, threshold: float, due: bool
) -> None:
    assert compaction_due(tokens, "claude-sonnet-4-5", threshold) is due


# --- the split -----------------------------------------------------------------------------


def test_safe_split_points_never_separate_a_call_from_its_result() -> None:
    # Index 2 and 4 start with results of calls made just before them.
    assert safe_split_points(tool_conversation()) == [1, 3, 5, 6, 7, 8]


def test_the_tail_skips_past_a_result_whose_call_would_be_summarized() -> None:
    messages = [
        user("start"),
        assistant(ToolUseBlock(id="big", name="Bash", input={"command": "x" * 4_000})),
        user(result("big", "small")),
        assistant("after"),
    ]
    fits_from_2 = estimate_tokens_of(messages[2:])
    assert estimate_tokens_of(messages[1:]) > fits_from_2
    plan = plan_compaction(messages, keep_tokens=fits_from_2)
    assert plan is not None
    # Starting at index 2 would fit, but it would orphan the result: the tail starts at 3.
    assert [m.content for m in plan.kept] == [messages[3].content]
    assert len(plan.summarized) == 3


def test_the_longest_tail_within_budget_is_kept() -> None:
    messages = tool_conversation()
    budget = estimate_tokens_of(messages[5:])
    plan = plan_compaction(messages, keep_tokens=budget)
    assert plan is not None
    assert len(plan.summarized) == 5
    assert wire(list(plan.kept)) == wire(messages[5:])


def test_a_zero_budget_summarizes_everything_and_nothing_is_a_plan_of_nothing() -> None:
    plan = plan_compaction(tool_conversation(), keep_tokens=0)
    assert plan is not None
    assert (len(plan.summarized), len(plan.kept)) == (8, 0)
    assert plan_compaction([], keep_tokens=100) is None


@st.composite
def conversations(draw: st.DrawFn) -> list[ConversationMessage]:
    """Valid conversations: prompts, and assistant messages whose calls are answered next."""
    messages: list[ConversationMessage] = [user("p" * draw(st.integers(1, 300)))]
    counter = 0
    for _ in range(draw(st.integers(0, 12))):
        calls = draw(st.integers(0, 3))
        ids = [f"t{counter + i}" for i in range(calls)]
        counter += calls
        text = "a" * draw(st.integers(1, 300))
        messages.append(assistant(text, *(call(i, "c" * draw(st.integers(0, 200))) for i in ids)))
        if ids:
            messages.append(user(*(result(i, "r" * draw(st.integers(0, 300))) for i in ids)))
        else:
            messages.append(user("next"))
    return messages


@given(conversations(), st.integers(0, 2_000), st.text(max_size=20))
def test_any_plan_gives_a_conversation_the_api_accepts(
    messages: list[ConversationMessage], keep: int, summary: str
) -> None:
    assert_api_accepts(wire(messages))
    before = wire(messages)
    plan = plan_compaction(messages, keep_tokens=keep)
    assert plan is not None
    assert wire(list(plan.summarized) + list(plan.kept)) == before
    summarized_calls = {
        b.id for m in plan.summarized for b in m.content if isinstance(b, ToolUseBlock)
    }
    kept_results = {
        b.tool_use_id for m in plan.kept for b in m.content if isinstance(b, ToolResultBlock)
    }
    assert not summarized_calls & kept_results
    assert estimate_tokens_of(list(plan.kept)) <= keep or not plan.kept
    assert_api_accepts(wire(summary_request_messages(plan.summarized)))
    after = compacted_messages(summary or "s", plan.kept)
    assert_api_accepts(wire(after))
    assert wire(messages) == before  # nothing was changed in place


# --- the summary request and the swap ------------------------------------------------------


def test_summary_request_asks_for_the_four_sections_and_the_focus() -> None:
    messages = tool_conversation()[:6]
    request = summary_request_messages(messages, focus="  the build errors ")
    assert len(request) == 7
    assert request[-1].role == "user"
    text = request[-1].content[-1]
    assert isinstance(text, TextBlock)
    for section in ("## Goals", "## Decisions", "## Files touched", "## Open work"):
        assert section in text.text
    assert text.text.endswith("The user asked the summary to focus on: the build errors")
    assert "Do not call any tools" in SUMMARY_INSTRUCTIONS


def test_summary_request_joins_a_trailing_user_message_after_its_results() -> None:
    messages = tool_conversation()[:3]
    request = summary_request_messages(messages)
    assert len(request) == 3
    assert [b.type for b in request[-1].content] == ["tool_result", "text"]
    assert len(messages[-1].content) == 1  # the original is untouched
    assert_api_accepts(wire(request))


def test_compacted_messages_put_the_summary_first() -> None:
    tail = [user("thanks, now the docs"), assistant("Done.")]
    after = compacted_messages("## Goals\nfix it", tail)
    assert wire(after) == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": summary_message_text("## Goals\nfix it")},
                {"type": "text", "text": TAIL_NOTE},
                {"type": "text", "text": "thanks, now the docs"},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Done."}]},
    ]
    alone = compacted_messages("summary", [])
    assert wire(alone) == [
        {"role": "user", "content": [{"type": "text", "text": summary_message_text("summary")}]}
    ]


def test_replay_compaction_rebuilds_the_compacted_conversation() -> None:
    messages = tool_conversation()
    entry = {"type": "compaction", "summary": "S", "kept_messages": 2}
    assert wire(replay_compaction(messages, entry)) == wire(compacted_messages("S", messages[6:]))
    broken = {"type": "compaction", "summary": "S", "kept_messages": 99}
    assert wire(replay_compaction(messages, broken)) == wire(compacted_messages("S", []))


# --- running it: run_compaction and the Compactor through the loop's ports ------------------


def summary_events(text: str, usage: dict[str, int] | None = None) -> list[Any]:
    events = text_message_events(text)
    if usage is not None:
        events[0] = message_start(usage=usage)
    return events


def test_run_compaction_swaps_the_conversation_and_logs_it() -> None:
    conversation = Conversation(
        messages=tool_conversation(),
        usage=Usage(input_tokens=100),
        last_call_usage=Usage(input_tokens=90),
    )
    client = ScriptedModelClient([summary_events("## Goals\nship it")])
    recorder = MemoryRecorder()
    system = [{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}]
    outcome = run_compaction(
        client,
        conversation,
        "claude-sonnet-4-5",
        max_tokens=32_000,
        system=system,
        tools=FakeToolRunner().definitions(),
        recorder=recorder,
        focus="docs",
        keep_tokens=estimate_tokens_of(tool_conversation()[6:]),
    )
    sent = client.requests[0]
    assert sent["max_tokens"] == 8_192
    assert sent["system"] == system
    assert [t["name"] for t in sent["tools"]] == ["Read", "Write", "Bash"]
    assert sent["messages"][:6] == wire(tool_conversation()[:6])
    assert sent["messages"][-1]["content"][-1]["text"].endswith("focus on: docs")
    assert sent["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert (outcome.summarized_messages, outcome.kept_messages) == (6, 2)
    assert outcome.summary == "## Goals\nship it"
    assert wire(conversation.messages) == wire(
        compacted_messages("## Goals\nship it", tool_conversation()[6:])
    )
    assert conversation.last_call_usage is None
    assert conversation.usage.input_tokens == 100 + 12
    [entry] = recorder.entries
    assert entry["type"] == "compaction"
    assert entry["trigger"] == "manual"
    assert entry["focus"] == "docs"
    assert (entry["summarized_messages"], entry["kept_messages"]) == (6, 2)
    assert entry["summary"] == "## Goals\nship it"


@pytest.mark.parametrize(
    "reply",
    [
        ApiStatusError(529, "overloaded_error", "Overloaded"),
        [message_start(), message_delta("end_turn"), message_stop()],
    ],
)
def test_a_failed_compaction_changes_nothing(reply: Any) -> None:
    conversation = Conversation(messages=tool_conversation())
    before = wire(conversation.messages)
    recorder = MemoryRecorder()
    with pytest.raises(CompactionFailed):
        run_compaction(
            ScriptedModelClient([reply]), conversation, "claude-sonnet-4-5", 1024, recorder=recorder
        )
    assert wire(conversation.messages) == before
    assert recorder.entries == []


def test_nothing_to_compact() -> None:
    with pytest.raises(CompactionFailed, match="nothing to compact"):
        run_compaction(ScriptedModelClient([]), Conversation(), "claude-sonnet-4-5", 1024)


def make_loop(script: list[Any], compactor: Compactor, observer: RecordingObserver) -> AgentLoop:
    return AgentLoop(
        client=ScriptedModelClient(script),
        tools=FakeToolRunner(),
        permissions=TableDecider(default="allow"),
        prompt=None,
        observer=observer,
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=4096),
        recorder=MemoryRecorder(),
        compactor=compactor,
    )


def test_automatic_compaction_mid_turn_is_announced_and_the_turn_goes_on() -> None:
    observer = RecordingObserver()
    full = {"input_tokens": 10, "cache_read_input_tokens": 175_000, "output_tokens": 5}
    # The first answer calls a tool and reports a nearly full context.
    tool_call = tool_use_events([("t1", "Bash", {"command": "echo hi"})])
    tool_call[0] = message_start(usage=full)
    script: list[Any] = [
        tool_call,
        summary_events("## Goals\ncontinue"),
        text_message_events("All done."),
    ]
    loop = make_loop(script, Compactor(), observer)
    result = loop.run_turn([TextBlock("go")])
    assert result.subtype == "success"
    assert result.final_text == "All done."
    client = loop.client
    assert isinstance(client, ScriptedModelClient)
    assert len(client.requests) == 3
    assert "## Goals" in client.requests[1]["messages"][-1]["content"][-1]["text"]
    assert_api_accepts(client.requests[2]["messages"])
    first = client.requests[2]["messages"][0]["content"][0]["text"]
    assert first == summary_message_text("## Goals\ncontinue")
    assert observer.notices[0].startswith("The context is 87% full (175,")
    assert observer.notices[0].endswith("compacting the conversation (automatic at 85%).")
    assert observer.notices[1].startswith("Compacted: ")
    compactor = loop.compactor
    assert isinstance(compactor, Compactor)
    assert len(compactor.usages) == 1


def test_below_the_threshold_nothing_happens() -> None:
    observer = RecordingObserver()
    loop = make_loop([text_message_events("hi")], Compactor(threshold=0.85), observer)
    loop.run_turn([TextBlock("hello")])
    assert observer.notices == []
    assert len(loop.client.requests) == 1  # type: ignore[attr-defined]


def test_a_failed_automatic_compaction_is_announced_and_not_retried_at_once() -> None:
    observer = RecordingObserver()
    full = {"input_tokens": 190_000, "output_tokens": 5}
    tool_call = tool_use_events([("t1", "Bash", {"command": "echo hi"})])
    tool_call[0] = message_start(usage=full)
    script: list[Any] = [
        tool_call,
        ApiStatusError(529, "overloaded_error", "Overloaded"),
        text_message_events("Done anyway."),
    ]
    loop = make_loop(script, Compactor(), observer)
    result = loop.run_turn([TextBlock("go")])
    assert result.final_text == "Done anyway."
    assert observer.notices[1].startswith("Automatic compaction failed: the summary request")
    assert observer.notices[1].endswith("Continuing with the full conversation.")
    assert api_problems(loop.client.requests[2]["messages"]) == []  # type: ignore[attr-defined]


def test_manual_compaction_keeps_at_least_half_in_the_summary() -> None:
    observer = RecordingObserver()
    loop = make_loop([summary_events("S")], Compactor(), observer)
    loop.conversation.messages = tool_conversation()
    outcome = loop.compactor.compact(loop.compaction_scope(), focus=None)  # type: ignore[union-attr]
    assert outcome.summarized_messages >= 4
    assert_api_accepts(wire(loop.conversation.messages))
