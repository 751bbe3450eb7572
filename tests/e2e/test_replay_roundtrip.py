"""hexclaw --record, then --replay in another folder: a tool-use session, offline and keyless."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from adapters.cassettes.file import load_cassette
from domain.cassettes.storage import WORKSPACE_PLACEHOLDER
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import ROOT, hexclaw_env, run_hexclaw

PROMPT = "What does notes.txt say?"
TOOLS = ["--allowedTools", "Read"]  # print mode offers tools only when asked
KEY = "sk-ant-api03-" + "r" * 40


def _offline_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_", "HEXCLAW_"))
    }
    env.update(CLAUDE_CONFIG_HOME=str(home), NO_COLOR="1", PYTHONPATH=str(ROOT))
    return env


def _record(tmp_path: Path) -> tuple[Path, Path, dict[str, object]]:
    recorded_in = tmp_path / "recorded-here"
    recorded_in.mkdir()
    (recorded_in / "notes.txt").write_text("alpha\n")
    home = tmp_path / "home"
    home.mkdir()
    cassette = tmp_path / "bug-report.yaml"
    notes = str(recorded_in.resolve() / "notes.txt")
    script = [
        Reply.sse(tool_use_events([("toolu_01", "Read", {"file_path": notes})], "Reading it.")),
        Reply.sse(text_message_events("It says alpha.")),
    ]
    with ScriptedAnthropicServer(script) as server:
        done = run_hexclaw(
            ["-p", PROMPT, *TOOLS, "--output-format", "json", "--record", str(cassette)],
            hexclaw_env(server.url, home, ANTHROPIC_API_KEY=KEY),
            recorded_in,
        )
    assert done.returncode == 0, done.stderr
    return recorded_in, cassette, json.loads(done.stdout)


def test_a_recorded_tool_session_replays_in_another_folder_without_a_key(tmp_path: Path) -> None:
    recorded_in, cassette, live = _record(tmp_path)
    text = cassette.read_text()
    assert KEY not in text
    assert str(recorded_in.resolve()) not in text
    interactions = load_cassette(cassette).interactions
    assert len(interactions) == 2
    second = json.loads(interactions[1].request.body)
    tool_result = second["messages"][2]["content"][0]
    assert tool_result["type"] == "tool_result"
    assert "alpha" in json.dumps(tool_result["content"])  # the Read really ran
    assert f"{WORKSPACE_PLACEHOLDER}/notes.txt" in json.dumps(second["messages"][1])

    elsewhere = tmp_path / "somewhere-else"
    shutil.copytree(recorded_in, elsewhere)
    home = tmp_path / "replay-home"
    home.mkdir()
    done = run_hexclaw(
        ["-p", PROMPT, *TOOLS, "--output-format", "json", "--replay", str(cassette)],
        _offline_env(home),
        elsewhere,
    )
    assert (done.returncode, done.stderr) == (0, "")
    replayed = json.loads(done.stdout)
    assert replayed["result"] == live["result"] == "It says alpha."
    assert replayed["num_turns"] == 2


def test_a_replay_whose_tool_result_changed_says_which_request_and_field(tmp_path: Path) -> None:
    recorded_in, cassette, _ = _record(tmp_path)
    (recorded_in / "notes.txt").write_text("beta\n")
    home = tmp_path / "replay-home"
    home.mkdir()
    args = ["-p", PROMPT, *TOOLS, "--replay", str(cassette)]
    done = run_hexclaw(args, _offline_env(home), recorded_in)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "hexclaw: replay stopped: request 2 of 2 in the cassette (POST /v1/messages) does not "
        "match: body.messages[2].content[0].content"
    )
    assert "alpha" in lines[0]
    assert "beta" in lines[0]


def test_bad_cassette_flags_are_one_line_each(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _offline_env(home)
    both = run_hexclaw(["-p", "hi", "--record", "a.yaml", "--replay", "b.yaml"], env, tmp_path)
    assert both.returncode == 2
    assert both.stderr == "hexclaw: --record and --replay cannot be used together\n"
    missing = run_hexclaw(["-p", "hi", "--replay", "nope.yaml"], env, tmp_path)
    assert missing.returncode == 1
    assert missing.stderr == "hexclaw: cannot use the cassette nope.yaml: no such file\n"
    (tmp_path / "bad.yaml").write_text("interactions: [\n")
    broken = run_hexclaw(["-p", "hi", "--replay", "bad.yaml"], env, tmp_path)
    assert broken.returncode == 1
    assert broken.stderr.startswith(
        "hexclaw: cannot use the cassette bad.yaml: it is not valid YAML"
    )
