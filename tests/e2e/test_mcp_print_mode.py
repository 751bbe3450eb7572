"""MCP servers through ``hexclaw -p`` against the scripted model: a real server's tool called
and its result in the next request, the opt-in, deny rules, plan mode's readOnlyHint, the
process group stopped at exit, and nothing of the SDK imported when no server is configured."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from adapters.tools.support.group_liveness import group_alive
from tests.e2e.test_cli_basics import imported_modules
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.mcp_servers import everything_entry, fault_entry
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw, with_startup_probe


def config_file(tmp_path: Path, servers: dict[str, Any]) -> str:
    path = tmp_path / "mcp-config.json"
    path.write_text(json.dumps({"mcpServers": servers}))
    return str(path)


def call_then_done(name: str, tool_input: dict[str, Any]) -> list[Reply]:
    return [
        Reply.sse(tool_use_events([("toolu_1", name, tool_input)])),
        Reply.sse(text_message_events("done")),
    ]


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in body["messages"][-1]["content"] if b.get("type") == "tool_result"]


def offered(body: dict[str, Any]) -> list[str]:
    return [t["name"] for t in body.get("tools", [])]


def test_the_model_calls_everything_echo_and_reads_the_result(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = config_file(tmp_path, {"everything": everything_entry()})
    anthropic_server.add(*call_then_done("mcp__everything__echo", {"message": "from the model"}))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "echo it", "--mcp-config", config, "--allowedTools", "mcp__everything__echo"],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    first, second = (r.body for r in anthropic_server.requests)
    assert "mcp__everything__echo" in offered(first)
    echo = next(t for t in first["tools"] if t["name"] == "mcp__everything__echo")
    assert echo["input_schema"]["required"] == ["message"]
    (result,) = tool_results(second)
    assert result["tool_use_id"] == "toolu_1"
    assert result.get("is_error") is not True
    assert result["content"] == [{"type": "text", "text": "Echo: from the model"}]


def test_print_mode_offers_mcp_tools_only_with_an_opt_in(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    config = config_file(tmp_path, {"f": fault_entry("--marker", str(markers))})
    anthropic_server.add(Reply.sse(text_message_events("hi")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi", "--mcp-config", config], env, workspace)
    assert done.returncode == 0, done.stderr
    assert offered(anthropic_server.requests[0].body) == []
    assert not (markers / "started").exists()  # not even started


def test_a_denied_tool_is_not_offered_and_an_unallowed_one_is_refused(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = config_file(tmp_path, {"f": fault_entry()})
    anthropic_server.add(*call_then_done("mcp__f__huge", {"chars": 5}))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        [
            "-p",
            "go",
            "--mcp-config",
            config,
            "--allowedTools",
            "mcp__f__echo",
            "--disallowedTools",
            "mcp__f__crash",
        ],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    first, second = (r.body for r in anthropic_server.requests)
    names = offered(first)
    assert "mcp__f__echo" in names
    assert "mcp__f__huge" in names
    assert "mcp__f__crash" not in names
    (result,) = tool_results(second)
    assert result["is_error"] is True  # asked about, and -p cannot ask: refused
    assert "xxxxx" not in json.dumps(result)


def test_server_rules_allow_every_tool_of_the_server(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = config_file(tmp_path, {"f": fault_entry()})
    anthropic_server.add(*call_then_done("mcp__f__huge", {"chars": 5}))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "go", "--mcp-config", config, "--allowedTools", "mcp__f"], env, workspace
    )
    assert done.returncode == 0, done.stderr
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result.get("is_error") is not True
    assert "xxxxx" in json.dumps(result)


def test_plan_mode_runs_only_read_only_tools(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = config_file(tmp_path, {"f": fault_entry()})
    anthropic_server.add(
        Reply.sse(
            tool_use_events(
                [
                    ("toolu_1", "mcp__f__echo", {"text": "ro"}),
                    ("toolu_2", "mcp__f__huge", {"chars": 3}),
                ]
            )
        ),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        [
            "-p",
            "go",
            "--mcp-config",
            config,
            "--permission-mode",
            "plan",
            "--allowedTools",
            "mcp__f",
        ],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    echo, huge = tool_results(anthropic_server.requests[1].body)
    assert echo.get("is_error") is not True
    assert "echo: ro" in json.dumps(echo)
    assert huge["is_error"] is True
    assert "plan mode" in json.dumps(huge)


def test_a_failing_server_is_one_line_and_the_run_goes_on(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = config_file(
        tmp_path,
        {"broken": {"command": str(tmp_path / "missing")}, "f": fault_entry()},
    )
    anthropic_server.add(Reply.sse(text_message_events("fine")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "hi", "--mcp-config", config, "--allowedTools", "mcp__f"], env, workspace
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fine"
    lines = [line for line in done.stderr.splitlines() if "broken" in line]
    assert len(lines) == 1
    assert "command not found" in lines[0]
    assert "mcp__f__echo" in offered(anthropic_server.requests[0].body)


def test_servers_started_early_are_warned_about_once(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """-p starts its stdio servers before loading the rest of hexclaw, then decides again
    while building the run: each warning is still one line, and the early server is the one
    the run talks to."""
    unset = {"command": "${HEXCLAW_TEST_NEVER_SET}", "args": []}
    config = config_file(tmp_path, {"unset": unset, "f": fault_entry()})
    anthropic_server.add(Reply.sse(text_message_events("fine")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "hi", "--mcp-config", config, "--allowedTools", "mcp__f"], env, workspace
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "HEXCLAW_TEST_NEVER_SET" in line]
    assert len(lines) == 1, done.stderr
    assert "mcp__f__echo" in offered(anthropic_server.requests[0].body)


def test_the_server_group_is_stopped_when_hexclaw_exits(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    config = config_file(tmp_path, {"f": fault_entry("--marker", str(markers))})
    anthropic_server.add(Reply.error(400, "invalid_request_error", "no"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "hi", "--mcp-config", config, "--allowedTools", "mcp__f"], env, workspace
    )
    assert done.returncode != 0  # an error exit path
    pid = int((markers / "started").read_text())
    deadline = time.monotonic() + 5
    while group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group_alive(pid)


# Loaded later, while the server starts: none of them may be needed to decide to start it.
AFTER_THE_SPAWN = (
    "attrs",
    "cattrs",
    "httpx",
    "anyio",
    "mcp",
    "pydantic",
    "rich",
    "prompt_toolkit",
    "entrypoints.bootstrap",
    "domain.permissions.policy",
)
# Installed through PYTHONPATH in the hexclaw process only: an audit hook that writes which
# modules are loaded at the moment a process with the marked argument is spawned.
SPAWN_PROBE = """
import json, os, sys

_MARK, _OUT = os.environ["SPAWN_PROBE_MARK"], os.environ["SPAWN_PROBE_OUT"]

def _probe(event, args):
    if event == "subprocess.Popen" and _MARK in [str(a) for a in args[1] or ()]:
        with open(_OUT, "a") as out:
            out.write(json.dumps(sorted(sys.modules)) + "\\n")

sys.addaudithook(_probe)
"""


def test_print_mode_spawns_a_stdio_server_before_its_heavy_imports(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """The server's own start (0.3 s for a node server) overlaps hexclaw's imports only if
    the decision to start it loads none of them: not attrs, the HTTP stack or the policy."""
    spawns = tmp_path / "spawns.jsonl"
    entry = everything_entry()
    config = config_file(tmp_path, {"everything": entry})
    anthropic_server.add(*call_then_done("mcp__everything__echo", {"message": "early"}))
    env = hexclaw_env(
        anthropic_server.url,
        config_home,
        SPAWN_PROBE_MARK=entry["args"][0],
        SPAWN_PROBE_OUT=str(spawns),
    )
    env = with_startup_probe(env, tmp_path / "probe", SPAWN_PROBE)
    done = run_hexclaw(
        ["-p", "echo it", "--mcp-config", config, "--allowedTools", "mcp__everything__echo"],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["content"] == [{"type": "text", "text": "Echo: early"}]
    (loaded,) = [json.loads(line) for line in spawns.read_text().splitlines()]
    assert "entrypoints.print_mode" in loaded  # the probe saw hexclaw's own imports
    assert not set(AFTER_THE_SPAWN) & set(loaded), sorted(set(AFTER_THE_SPAWN) & set(loaded))


def modules_of_a_print_run(env: dict[str, str], workspace: Path, *args: str) -> set[str]:
    """The modules ``hexclaw -p hi ARGS`` imported (``-X importtime``)."""
    done = subprocess.run(
        [*HEXCLAW[:1], "-X", "importtime", *HEXCLAW[1:], "-p", "hi", *args],
        env=env,
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return imported_modules(done.stderr)


def test_print_mode_without_mcp_servers_imports_no_sdk(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("hi")))
    env = hexclaw_env(anthropic_server.url, config_home)
    modules = modules_of_a_print_run(env, workspace, "--allowedTools", "Read")
    assert "entrypoints" in modules
    assert not modules & {"mcp", "pydantic"}, sorted(modules & {"mcp", "pydantic"})


def test_print_mode_with_a_stdio_server_imports_no_sdk(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """A stdio server speaks through the lean session: its tool is called and its result
    reaches the model, and neither the SDK nor pydantic is loaded (0.7 s of imports)."""
    config = config_file(tmp_path, {"everything": everything_entry()})
    anthropic_server.add(*call_then_done("mcp__everything__echo", {"message": "lean"}))
    env = hexclaw_env(anthropic_server.url, config_home)
    modules = modules_of_a_print_run(
        env, workspace, "--mcp-config", config, "--allowedTools", "mcp__everything__echo"
    )
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["content"] == [{"type": "text", "text": "Echo: lean"}]
    assert not modules & {"mcp", "pydantic"}, sorted(modules & {"mcp", "pydantic"})


def test_print_mode_with_a_remote_server_does_import_the_sdk(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """The check above can fail: a remote server goes through the SDK, so it is imported (the
    server is unreachable: its failure is a warning and the run goes on)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    entry = {"type": "http", "url": f"http://127.0.0.1:{port}/mcp"}
    config = config_file(tmp_path, {"remote": entry})
    anthropic_server.add(Reply.sse(text_message_events("hi")))
    env = hexclaw_env(anthropic_server.url, config_home)
    modules = modules_of_a_print_run(
        env, workspace, "--mcp-config", config, "--allowedTools", "mcp__remote"
    )
    assert {"mcp", "pydantic"} <= modules


def test_the_stream_json_init_line_lists_the_servers(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = config_file(tmp_path, {"f": fault_entry(), "gone": {"command": str(tmp_path / "x")}})
    anthropic_server.add(Reply.sse(text_message_events("hi")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        [
            "-p",
            "hi",
            "--mcp-config",
            config,
            "--allowedTools",
            "mcp__f",
            "--output-format",
            "stream-json",
            "--verbose",
        ],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    init = json.loads(done.stdout.splitlines()[0])
    assert init["subtype"] == "init"
    assert init["mcp_servers"] == [
        {"name": "f", "status": "connected"},
        {"name": "gone", "status": "failed"},
    ]
    assert "mcp__f__echo" in init["tools"]


def test_a_stream_json_client_asks_for_the_mcp_status(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = config_file(tmp_path, {"f": fault_entry()})
    env = hexclaw_env(anthropic_server.url, config_home)
    request = {"type": "control_request", "request_id": "m1", "request": {"subtype": "mcp_status"}}
    done = run_hexclaw(
        [
            "-p",
            "--input-format",
            "stream-json",
            "--output-format",
            "stream-json",
            "--verbose",
            "--mcp-config",
            config,
            "--allowedTools",
            "mcp__f",
        ],
        env,
        workspace,
        stdin=json.dumps(request) + "\n",
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    (answer,) = [line for line in lines if line.get("type") == "control_response"]
    assert answer["response"]["request_id"] == "m1"
    assert answer["response"]["response"] == {"mcpServers": [{"name": "f", "status": "connected"}]}


def test_a_project_server_gets_no_secret_looking_variables_of_hexclaws(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    entry = everything_entry()
    entry["env"] = {"SERVER_TOKEN": "${GIVEN_TOKEN}", "PLAIN": "yes"}
    (workspace / ".mcp.json").write_text(json.dumps({"mcpServers": {"everything": entry}}))
    (config_home / "settings.json").write_text(
        json.dumps({"enabledMcpjsonServers": ["everything"]})
    )
    mine = config_file(tmp_path, {"mine": everything_entry()})
    anthropic_server.add(
        Reply.sse(
            tool_use_events(
                [("t1", "mcp__everything__get-env", {}), ("t2", "mcp__mine__get-env", {})]
            )
        ),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(
        anthropic_server.url,
        config_home,
        GIVEN_TOKEN="tok-for-the-server",
        GITHUB_TOKEN="ghp-not-for-the-server",
    )
    done = run_hexclaw(
        ["-p", "env?", "--mcp-config", mine, "--allowedTools", "mcp__everything mcp__mine"],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    project, user = tool_results(anthropic_server.requests[1].body)
    seen = json.loads(project["content"][0]["text"])
    assert seen["SERVER_TOKEN"] == "tok-for-the-server"  # what the entry gives, expanded
    assert seen["PLAIN"] == "yes"
    assert "ANTHROPIC_API_KEY" not in seen
    assert "GITHUB_TOKEN" not in seen
    assert "GIVEN_TOKEN" not in seen
    assert seen["PATH"] == env["PATH"]  # the rest is inherited
    # The user's own server inherits everything, as with Claude Code.
    assert json.loads(user["content"][0]["text"])["GITHUB_TOKEN"] == "ghp-not-for-the-server"
