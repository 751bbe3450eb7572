"""Files that come with a project are read as regular files and only so far: a settings file
that is ``/dev/zero``, a FIFO or huge, a CLAUDE.md that is a FIFO or a device, are refused with
one clear line (or skipped with a note), never read without end."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw


def claude_dir(workspace: Path) -> Path:
    folder = workspace / ".claude"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "huge"])
def test_a_projects_settings_file_that_is_not_a_small_file_is_one_clear_error(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, kind: str
) -> None:
    settings = claude_dir(workspace) / "settings.json"
    if kind == "dev-zero":
        settings.symlink_to("/dev/zero")
        expected = f"hexclaw: {settings}: is a device, not a settings file"
    elif kind == "fifo":
        os.mkfifo(settings)
        expected = f"hexclaw: {settings}: is a FIFO, not a settings file"
    else:
        settings.write_text(json.dumps({"model": "m", "pad": "x" * (2 << 20)}))
        expected = f"hexclaw: {settings}: settings file is over 1024 KiB; not read"
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi"], env, workspace, timeout=20)
    assert done.returncode != 0
    assert done.stderr.strip() == expected
    assert anthropic_server.requests == []


def test_an_instruction_file_that_is_a_fifo_or_device_is_skipped_with_a_note(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    os.mkfifo(workspace / "CLAUDE.md")
    (claude_dir(workspace) / "CLAUDE.md").write_text("Real rules.\n@zero.md\n")
    (workspace / "zero.md").symlink_to("/dev/zero")
    anthropic_server.add(Reply.sse(text_message_events("hello")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi"], env, workspace, timeout=20)
    assert done.returncode == 0, done.stderr
    system = json.dumps(anthropic_server.requests[0].body["system"])
    assert "Real rules." in system
    assert "\\u0000" not in system


def test_the_users_own_settings_may_come_from_a_stream(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """``--settings <(…)`` is a FIFO the user made; only a project's files must be regular."""
    fifo = tmp_path / "settings-stream"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w") as stream:
            stream.write(json.dumps({"model": "claude-from-a-stream"}))

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    anthropic_server.add(Reply.sse(text_message_events("hello")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi", "--settings", str(fifo)], env, workspace)
    writer.join(timeout=10)
    assert done.returncode == 0, done.stderr
    assert anthropic_server.requests[0].body["model"] == "claude-from-a-stream"
