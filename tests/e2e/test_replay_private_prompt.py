"""A cassette never holds the system prompt: the user's global and project CLAUDE.md (and
hexclaw's own prompt) stay on the machine that recorded it, and the cassette still replays."""

from __future__ import annotations

import json
import os
from pathlib import Path

from adapters.cassettes.file import load_cassette
from domain.cassettes.storage import SYSTEM_PLACEHOLDER
from domain.context.system_prompt import IDENTITY
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import ROOT, hexclaw_env, run_hexclaw

GLOBAL_SECRET = "my-private-global-note-4711"
PROJECT_SECRET = "project-internal-codename-bluejay"
PROMPT = "What does notes.txt say?"


def test_no_recorded_request_holds_the_system_prompt_and_the_replay_still_matches(
    tmp_path: Path,
) -> None:
    home = tmp_path / "claude-home"
    home.mkdir()
    (home / "CLAUDE.md").write_text(f"Always remember {GLOBAL_SECRET}.\n")
    workspace = tmp_path / "project"
    workspace.mkdir()
    (workspace / "CLAUDE.md").write_text(f"This is {PROJECT_SECRET}.\n")
    (workspace / "notes.txt").write_text("alpha\n")
    cassette = tmp_path / "session.yaml"
    notes = str(workspace.resolve() / "notes.txt")
    script = [
        Reply.sse(tool_use_events([("toolu_01", "Read", {"file_path": notes})])),
        Reply.sse(text_message_events("It says alpha.")),
    ]
    args = ["-p", PROMPT, "--allowedTools", "Read", "--output-format", "json"]
    with ScriptedAnthropicServer(script) as server:
        done = run_hexclaw(
            [*args, "--record", str(cassette)], hexclaw_env(server.url, home), workspace
        )
        # The API itself got the whole prompt: only the cassette goes without it.
        sent_system = json.dumps(server.requests[0].body["system"])
    assert done.returncode == 0, done.stderr
    assert GLOBAL_SECRET in sent_system
    assert PROJECT_SECRET in sent_system

    text = cassette.read_text()
    for private in (GLOBAL_SECRET, PROJECT_SECRET, IDENTITY[:40]):
        assert private not in text
    requests = [json.loads(i.request.body) for i in load_cassette(cassette).interactions]
    assert len(requests) == 2
    assert all(request["system"] == SYSTEM_PLACEHOLDER for request in requests)
    # Everything else of the request is kept: the conversation the replay compares.
    assert requests[1]["messages"][0]["content"][0]["text"] == PROMPT
    assert requests[1]["messages"][2]["content"][0]["type"] == "tool_result"

    replay_home = tmp_path / "replay-home"
    replay_home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_", "HEXCLAW_"))
    }
    env.update(CLAUDE_CONFIG_HOME=str(replay_home), NO_COLOR="1", PYTHONPATH=str(ROOT))
    replayed = run_hexclaw([*args, "--replay", str(cassette)], env, workspace)
    assert (replayed.returncode, replayed.stderr) == (0, "")
    assert json.loads(replayed.stdout)["result"] == "It says alpha."
