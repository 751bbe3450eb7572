"""credentials.json under stress, with hexclaw as a subprocess: many processes refreshing one
login at once, and a credentials file that is a directory, unreadable, or on a read-only
filesystem. Each failure is one clear line and nothing stored is changed or lost."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_login_flow import (
    Api,
    _browser_log,
    _env,
    _expire_stored_token,
    _login,
    _start,
    _stored,
)
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import OAuthFault
from tests.fakes.oauth.server import BROWSER, OAuthServer
from tests.fakes.sse_script import text_message_events
from tests.support import HEXCLAW, hexclaw_env
from tests.without_root import without_root_powers

OTHER_KEYS = {"otherTool": {"token": "not ours", "n": [1, 2]}}
CLIENT_ID = "hexclaw-reliability"


@pytest.mark.node
def test_ten_processes_refreshing_at_once_send_one_refresh_per_rotation(
    config_home: Path, workspace: Path
) -> None:
    (config_home / "credentials.json").write_text(json.dumps(OTHER_KEYS))
    with OAuthServer("--single-use", "--token-delay-ms", "2000") as oauth:
        api = Api(oauth)
        with api.server:
            env = _env(config_home, oauth, api.server.url)
            _login(config_home, env, workspace)
            tokens = []
            for rotation in (1, 2):
                _expire_stored_token(config_home)
                processes = [_start(["-p", "hi"], env, workspace) for _ in range(10)]
                for process in processes:
                    out, err = process.communicate(timeout=90)
                    assert process.returncode == 0, err
                    assert "hello from the API" in out
                stats = oauth.stats()
                assert stats["refreshes"] == rotation  # one refresh reached the server
                assert stats["rejected"] == 0  # nobody presented a spent refresh token
                stored = _stored(config_home)
                assert stored["otherTool"] == OTHER_KEYS["otherTool"]
                tokens.append(stored["oauth"]["accessToken"])
                assert oauth.is_live(tokens[-1])  # nobody ends logged out
                assert api.tokens[-10:] == [tokens[-1]] * 10
            assert tokens[0] != tokens[1]


def _oauth_api(oauth: OAuthFault) -> ScriptedAnthropicServer:
    def respond(request: RecordedRequest) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not oauth.is_live(token):
            return Reply.error(401, "authentication_error", "unknown token")
        return Reply.sse(text_message_events("hello from the API"))

    return ScriptedAnthropicServer(responder=respond, idle_timeout=60)


def _stored_login(home: Path, oauth: OAuthFault, expired: bool = False) -> bytes:
    access, refresh = oauth.issue()
    expires = int(time.time()) + (-10 if expired else 3600)
    entry = {"accessToken": access, "refreshToken": refresh, "expiresAt": expires, "scopes": []}
    (home / "credentials.json").write_text(json.dumps({**OTHER_KEYS, "oauth": entry}))
    return (home / "credentials.json").read_bytes()


@pytest.fixture
def oauth_home(config_home: Path) -> Iterator[tuple[OAuthFault, ScriptedAnthropicServer]]:
    with OAuthFault(CLIENT_ID) as oauth, _oauth_api(oauth) as api:
        settings = {"oauth": oauth.settings(["user:inference"])}
        (config_home / "settings.json").write_text(json.dumps(settings))
        yield oauth, api


def _oauth_env(home: Path, api: ScriptedAnthropicServer) -> dict[str, str]:
    env = hexclaw_env(api.url, home, BROWSER=str(BROWSER))
    del env["ANTHROPIC_API_KEY"]
    return env


def _run(
    args: list[str], env: dict[str, str], cwd: Path, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), *HEXCLAW, *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


COMMANDS = (["-p", "hi"], ["auth", "status"], ["logout"])


def test_a_credentials_file_that_is_a_directory_is_reported_and_left_alone(
    config_home: Path, workspace: Path
) -> None:
    path = config_home / "credentials.json"
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    env = hexclaw_env("http://127.0.0.1:9", config_home)
    del env["ANTHROPIC_API_KEY"]
    for args in COMMANDS:
        line = _one_line(_run(args, env, workspace))
        assert line == f"hexclaw: {path}: cannot read (Is a directory)"
    assert [p.name for p in path.iterdir()] == ["keep.txt"]


def test_an_unreadable_credentials_file_is_reported_and_kept(
    oauth_home: tuple[OAuthFault, ScriptedAnthropicServer], config_home: Path, workspace: Path
) -> None:
    oauth, api = oauth_home
    before = _stored_login(config_home, oauth)
    path = config_home / "credentials.json"
    path.chmod(0)
    env = _oauth_env(config_home, api)
    for args in COMMANDS:
        line = _one_line(_run(args, env, workspace, without_root_powers()))
        assert line == f"hexclaw: {path}: cannot read (Permission denied)"
    path.chmod(0o600)
    assert path.read_bytes() == before
    assert api.requests == []


def _read_only(folder: Path) -> list[str]:
    """A prefix that runs a command in a mount namespace where ``folder`` is read-only."""
    script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'
    for unshare in (["unshare", "--mount"], ["unshare", "--map-root-user", "--mount"]):
        prefix = [*unshare, "--propagation", "private", "sh", "-c", script, "sh", str(folder)]
        probe = subprocess.run(
            [*prefix, "sh", "-c", f'! touch "{folder}/probe" 2>/dev/null'],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return prefix
    pytest.skip("cannot make a read-only mount here (unshare/mount not permitted)")


def test_a_read_only_config_home(
    oauth_home: tuple[OAuthFault, ScriptedAnthropicServer], config_home: Path, workspace: Path
) -> None:
    oauth, api = oauth_home
    env = _oauth_env(config_home, api)
    valid = _stored_login(config_home, oauth)
    read_only = _read_only(config_home)
    # A valid login only needs reading: -p works when it need not save the session...
    done = _run(["-p", "hi", "--no-session-persistence"], env, workspace, read_only)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from the API\n"
    # ...and says in one line why it cannot when it must.
    line = _one_line(_run(["-p", "hi"], env, workspace, read_only))
    assert "cannot save the session" in line
    assert "Read-only file system" in line
    assert "--no-session-persistence" in line
    # A due refresh would rotate the refresh token, which then could not be saved: it is not
    # sent at all, and the stored login stays as it was.
    expired = _stored_login(config_home, oauth, expired=True)
    for args in (["-p", "hi", "--no-session-persistence"], ["logout"]):
        line = _one_line(_run(args, env, workspace, read_only))
        assert "cannot lock the credentials file (Read-only file system)" in line
        assert "left unchanged" in line
    assert oauth.record.refreshes == 0
    assert (config_home / "credentials.json").read_bytes() == expired
    # A login could not save what it got either: it says so before the browser opens, so no
    # code is spent on tokens nobody keeps.
    line = _one_line(_run(["login"], env, workspace, read_only))
    assert "cannot lock the credentials file (Read-only file system)" in line
    assert oauth.record.exchanges == 0
    assert (config_home / "credentials.json").read_bytes() == expired
    assert valid != expired
    assert not list((config_home).glob("projects"))


def _tree(folder: Path) -> list[tuple[str, int, bytes | None]]:
    """Every path under ``folder`` (and itself) with its mode and, for a file we may read
    (root may read any), its bytes."""
    paths = [folder, *sorted(folder.rglob("*"))]
    return [
        (
            str(p.relative_to(folder)),
            p.stat().st_mode,
            p.read_bytes() if p.is_file() and os.access(p, os.R_OK) else None,
        )
        for p in paths
    ]


# What makes a save impossible, how to run hexclaw so that it is, and what the error says.
UNSAVABLE = ("read-only", "no-write", "no-write-lock-kept", "directory", "unreadable", "corrupt")


def _make_unsavable(case: str, home: Path) -> tuple[list[str], str]:
    path = home / "credentials.json"
    if case == "read-only":
        path.write_text(json.dumps(OTHER_KEYS))
        return _read_only(
            home
        ), "credentials.json.lock: cannot lock the credentials file (Read-only"
    if case in ("no-write", "no-write-lock-kept"):
        path.write_text(json.dumps(OTHER_KEYS))
        if case == "no-write-lock-kept":
            # An earlier refresh left the lock file, so only the save's temporary file fails.
            (home / "credentials.json.lock").touch(mode=0o600)
            expected = f"{home}: cannot write (Permission denied)"
        else:
            expected = "credentials.json.lock: cannot lock the credentials file (Permission denied)"
        home.chmod(0o500)
        return without_root_powers(), expected
    if case == "directory":
        path.mkdir()
        (path / "keep.txt").write_text("mine")
        return [], f"{path}: cannot read (Is a directory)"
    if case == "unreadable":
        path.write_text(json.dumps(OTHER_KEYS))
        path.chmod(0)
        return without_root_powers(), f"{path}: cannot read (Permission denied)"
    path.write_bytes(b'{"oauth": {"accessToken": "abc"')
    return [], f"{path}: cannot use the credentials file: invalid JSON at line 1"


@pytest.mark.node
@pytest.mark.parametrize("case", UNSAVABLE)
def test_a_login_that_could_not_be_saved_fails_before_the_browser_opens(
    case: str, config_home: Path, workspace: Path
) -> None:
    with OAuthServer("--single-use") as oauth:
        env = _env(config_home, oauth, manualRedirectUrl=f"{oauth.url}/show-code")
        prefix, expected = _make_unsavable(case, config_home)
        before = _tree(config_home)
        try:
            for args in (["login"], ["login", "--manual"]):
                done = _run(args, env, workspace, prefix)
                line = _one_line(done)
                assert line.startswith("hexclaw: ")
                assert expected in line
                assert "/authorize?" not in done.stdout  # no URL shown, no code asked for
            assert _browser_log(config_home) == []  # BROWSER never ran
            stats = oauth.stats()
            assert stats["authorizations"] == 0
            assert stats["exchanges"] == 0
            assert _tree(config_home) == before
        finally:
            config_home.chmod(0o700)
            if (config_home / "credentials.json").is_file():
                (config_home / "credentials.json").chmod(0o600)
