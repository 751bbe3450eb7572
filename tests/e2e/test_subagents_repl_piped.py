"""Subagents in the REPL reading piped lines: the report is folded under the Agent call, and
/cost counts the subagent's tokens at its own model's price."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.subagent_script import PARENT, Router
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


def test_the_report_is_folded_and_cost_counts_the_subagent(
    config_home: Path, workspace: Path
) -> None:
    prompt = "Summarise the repo."
    report = "\n".join(f"point {n}" for n in range(1, 9))
    call = {"description": "sum up", "prompt": prompt, "subagent_type": "Explore"}
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([("toolu_a", "Agent", {**call, "model": "haiku"})])),
                Reply.sse(text_message_events("Summed up.")),
            ],
            prompt: [Reply.sse(text_message_events(report))],
        }
    )
    with ScriptedAnthropicServer(responder=router, idle_timeout=60) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw([], env, workspace, stdin="sum it up\n/cost\n", timeout=60)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "● Agent(sum up)" in out
    assert "⎿  Done (0 tool uses" in out
    assert "point 3" in out
    assert "point 4" not in out  # folded: the model got all of it
    assert "… 5 more lines" in out
    assert "Summed up." in out
    assert "turn 1 (claude-sonnet-4-5)" in out
    assert "turn 1 subagent (claude-haiku-4-5)" in out
