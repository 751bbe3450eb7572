"""OAuth for a remote MCP server through the real CLI: the npm OAuth server (PKCE required, the
code exchange's redirect URI checked, one client id accepted) in front of a FastMCP server
that lets in only tokens that server says are live. ``hexclaw mcp login`` follows the 401 to
the metadata, runs the browser flow without a terminal, and stores the tokens under
``mcpOAuth`` in credentials.json (other keys kept, 0600); a run uses them and never opens a
browser; ``logout`` forgets them."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.mcp_servers import free_port, listening_module
from tests.fakes.oauth.server import BROWSER, CLIENT_ID, OAuthServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


@contextlib.contextmanager
def protected_server(
    *oauth_flags: str,
    call_log: Path | None = None,
    step_up_flag: Path | None = None,
    sse: bool = False,
) -> Iterator[tuple[str, OAuthServer]]:
    """The npm OAuth server (started with ``oauth_flags``) and a FastMCP server behind it: the
    MCP URL and the OAuth server. ``call_log`` gets a line per ``publish`` call; once the file
    ``step_up_flag`` exists, ``initialize`` needs the ``mcp:write`` scope too; ``sse`` serves
    the legacy SSE transport (at ``/sse``) instead of streamable HTTP (at ``/mcp``)."""
    with OAuthServer(*oauth_flags) as oauth:
        port = free_port()
        log = [str(call_log) if call_log is not None else "-"]
        log += [str(step_up_flag)] if step_up_flag is not None else []
        transport = ["--sse"] if sse else []
        served = listening_module(
            "tests.fakes.mcp_protected_server", [*transport, str(port), oauth.url, *log], port
        )
        with served:
            yield f"http://127.0.0.1:{port}{'/sse' if sse else '/mcp'}", oauth


@pytest.fixture
def protected() -> Iterator[tuple[str, OAuthServer]]:
    with protected_server() as served:
        yield served


def _config(tmp_path: Path, url: str, client_id: str | None = CLIENT_ID) -> str:
    entry: dict[str, Any] = {"type": "http", "url": url}
    if client_id is not None:
        entry["oauth"] = {"clientId": client_id}
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"secure": entry}}))
    return str(path)


def test_login_then_a_run_uses_the_stored_tokens(
    protected: tuple[str, OAuthServer],
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    url, oauth = protected
    config = _config(tmp_path, url)
    credentials = config_home / "credentials.json"
    credentials.write_text(json.dumps({"otherTool": {"keep": True}}))
    env = hexclaw_env(
        anthropic_server.url,
        config_home,
        BROWSER=str(BROWSER),
        FAKE_BROWSER_LOG=str(tmp_path / "browser.log"),
    )

    listed = run_hexclaw(["mcp", "list", "--mcp-config", config], env, workspace)
    assert listed.returncode == 0, listed.stderr
    assert "secure http needs login: it needs a login: run `hexclaw mcp login secure`" in (
        listed.stdout
    )
    assert not (tmp_path / "browser.log").exists()  # listing never opens a browser

    login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
    assert login.returncode == 0, login.stderr
    assert f"{oauth.url}/authorize?" in login.stdout  # printed: works without a terminal
    assert "code_challenge_method=S256" in login.stdout
    assert "resource=" in login.stdout
    assert "Logged in to secure (2 tools)." in login.stdout
    assert oauth.stats()["exchanges"] == 1
    document = json.loads(credentials.read_text())
    assert document["otherTool"] == {"keep": True}
    (entry,) = document["mcpOAuth"].values()
    assert list(document["mcpOAuth"]) == [f"secure|{url}"]
    assert oauth.is_live(entry["tokens"]["access_token"])
    assert oct(os.stat(credentials).st_mode & 0o777) == "0o600"

    anthropic_server.add(
        Reply.sse(tool_use_events([("t1", "mcp__secure__whoami", {})])),
        Reply.sse(text_message_events("done")),
    )
    done = run_hexclaw(
        ["-p", "who?", "--mcp-config", config, "--allowedTools", "mcp__secure"], env, workspace
    )
    assert done.returncode == 0, done.stderr
    result = json.dumps(anthropic_server.requests[-1].body["messages"][-1])
    assert "authorized" in result
    assert oauth.stats()["exchanges"] == 1  # no new login

    out = run_hexclaw(["mcp", "logout", "secure", "--mcp-config", config], env, workspace)
    assert (out.returncode, out.stdout.strip()) == (0, "Logged out of secure.")
    document = json.loads(credentials.read_text())
    assert "mcpOAuth" not in document
    assert document["otherTool"] == {"keep": True}


def test_a_run_without_a_login_names_the_command_and_opens_no_browser(
    protected: tuple[str, OAuthServer],
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    url, _ = protected
    config = _config(tmp_path, url)
    env = hexclaw_env(
        anthropic_server.url,
        config_home,
        BROWSER=str(BROWSER),
        FAKE_BROWSER_LOG=str(tmp_path / "browser.log"),
    )
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    done = run_hexclaw(
        ["-p", "hi", "--mcp-config", config, "--allowedTools", "mcp__secure"], env, workspace
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "secure" in line]
    assert len(lines) == 1
    assert "needs login" in lines[0]
    assert "hexclaw mcp login secure" in lines[0]
    assert not (tmp_path / "browser.log").exists()
    assert not (config_home / "credentials.json").exists()


def test_the_repl_logs_in_with_slash_mcp_and_connects(
    protected: tuple[str, OAuthServer],
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    url, oauth = protected
    config = _config(tmp_path, url)
    env = hexclaw_env(anthropic_server.url, config_home, BROWSER=str(BROWSER))
    done = run_hexclaw(
        ["--mcp-config", config], env, workspace, stdin="/mcp\n/mcp login secure\n/mcp\n"
    )
    assert done.returncode == 0, done.stderr
    before, _, after = done.stdout.partition("Logged in to secure: 2 tools.")
    assert "Log in with /mcp login secure" in before
    assert f"{oauth.url}/authorize?" in before
    assert "secure (http, flag) · connected" in after
    assert "whoami" in after
    assert oauth.stats()["exchanges"] == 1


def test_an_expired_token_is_refreshed_by_a_later_run(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    with protected_server("--ttl", "2") as (url, oauth):
        config = _config(tmp_path, url)
        env = hexclaw_env(anthropic_server.url, config_home, BROWSER=str(BROWSER))
        login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
        assert login.returncode == 0, login.stderr
        time.sleep(3)  # the access token has expired
        listed = run_hexclaw(["mcp", "list", "--mcp-config", config], env, workspace)
        assert "secure http connected 2 tools" in listed.stdout, listed.stdout + listed.stderr
        stats = oauth.stats()
        assert (stats["exchanges"], stats["refreshes"]) == (1, 1)


def test_without_a_client_id_login_registers_hexclaw_with_the_authorization_server(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """RFC 7591: the server only knows clients it registered, with the redirect URIs they gave."""
    with protected_server("--registration") as (url, oauth):
        config = _config(tmp_path, url, client_id=None)
        env = hexclaw_env(anthropic_server.url, config_home, BROWSER=str(BROWSER))
        login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
        assert login.returncode == 0, login.stdout + login.stderr
        assert "Logged in to secure (2 tools)." in login.stdout
        assert f"client_id={CLIENT_ID}" not in login.stdout
        stats = oauth.stats()
        assert (stats["registrations"], stats["exchanges"]) == (1, 1)
        listed = run_hexclaw(["mcp", "list", "--mcp-config", config], env, workspace)
        assert "secure http connected 2 tools" in listed.stdout, listed.stdout + listed.stderr
        assert oauth.stats()["registrations"] == 1  # the registration was kept
