"""``/sandbox`` in the REPL (piped input): status, switching it on, and what that changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_permission_print_mode import tool_results
from tests.e2e.test_sandbox_tmux import session_folders
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.integration.sandbox_harness import folder_outside_tmp, require_bwrap
from tests.support import hexclaw_env, run_hexclaw


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """Outside /tmp, which the sandbox replaces with its own."""
    yield from folder_outside_tmp("hexclaw-sandbox-repl-")


def test_sandbox_on_confines_and_auto_allows_bash_then_off_asks_again(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    require_bwrap()
    before = session_folders()
    victim = workspace.parent / "victim.txt"
    victim.write_text("untouched\n")
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("t_in", "Bash", {"command": "echo made > inside.txt"}),
        ("t_out", "Bash", {"command": f"echo pwned > {victim}"}),
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    lines = ["/sandbox", "/sandbox on", "/sandbox", "do it", "/sandbox off", "/sandbox up"]
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw([], env, workspace, stdin="\n".join(lines) + "\n", timeout=60)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("Sandbox: off; Bash runs unconfined under the permission rules.") == 2
    assert "Sandbox: on (bubblewrap); a confined Bash call runs without asking" in out
    assert f"writable: /tmp (this session's own), {workspace}" in out
    assert f"hidden: {config_home}" in out
    assert "network: none (no network)" in out
    assert "/sandbox takes on or off, not 'up'" in out
    results = {r["tool_use_id"]: r for r in tool_results(anthropic_server.requests[1].body)}
    assert results["t_in"]["is_error"] is False
    assert (workspace / "inside.txt").read_text() == "made\n"
    assert results["t_out"]["is_error"] is True
    assert "Read-only file system" in results["t_out"]["content"]
    assert victim.read_text() == "untouched\n"
    assert session_folders() == before  # the session's /tmp went with the session
