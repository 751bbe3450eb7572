"""A turn the API refuses outright is taken back out of the conversation, over real HTTP to
the scripted server: the next request must not carry it, and the session log resumes to the
same conversation. Failures that are not the request's fault keep the content as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.system.entropy import SystemRandom
from domain.auth.errors import NotLoggedIn
from domain.loop.agent_loop import AgentLoop, LoopSettings, TurnResult
from domain.loop.turn_state import TurnState
from domain.messages.api_errors import ApiStatusError
from domain.messages.content import ContentBlock, TextBlock
from domain.messages.retry_policy import RetryPolicy
from domain.messages.wire import conversation_message_to_wire
from domain.sessions.log import RETRACTED, conversation_from_log, decode_log
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.fake_permissions import TableDecider
from tests.fakes.fake_tools import FakeToolRunner
from tests.fakes.memory_recorder import MemoryRecorder
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.sse_script import text_message_events, tool_use_events

TOO_LONG = Reply.error(400, "invalid_request_error", "prompt is too long: 250000 tokens")


@pytest.fixture
def server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=30) as srv:
        yield srv


def make_loop(
    server: ScriptedAnthropicServer, recorder: MemoryRecorder, observer: RecordingObserver
) -> AgentLoop:
    config = ClientConfig(base_url=server.url, retry=RetryPolicy(max_retries=0))
    client = AnthropicClient(config, StaticAuthHeaders({"x-api-key": "k"}), SystemRandom())
    return AgentLoop(
        client=client,
        tools=FakeToolRunner(),
        permissions=TableDecider(),
        prompt=None,
        observer=observer,
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=2048),
        recorder=recorder,
    )


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture
def observer() -> RecordingObserver:
    return RecordingObserver()


@pytest.fixture
def loop(
    server: ScriptedAnthropicServer, recorder: MemoryRecorder, observer: RecordingObserver
) -> AgentLoop:
    return make_loop(server, recorder, observer)


def ask(loop: AgentLoop, *texts: str) -> TurnResult:
    content: list[ContentBlock] = [TextBlock(text=t) for t in texts]
    return loop.run_turn(content)


def sent(server: ScriptedAnthropicServer, number: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = server.requests[number].body["messages"]
    assert not api_problems(messages), api_problems(messages)
    return messages


def texts_in(messages: list[dict[str, Any]]) -> list[str]:
    return [
        block["text"]
        for message in messages
        for block in message["content"]
        if block.get("type") == "text"
    ]


def assert_log_resumes_to(recorder: MemoryRecorder, loop: AgentLoop) -> None:
    resumed = conversation_from_log(decode_log(recorder.data, "log"))
    assert [conversation_message_to_wire(m) for m in resumed.messages] == [
        conversation_message_to_wire(m) for m in loop.conversation.messages
    ]


def test_a_refused_first_turn_is_not_sent_again_with_the_next_one(
    server: ScriptedAnthropicServer,
    loop: AgentLoop,
    recorder: MemoryRecorder,
    observer: RecordingObserver,
) -> None:
    server.add(TOO_LONG, Reply.sse(text_message_events("Short answer.")))
    refused = ask(loop, "an enormous paste")
    assert refused.subtype == "error_during_execution"
    assert isinstance(refused.error, ApiStatusError)
    assert refused.error.status == 400
    assert refused.retracted is True
    assert observer.states[-1] is TurnState.FAILED
    assert loop.conversation.messages == []
    assert [e["type"] for e in recorder.entries] == ["message", RETRACTED, "turn_end"]
    assert recorder.entries[1]["blocks"] == 1
    assert_log_resumes_to(recorder, loop)

    answered = ask(loop, "a short question")
    assert answered.subtype == "success"
    assert answered.retracted is False
    second = sent(server, 1)
    assert second == [{"role": "user", "content": [{"type": "text", "text": "a short question"}]}]
    assert_log_resumes_to(recorder, loop)


def test_only_the_refused_turn_goes_and_the_earlier_exchange_stays(
    server: ScriptedAnthropicServer, loop: AgentLoop, recorder: MemoryRecorder
) -> None:
    server.add(
        Reply.sse(text_message_events("First answer.")),
        Reply.error(413, "request_too_large", "Request exceeds the maximum allowed size."),
        Reply.sse(text_message_events("Third answer.")),
    )
    assert ask(loop, "first").subtype == "success"
    assert ask(loop, "a huge attachment", "and a question").retracted is True
    assert recorder.entries[-2] == {"type": RETRACTED, "blocks": 2}
    assert ask(loop, "third").subtype == "success"
    third = sent(server, 2)
    assert [m["role"] for m in third] == ["user", "assistant", "user"]
    assert texts_in(third) == ["first", "First answer.", "third"]
    assert_log_resumes_to(recorder, loop)


def test_a_retryable_status_keeps_the_content_for_the_next_turn(
    server: ScriptedAnthropicServer, loop: AgentLoop, recorder: MemoryRecorder
) -> None:
    # An overloaded API says nothing against the request: nothing is taken back.
    server.add(
        Reply.error(429, "rate_limit_error", "slow down"),
        Reply.sse(text_message_events("Now it works.")),
    )
    failed = ask(loop, "keep me")
    assert failed.is_error
    assert failed.retracted is False
    assert RETRACTED not in [e["type"] for e in recorder.entries]
    ask(loop, "and me")
    assert texts_in(sent(server, 1)) == ["keep me", "and me"]


def test_a_refusal_after_a_tool_round_trip_keeps_the_turn(
    server: ScriptedAnthropicServer, loop: AgentLoop, recorder: MemoryRecorder
) -> None:
    # The model already answered this turn's content: it is part of the conversation now.
    server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "echo hi"})])),
        Reply.error(400, "invalid_request_error", "tool result too large"),
        Reply.sse(text_message_events("Done.")),
    )
    failed = ask(loop, "run it")
    assert failed.is_error
    assert failed.retracted is False
    assert RETRACTED not in [e["type"] for e in recorder.entries]
    ask(loop, "go on")
    third = sent(server, 2)
    assert [m["role"] for m in third] == ["user", "assistant", "user"]
    assert texts_in(third)[0] == "run it"
    assert texts_in(third)[-1] == "go on"
    assert_log_resumes_to(recorder, loop)


def test_a_refused_turn_after_an_interrupted_one_keeps_the_interrupted_results(
    server: ScriptedAnthropicServer, recorder: MemoryRecorder
) -> None:
    # The interrupted turn leaves tool results at the end; the refused turn's text joins
    # that user message and only the text is taken back out.
    interrupting = RecordingObserver(interrupt_on_tool_start="toolu_1")
    loop = make_loop(server, recorder, interrupting)
    server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "echo hi"})])),
        TOO_LONG,
        Reply.sse(text_message_events("Resumed.")),
    )
    assert ask(loop, "run it").subtype == "interrupted"
    assert ask(loop, "a paste far too long").retracted is True
    [*_, last] = loop.conversation.messages
    assert [b.type for b in last.content] == ["tool_result"]
    assert_log_resumes_to(recorder, loop)
    ask(loop, "continue")
    third = sent(server, 2)
    assert "a paste far too long" not in texts_in(third)
    assert [b["type"] for b in third[-1]["content"]] == ["tool_result", "text"]
    assert_log_resumes_to(recorder, loop)


class _LoginLater:
    """Credentials that are missing until the user logs in (the REPL before /login)."""

    def __init__(self) -> None:
        self.logged_in = False

    def headers(self) -> dict[str, str]:
        if not self.logged_in:
            raise NotLoggedIn
        return {"x-api-key": "k"}

    def refresh_after_unauthorized(self) -> bool:
        return False


def test_a_turn_without_credentials_is_taken_back_and_not_sent_after_login(
    server: ScriptedAnthropicServer, recorder: MemoryRecorder, observer: RecordingObserver
) -> None:
    auth = _LoginLater()
    config = ClientConfig(base_url=server.url, retry=RetryPolicy(max_retries=0))
    loop = AgentLoop(
        client=AnthropicClient(config, auth, SystemRandom()),
        tools=FakeToolRunner(),
        permissions=TableDecider(),
        prompt=None,
        observer=observer,
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=2048),
        recorder=recorder,
    )
    failed = ask(loop, "before login")
    assert failed.subtype == "error_during_execution"
    assert isinstance(failed.error, NotLoggedIn)
    assert failed.retracted
    assert server.requests == []

    auth.logged_in = True
    server.add(Reply.sse(text_message_events("hello")))
    assert ask(loop, "after login").subtype == "success"
    texts = [b["text"] for m in sent(server, 0) for b in m["content"] if b["type"] == "text"]
    assert texts == ["after login"]
