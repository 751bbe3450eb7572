"""Thinking in the real REPL (tmux): Tab turns it off and on, /effort sets the effort level,
and thinking blocks are folded unless ``showThinking`` is set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_repl_tmux import start
from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    block_start,
    block_stop,
    message_delta,
    message_start,
    message_stop,
    text_delta,
    text_message_events,
    thinking_events,
)

pytestmark = [pytest.mark.tmux, pytest.mark.timeout(90)]


@pytest.fixture
def tmux() -> Iterator[TmuxDriver]:
    # Wider than the other REPL tests: the bottom line also says whether thinking is on.
    driver = TmuxDriver(width=140, height=40)
    try:
        yield driver
    finally:
        driver.close()


def test_tab_turns_thinking_off_and_on_for_the_next_prompts(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events("first")),
        Reply.sse(text_message_events("second")),
    )
    start(tmux, anthropic_server, config_home, workspace)
    tmux.wait_for("thinking on", timeout=5)
    tmux.send("Tab")
    tmux.wait_for("thinking off", timeout=5)
    tmux.type("hello there")
    tmux.send("Enter")
    tmux.wait_for("first", timeout=10)
    assert anthropic_server.requests[0].body["thinking"] == {"type": "disabled"}
    tmux.send("Tab")
    tmux.wait_for("thinking on", timeout=5)
    tmux.type("and again")
    tmux.send("Enter")
    tmux.wait_for("second", timeout=10)
    assert anthropic_server.requests[1].body["thinking"] == {
        "type": "enabled",
        "budget_tokens": 31999,
    }


def test_tab_still_completes_a_slash_command(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    start(tmux, anthropic_server, config_home, workspace)
    tmux.type("/effo")
    tmux.send("Tab")
    tmux.wait_for("/effort", timeout=5)
    screen = tmux.screen()
    assert "thinking on" in screen  # the Tab completed; it did not toggle


def test_effort_command_sets_the_level_the_next_request_sends(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("done")))
    start(tmux, anthropic_server, config_home, workspace, "--model", "claude-opus-5")
    tmux.type("/effort xhigh")
    tmux.send("Enter")
    tmux.wait_for("effort xhigh", timeout=5)
    tmux.type("/effort extreme")
    tmux.send("Enter")
    tmux.wait_for("not 'extreme'", timeout=5)
    tmux.type("go")
    tmux.send("Enter")
    tmux.wait_for("done", timeout=10)
    body = anthropic_server.requests[0].body
    assert body["thinking"] == {"type": "adaptive"}
    assert body["output_config"] == {"effort": "xhigh"}


def test_effort_on_a_model_without_it_is_one_line(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    start(tmux, anthropic_server, config_home, workspace)
    tmux.type("/effort high")
    tmux.send("Enter")
    tmux.wait_for("claude-sonnet-4-5 takes no effort level", timeout=5)


@pytest.mark.parametrize("show", [False, True])
def test_thinking_is_folded_unless_show_thinking_is_set(
    tmux: TmuxDriver,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    show: bool,
) -> None:
    if show:
        (config_home / "settings.json").write_text(json.dumps({"showThinking": True}))
    redacted = [
        message_start("msg_red"),
        block_start(0, {"type": "redacted_thinking", "data": "opaque"}),
        block_stop(0),
        block_start(1, {"type": "text", "text": ""}),
        text_delta(1, "After a secret thought."),
        block_stop(1),
        message_delta("end_turn"),
        message_stop(),
    ]
    anthropic_server.add(
        Reply.sse(thinking_events("weighing the options\nstep two", "sig-1", "The answer.")),
        Reply.sse(redacted),
    )
    start(tmux, anthropic_server, config_home, workspace)
    tmux.type("question")
    tmux.send("Enter")
    screen = tmux.wait_for("The answer.", timeout=10)
    if show:
        assert "weighing the options" in screen
    else:
        assert "Thought for 2 lines" in screen
        assert "weighing the options" not in screen
    tmux.type("another")
    tmux.send("Enter")
    screen = tmux.wait_for("After a secret thought.", timeout=10)
    assert "Thinking (redacted by the API)" in screen
