"""Startup problems are one clear line, never 'internal error': a deleted working directory, a
config home that is a file, a number that is not one, and an oauth block only login needs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if not line.startswith("hexclaw: warning:")]
    assert len(lines) == 1, stderr
    assert "internal error" not in lines[0]
    assert "Traceback" not in stderr
    return lines[0]


def test_a_deleted_working_directory_is_one_line(config_home: Path, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    env = hexclaw_env("http://127.0.0.1:9", config_home)
    # The shell enters the folder, then it disappears before hexclaw looks at it.
    command = f'cd "{gone}" && rmdir "{gone}" && exec "$@"'
    done = subprocess.run(
        ["sh", "-c", command, "sh", *HEXCLAW, "-p", "hi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert line.startswith("hexclaw: the working directory cannot be used (No such file")
    assert "cd to an existing folder" in line


def test_a_config_home_that_is_a_file_is_one_line(tmp_path: Path, workspace: Path) -> None:
    not_a_folder = tmp_path / "config-file"
    not_a_folder.write_text("oops")
    env = hexclaw_env(
        "http://127.0.0.1:9", tmp_path / "unused", CLAUDE_CONFIG_HOME=str(not_a_folder)
    )
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 1
    assert one_error_line(done.stderr) == (
        f"hexclaw: {not_a_folder / 'settings.json'}: cannot read settings: {not_a_folder} is "
        "not a folder"
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "lots"])
def test_a_number_variable_that_is_not_a_number_is_named_and_ignored(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, value: str
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("fine")))
    env = hexclaw_env(anthropic_server.url, config_home, HEXCLAW_MAX_RETRIES=value)
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fine"
    assert done.stderr.splitlines() == [
        f"hexclaw: warning: HEXCLAW_MAX_RETRIES must be a number, zero or more; got {value!r} "
        "(using 2)"
    ]


def test_a_broken_oauth_block_only_matters_to_what_uses_oauth(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    settings = config_home / "settings.json"
    settings.write_text(json.dumps({"oauth": {"callbackPort": "eighty"}}))
    anthropic_server.add(Reply.sse(text_message_events("answered with the key")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "answered with the key"

    problem = f"hexclaw: {settings}: oauth.callbackPort: must be a whole number"
    without_key = dict(env)
    del without_key["ANTHROPIC_API_KEY"]
    done = run_hexclaw(["-p", "hi"], without_key, workspace)
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith(problem)
    done = run_hexclaw(["login", "--no-browser"], env, workspace)
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith(problem)
    assert len(anthropic_server.requests) == 1
