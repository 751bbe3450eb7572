"""Row 11: four read-only calls in one assistant message, run concurrently (the threaded
scheduler) against the same message with its calls run one by one (no scheduler).

Each call reads a file that takes 100 ms to be produced: the bench's ``ProducedRead`` asks a
producer for its file, waits until the file exists, then reads it with hexclaw's own Read
tool. The loop runs in-process against the scripted server, so the two sides differ only in
how the calls of the message are run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.system.entropy import SystemRandom
from adapters.tools.concurrent_runs import ThreadedScheduler
from adapters.tools.read import ReadTool
from adapters.tools.registry import ToolRegistry
from adapters.tools.support.file_state import FileStateTracker
from adapters.tools.support.workspace import Workspace
from bench.context import BenchContext
from bench.report import Line, Target
from bench.sampling import interleave, median
from domain.loop.agent_loop import AgentLoop, LoopSettings
from domain.messages.content import JSONObject, TextBlock
from domain.messages.retry_policy import RetryPolicy
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext
from domain.tools.calls import ToolAccess, ToolOutcome
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events

NAME = "parallel_tools"
CALLS = 4
PRODUCE_SECONDS = 0.1


class ProducedRead:
    """Read, for a file that a producer writes ``PRODUCE_SECONDS`` after it is asked for."""

    name = "Read"
    concurrency_safe = True

    def __init__(self, root: Path) -> None:
        self.read = ReadTool(Workspace(root), FileStateTracker())
        self.root = root

    def definition(self) -> JSONObject:
        return self.read.definition()

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        return self.read.access_of(tool_input)

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        target = self.root / str(tool_input["file_path"])
        target.unlink(missing_ok=True)
        timer = threading.Timer(PRODUCE_SECONDS, target.write_text, (f"{target.name}\n",))
        timer.start()
        while not target.exists():
            time.sleep(0.002)
        while not target.read_text():
            time.sleep(0.002)
        return self.read.run(tool_input)


def _reply(request: RecordedRequest) -> Reply:
    if request.body["messages"][-1]["role"] == "user" and len(request.body["messages"]) == 1:
        calls = [(f"toolu_{n}", "Read", {"file_path": f"made-{n}.txt"}) for n in range(CALLS)]
        return Reply.sse(tool_use_events(calls))
    return Reply.sse(text_message_events("All four read."))


def _subject(url: str, root: Path, concurrent: bool) -> Callable[[], float]:
    def once() -> float:
        registry = ToolRegistry([ProducedRead(root)])
        config = ClientConfig(base_url=url, retry=RetryPolicy(max_retries=0))
        loop = AgentLoop(
            client=AnthropicClient(config, StaticAuthHeaders({"x-api-key": "k"}), SystemRandom()),
            tools=registry,
            permissions=PermissionPolicy(
                "default", PermissionRules(), RuleContext(str(root), str(root.parent))
            ),
            prompt=None,
            observer=_Quiet(),
            settings=LoopSettings(model="claude-sonnet-4-5", max_tokens=1024),
            scheduler=ThreadedScheduler(registry) if concurrent else None,
        )
        started = time.perf_counter()
        result = loop.run_turn([TextBlock(text="read the four files")])
        wall = time.perf_counter() - started
        if result.subtype != "success" or result.model_calls != 2:
            raise RuntimeError(f"the turn ended {result.subtype} after {result.model_calls} calls")
        return wall

    return once


class _Quiet:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def run(ctx: BenchContext) -> list[Line]:
    root = ctx.scratch("parallel-tools")
    with ScriptedAnthropicServer(responder=_reply, idle_timeout=300) as server:
        together, alone = interleave(
            ctx.plan, [_subject(server.url, root, True), _subject(server.url, root, False)]
        )
    return [
        Line(
            row=NAME,
            what=f"{CALLS} read-only calls in one message (files made in 100 ms each)",
            unit="s",
            ours=median(together),
            peer="the same calls one by one",
            peer_value=median(alone),
            target=Target("at most", 0.4),
            command=ctx.command(NAME),
            runs=ctx.plan.runs,
        )
    ]
