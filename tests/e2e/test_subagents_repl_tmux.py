"""Subagents in the REPL in a real terminal (tmux): a live line while one runs, its question
naming the agent in the permission menu, and its report folded."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.subagent_script import PARENT, Router
from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env

pytestmark = [pytest.mark.tmux, pytest.mark.timeout(90)]
READY = re.compile(r"context \S+/200\.0k")


@pytest.fixture
def tmux() -> Iterator[TmuxDriver]:
    driver = TmuxDriver(width=140, height=45)
    try:
        yield driver
    finally:
        driver.close()


def test_a_running_subagent_has_a_live_line_and_its_question_names_it(
    tmux: TmuxDriver, config_home: Path, workspace: Path
) -> None:
    prompt = "Say hello with echo."
    release = threading.Event()

    def gate(key: str) -> None:
        # The subagent's second request waits, so its live line can be looked at.
        if key == prompt and router.seen[prompt][-1:] and len(router.seen[prompt]) == 2:
            release.wait(20)

    call = {"description": "greet the world", "prompt": prompt}
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([("toolu_a", "Agent", call)])),
                Reply.sse(text_message_events("The subagent greeted.")),
            ],
            prompt: [
                Reply.sse(tool_use_events([("toolu_b", "Bash", {"command": "echo hello"})])),
                Reply.sse(text_message_events("I said hello.")),
            ],
        },
        gate=gate,
    )
    with ScriptedAnthropicServer(responder=router, idle_timeout=60) as server:
        tmux.start([*HEXCLAW], hexclaw_env(server.url, config_home), workspace)
        tmux.wait_for(READY, timeout=15)
        tmux.type("greet")
        tmux.send("Enter")
        screen = tmux.wait_for("Run this command?", timeout=20)
        assert "asked by the general-purpose subagent (greet the world)" in screen
        assert "echo hello" in screen
        tmux.type("y")
        screen = tmux.wait_for(re.compile(r"general-purpose\(greet the world\) · 1 tool use"), 15)
        assert "Bash(echo hello)" in screen
        release.set()
        screen = tmux.wait_for("The subagent greeted.", timeout=20)
        assert "I said hello." in screen
        assert "⎿  Done (1 tool use" in screen


def test_ctrl_c_during_a_subagent_returns_to_the_prompt_with_a_valid_conversation(
    tmux: TmuxDriver, config_home: Path, workspace: Path
) -> None:
    prompt = "Think for long."
    slow = Reply.sse(text_message_events("slowly " * 400), chunk_size=60, delay_between_chunks=0.05)
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [("toolu_a", "Agent", {"description": "ponder", "prompt": prompt})]
                    )
                ),
                Reply.sse(text_message_events("Fine, moving on.")),
            ],
            prompt: [slow],
        }
    )
    with ScriptedAnthropicServer(responder=router, idle_timeout=60) as server:
        tmux.start([*HEXCLAW], hexclaw_env(server.url, config_home), workspace)
        tmux.wait_for(READY, timeout=15)
        tmux.type("ponder")
        tmux.send("Enter")
        tmux.wait_for(re.compile(r"general-purpose\(ponder\) · 0 tool uses"), timeout=20)
        tmux.send("C-c")
        tmux.wait_for("Interrupted", timeout=15)
        tmux.wait_for(READY, timeout=15)
        tmux.type("go on")
        tmux.send("Enter")
        tmux.wait_for("Fine, moving on.", timeout=20)
    last = router.seen[PARENT][-1].body["messages"]
    assert not api_problems(last), api_problems(last)
    assert "interrupted" in json.dumps(last[2]["content"])
