"""``permissions.disableBypassPermissionsMode: "disable"``: bypass mode cannot be entered, not by
``--dangerously-skip-permissions``, ``--permission-mode bypassPermissions`` or
``/permissions bypassPermissions`` in the REPL, whichever settings file sets it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw

LOCK = {"permissions": {"disableBypassPermissionsMode": "disable"}}


def settings_file(where: str, config_home: Path, workspace: Path) -> Path:
    path = (
        config_home / "settings.json"
        if where == "user"
        else workspace / ".claude" / "settings.json"
    )
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(LOCK))
    return path


@pytest.mark.parametrize("where", ["user", "project"])
@pytest.mark.parametrize(
    "flags", [["--dangerously-skip-permissions"], ["--permission-mode", "bypassPermissions"]]
)
def test_the_bypass_flags_are_refused_when_settings_disable_them(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
    where: str,
    flags: list[str],
) -> None:
    source = settings_file(where, config_home, workspace)
    marker = tmp_path / "ran"
    anthropic_server.add(
        Reply.sse(tool_use_events([("t", "Bash", {"command": f"touch {marker}"})])),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", *flags], env, workspace)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "hexclaw: bypassPermissions mode is disabled by "
        f"permissions.disableBypassPermissionsMode in {source}"
    )
    assert not marker.exists()
    assert anthropic_server.requests == []


def test_the_repl_cannot_switch_to_bypass_when_settings_disable_it(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    source = settings_file("project", config_home, workspace)
    marker = tmp_path / "ran"
    anthropic_server.add(
        Reply.sse(tool_use_events([("t", "Bash", {"command": f"touch {marker}"})])),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home, HEXCLAW_MAX_RETRIES="0")
    lines = "/permissions bypassPermissions\n/permissions\ngo\n/exit\n"
    done = run_hexclaw([], env, workspace, stdin=lines, timeout=30)
    assert done.returncode == 0, done.stderr
    assert (
        "bypassPermissions mode is disabled by permissions.disableBypassPermissionsMode "
        f"in {source}"
    ) in done.stdout
    assert "mode: default" in done.stdout
    assert not marker.exists()
