"""Subagents' permission questions, with the loop in process (real tools of the ``kit``
harness, the real policy, the scripted server): asked on the main thread, one at a time,
each naming the agent that asks; Ctrl-C at a subagent's question stops the turn cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.subagents.launcher import INTERRUPTED_REPORT
from adapters.system.entropy import SystemRandom
from adapters.tools.concurrent_runs import ThreadedScheduler
from domain.loop.agent_loop import AgentLoop, LoopSettings
from domain.messages.content import TextBlock, ToolResultBlock
from domain.messages.retry_policy import RetryPolicy
from domain.messages.wire import conversation_message_to_wire
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall
from tests.e2e.subagent_script import PARENT, Router, results_in
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.integration.tool_harness import Harness


class WatchingPrompt:
    """Answers every question with ``answer`` (None: Ctrl-C), noting where and how it was
    asked."""

    def __init__(self, answer: PermissionAnswer | None) -> None:
        self.answer = answer
        self.reasons: list[str] = []
        self.threads: set[str] = set()
        self.active = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        with self._lock:
            self.active += 1
            self.most_at_once = max(self.most_at_once, self.active)
        self.threads.add(threading.current_thread().name)
        self.reasons.append(decision.reason)
        threading.Event().wait(0.2)  # a user reading the question
        with self._lock:
            self.active -= 1
        if self.answer is None:
            raise KeyboardInterrupt
        return self.answer


@pytest.fixture
def router() -> Router:
    def agent(call_id: str, prompt: str) -> tuple[str, str, dict[str, object]]:
        return (call_id, "Agent", {"description": f"task {call_id}", "prompt": prompt})

    return Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent("toolu_1", "First."), agent("toolu_2", "Two.")])),
                Reply.sse(text_message_events("both ran")),
            ],
            "First.": [
                Reply.sse(tool_use_events([("toolu_b1", "Bash", {"command": "echo one"})])),
                Reply.sse(text_message_events("said one")),
            ],
            "Two.": [
                Reply.sse(tool_use_events([("toolu_b2", "Bash", {"command": "echo two"})])),
                Reply.sse(text_message_events("said two")),
            ],
        }
    )


@pytest.fixture
def server(router: Router) -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(responder=router, idle_timeout=30) as srv:
        yield srv


def make_loop(server: ScriptedAnthropicServer, kit: Harness, prompt: WatchingPrompt) -> AgentLoop:
    config = ClientConfig(base_url=server.url, retry=RetryPolicy(max_retries=0))
    policy = PermissionPolicy(
        "default", PermissionRules(), RuleContext(str(kit.root), str(kit.root.parent))
    )
    loop = AgentLoop(
        client=AnthropicClient(config, StaticAuthHeaders({"x-api-key": "k"}), SystemRandom()),
        tools=kit.registry,
        permissions=policy,
        prompt=prompt,
        observer=RecordingObserver(),
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=1024),
        scheduler=ThreadedScheduler(kit.registry, kit.launcher.parts.broker),
    )
    kit.launcher.attach(loop)
    return loop


def test_questions_are_asked_one_at_a_time_on_the_main_thread_naming_the_agent(
    server: ScriptedAnthropicServer, router: Router, kit: Harness
) -> None:
    prompt = WatchingPrompt(PermissionAnswer("allow_once"))
    loop = make_loop(server, kit, prompt)
    result = loop.run_turn([TextBlock(text="run both")])
    assert result.subtype == "success", result.error
    assert prompt.threads == {threading.main_thread().name}
    assert prompt.most_at_once == 1
    assert sorted(prompt.reasons) == [
        f"asked by the general-purpose subagent (task {call}): running `echo {word}` needs "
        "the user's approval in default mode"
        for call, word in (("toolu_1", "one"), ("toolu_2", "two"))
    ]
    assert [r["content"] for r in results_in(router.seen[PARENT][1])] == ["said one", "said two"]
    # The subagents' usage is part of the turn's: 2 parent calls and 2 per subagent.
    assert len(result.subagent_usages) == 2
    assert result.usage.output_tokens == sum(u.output_tokens for u in result.call_usages) + sum(
        u.output_tokens for _, u in result.subagent_usages
    )


def test_ctrl_c_at_a_subagents_question_answers_every_call(
    server: ScriptedAnthropicServer, kit: Harness, workspace: Path
) -> None:
    prompt = WatchingPrompt(None)
    loop = make_loop(server, kit, prompt)
    result = loop.run_turn([TextBlock(text="run both")])
    assert result.subtype == "interrupted"
    messages = loop.conversation.messages
    answered = [b.tool_use_id for b in messages[-1].content if isinstance(b, ToolResultBlock)]
    assert answered == ["toolu_1", "toolu_2"]
    wire = [conversation_message_to_wire(m) for m in messages]
    assert not api_problems(wire), api_problems(wire)
    assert prompt.threads == {threading.main_thread().name}
    # Each stopped subagent answers its call itself, and what it spent counts in the turn.
    contents = [b.content for b in messages[-1].content if isinstance(b, ToolResultBlock)]
    assert all(str(c).startswith(INTERRUPTED_REPORT) for c in contents), contents
    assert [u.output_tokens for _, u in result.subagent_usages] == [7, 7]


def test_a_nested_subagents_question_from_a_worker_names_only_itself(kit: Harness) -> None:
    def agent(call_id: str, prompt: str) -> tuple[str, str, dict[str, object]]:
        return (call_id, "Agent", {"description": f"task {call_id}", "prompt": prompt})

    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent("toolu_m", "Delegate."), agent("toolu_o", "O.")])),
                Reply.sse(text_message_events("done")),
            ],
            "Delegate.": [
                Reply.sse(tool_use_events([agent("toolu_i", "Inner.")])),
                Reply.sse(text_message_events("delegated")),
            ],
            "O.": [Reply.sse(text_message_events("other"))],
            "Inner.": [
                Reply.sse(tool_use_events([("toolu_b", "Bash", {"command": "echo deep"})])),
                Reply.sse(text_message_events("deep said")),
            ],
        }
    )
    prompt = WatchingPrompt(PermissionAnswer("allow_once"))
    with ScriptedAnthropicServer(responder=router, idle_timeout=30) as server:
        result = make_loop(server, kit, prompt).run_turn([TextBlock(text="go")])
    assert result.subtype == "success", result.error
    assert prompt.reasons == [
        "asked by the general-purpose subagent (task toolu_i): running `echo deep` needs the "
        "user's approval in default mode"
    ]
    assert prompt.threads == {threading.main_thread().name}
    assert [r["content"] for r in results_in(router.seen["Delegate."][1])] == ["deep said"]
