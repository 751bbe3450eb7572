"""The REPL in a real terminal (tmux): project hooks are shown and asked about before anything
runs, a changed file asks again with the difference; custom commands, /hooks and /agents."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import HEXCLAW, hexclaw_env

pytestmark = [pytest.mark.tmux, pytest.mark.timeout(90)]
READY = re.compile(r"context \S+/200\.0k")
QUESTION = "Approve this exact content"


@pytest.fixture
def tmux() -> Iterator[TmuxDriver]:
    driver = TmuxDriver(width=140, height=45)
    try:
        yield driver
    finally:
        driver.close()


def launch(tmux: TmuxDriver, server: ScriptedAnthropicServer, home: Path, cwd: Path) -> None:
    tmux.start([*HEXCLAW], hexclaw_env(server.url, home), cwd)


def hostile(workspace: Path, marker: Path) -> Path:
    settings = workspace / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    hook = {"hooks": [{"type": "command", "command": f"touch '{marker}'"}]}
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [hook]}}, indent=1))
    return settings


def send_prompt(tmux: TmuxDriver, text: str) -> None:
    tmux.type(text)
    tmux.send("Enter")


def test_project_hooks_are_asked_about_and_a_change_asks_again(
    tmux: TmuxDriver,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    marker = tmp_path / "hook-ran"
    settings = hostile(workspace, marker)
    anthropic_server.add(*(Reply.sse(text_message_events(f"answer {i}")) for i in range(3)))

    launch(tmux, anthropic_server, config_home, workspace)
    screen = tmux.wait_for(QUESTION, timeout=15)
    assert "project hooks .claude/settings.json would run:" in screen
    assert f"UserPromptSubmit: touch '{marker}'" in screen
    tmux.type("n")
    tmux.send("Enter")
    tmux.wait_for(READY, timeout=15)
    send_prompt(tmux, "first")
    tmux.wait_for("answer 0", timeout=15)
    assert not marker.exists()
    tmux.close()

    tmux2 = TmuxDriver(width=140, height=45)
    try:
        launch(tmux2, anthropic_server, config_home, workspace)
        tmux2.wait_for(QUESTION, timeout=15)
        tmux2.type("y")
        tmux2.send("Enter")
        tmux2.wait_for(READY, timeout=15)
        send_prompt(tmux2, "second")
        tmux2.wait_for("answer 1", timeout=15)
        assert marker.exists()
    finally:
        tmux2.close()
    marker.unlink()

    settings.write_text(settings.read_text().replace("touch", "touch /tmp/evil-unused"))
    tmux3 = TmuxDriver(width=140, height=45)
    try:
        launch(tmux3, anthropic_server, config_home, workspace)
        screen = tmux3.wait_for(QUESTION, timeout=15)
        assert "changed since you approved it" in screen
        assert "/tmp/evil-unused" in screen
        tmux3.type("n")
        tmux3.send("Enter")
        tmux3.wait_for(READY, timeout=15)
        send_prompt(tmux3, "third")
        tmux3.wait_for("answer 2", timeout=15)
        assert not marker.exists()
    finally:
        tmux3.close()


def test_custom_commands_hooks_and_agents_in_the_repl(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    commands = config_home / "commands"
    commands.mkdir()
    (commands / "greet.md").write_text(
        "---\ndescription: Greet someone\nargument-hint: NAME\n---\nSay hello to $0.\n"
    )
    (config_home / "settings.json").write_text(
        json.dumps({"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "true"}]}]}})
    )
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "reviewer.md").write_text(
        "---\nname: reviewer\ndescription: Reviews diffs\ntools: Read, Grep\n---\nReview.\n"
    )
    anthropic_server.add(Reply.sse(text_message_events("hello sent")))
    launch(tmux, anthropic_server, config_home, workspace)
    tmux.wait_for(READY, timeout=15)

    send_prompt(tmux, "/help")
    tmux.wait_for("Keys", timeout=10)
    assert re.search(r"/greet NAME\s+Greet someone \(user\)", tmux.screen(history=80))

    send_prompt(tmux, "/hooks")
    screen = tmux.wait_for("Stop: true", timeout=10)
    assert str(config_home / "settings.json") in screen

    send_prompt(tmux, "/agents")
    tmux.wait_for("- reviewer: Reviews diffs (Tools: Read, Grep)", timeout=10)

    tmux.type("/gre")
    tmux.wait_for("/gre", timeout=10)
    tmux.send("Tab")
    tmux.wait_for(re.compile(r"> /greet\s*$", re.M), timeout=10)
    tmux.type(" Ada")
    tmux.send("Enter")
    tmux.wait_for("hello sent", timeout=15)
    content = anthropic_server.requests[-1].body["messages"][-1]["content"]
    texts = [b["text"] for b in content if b.get("type") == "text"]
    assert texts[0].startswith("<command-message>greet</command-message>")
    assert "Say hello to Ada.\n" in texts


def test_notification_fires_before_a_permission_question(
    tmux: TmuxDriver,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    from tests.e2e.hook_scripts import hook, python_command, read_log, settings_with, write_scripts
    from tests.fakes.sse_script import tool_use_events

    logger, _ = write_scripts(tmp_path / "hooks")
    log = tmp_path / "notify.jsonl"
    (config_home / "settings.json").write_text(
        settings_with(hook("Notification", python_command(logger, str(log))))
    )
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "touch made"})])),
        Reply.sse(text_message_events("fine")),
    )
    launch(tmux, anthropic_server, config_home, workspace)
    tmux.wait_for(READY, timeout=15)
    send_prompt(tmux, "make it")
    tmux.wait_for("touch made", timeout=15)
    tmux.send("Escape")
    tmux.wait_for("Tell the model why", timeout=10)
    tmux.send("Enter")
    tmux.wait_for("fine", timeout=15)
    (entry,) = read_log(log)
    assert entry["notification_type"] == "permission_prompt"
    assert entry["message"] == "Claude needs your permission to use Bash"
    assert not (workspace / "made").exists()
