"""``@path`` in the REPL (typed or in pasted text) is judged as a Read call of the model would
be: a file a Read deny rule covers, or one outside the workspace (by ``..``, ``~``, an
absolute path or a symlink), is not attached; a note says why, and nothing of it reaches the
server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw


def test_mentions_obey_the_read_rules_and_the_workspace_boundary(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    (workspace / ".env").write_text("DB_PASSWORD=dotenv-secret-value\n")
    (workspace / "notes.md").write_text("harmless notes\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "id_ed25519").write_text("outside-private-key\n")
    (workspace / "link.txt").symlink_to(outside / "id_ed25519")
    home_key = config_home.parent / ".ssh" / "id_rsa"
    home_key.parent.mkdir()
    home_key.write_text("home-private-key\n")
    (config_home / "settings.json").write_text(
        json.dumps({"permissions": {"deny": ["Read(./.env)"]}})
    )
    anthropic_server.add(Reply.sse(text_message_events("Seen.")))
    env = hexclaw_env(anthropic_server.url, config_home)
    pasted = (
        "please review @notes.md and this pasted log:\n"
        f"see @.env @../outside/id_ed25519 @{outside}/id_ed25519 @~/.ssh/id_rsa @link.txt "
        f"@{outside}\n"
    )
    done = run_hexclaw([], env, workspace, stdin=pasted.replace("\n", " ") + "\n/exit\n")
    assert done.returncode == 0, done.stderr
    sent = json.dumps(anthropic_server.requests[0].body)
    assert "harmless notes" in sent
    for secret in (
        "dotenv-secret-value",
        "outside-private-key",
        "home-private-key",
        "id_ed25519\\n",
    ):
        assert secret not in sent, secret
    for mention in (".env", "../outside/id_ed25519", "~/.ssh/id_rsa", "link.txt"):
        assert f"@{mention} was not attached" in done.stdout, mention
    assert "Read(./.env)" in done.stdout
    assert "outside the workspace" in done.stdout
