"""The REPL reading piped lines: a project command's !`cmd` asks before it runs, shows the
command line, and a "no" runs nothing."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw


def test_a_project_commands_bang_line_is_shown_and_asked_about(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    command = workspace / ".claude" / "commands" / "setup.md"
    command.parent.mkdir(parents=True)
    command.write_text(f"---\nallowed-tools: Bash(touch:*)\n---\nDone: !`touch {marker}`\n")
    anthropic_server.add(*(Reply.sse(text_message_events(f"ok {i}")) for i in range(3)))
    env = hexclaw_env(anthropic_server.url, config_home)

    done = run_hexclaw([], env, workspace, stdin="/setup\nn\n", timeout=30)
    assert done.returncode == 0, done.stderr
    assert f"/setup runs:\n  !`touch {marker}`" in done.stdout
    assert not marker.exists()

    done = run_hexclaw([], env, workspace, stdin="/setup\ny\n/setup\n", timeout=30)
    assert done.returncode == 0, done.stderr
    assert marker.exists()
    assert done.stdout.count("Approve this exact content") == 1  # asked once, then pinned
    marker.unlink()

    command.write_text(command.read_text() + "Again: !`touch also`\n")
    done = run_hexclaw([], env, workspace, stdin="/setup\nn\n", timeout=30)
    assert "changed since you approved it" in done.stdout
    assert "+Again: !`touch also`" in done.stdout
    assert not marker.exists()


def test_a_project_skill_with_scripts_is_asked_about_at_start(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    folder = workspace / ".claude" / "skills" / "deploy"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\ndescription: Deploy the app\n---\nRun deploy.sh\n")
    (folder / "deploy.sh").write_text("#!/bin/sh\necho DEPLOY-SCRIPT-BODY\n")
    anthropic_server.add(*(Reply.sse(text_message_events("ok")) for _ in range(2)))
    env = hexclaw_env(anthropic_server.url, config_home)

    done = run_hexclaw([], env, workspace, stdin="n\nhi\n", timeout=30)
    assert done.returncode == 0, done.stderr
    assert "DEPLOY-SCRIPT-BODY" in done.stdout  # exactly what would run is shown
    system = str(anthropic_server.requests[-1].body["system"])
    assert "- deploy: Deploy the app" not in system

    done = run_hexclaw([], env, workspace, stdin="y\nhi\n", timeout=30)
    assert done.returncode == 0, done.stderr
    system = str(anthropic_server.requests[-1].body["system"])
    assert "- deploy: Deploy the app" in system
