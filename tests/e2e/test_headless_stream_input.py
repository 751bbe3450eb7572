"""``hexclaw -p --input-format stream-json`` driven by a client program over pipes.

``tests/e2e/headless/client_program.py`` is written as a user's program would be: it knows
only Claude Code's protocol and the published schemas. It runs here against hexclaw and the
scripted server, and against a transcript of Claude Code's own shapes, unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.live_process import held_after_first_delta
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, ROOT, hexclaw_env

HERE = ROOT / "tests" / "e2e" / "headless"
CLIENT = HERE / "client_program.py"
SCHEMAS = ROOT / "docs" / "headless" / "schemas"
STREAM_FLAGS = [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--include-partial-messages",
    "--permission-prompt-tool",
    "stdio",
]


def run_client(command: list[str], env: dict[str, str] | None, cwd: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(CLIENT), str(SCHEMAS), "--", *command],
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == 0, json.dumps(report, indent=2)
    return report


def test_a_client_program_holds_a_three_turn_session_with_a_tool_a_permission_and_an_interrupt(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    held, gate = held_after_first_delta(
        text_message_events("Once upon a time there was a very long story that never ended.")
    )
    anthropic_server.add(
        Reply.sse(text_message_events("Hello!")),
        Reply.sse(
            tool_use_events([("toolu_1", "Bash", {"command": "echo step > f.txt && cat f.txt"})])
        ),
        Reply.sse(text_message_events("f.txt says: step")),
        held,
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    try:
        report = run_client([*HEXCLAW, *STREAM_FLAGS], env, workspace)
    finally:
        gate.set()

    assert report["problems"] == []
    assert report["exit_code"] == 0
    assert report["initialize"]["subtype"] == "success"
    assert report["set_mode"]["subtype"] == "success"
    first, second, third = report["turns"]
    assert (first["subtype"], first["result"]) == ("success", "Hello!")
    assert second["permissions"] == 1
    assert (second["subtype"], second["result"]) == ("success", "f.txt says: step")
    assert (workspace / "f.txt").read_text() == "step\n"
    # One init line per turn, showing the mode as it is when the turn starts.
    assert [t["init_modes"] for t in report["turns"]] == [["default"], ["default"], ["acceptEdits"]]
    assert third["interrupt"] == "success"
    assert (third["subtype"], third["is_error"]) == ("interrupted", True)
    assert len(report["session_ids"]) == 1
    # The permission decision is in the stream and in the session log, with its reason.
    assert "system/permission" in report["types"]
    log = next((config_home / "projects").glob("*/*.jsonl"))
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    decisions = [e for e in entries if e.get("type") == "permission"]
    assert [(d["tool_name"], d["decision"], d["decided_by"]) for d in decisions] == [
        ("Bash", "allow", "user")
    ]
    # What reached the model: the three prompts in order, in one conversation.
    last = anthropic_server.requests[-1].body["messages"]
    prompts = [m["content"] for m in last if m["role"] == "user" and isinstance(m["content"], str)]
    texts = [
        b["text"]
        for m in last
        if m["role"] == "user" and isinstance(m["content"], list)
        for b in m["content"]
        if b.get("type") == "text"
    ]
    assert "Tell me a long story." in prompts + texts
    assert "Say hello." in prompts + texts


def test_the_same_client_program_runs_unchanged_against_claude_code_shapes(
    tmp_path: Path,
) -> None:
    # The transcript is Claude Code's shapes (built from the reference notes, see its first
    # line), played back by a stand-in agent; the client and the schemas are the same.
    player = [sys.executable, str(HERE / "transcript_player.py")]
    report = run_client([*player, str(HERE / "claude_code_transcript.jsonl")], None, tmp_path)
    assert report["problems"] == []
    assert report["exit_code"] == 0
    assert [t["permissions"] for t in report["turns"]] == [0, 1, 0]
    assert [t["init_modes"] for t in report["turns"]] == [["default"], ["default"], ["acceptEdits"]]
    assert report["turns"][2]["interrupt"] == "success"
    assert report["turns"][2]["is_error"] is True
    assert len(report["session_ids"]) == 1
