"""``hexclaw login``, ``logout`` and ``auth status`` as subprocesses, against the npm OAuth
server, a scripted browser given through ``BROWSER`` and the scripted Anthropic server, which
accepts only bearer tokens that the OAuth server says are live (token introspection)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.oauth.server import BROWSER, OAuthServer
from tests.fakes.sse_script import text_message_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw

pytestmark = pytest.mark.node

OTHER_KEYS = {"otherTool": {"token": "not ours", "n": [1, 2]}}


class Api:
    """An Anthropic API that checks each bearer token with the OAuth server."""

    def __init__(self, oauth: OAuthServer, fail_first: int = 0, always_401: bool = False) -> None:
        self.oauth = oauth
        self.fail_first = fail_first
        self.always_401 = always_401
        self.tokens: list[str] = []
        self.server = ScriptedAnthropicServer(responder=self.respond, idle_timeout=60)

    def respond(self, request: RecordedRequest) -> Reply:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        self.tokens.append(token)
        beta = request.headers.get("anthropic-beta", "")
        if "oauth-2025-04-20" not in beta.split(","):
            return Reply.error(400, "invalid_request_error", "OAuth tokens need the beta header")
        if "x-api-key" in request.headers:
            return Reply.error(400, "invalid_request_error", "two credentials sent")
        if self.always_401 or len(self.tokens) <= self.fail_first:
            return Reply.error(401, "authentication_error", "invalid bearer token")
        if not self.oauth.is_live(token):
            return Reply.error(401, "authentication_error", "token expired or unknown")
        return Reply.sse(text_message_events("hello from the API"))


@pytest.fixture
def home(config_home: Path) -> Path:
    (config_home / "credentials.json").write_text(json.dumps(OTHER_KEYS))
    return config_home


def _env(
    home: Path,
    oauth: OAuthServer,
    api_url: str = "http://127.0.0.1:9",
    browser_mode: str = "follow",
    **oauth_settings: Any,
) -> dict[str, str]:
    (home / "settings.json").write_text(json.dumps({"oauth": oauth.settings(**oauth_settings)}))
    env = hexclaw_env(
        api_url,
        home,
        BROWSER=str(BROWSER),
        FAKE_BROWSER_MODE=browser_mode,
        FAKE_BROWSER_LOG=str(home.parent / "browser.log"),
    )
    del env["ANTHROPIC_API_KEY"]
    return env


def _browser_log(home: Path) -> list[dict[str, Any]]:
    path = home.parent / "browser.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _stored(home: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((home / "credentials.json").read_text())
    return document


def _assert_no_secret(outputs: list[str], home: Path) -> None:
    oauth = _stored(home).get("oauth") or {}
    for secret in (oauth.get("accessToken"), oauth.get("refreshToken")):
        if secret:
            for text in outputs:
                assert secret not in text
                assert secret[:12] not in text


def _login(home: Path, env: dict[str, str], workspace: Path, *args: str) -> str:
    done = run_hexclaw(["login", *args], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    _assert_no_secret([done.stdout, done.stderr], home)
    return done.stdout


@pytest.fixture
def oauth() -> Iterator[OAuthServer]:
    with OAuthServer("--single-use") as server:
        yield server


def test_login_status_prompt_and_logout(home: Path, workspace: Path, oauth: OAuthServer) -> None:
    api = Api(oauth)
    with api.server:
        env = _env(home, oauth, api.server.url, scopes=["openid", "profile"])
        out = _login(home, env, workspace)
        assert "Waiting for the login callback on http://localhost:" in out
        assert f"{oauth.url}/authorize?response_type=code&" in out
        assert "code_challenge_method=S256" in out
        assert "Logged in with OAuth" in out
        assert "Expires: " in out
        assert "Scopes: " in out
        assert [e["step"] for e in _browser_log(home)] == ["opened", "authorize", "callback"]
        assert _browser_log(home)[-1]["status"] == 200
        stored = _stored(home)
        assert stored["otherTool"] == OTHER_KEYS["otherTool"]
        assert set(stored["oauth"]) == {"accessToken", "refreshToken", "expiresAt", "scopes"}
        assert stored["oauth"]["expiresAt"] > time.time() + 3000
        assert stat.S_IMODE((home / "credentials.json").stat().st_mode) == 0o600
        token = stored["oauth"]["accessToken"]

        status = run_hexclaw(["auth", "status"], env, workspace)
        assert status.returncode == 0, status.stderr
        assert "Credentials: stored OAuth login" in status.stdout
        assert f"{token[:4]}…{token[-4:]}" in status.stdout
        assert "Refresh due: no" in status.stdout
        _assert_no_secret([status.stdout, status.stderr], home)

        answer = run_hexclaw(["-p", "hi"], env, workspace)
        assert answer.returncode == 0, answer.stderr
        assert "hello from the API" in answer.stdout
        assert api.tokens == [token]

        logout = run_hexclaw(["logout"], env, workspace)
        assert logout.returncode == 0, logout.stderr
        assert "Logged out" in logout.stdout
        assert _stored(home) == OTHER_KEYS
        after = run_hexclaw(["auth", "status"], env, workspace)
        assert after.returncode == 1
        assert "none usable" in after.stdout


def test_a_refresh_after_the_access_token_expires(home: Path, workspace: Path) -> None:
    with OAuthServer("--single-use", "--ttl", "2") as oauth:
        api = Api(oauth)
        with api.server:
            env = _env(home, oauth, api.server.url, expiryMarginSeconds=0)
            _login(home, env, workspace)
            first = _stored(home)["oauth"]
            time.sleep(max(0.0, first["expiresAt"] - time.time()))
            deadline = time.monotonic() + 5  # the server's clock started a moment earlier
            while oauth.is_live(first["accessToken"]) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not oauth.is_live(first["accessToken"])
            answer = run_hexclaw(["-p", "hi"], env, workspace)
            assert answer.returncode == 0, answer.stderr
            renewed = _stored(home)["oauth"]
            assert renewed["accessToken"] != first["accessToken"]
            assert renewed["refreshToken"] != first["refreshToken"]
            assert api.tokens == [renewed["accessToken"]]
            assert oauth.stats()["refreshes"] == 1
            assert _stored(home)["otherTool"] == OTHER_KEYS["otherTool"]


def test_state_mismatch_saves_nothing(home: Path, workspace: Path, oauth: OAuthServer) -> None:
    env = _env(home, oauth, browser_mode="tamper-state")
    done = run_hexclaw(["login"], env, workspace)
    assert done.returncode == 1
    assert "state does not match" in done.stderr
    assert "Traceback" not in done.stderr
    assert _browser_log(home)[-1]["status"] == 400
    assert "Login failed" in _browser_log(home)[-1]["page"]
    assert _stored(home) == OTHER_KEYS
    assert oauth.stats()["exchanges"] == 0


def test_access_denied(home: Path, workspace: Path) -> None:
    with OAuthServer("--deny") as oauth:
        done = run_hexclaw(["login"], _env(home, oauth), workspace)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "hexclaw: authorization failed: access_denied (The user denied the request)"
    )
    assert _stored(home) == OTHER_KEYS


def test_no_callback_before_the_timeout(home: Path, workspace: Path, oauth: OAuthServer) -> None:
    env = _env(home, oauth, browser_mode="ignore", callbackTimeoutSeconds=1)
    started = time.monotonic()
    done = run_hexclaw(["login"], env, workspace)
    assert done.returncode == 1
    assert "no login callback arrived within 1 s" in done.stderr
    assert time.monotonic() - started < 15
    assert _browser_log(home) == [{"step": "opened", "mode": "ignore"}]


def test_a_favicon_request_before_the_callback(
    home: Path, workspace: Path, oauth: OAuthServer
) -> None:
    _login(home, _env(home, oauth, browser_mode="favicon-first"), workspace)
    steps = {e["step"]: e.get("status") for e in _browser_log(home)}
    assert steps["favicon"] == 404
    assert steps["callback"] == 200
    assert "oauth" in _stored(home)


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*HEXCLAW, *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_url(process: subprocess.Popen[str], prefix: str) -> str:
    assert process.stdout is not None
    for _ in range(20):
        line = process.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError("hexclaw printed no authorize URL")


def test_no_browser_only_prints_the_url(home: Path, workspace: Path, oauth: OAuthServer) -> None:
    process = _start(["login", "--no-browser"], _env(home, oauth), workspace)
    try:
        url = _read_url(process, f"{oauth.url}/authorize?")
        # The user copies the URL into a browser elsewhere on this machine.
        with httpx.Client(trust_env=False, follow_redirects=True, timeout=10) as browser:
            page = browser.get(url)
        assert page.status_code == 200
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 0, err
    assert "Logged in with OAuth" in out
    assert _browser_log(home) == []  # BROWSER was never run
    _assert_no_secret([out, err], home)


def test_manual_login_with_a_pasted_code(home: Path, workspace: Path, oauth: OAuthServer) -> None:
    env = _env(home, oauth, manualRedirectUrl=f"{oauth.url}/show-code")
    process = _start(["login", "--manual"], env, workspace)
    try:
        url = _read_url(process, f"{oauth.url}/authorize?")
        assert "redirect_uri=http%3A%2F%2F127.0.0.1" in url
        redirect = httpx.get(url, follow_redirects=False, trust_env=False).headers["location"]
        query = dict(httpx.URL(redirect).params)
        assert redirect.startswith(f"{oauth.url}/show-code?")
        out, err = process.communicate(f"{query['code']}#{query['state']}\n", timeout=30)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 0, err
    assert "Logged in with OAuth" in out
    assert query["code"] not in out
    assert _browser_log(home) == []
    assert oauth.stats()["exchanges"] == 1


def test_manual_login_with_a_wrong_state(home: Path, workspace: Path, oauth: OAuthServer) -> None:
    env = _env(home, oauth, manualRedirectUrl=f"{oauth.url}/show-code")
    done = run_hexclaw(["login", "--manual"], env, workspace, stdin="some-code#forged\n")
    assert done.returncode == 1
    assert "state does not match" in done.stderr
    assert _stored(home) == OTHER_KEYS


def _expire_stored_token(home: Path) -> None:
    document = _stored(home)
    document["oauth"]["expiresAt"] = int(time.time()) - 10
    (home / "credentials.json").write_text(json.dumps(document))


def test_two_processes_refreshing_at_once_both_end_with_a_working_token(
    home: Path, workspace: Path
) -> None:
    with OAuthServer("--single-use", "--token-delay-ms", "1500") as oauth:
        api = Api(oauth)
        with api.server:
            env = _env(home, oauth, api.server.url)
            _login(home, env, workspace)
            _expire_stored_token(home)
            processes = [_start(["-p", "hi"], env, workspace) for _ in range(2)]
            results = [p.communicate(timeout=60) for p in processes]
            for process, (out, err) in zip(processes, results, strict=True):
                assert process.returncode == 0, err
                assert "hello from the API" in out
            stats = oauth.stats()
            assert stats["refreshes"] == 1
            assert stats["rejected"] == 0
            final = _stored(home)["oauth"]["accessToken"]
            assert api.tokens == [final, final]
            assert oauth.is_live(final)


def test_a_401_triggers_one_refresh_and_one_retry(
    home: Path, workspace: Path, oauth: OAuthServer
) -> None:
    api = Api(oauth, fail_first=1)
    with api.server:
        env = _env(home, oauth, api.server.url)
        _login(home, env, workspace)
        first = _stored(home)["oauth"]["accessToken"]
        done = run_hexclaw(["-p", "hi"], env, workspace)
        assert done.returncode == 0, done.stderr
        renewed = _stored(home)["oauth"]["accessToken"]
        assert api.tokens == [first, renewed]
        assert renewed != first
        assert oauth.stats()["refreshes"] == 1


def test_a_401_that_persists_is_not_retried_again(
    home: Path, workspace: Path, oauth: OAuthServer
) -> None:
    api = Api(oauth, always_401=True)
    with api.server:
        env = _env(home, oauth, api.server.url)
        _login(home, env, workspace)
        done = run_hexclaw(["-p", "hi"], env, workspace)
        assert done.returncode == 1
        assert "401" in done.stderr
        assert len(api.tokens) == 2
        assert oauth.stats()["refreshes"] == 1


def test_a_rejected_refresh_keeps_the_entry_and_says_to_log_in(
    home: Path, workspace: Path, oauth: OAuthServer
) -> None:
    env = _env(home, oauth)
    _login(home, env, workspace)
    refresh_token = _stored(home)["oauth"]["refreshToken"]
    spent = httpx.post(
        f"{oauth.url}/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "x"},
    )
    assert spent.status_code == 401  # the server knows only hexclaw's client id
    httpx.post(
        f"{oauth.url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": "hexclaw-test-client",
        },
    ).raise_for_status()
    _expire_stored_token(home)
    before = (home / "credentials.json").read_bytes()
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 1
    assert "refresh was rejected" in done.stderr
    assert "run `hexclaw login`" in done.stderr
    assert refresh_token not in done.stderr
    assert (home / "credentials.json").read_bytes() == before


def test_status_with_environment_credentials(home: Path, workspace: Path) -> None:
    env = hexclaw_env("http://127.0.0.1:9", home, ANTHROPIC_AUTH_TOKEN="tok-abcdefghijklmnop-xyz")
    env["ANTHROPIC_API_KEY"] = "sk-ant-api03-0123456789abcdefWXYZ"
    done = run_hexclaw(["auth", "status"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "Credentials: ANTHROPIC_API_KEY, sent as x-api-key" in done.stdout
    assert "sk-a…WXYZ" in done.stdout
    assert "Also set but not used: ANTHROPIC_AUTH_TOKEN" in done.stdout
    assert "0123456789abcdef" not in done.stdout
    assert "abcdefghijklmnop" not in done.stdout


def test_a_corrupt_credentials_file_is_reported_and_kept(home: Path, workspace: Path) -> None:
    env = hexclaw_env("http://127.0.0.1:9", home)
    del env["ANTHROPIC_API_KEY"]
    content = b'{"oauth": {"accessToken": "abc"'
    (home / "credentials.json").write_bytes(content)
    for args in (["auth", "status"], ["logout"], ["-p", "hi"]):
        done = run_hexclaw(args, env, workspace)
        assert done.returncode == 1
        [line] = done.stderr.strip().splitlines()
        assert str(home / "credentials.json") in line
        assert "left unchanged" in line
        assert (home / "credentials.json").read_bytes() == content


def test_logout_with_no_file_creates_none(config_home: Path, workspace: Path) -> None:
    env = hexclaw_env("http://127.0.0.1:9", config_home)
    done = run_hexclaw(["logout"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "nothing to remove" in done.stdout
    assert list(config_home.iterdir()) == []


def test_a_malformed_oauth_block_names_file_and_field(home: Path, workspace: Path) -> None:
    # The user's own settings: a project's .claude/settings.json may not set oauth at all.
    settings = home / "settings.json"
    settings.write_text(json.dumps({"oauth": {"callbackPort": "eighty"}}))
    env = hexclaw_env("http://127.0.0.1:9", home)
    done = run_hexclaw(["login"], env, workspace)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"hexclaw: {settings}: oauth.callbackPort: must be a whole number from 0 "
        "(any free port) to 65535"
    )


def test_not_logged_in_fails_before_any_request(config_home: Path, workspace: Path) -> None:
    env = hexclaw_env("http://127.0.0.1:9", config_home)
    del env["ANTHROPIC_API_KEY"]
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 1
    assert "no credentials" in done.stderr
    assert not os.path.exists(config_home / "credentials.json")
