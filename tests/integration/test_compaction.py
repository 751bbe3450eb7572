"""Compaction over real HTTP: the agent loop and the Anthropic client against the scripted
server on 127.0.0.1, with the session log kept in memory in its real encoding."""

from __future__ import annotations

from typing import Any

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.system.entropy import SystemRandom
from domain.conversation.compaction_plan import (
    TAIL_NOTE,
    compacted_messages,
    estimate_tokens_of,
    replay_compaction,
    summary_message_text,
)
from domain.conversation.compaction_run import Compactor, run_compaction
from domain.loop.agent_loop import AgentLoop, LoopSettings
from domain.messages.content import TextBlock
from domain.messages.retry_policy import RetryPolicy
from domain.messages.wire import conversation_message_to_wire
from domain.sessions.log import decode_log, logged_messages
from domain.stream.prompt_cache import PrefixCachingClient
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import assert_api_accepts
from tests.fakes.fake_permissions import TableDecider
from tests.fakes.fake_tools import FakeToolRunner
from tests.fakes.memory_recorder import MemoryRecorder
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.sse_script import message_start, text_message_events, tool_use_events

SUMMARY = (
    "## Goals\nShip step two.\n## Decisions\nUse echo.\n## Files touched\nnone\n## Open work\n-"
)


def make_loop(
    server: ScriptedAnthropicServer, recorder: MemoryRecorder, compactor: Compactor
) -> tuple[AgentLoop, RecordingObserver]:
    client = AnthropicClient(
        ClientConfig(base_url=server.url, retry=RetryPolicy(max_retries=0)),
        StaticAuthHeaders({"x-api-key": "sk-ant-test-key"}),
        SystemRandom(),
    )
    observer = RecordingObserver()
    loop = AgentLoop(
        client=PrefixCachingClient(client),
        tools=FakeToolRunner(),
        permissions=TableDecider(default="allow"),
        prompt=None,
        observer=observer,
        settings=LoopSettings(
            model="claude-sonnet-4-5",
            max_tokens=4096,
            system=[{"type": "text", "text": "system", "cache_control": {"type": "ephemeral"}}],
        ),
        recorder=recorder,
        compactor=compactor,
    )
    return loop, observer


def sent_messages(server: ScriptedAnthropicServer, number: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = server.requests[number].body["messages"]
    return messages


def wire_of(loop: AgentLoop) -> list[dict[str, Any]]:
    return [conversation_message_to_wire(m) for m in loop.conversation.messages]


def test_manual_compaction_never_keeps_a_result_whose_call_was_summarized(
    anthropic_server: ScriptedAnthropicServer,
) -> None:
    # A large call with a small result: Write sends the content, the result is one line.
    big_write = {"file_path": "/w/big.txt", "content": "x" * 3000}
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_big", "Write", big_write)])),
        Reply.sse(text_message_events("Step one done.")),
        Reply.sse(text_message_events("Step two done.")),
        Reply.sse(text_message_events(SUMMARY)),
        Reply.sse(text_message_events("Continuing from the summary.")),
    )
    recorder = MemoryRecorder()
    loop, _ = make_loop(anthropic_server, recorder, Compactor(automatic=False))
    loop.run_turn([TextBlock("start")])
    loop.run_turn([TextBlock("and now?")])
    history = wire_of(loop)
    assert [m["role"] for m in history] == ["user", "assistant"] * 3
    assert history[2]["content"][0]["type"] == "tool_result"
    # A budget that the tail from the tool_result on would fit, but not the call before it.
    budget = estimate_tokens_of(loop.conversation.messages[2:])
    assert estimate_tokens_of(loop.conversation.messages[1:]) > budget

    outcome = run_compaction(
        loop.client,
        loop.conversation,
        loop.settings.model,
        loop.settings.max_tokens,
        system=loop.settings.system,
        tools=loop.tools.definitions(),
        recorder=recorder,
        focus="step two",
        keep_tokens=budget,
    )

    summary_request = anthropic_server.requests[3].body
    assert summary_request["system"] == loop.settings.system
    assert summary_request["messages"][:2] == history[:2]
    assert summary_request["messages"][2]["content"][0] == history[2]["content"][0]
    instructions = summary_request["messages"][-1]["content"][-1]
    assert instructions["text"].endswith("focus on: step two")
    assert instructions["cache_control"] == {"type": "ephemeral"}
    assert_api_accepts(summary_request["messages"])
    # The tail starts after the tool_result, at the assistant's answer.
    assert (outcome.summarized_messages, outcome.kept_messages) == (3, 3)
    compacted = wire_of(loop)
    assert compacted[0]["content"][:2] == [
        {"type": "text", "text": summary_message_text(SUMMARY)},
        {"type": "text", "text": TAIL_NOTE},
    ]
    assert compacted[1:] == history[3:]
    assert not any(b["type"] == "tool_result" for m in compacted for b in m["content"])

    result = loop.run_turn([TextBlock("go on")])
    assert result.final_text == "Continuing from the summary."
    next_request = sent_messages(anthropic_server, 4)
    assert_api_accepts(next_request)
    assert next_request[0]["content"][0]["text"] == summary_message_text(SUMMARY)
    assert next_request[-1]["content"][-1] == {
        "type": "text",
        "text": "go on",
        "cache_control": {"type": "ephemeral"},
    }

    # The session log keeps the whole history, then the compaction, then what followed.
    log = decode_log(recorder.data, "memory")
    types = [e["type"] for e in log.entries]
    compaction_at = types.index("compaction")
    before = [e for e in log.entries[:compaction_at] if e["type"] == "message"]
    assert [e["message"] for e in before] == history
    entry = log.entries[compaction_at]
    assert (entry["summarized_messages"], entry["kept_messages"]) == (3, 3)
    assert entry["summary"] == SUMMARY
    assert entry["usage"]["input_tokens"] == 12
    replayed = replay_compaction(
        logged_messages(decode_log(recorder.data[:0] + recorder.data, "m"))[:6], entry
    )
    assert [conversation_message_to_wire(m) for m in replayed] == compacted


def test_automatic_compaction_mid_turn_keeps_the_call_with_its_result(
    anthropic_server: ScriptedAnthropicServer,
) -> None:
    nearly_full = {"input_tokens": 20, "cache_read_input_tokens": 178_000, "output_tokens": 9}
    tool_call = tool_use_events([("toolu_1", "Bash", {"command": "echo hello"})])
    tool_call[0] = message_start(usage=nearly_full)
    anthropic_server.add(
        Reply.sse(tool_call),
        Reply.sse(text_message_events(SUMMARY)),
        Reply.sse(text_message_events("Finished.")),
    )
    recorder = MemoryRecorder()
    loop, observer = make_loop(anthropic_server, recorder, Compactor())
    # A long opening message, so the recent call and result fit the tail and it is summarized.
    result = loop.run_turn([TextBlock("Background: " + "lorem ipsum " * 400)])

    assert result.subtype == "success"
    assert result.final_text == "Finished."
    assert len(anthropic_server.requests) == 3
    assert observer.notices[0].startswith("The context is 89% full (178,")
    assert observer.notices[1] == (
        "Compacted: 1 earlier messages are now a summary; the 2 most recent kept as they were."
    )
    continued = sent_messages(anthropic_server, 2)
    assert_api_accepts(continued)
    assert [m["role"] for m in continued] == ["user", "assistant", "user"]
    assert continued[0]["content"][0]["text"] == summary_message_text(SUMMARY)
    assert continued[1]["content"][0]["type"] == "tool_use"
    assert continued[2]["content"][0]["type"] == "tool_result"
    assert continued[2]["content"][0]["tool_use_id"] == "toolu_1"
    # The summary request carried the whole conversation up to the call, with the same tools.
    summary_request = anthropic_server.requests[1].body
    assert summary_request["tools"] == anthropic_server.requests[0].body["tools"]
    assert summary_request["messages"][0]["content"][0]["text"].startswith("Background: ")

    log = decode_log(recorder.data, "memory")
    compaction = next(e for e in log.entries if e["type"] == "compaction")
    assert compaction["trigger"] == "auto"
    assert compaction["context_tokens"] >= 178_029
    messages = logged_messages(log)
    assert messages[0].content[0] == TextBlock("Background: " + "lorem ipsum " * 400)
    rebuilt = compacted_messages(SUMMARY, messages[1:3])
    assert [conversation_message_to_wire(m) for m in rebuilt] == wire_of(loop)[:3]
