"""What ``--record`` stores after a session that met secrets: a secret-named environment value
printed by ``env``, a ``.env`` and a private key read by the model, and a password in
``ANTHROPIC_BASE_URL``. None of them reaches the cassette, the leak scan finds nothing, and the
cassette still replays."""

from __future__ import annotations

from pathlib import Path

from adapters.cassettes.file import load_cassette
from domain.cassettes.storage import cassette_leaks
from tests.e2e.test_permission_print_mode import tool_results
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw

ENV_SECRET = "envsecret-7f3a9b2c41d8"
DOTENV_SECRET = "dotenv-hunter2-5e6f7a8b"
JSON_SECRET = "jsonvalue-0c1d2e3f4a5b"
KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
URL_PASSWORD = "urlpass-9a8b7c6d5e"


def test_a_recorded_session_keeps_no_secret_it_met(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    (workspace / ".env").write_text(f"DB_PASSWORD={DOTENV_SECRET}\nDEBUG=true\n")
    (workspace / "config.json").write_text(f'{{"service": {{"apiKey": "{JSON_SECRET}"}}}}\n')
    (workspace / "id_ed25519").write_text(
        f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    calls = [
        ("t_env", "Bash", {"command": "env"}),
        ("t_dotenv", "Read", {"file_path": ".env"}),
        ("t_json", "Read", {"file_path": "config.json"}),
        ("t_key", "Read", {"file_path": "id_ed25519"}),
    ]
    script = [
        Reply.sse(tool_use_events(calls)),
        Reply.sse(text_message_events(f"The password is {DOTENV_SECRET}.")),
    ]
    anthropic_server.add(*script)
    base = anthropic_server.url.replace("http://", f"http://hexclaw:{URL_PASSWORD}@")
    env = hexclaw_env(base, config_home, DEPLOY_TOKEN=ENV_SECRET)
    cassette = tmp_path / "bug.yaml"
    args = ["-p", "look", "--allowedTools", "Bash(env)", "--record", str(cassette)]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    # The session really met every secret: the server got them.
    sent = str(tool_results(anthropic_server.requests[1].body))
    for secret in (ENV_SECRET, DOTENV_SECRET, JSON_SECRET, KEY_BODY):
        assert secret in sent

    text = cassette.read_text()
    for secret in (ENV_SECRET, DOTENV_SECRET, JSON_SECRET, KEY_BODY, URL_PASSWORD):
        assert secret not in text, secret
    assert "DEBUG=true" in text  # what is not secret is kept
    stored = load_cassette(cassette)
    assert cassette_leaks(stored, cassette.read_bytes(), [ENV_SECRET, URL_PASSWORD]) == []

    # The redacted cassette replays in the same setting.
    replayed = run_hexclaw(
        ["-p", "look", "--allowedTools", "Bash(env)", "--replay", str(cassette)], env, workspace
    )
    assert replayed.returncode == 0, replayed.stderr
    assert "The password is REDACTED." in replayed.stdout


def test_the_leak_scan_names_what_the_old_recorder_kept(tmp_path: Path) -> None:
    from domain.cassettes.cassette import Cassette, CassetteRequest, CassetteResponse, Interaction

    body = (
        f'{{"messages": [{{"content": "DB_PASSWORD={DOTENV_SECRET}\\nX={ENV_SECRET}\\n'
        f'-----BEGIN RSA PRIVATE KEY-----\\n{KEY_BODY}\\n-----END RSA PRIVATE KEY-----"}}]}}'
    ).encode()
    request = CassetteRequest("POST", f"http://u:{URL_PASSWORD}@127.0.0.1:1/v1/messages", {}, body)
    cassette = Cassette((Interaction(request, CassetteResponse(200, "OK", {}, ())),))
    leaks = cassette_leaks(cassette, body + request.uri.encode(), [ENV_SECRET])
    assert any("-----BEGIN" in leak for leak in leaks)
    assert any(DOTENV_SECRET[:12] in leak for leak in leaks)
    assert any(f"u:{URL_PASSWORD}"[:12] in leak for leak in leaks)
    assert "a known secret value env..." in leaks
