"""The permission question in a real terminal (tmux) cannot be spoofed: a command padded with
U+2800 blanks, or reordered by a bidi override, is shown whole, wrapped, with every hidden
character named, so the part that would run is on screen when the user answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_repl_tmux import ask, start
from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events

pytestmark = [pytest.mark.tmux, pytest.mark.timeout(60)]


@pytest.fixture
def tmux() -> Iterator[TmuxDriver]:
    driver = TmuxDriver(width=100, height=50)
    try:
        yield driver
    finally:
        driver.close()


@pytest.mark.parametrize(
    "padding",
    ["\u2800" * 150, "\u3164" * 150, "\u200b\u202e" * 60],
    ids=["braille", "hangul", "bidi"],
)
def test_a_padded_command_shows_the_part_that_would_run(
    tmux: TmuxDriver,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    padding: str,
) -> None:
    command = f"git status{padding}; touch pwned"
    call = ("toolu_01", "Bash", {"command": command})
    anthropic_server.add(
        Reply.sse(tool_use_events([call])), Reply.sse(text_message_events("Not run."))
    )
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "status please")
    screen = tmux.wait_for("Run this command?", timeout=10)
    flat = re.sub(r"\s+", "", screen)
    hidden = padding[0]
    assert hidden not in screen
    assert f"⟨U+{ord(hidden):04X}⟩" in flat
    assert "touchpwned" in re.sub(r"⟨[^⟩]*⟩", "", flat)
    tmux.send("n")
    tmux.wait_for("Tell the model why", timeout=5)
    tmux.send("Enter")
    tmux.wait_for("Not run.", timeout=10, history=200)
    assert not (workspace / "pwned").exists()
    result = anthropic_server.requests[1].body["messages"][-1]["content"][0]
    assert result["is_error"] is True
