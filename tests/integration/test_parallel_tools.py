"""Read-only calls of one message run concurrently: the agent loop over real HTTP (the
scripted server), the real tools of the ``kit`` harness and the threaded scheduler."""

from __future__ import annotations

import _thread
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.system.entropy import SystemRandom
from adapters.tools.concurrent_runs import ThreadedScheduler
from adapters.tools.support.tool_base import UnguardedTool
from domain.loop.agent_loop import INTERRUPTED_RESULT, NOT_STARTED_RESULT, AgentLoop, LoopSettings
from domain.messages.content import JSONObject, TextBlock, ToolResultBlock
from domain.messages.retry_policy import RetryPolicy
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext
from domain.tools.calls import ToolOutcome
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.integration.tool_harness import Harness


class Rendezvous(UnguardedTool):
    """A read-only tool whose calls finish only when ``parties`` of them run at once."""

    name = "Rendezvous"
    description = "waits for the other calls"
    input_schema: ClassVar[JSONObject] = {"type": "object", "properties": {}}
    concurrency_safe = True

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=5)
        self.started = threading.Semaphore(0)

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        self.started.release()
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return ToolOutcome(content="ran alone", is_error=True)
        return ToolOutcome(content=f"met {tool_input.get('n')}")


class Stuck(UnguardedTool):
    """A read-only tool that never finishes by itself (until ``release``)."""

    name = "Stuck"
    description = "never returns"
    input_schema: ClassVar[JSONObject] = {"type": "object", "properties": {}}
    concurrency_safe = True

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        self.started.set()
        self.release.wait(30)
        return ToolOutcome(content="late")


@pytest.fixture
def server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=30) as srv:
        yield srv


def make_loop(
    server: ScriptedAnthropicServer, kit: Harness, mode: str = "default"
) -> tuple[AgentLoop, RecordingObserver]:
    config = ClientConfig(base_url=server.url, retry=RetryPolicy(max_retries=0))
    client = AnthropicClient(config, StaticAuthHeaders({"x-api-key": "sk-test"}), SystemRandom())
    policy = PermissionPolicy(
        "acceptEdits" if mode == "acceptEdits" else "default",
        PermissionRules(),
        RuleContext(workspace=str(kit.root), home=str(kit.root.parent)),
    )
    observer = RecordingObserver()
    loop = AgentLoop(
        client=client,
        tools=kit.registry,
        permissions=policy,
        prompt=None,
        observer=observer,
        settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=1024),
        scheduler=ThreadedScheduler(kit.registry),
    )
    return loop, observer


def results(server: ScriptedAnthropicServer, number: int) -> list[dict[str, Any]]:
    messages = server.requests[number].body["messages"]
    assert not api_problems(messages), api_problems(messages)
    return [b for b in messages[-1]["content"] if b["type"] == "tool_result"]


def test_four_reads_in_one_message_answer_in_the_calls_order(
    server: ScriptedAnthropicServer, kit: Harness, workspace: Path
) -> None:
    for n in range(4):
        # Big first files, small last ones: finishing order would differ from call order.
        (workspace / f"f{n}.txt").write_text(f"file {n}\n" * (4000 // (n + 1)))
    calls = [(f"toolu_{n}", "Read", {"file_path": f"f{n}.txt"}) for n in range(4)]
    server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("read")))
    loop, observer = make_loop(server, kit)
    result = loop.run_turn([TextBlock(text="read them")])
    assert result.subtype == "success"
    answered = results(server, 1)
    assert [b["tool_use_id"] for b in answered] == [f"toolu_{n}" for n in range(4)]
    for n, block in enumerate(answered):
        assert block["content"].splitlines()[0].endswith(f"file {n}"), block["content"][:40]
    # Every start is shown before the batch runs, every end after it, in the calls' order.
    assert observer.tool_events == [("start", f"toolu_{n}") for n in range(4)] + [
        ("end", f"toolu_{n}") for n in range(4)
    ]


def test_read_only_calls_really_overlap(server: ScriptedAnthropicServer, kit: Harness) -> None:
    meeting = Rendezvous(3)
    kit.registry.add(meeting)
    calls = [(f"toolu_{n}", "Rendezvous", {"n": n}) for n in range(3)]
    server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("met")))
    loop, _ = make_loop(server, kit)
    assert loop.run_turn([TextBlock(text="meet")]).subtype == "success"
    assert [b["content"] for b in results(server, 1)] == ["met 0", "met 1", "met 2"]


def test_a_write_between_reads_splits_the_batch(
    server: ScriptedAnthropicServer, kit: Harness, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("old\n")
    calls = [
        ("toolu_1", "Read", {"file_path": "a.txt"}),
        ("toolu_2", "Write", {"file_path": "a.txt", "content": "new\n"}),
        ("toolu_3", "Read", {"file_path": "a.txt"}),
    ]
    server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    loop, observer = make_loop(server, kit, mode="acceptEdits")
    assert loop.run_turn([TextBlock(text="go")]).subtype == "success"
    contents = [b["content"] for b in results(server, 1)]
    assert contents[0].endswith("old"), contents
    assert contents[2].endswith("new"), contents
    assert observer.tool_events == [
        ("start", "toolu_1"),
        ("end", "toolu_1"),
        ("start", "toolu_2"),
        ("end", "toolu_2"),
        ("start", "toolu_3"),
        ("end", "toolu_3"),
    ]


def test_ctrl_c_during_a_batch_answers_every_call(
    server: ScriptedAnthropicServer, kit: Harness, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("alpha\n")
    stuck = Stuck()
    kit.registry.add(stuck)
    calls = [
        ("toolu_1", "Read", {"file_path": "a.txt"}),
        ("toolu_2", "Stuck", {}),
        ("toolu_3", "Bash", {"command": "echo never"}),
    ]
    server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("after")))
    loop, _ = make_loop(server, kit)

    def press_ctrl_c() -> None:
        stuck.started.wait(10)
        time.sleep(1.0)  # the Read beside it is done by then
        _thread.interrupt_main()

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    try:
        result = loop.run_turn([TextBlock(text="go")])
    finally:
        stuck.release.set()
    assert result.subtype == "interrupted"
    last = loop.conversation.messages[-1]
    answered = {b.tool_use_id: b.content for b in last.content if isinstance(b, ToolResultBlock)}
    assert list(answered) == ["toolu_1", "toolu_2", "toolu_3"]
    assert str(answered["toolu_1"]).endswith("alpha")
    assert answered["toolu_2"] == INTERRUPTED_RESULT
    assert answered["toolu_3"] == NOT_STARTED_RESULT
    # The next turn sends a conversation the API accepts.
    assert loop.run_turn([TextBlock(text="again")]).subtype == "success"
    results(server, 1)


def test_at_most_the_bound_runs_at_once_and_results_keep_their_order(kit: Harness) -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def job(n: int) -> Callable[[], ToolOutcome]:
        def run() -> ToolOutcome:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05 * (6 - n))  # the first ones finish last
            with lock:
                running -= 1
            return ToolOutcome(content=f"job {n}")

        return run

    scheduler = ThreadedScheduler(kit.registry, max_workers=4)
    outcomes = scheduler.run_all([job(n) for n in range(6)])
    assert [o.content for o in outcomes] == [f"job {n}" for n in range(6)]
    assert most == 4
