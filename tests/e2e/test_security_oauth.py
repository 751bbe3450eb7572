"""OAuth attacks and secrets, end to end: ``hexclaw login`` against an authorization server that
records every code, verifier and token it hands out, then sessions, refreshes and failures;
none of those secrets may appear anywhere hexclaw writes or prints but credentials.json."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import OAuthFault
from tests.fakes.oauth.server import BROWSER
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw

CLIENT_ID = "hexclaw-security"


@attrs.define
class TokenCheckingApi:
    oauth: OAuthFault
    unauthorized_next: int = 0
    server: ScriptedAnthropicServer = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.server = ScriptedAnthropicServer(responder=self.respond, idle_timeout=60)

    def respond(self, request: RecordedRequest) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.unauthorized_next > 0 or not self.oauth.is_live(token):
            self.unauthorized_next -= 1
            return Reply.error(401, "authentication_error", "invalid bearer token")
        return Reply.sse(text_message_events("hello from the API"))


@pytest.fixture
def setup(
    config_home: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[OAuthFault, TokenCheckingApi, dict[str, str]]]:
    granted = getattr(request, "param", None)
    with OAuthFault(CLIENT_ID, granted_scope=granted) as oauth:
        api = TokenCheckingApi(oauth)
        with api.server:
            settings = {"oauth": oauth.settings(["user:inference", "user:profile"])}
            (config_home / "settings.json").write_text(json.dumps(settings))
            env = hexclaw_env(
                api.server.url,
                config_home,
                BROWSER=str(BROWSER),
                FAKE_BROWSER_LOG=str(tmp_path / "browser.log"),
            )
            del env["ANTHROPIC_API_KEY"]
            yield oauth, api, env


def _stored(home: Path) -> dict[str, object]:
    oauth: dict[str, object] = json.loads((home / "credentials.json").read_text())["oauth"]
    return oauth


def _expire(home: Path, refresh_token: str | None = None) -> None:
    document = json.loads((home / "credentials.json").read_text())
    document["oauth"]["expiresAt"] = int(time.time()) - 10
    if refresh_token is not None:
        document["oauth"]["refreshToken"] = refresh_token
    (home / "credentials.json").write_text(json.dumps(document))


def leaks(secrets: list[str], texts: dict[str, str]) -> list[str]:
    """Where a secret, or any 12-character piece of its start or end, shows up."""
    found = []
    for secret in secrets:
        pieces = {secret, secret[:12], secret[-12:]}
        found += [
            f"{where}: {secret[:6]}…"
            for where, text in texts.items()
            if any(p in text for p in pieces)
        ]
    return found


def test_no_code_verifier_or_token_appears_outside_credentials_json(
    setup: tuple[OAuthFault, TokenCheckingApi, dict[str, str]],
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    oauth, api, env = setup
    printed: dict[str, str] = {}

    def run(name: str, args: list[str], expect: int = 0) -> None:
        done = run_hexclaw(args, env, workspace)
        assert done.returncode == expect, done.stderr
        printed[f"{name} stdout"], printed[f"{name} stderr"] = done.stdout, done.stderr

    run("login", ["login"])
    run("status", ["auth", "status"])
    cassette = tmp_path / "cassettes" / "session.yaml"
    run(
        "prompt",
        ["-p", "hi", "--record", str(cassette), "--output-format", "stream-json", "--verbose"],
    )
    _expire(config_home)
    run("refresh", ["-p", "again", "--continue", "--output-format", "json"])
    api.unauthorized_next = 1
    run("401", ["-p", "once more", "--continue", "--record", str(tmp_path / "c2.yaml")])
    spent = oauth.record.refresh_tokens[0]
    _expire(config_home, refresh_token=spent)
    run("rejected", ["-p", "and again"], expect=1)
    assert "refresh was rejected" in printed["rejected stderr"]
    before_logout = (config_home / "credentials.json").read_text()
    run("logout", ["logout"])

    assert oauth.record.exchanges == 1
    assert oauth.record.refreshes == 2  # the expiry and the 401
    assert oauth.record.rejected == 1  # the spent refresh token
    secrets = oauth.record.secrets()
    assert len(secrets) == 8  # a code, a verifier, and three pairs of tokens
    files = {
        str(path.relative_to(tmp_path)): path.read_text(errors="replace")
        for path in tmp_path.rglob("*")
        if path.is_file() and not path.name.startswith("credentials.json")
    }
    assert any(name.endswith(".jsonl") for name in files)  # the sessions were saved
    assert cassette.is_file()
    assert leaks(secrets, {**printed, **files}) == []
    # The check itself can fail: it finds the tokens credentials.json held before logout.
    assert leaks(secrets, {"credentials.json": before_logout}) != []
    after = (config_home / "credentials.json").read_text()
    assert leaks(secrets, {"credentials.json": after}) == []  # logout removed them


@pytest.mark.parametrize("setup", ["org:create_api_key"], indirect=True)
def test_a_token_for_other_scopes_is_shown_as_such_and_never_widened(
    setup: tuple[OAuthFault, TokenCheckingApi, dict[str, str]],
    config_home: Path,
    workspace: Path,
) -> None:
    oauth, _, env = setup
    done = run_hexclaw(["login"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert (
        "Note: the server did not grant user:inference user:profile "
        "(granted: org:create_api_key); requests that need them will fail"
    ) in done.stdout
    assert "Scopes: org:create_api_key" in done.stdout
    assert _stored(config_home)["scopes"] == ["org:create_api_key"]
    _expire(config_home)
    again = run_hexclaw(["-p", "hi"], env, workspace)
    assert again.returncode == 0, again.stderr
    # The refresh asks for what was granted, not again for what was refused.
    assert oauth.record.refresh_scopes == ["org:create_api_key"]
