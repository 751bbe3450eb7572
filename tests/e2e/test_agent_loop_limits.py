"""The loop's per-turn limit from the command line and from settings, with hexclaw as a
subprocess against a scripted server that asks for a tool call forever."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


@pytest.fixture
def endless() -> Iterator[ScriptedAnthropicServer]:
    count = {"n": 0}

    def another_call(_: RecordedRequest) -> Reply:
        count["n"] += 1
        return Reply.sse(tool_use_events([(f"toolu_{count['n']}", "Bash", {"command": "ls"})]))

    with ScriptedAnthropicServer(responder=another_call, idle_timeout=30) as server:
        yield server


def run_json(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path, *args: str
) -> dict[str, object]:
    env = hexclaw_env(server.url, config_home)
    done = run_hexclaw(["-p", "loop", "--output-format", "json", *args], env, workspace)
    assert done.returncode == 1, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_max_turns_from_settings_stops_the_turn(
    endless: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "settings.json").write_text(json.dumps({"maxTurns": 2}))
    result = run_json(endless, config_home, workspace)
    assert (result["subtype"], result["num_turns"], result["is_error"]) == (
        "error_max_turns",
        2,
        True,
    )
    assert len(endless.requests) == 2
    assert not api_problems(endless.requests[1].body["messages"])


def test_the_flag_wins_over_the_setting(
    endless: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "settings.json").write_text(json.dumps({"maxTurns": 2}))
    result = run_json(endless, config_home, workspace, "--max-turns", "3")
    assert (result["subtype"], result["num_turns"]) == ("error_max_turns", 3)
    assert len(endless.requests) == 3


def test_max_tokens_from_settings_is_sent(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")), Reply.sse(text_message_events("ok")))
    (config_home / "settings.json").write_text(json.dumps({"maxTokens": 1234}))
    env = hexclaw_env(anthropic_server.url, config_home)
    assert run_hexclaw(["-p", "hi"], env, workspace).returncode == 0
    assert run_hexclaw(["-p", "hi", "--max-tokens", "99"], env, workspace).returncode == 0
    assert [r.body["max_tokens"] for r in anthropic_server.requests] == [1234, 99]
