"""OAuth for a remote MCP server after the first login, through the real CLI against the npm
OAuth server and the FastMCP server behind it (``tests/fakes/mcp_protected_server.py``):

- step-up: a tool answering 403 ``insufficient_scope`` in a ``-p`` run opens no browser, names
  ``hexclaw mcp login``, and is remembered under the server's ``mcpOAuth`` entry; the next login
  asks for the union of the scopes and the tool then runs;
- client ID metadata documents: where the authorization server advertises them, an
  ``oauth.clientMetadataUrl`` is the client id (the server fetches the document and accepts
  only the redirect URIs it lists); a pre-registered ``clientId`` still comes first;
- the refresh under the credentials lock: concurrent runs holding one expired token make one
  refresh against a server that accepts each refresh token once.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.test_mcp_oauth import protected_server
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import self_signed_certificate
from tests.fakes.oauth.server import BROWSER, CLIENT_ID, OAuthServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw


def _config(tmp_path: Path, url: str, oauth: dict[str, Any] | None) -> str:
    entry: dict[str, Any] = {"type": "http", "url": url}
    if oauth is not None:
        entry["oauth"] = oauth
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"secure": entry}}))
    return str(path)


def _entry(config_home: Path) -> dict[str, Any]:
    document = json.loads((config_home / "credentials.json").read_text())
    (entry,) = document["mcpOAuth"].values()
    assert isinstance(entry, dict)
    return entry


def _authorize_scope(login_stdout: str) -> str:
    (line,) = [word for word in login_stdout.split() if "/authorize?" in word]
    return parse_qs(urlsplit(line).query)["scope"][0]


def _calls(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def _publish_run(
    anthropic_server: ScriptedAnthropicServer, config: str, env: dict[str, str], workspace: Path
) -> subprocess.CompletedProcess[str]:
    anthropic_server.add(
        Reply.sse(tool_use_events([("t1", "mcp__secure__publish", {"text": "hello"})])),
        Reply.sse(text_message_events("done")),
    )
    return run_hexclaw(
        ["-p", "publish", "--mcp-config", config, "--allowedTools", "mcp__secure"], env, workspace
    )


def _last_tool_result(anthropic_server: ScriptedAnthropicServer) -> str:
    return json.dumps(anthropic_server.requests[-1].body["messages"][-1])


def test_a_403_insufficient_scope_is_remembered_and_the_next_login_steps_up(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    with protected_server(call_log=log) as (url, oauth):
        config = _config(tmp_path, url, {"clientId": CLIENT_ID})
        credentials = config_home / "credentials.json"
        credentials.write_text(json.dumps({"otherTool": {"keep": True}}))
        browser_log = tmp_path / "browser.log"
        env = hexclaw_env(
            anthropic_server.url,
            config_home,
            BROWSER=str(BROWSER),
            FAKE_BROWSER_LOG=str(browser_log),
        )
        login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
        assert login.returncode == 0, login.stdout + login.stderr
        assert _authorize_scope(login.stdout) == "mcp"  # the resource's scopes_supported
        assert _entry(config_home)["scope"] == "mcp"
        browser_log.unlink()

        done = _publish_run(anthropic_server, config, env, workspace)
        assert done.returncode == 0, done.stderr
        # The server refused the call for want of a scope: the run opened no browser, sent no
        # new authorization, and told the model (and the user) which command steps up.
        assert [c["allowed"] for c in _calls(log)] == [False]
        assert not browser_log.exists()
        assert oauth.stats()["authorizations"] == 1
        result = _last_tool_result(anthropic_server)
        assert "hexclaw mcp login secure" in result
        assert "mcp:write" in result
        document = json.loads(credentials.read_text())
        assert document["otherTool"] == {"keep": True}
        assert oct(os.stat(credentials).st_mode & 0o777) == "0o600"
        assert set(_entry(config_home)["scope"].split()) == {"mcp", "mcp:write"}

        login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
        assert login.returncode == 0, login.stdout + login.stderr
        assert _authorize_scope(login.stdout).split() == ["mcp", "mcp:write"]
        assert oauth.stats()["authorizeScopes"] == ["mcp", "mcp mcp:write"]
        assert oauth.stats()["exchanges"] == 2

        done = _publish_run(anthropic_server, config, env, workspace)
        assert done.returncode == 0, done.stderr
        assert [c["allowed"] for c in _calls(log)] == [False, True]
        assert "published: hello" in _last_tool_result(anthropic_server)
        assert json.loads(credentials.read_text())["otherTool"] == {"keep": True}


def test_concurrent_runs_with_an_expired_token_make_one_refresh(
    config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """The server accepts each refresh token once and answers token requests late, so runs
    that each sent their own refresh would fail all but one: under the credentials lock the
    first refreshes and the others read its token after taking the lock."""
    runs = 3
    with (
        protected_server("--ttl", "3", "--single-use", "--token-delay-ms", "1500") as (url, oauth),
        contextlib.ExitStack() as stack,
    ):
        models = [
            stack.enter_context(ScriptedAnthropicServer(idle_timeout=60)) for _ in range(runs)
        ]
        config = _config(tmp_path, url, {"clientId": CLIENT_ID})
        env = hexclaw_env(models[0].url, config_home, BROWSER=str(BROWSER))
        login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
        assert login.returncode == 0, login.stdout + login.stderr
        before = _entry(config_home)["tokens"]
        time.sleep(max(0.0, before["expiresAt"] - time.time()) + 0.5)  # expired now

        processes = []
        for model in models:
            model.add(
                Reply.sse(tool_use_events([("t1", "mcp__secure__whoami", {})])),
                Reply.sse(text_message_events("done")),
            )
            processes.append(
                subprocess.Popen(
                    [
                        *HEXCLAW,
                        "-p",
                        "who?",
                        "--mcp-config",
                        config,
                        "--allowedTools",
                        "mcp__secure",
                    ],
                    env=hexclaw_env(model.url, config_home, BROWSER=str(BROWSER)),
                    cwd=workspace,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        outcomes = [process.communicate(timeout=90) for process in processes]
        for process, (out, err) in zip(processes, outcomes, strict=True):
            assert process.returncode == 0, out + err
            assert "needs login" not in err, err
        for model in models:
            assert "authorized" in _last_tool_result(model)
        stats = oauth.stats()
        assert (stats["exchanges"], stats["refreshes"], stats["rejected"]) == (1, 1, 0)
        after = _entry(config_home)["tokens"]
        assert after["refresh_token"] != before["refresh_token"]
        assert oauth.is_live(after["access_token"])
        assert oct(os.stat(config_home / "credentials.json").st_mode & 0o777) == "0o600"
