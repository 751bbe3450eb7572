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

import filelock
import pytest

from tests.e2e.live_process import start_hexclaw
from tests.e2e.test_mcp_oauth import protected_server
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import self_signed_certificate
from tests.fakes.mcp_servers import free_port, time_entry
from tests.fakes.oauth.server import BROWSER, CLIENT_ID
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw


def _config(tmp_path: Path, url: str, oauth: dict[str, Any] | None, transport: str = "http") -> str:
    entry: dict[str, Any] = {"type": transport, "url": url}
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


def _browser_env(
    server: ScriptedAnthropicServer, config_home: Path, tmp_path: Path
) -> tuple[dict[str, str], Path]:
    """hexclaw's environment with the fake browser, and the file it logs each URL to."""
    browser_log = tmp_path / "browser.log"
    env = hexclaw_env(
        server.url, config_home, BROWSER=str(BROWSER), FAKE_BROWSER_LOG=str(browser_log)
    )
    return env, browser_log


def _login(config: str, env: dict[str, str], workspace: Path) -> subprocess.CompletedProcess[str]:
    login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
    assert login.returncode == 0, login.stdout + login.stderr
    return login


def test_a_403_insufficient_scope_is_remembered_and_the_next_login_steps_up(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    with protected_server(call_log=log) as (url, oauth):
        config = _config(tmp_path, url, {"clientId": CLIENT_ID})
        credentials = config_home / "credentials.json"
        credentials.write_text(json.dumps({"otherTool": {"keep": True}}))
        env, browser_log = _browser_env(anthropic_server, config_home, tmp_path)
        login = _login(config, env, workspace)
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

        login = _login(config, env, workspace)
        assert _authorize_scope(login.stdout).split() == ["mcp", "mcp:write"]
        assert oauth.stats()["authorizeScopes"] == ["mcp", "mcp mcp:write"]
        assert oauth.stats()["exchanges"] == 2

        done = _publish_run(anthropic_server, config, env, workspace)
        assert done.returncode == 0, done.stderr
        assert [c["allowed"] for c in _calls(log)] == [False, True]
        assert "published: hello" in _last_tool_result(anthropic_server)
        assert json.loads(credentials.read_text())["otherTool"] == {"keep": True}


def test_on_the_legacy_sse_transport_a_403_insufficient_scope_answers_the_call_at_once(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """The SDK's SSE client drops what a POST answers (answers come on the event stream), so
    the step-up error written into the 403's place never reached the call, which waited for
    MCP_TOOL_TIMEOUT. The call now ends at once with the same error, the scope is remembered,
    the session still answers the next call, and the next login steps up."""
    log = tmp_path / "calls.log"
    with protected_server(call_log=log, sse=True) as (url, oauth):
        config = _config(tmp_path, url, {"clientId": CLIENT_ID}, transport="sse")
        env, browser_log = _browser_env(anthropic_server, config_home, tmp_path)
        env["MCP_TOOL_TIMEOUT"] = "45000"
        login = _login(config, env, workspace)
        assert _authorize_scope(login.stdout) == "mcp"
        browser_log.unlink()

        anthropic_server.add(
            Reply.sse(tool_use_events([("t1", "mcp__secure__publish", {"text": "hello"})])),
            Reply.sse(tool_use_events([("t2", "mcp__secure__whoami", {})])),
            Reply.sse(text_message_events("done")),
        )
        started = time.monotonic()
        done = run_hexclaw(
            ["-p", "publish", "--mcp-config", config, "--allowedTools", "mcp__secure"],
            env,
            workspace,
        )
        elapsed = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        assert elapsed < 20, f"the run took {elapsed:.1f}s: the call waited for its timeout"
        assert [c["allowed"] for c in _calls(log)] == [False]
        refused = json.dumps(anthropic_server.requests[-2].body["messages"][-1])
        assert "insufficient scope" in refused
        assert "hexclaw mcp login secure" in refused
        assert "mcp:write" in refused
        assert "authorized" in _last_tool_result(anthropic_server)  # the session still serves
        assert not browser_log.exists()
        assert oauth.stats()["authorizations"] == 1
        assert set(_entry(config_home)["scope"].split()) == {"mcp", "mcp:write"}

        login = _login(config, env, workspace)
        assert _authorize_scope(login.stdout).split() == ["mcp", "mcp:write"]
        assert oauth.stats()["authorizeScopes"] == ["mcp", "mcp mcp:write"]

        done = _publish_run(anthropic_server, config, env, workspace)
        assert done.returncode == 0, done.stderr
        assert [c["allowed"] for c in _calls(log)] == [False, True]
        assert "published: hello" in _last_tool_result(anthropic_server)


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
        _login(config, env, workspace)
        before = _entry(config_home)["tokens"]
        time.sleep(max(0.0, before["expiresAt"] - time.time()) + 0.5)  # expired now

        processes = []
        for model in models:
            model.add(
                Reply.sse(tool_use_events([("t1", "mcp__secure__whoami", {})])),
                Reply.sse(text_message_events("done")),
            )
            args = ["-p", "who?", "--mcp-config", config, "--allowedTools", "mcp__secure"]
            env = hexclaw_env(model.url, config_home, BROWSER=str(BROWSER))
            processes.append(start_hexclaw(args, env, workspace))
        outcomes = [process.communicate(timeout=90) for process in processes]
        for process, (raw_out, raw_err) in zip(processes, outcomes, strict=True):
            out, err = raw_out.decode(), raw_err.decode()
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


def test_a_refresh_waiting_for_another_process_holds_up_only_its_own_server(
    config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """Another process holds the credentials lock (its own refresh, as the test does here)
    when a run finds its token for ``secure`` expired: the run's other server connects and
    answers meanwhile, and ``secure``, still waiting for the lock when ``MCP_TIMEOUT`` ends,
    is one failed line. Before, the refresh blocked the thread every server's I/O runs on."""
    with (
        protected_server("--ttl", "3") as (url, oauth),
        ScriptedAnthropicServer(idle_timeout=60) as model,
    ):
        servers = {
            "secure": {"type": "http", "url": url, "oauth": {"clientId": CLIENT_ID}},
            "time": time_entry(),
        }
        config = tmp_path / "both.json"
        config.write_text(json.dumps({"mcpServers": servers}))
        env = hexclaw_env(model.url, config_home, BROWSER=str(BROWSER), MCP_TIMEOUT="3000")
        _login(str(config), env, workspace)
        expires_at = _entry(config_home)["tokens"]["expiresAt"]
        time.sleep(max(0.0, expires_at - time.time()) + 0.5)
        model.add(
            Reply.sse(
                tool_use_events([("t1", "mcp__time__get_current_time", {"timezone": "UTC"})])
            ),
            Reply.sse(text_message_events("done")),
        )
        lock = filelock.FileLock(config_home / "credentials.json.lock")
        with lock:
            args = ["-p", "time?", "--mcp-config", str(config), "--allowedTools", "mcp__time"]
            run = start_hexclaw(args, env, workspace)
            try:
                # The time server's answer reaches the model while the lock is still held.
                deadline = time.monotonic() + 30
                while len(model.requests) < 2:
                    assert run.poll() is None, run.communicate()
                    assert time.monotonic() < deadline, "the run made no progress"
                    time.sleep(0.05)
            except BaseException:
                run.kill()
                run.communicate()
                raise
        raw_out, raw_err = run.communicate(timeout=60)
        out, err = raw_out.decode(), raw_err.decode()
        refreshes = oauth.stats()["refreshes"]
    assert run.returncode == 0, out + err
    assert "datetime" in _last_tool_result(model)
    (failed,) = [line for line in err.splitlines() if "secure" in line]
    assert "timed out" in failed
    assert refreshes == 0


@contextlib.contextmanager
def metadata_document(
    tmp_path: Path, redirect_uris: list[str]
) -> Iterator[tuple[str, Path, list[str]]]:
    """An https server on 127.0.0.1 serving hexclaw's client ID metadata document (its
    ``client_id`` is its own URL): the URL, the certificate that vouches for it, the paths
    fetched."""
    cert, key = self_signed_certificate(tmp_path)
    fetched: list[str] = []
    document: dict[str, Any] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fetched.append(self.path)
            body = json.dumps(document).encode()
            found = self.path == "/hexclaw/client.json"
            self.send_response(200 if found else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    url = f"https://127.0.0.1:{server.server_address[1]}/hexclaw/client.json"
    document.update(
        client_id=url,
        client_name="hexclaw",
        redirect_uris=redirect_uris,
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        token_endpoint_auth_method="none",
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield url, cert, fetched
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _client_id(login_stdout: str) -> str:
    (line,) = [word for word in login_stdout.split() if "/authorize?" in word]
    return parse_qs(urlsplit(line).query)["client_id"][0]


def test_where_advertised_the_metadata_document_url_is_the_client_id(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """The authorization server offers registration too: the document comes first, and the
    server fetched it and checked the redirect URI against it."""
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/callback"
    with (
        metadata_document(tmp_path, [redirect]) as (document_url, cert, fetched),
        protected_server("--cimd", str(cert), "--registration") as (url, oauth),
    ):
        config = _config(tmp_path, url, {"clientMetadataUrl": document_url, "callbackPort": port})
        env = hexclaw_env(anthropic_server.url, config_home, BROWSER=str(BROWSER))
        login = _login(config, env, workspace)
        assert _client_id(login.stdout) == document_url
        stats = oauth.stats()
        assert (stats["cimdFetches"], stats["cimdRefused"]) == (1, 0)
        assert (stats["registrations"], stats["exchanges"]) == (0, 1)
        assert fetched == ["/hexclaw/client.json"]
        entry = _entry(config_home)
        assert entry["client"]["client_id"] == document_url
        assert oauth.is_live(entry["tokens"]["access_token"])

        listed = run_hexclaw(["mcp", "list", "--mcp-config", config], env, workspace)
        assert "secure http connected 2 tools" in listed.stdout, listed.stdout + listed.stderr
        assert oauth.stats()["exchanges"] == 1


def test_a_redirect_uri_the_document_does_not_list_gets_no_code(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """The document lists another port than the one hexclaw listens on: the authorization
    server refuses without redirecting, no code is issued and no token stored."""
    port, other = free_port(), free_port()
    with (
        metadata_document(tmp_path, [f"http://127.0.0.1:{other}/callback"]) as (doc, cert, _),
        protected_server("--cimd", str(cert)) as (url, oauth),
    ):
        config = _config(tmp_path, url, {"clientMetadataUrl": doc, "callbackPort": port})
        env = hexclaw_env(anthropic_server.url, config_home, BROWSER=str(BROWSER))
        login = subprocess.Popen(
            [*HEXCLAW, "mcp", "login", "secure", "--mcp-config", config],
            env=env,
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while oauth.stats()["cimdRefused"] == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            # hexclaw waits for a redirect that will not come (as with a user who closes the
            # browser tab): ended here, by its own PID; SIGTERM ends the wait at once.
            login.terminate()
            assert login.wait(timeout=10) == 143
        stats = oauth.stats()
        assert (stats["cimdFetches"], stats["cimdRefused"]) == (1, 1)
        assert (stats["authorizations"], stats["exchanges"]) == (0, 0)
        credentials = config_home / "credentials.json"
        if credentials.exists():
            assert "tokens" not in _entry(config_home)


@pytest.mark.parametrize(
    ("oauth_entry", "identity"),
    [
        ({"clientId": CLIENT_ID, "clientMetadataUrl": "DOCUMENT"}, "preregistered"),
        ({}, "registration"),
    ],
)
def test_a_preregistered_client_id_comes_first_and_without_a_document_url_hexclaw_registers(
    oauth_entry: dict[str, Any],
    identity: str,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    port = free_port()
    with (
        metadata_document(tmp_path, [f"http://127.0.0.1:{port}/callback"]) as (doc, cert, fetched),
        protected_server("--cimd", str(cert), "--registration") as (url, oauth),
    ):
        entry = {k: doc if v == "DOCUMENT" else v for k, v in oauth_entry.items()}
        config = _config(tmp_path, url, {**entry, "callbackPort": port})
        env = hexclaw_env(anthropic_server.url, config_home, BROWSER=str(BROWSER))
        login = _login(config, env, workspace)
        stats = oauth.stats()
        assert (stats["cimdFetches"], stats["exchanges"]) == (0, 1)
        assert fetched == []
        if identity == "preregistered":
            assert _client_id(login.stdout) == CLIENT_ID
            assert stats["registrations"] == 0
        else:
            assert stats["registrations"] == 1
            assert _client_id(login.stdout) not in (CLIENT_ID, doc)


def test_a_metadata_document_url_that_is_not_https_is_one_line(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = _config(
        tmp_path, "http://127.0.0.1:9/mcp", {"clientMetadataUrl": "http://example.com/client.json"}
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["mcp", "list", "--mcp-config", config], env, workspace)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"hexclaw: {config}: MCP server 'secure': oauth.clientMetadataUrl must be an https URL"
    ]


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_a_repl_session_remembers_the_step_up_too_and_opens_no_browser(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
    transport: str,
) -> None:
    log = tmp_path / "calls.log"
    with protected_server(call_log=log, sse=transport == "sse") as (url, oauth):
        config = _config(tmp_path, url, {"clientId": CLIENT_ID}, transport=transport)
        env, browser_log = _browser_env(anthropic_server, config_home, tmp_path)
        env["MCP_TOOL_TIMEOUT"] = "45000"
        _login(config, env, workspace)
        browser_log.unlink()
        anthropic_server.add(
            Reply.sse(tool_use_events([("t1", "mcp__secure__publish", {"text": "hi"})])),
            Reply.sse(text_message_events("done")),
        )
        started = time.monotonic()
        done = run_hexclaw(
            ["--mcp-config", config, "--allowedTools", "mcp__secure"],
            env,
            workspace,
            stdin="publish it\n",
        )
        assert time.monotonic() - started < 20
        assert done.returncode == 0, done.stdout + done.stderr
        assert [c["allowed"] for c in _calls(log)] == [False]
        assert "hexclaw mcp login secure" in _last_tool_result(anthropic_server)
        assert not browser_log.exists()
        assert oauth.stats()["authorizations"] == 1
        assert set(_entry(config_home)["scope"].split()) == {"mcp", "mcp:write"}


@pytest.mark.parametrize(
    ("transport", "refused"), [("http", "initialize"), ("sse", "initialize"), ("sse", "stream")]
)
def test_a_server_that_wants_more_scope_to_connect_is_a_needs_login_line_then_one_login(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
    transport: str,
    refused: str,
) -> None:
    """After the first login the server starts answering ``initialize`` (or, on SSE, the event
    stream's GET) 403 insufficient_scope: the run's warning names the command and the scope,
    nothing hangs (on SSE too, whose client drops POST answers: the run ends well before
    MCP_TIMEOUT), and one login with the union of the scopes connects again."""
    flag = tmp_path / "initialize-needs-write"
    with protected_server(step_up_flag=flag, sse=transport == "sse") as (url, oauth):
        config = _config(tmp_path, url, {"clientId": CLIENT_ID}, transport=transport)
        env, browser_log = _browser_env(anthropic_server, config_home, tmp_path)
        _login(config, env, workspace)
        browser_log.unlink()
        flag.write_text(refused)

        anthropic_server.add(Reply.sse(text_message_events("ok")))
        env["MCP_TIMEOUT"] = "45000"
        started = time.monotonic()
        done = run_hexclaw(
            ["-p", "hi", "--mcp-config", config, "--allowedTools", "mcp__secure"], env, workspace
        )
        assert time.monotonic() - started < 20
        assert done.returncode == 0, done.stderr
        (line,) = [line for line in done.stderr.splitlines() if "secure" in line]
        assert "needs login" in line
        assert "with scope mcp mcp:write: run `hexclaw mcp login secure`" in line
        assert not browser_log.exists()
        assert oauth.stats()["authorizations"] == 1
        assert _entry(config_home)["scope"] == "mcp mcp:write"

        _login(config, env, workspace)
        assert oauth.stats()["authorizeScopes"] == ["mcp", "mcp mcp:write"]
        listed = run_hexclaw(["mcp", "list", "--mcp-config", config], env, workspace)
        assert f"secure {transport} connected 2 tools" in listed.stdout, (
            listed.stdout + listed.stderr
        )
