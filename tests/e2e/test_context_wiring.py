"""hexclaw -p as a subprocess: the system prompt, settings env and errors reach the wire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw


def ask(
    server: ScriptedAnthropicServer, home: Path, cwd: Path, *args: str, **env: str
) -> tuple[int, str, str, dict[str, Any] | None]:
    server.add(Reply.sse(text_message_events("ok")))
    done = run_hexclaw(["-p", "hello", *args], hexclaw_env(server.url, home, **env), cwd)
    body = server.requests[-1].body if server.requests else None
    return done.returncode, done.stdout, done.stderr, body


def test_the_system_prompt_carries_memory_environment_and_cache_breakpoints(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "CLAUDE.md").write_text("User rule: be terse.\n")
    (workspace / "CLAUDE.md").write_text("Project rule: see @rules.md\n")
    (workspace / "rules.md").write_text("Imported rule: tabs.\n")
    code, out, err, body = ask(anthropic_server, config_home, workspace)
    assert (code, out, err) == (0, "ok\n", "")
    assert body is not None
    system = body["system"]
    assert [block.get("cache_control") for block in system] == [
        {"type": "ephemeral"},
        {"type": "ephemeral"},
        None,
    ]
    assert system[0]["text"].startswith("You are hexclaw")
    for rule in ("User rule: be terse.", "Project rule: see @rules.md", "Imported rule: tabs."):
        assert rule in system[1]["text"]
    assert f"Working directory: {workspace}" in system[2]["text"]
    assert "Is a git repository: no" in system[2]["text"]
    assert "Model: claude-sonnet-4-5" in system[2]["text"]
    assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}


def test_system_prompt_flags(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "CLAUDE.md").write_text("Project rule.\n")
    _, _, _, replaced = ask(
        anthropic_server,
        config_home,
        workspace,
        "--system-prompt",
        "You are a pirate.",
        "--append-system-prompt",
        "Say arr.",
    )
    assert replaced is not None
    assert replaced["system"] == [
        {"type": "text", "text": "You are a pirate."},
        {"type": "text", "text": "Say arr."},
    ]
    _, _, _, appended = ask(
        anthropic_server, config_home, workspace, "--append-system-prompt", "Say arr."
    )
    assert appended is not None
    assert appended["system"][0]["text"].startswith("You are hexclaw")
    assert appended["system"][-1] == {"type": "text", "text": "Say arr."}


def test_settings_env_is_applied_and_its_secrets_stay_out_of_the_prompt(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    secret = "hunter2-very-secret-value"
    (config_home / "settings.json").write_text(
        json.dumps({"env": {"ANTHROPIC_MODEL": "claude-haiku-4-5", "DEPLOY_TOKEN": secret}})
    )
    (workspace / "CLAUDE.local.md").write_text(f"Deploy with token {secret}.\n")
    code, _, err, body = ask(anthropic_server, config_home, workspace)
    assert (code, err) == (0, "")
    assert body is not None
    assert body["model"] == "claude-haiku-4-5"
    text = json.dumps(body["system"])
    assert secret not in text
    assert "Deploy with token REDACTED." in text


def test_settings_problems_are_one_line_each(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "settings.json").write_text('{"model": "claude-haiku-4-5", "colour": "red"}')
    code, _, err, _ = ask(anthropic_server, config_home, workspace)
    assert code == 0
    assert err == (
        f"hexclaw: warning: {config_home / 'settings.json'}: unknown settings key 'colour' "
        "(ignored)\n"
    )
    bad = workspace / ".claude"
    bad.mkdir()
    (bad / "settings.json").write_text('{\n  "model": "x",,\n}\n')
    requests_before = len(anthropic_server.requests)
    code, out, err, _ = ask(anthropic_server, config_home, workspace)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith(f"hexclaw: {bad / 'settings.json'}:2:16: invalid JSON in settings")
    assert len(anthropic_server.requests) == requests_before


def test_json_result_prices_known_models_and_says_when_the_price_is_unknown(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    # The scripted answer reports 12 input and 7 output tokens.
    haiku = (12 * 1.00 + 7 * 5.00) / 1_000_000
    for model, cost in (("claude-haiku-4-5", haiku), ("proxy-model", None)):
        _, out, _, _ = ask(
            anthropic_server, config_home, workspace, "--output-format", "json", "--model", model
        )
        result = json.loads(out)
        assert (result["usage"]["input_tokens"], result["usage"]["output_tokens"]) == (12, 7)
        if cost is None:
            assert result["total_cost_usd"] is None
            assert result["cost_note"] == "no price is known for proxy-model; tokens are exact"
        else:
            assert result["total_cost_usd"] == pytest.approx(cost)
            assert "cost_note" not in result
