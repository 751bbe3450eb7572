"""``hexclaw mcp add|add-json|list|get|remove`` through the real CLI: the files Claude Code
uses, atomic writes that keep other keys, a corrupt file left alone, one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.fakes.mcp_servers import time_entry
from tests.support import hexclaw_env, run_hexclaw


def env_for(config_home: Path, **extra: str) -> dict[str, str]:
    return hexclaw_env("http://127.0.0.1:9", config_home, **extra)


def test_add_list_get_remove_in_each_scope(config_home: Path, workspace: Path) -> None:
    server = time_entry()
    env = env_for(config_home)
    claude_json = config_home / ".claude.json"
    claude_json.write_text(json.dumps({"numStartups": 7, "projects": {"/elsewhere": {"x": 1}}}))
    added = run_hexclaw(
        ["mcp", "add", "time", "-e", "TZ=UTC", "--", server["command"], *server["args"]],
        env,
        workspace,
    )
    assert added.returncode == 0, added.stderr
    assert "local config" in added.stdout
    added = run_hexclaw(
        [
            "mcp",
            "add",
            "--transport",
            "http",
            "-s",
            "user",
            "web",
            "http://127.0.0.1:9/mcp",
            "-H",
            "Authorization: Bearer s3cret",
        ],
        env,
        workspace,
    )
    assert added.returncode == 0, added.stderr
    added = run_hexclaw(
        ["mcp", "add-json", "-s", "project", "shared", '{"command": "${NOPE}"}'], env, workspace
    )
    assert added.returncode == 0, added.stderr
    document = json.loads(claude_json.read_text())
    assert document["numStartups"] == 7
    assert document["projects"]["/elsewhere"] == {"x": 1}
    local = document["projects"][str(workspace)]["mcpServers"]["time"]
    assert local["command"] == server["command"]
    assert local["env"] == {"TZ": "UTC"}
    assert document["mcpServers"]["web"]["headers"] == {"Authorization": "Bearer s3cret"}
    assert oct(claude_json.stat().st_mode & 0o777) == "0o600"
    shared = json.loads((workspace / ".mcp.json").read_text())
    assert shared["mcpServers"]["shared"]["command"] == "${NOPE}"

    listed = run_hexclaw(["mcp", "list"], env, workspace)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert "connected 2 tools" in lines["time"]
    assert lines["web"].startswith("web http failed: cannot reach http://127.0.0.1:9/mcp")
    assert "not approved" in lines["shared"]

    got = run_hexclaw(["mcp", "get", "web"], env, workspace)
    assert got.returncode == 0, got.stderr
    assert "Scope: user" in got.stdout
    assert "Authorization: (hidden)" in got.stdout
    assert "s3cret" not in got.stdout

    removed = run_hexclaw(["mcp", "remove", "web"], env, workspace)
    assert removed.returncode == 0, removed.stderr
    assert "web" not in json.loads(claude_json.read_text())["mcpServers"]
    missing = run_hexclaw(["mcp", "remove", "web"], env, workspace)
    assert (missing.returncode, missing.stderr.strip()) == (2, "hexclaw: no MCP server named web")


def test_claude_config_dir_is_the_same_folder(config_home: Path, workspace: Path) -> None:
    env = {k: v for k, v in env_for(config_home).items() if k != "CLAUDE_CONFIG_HOME"}
    env["CLAUDE_CONFIG_DIR"] = str(config_home)
    added = run_hexclaw(["mcp", "add", "-s", "user", "a", "--", "true"], env, workspace)
    assert added.returncode == 0, added.stderr
    assert "a" in json.loads((config_home / ".claude.json").read_text())["mcpServers"]


def test_a_corrupt_file_is_left_alone_with_one_line(config_home: Path, workspace: Path) -> None:
    claude_json = config_home / ".claude.json"
    claude_json.write_text('{"numStartups": 7,')
    done = run_hexclaw(["mcp", "add", "a", "--", "true"], env_for(config_home), workspace)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "not valid JSON" in done.stderr
    assert "left unchanged" in done.stderr
    assert claude_json.read_text() == '{"numStartups": 7,'
    assert [p.name for p in config_home.iterdir()] == [".claude.json"]  # no temporary left


def test_usage_errors_are_one_line(config_home: Path, workspace: Path) -> None:
    env = env_for(config_home)
    for args, expected in [
        (["mcp", "add", "bad name", "--", "x"], "invalid server name"),
        (["mcp", "add", "a"], "needs a command"),
        (["mcp", "add", "-t", "http", "a", "u", "v"], "takes one URL"),
        (["mcp", "add-json", "a", "{"], "not valid JSON"),
        (["mcp", "add-json", "a", '{"type": "ws"}'], "no usable type"),
        (["mcp", "frobnicate"], "invalid choice"),
        (["mcp", "get", "nothing"], "no MCP server named nothing"),
        (["-p", "hi", "--mcp-config", "/no/such/file"], "no such file"),
        (["-p", "hi", "--mcp-config", "{oops"], "not valid JSON"),
    ]:
        done = run_hexclaw(args, env, workspace)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
        assert expected in done.stderr, (args, done.stderr)
    assert not (config_home / ".claude.json").exists()
    assert os.listdir(workspace) == []
