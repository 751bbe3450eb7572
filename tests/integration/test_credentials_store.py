"""credentials.json on a real filesystem: other keys kept, modes, corrupt files, crashes."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from adapters.auth.credentials_store import CredentialsFile
from domain.auth.errors import CredentialsFileError, CredentialsLocked
from domain.auth.oauth_credentials import OAuthCredentials
from tests.without_root import run_python_without_root

ROOT = Path(__file__).resolve().parents[2]
CREDS = OAuthCredentials("access-1", "refresh-1", 1_800_000_000.0, ("user:inference",))
OTHERS = {"apiKeys": {"tool-x": "keep me"}, "someList": [1, 2, {"a": None}], "n": 1.5}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_creates_a_private_directory_and_file(tmp_path: Path) -> None:
    home = tmp_path / "new" / "claude-home"
    store = CredentialsFile.in_home(home)
    store.save_oauth(CREDS)
    assert _mode(home) == 0o700
    assert _mode(home / "credentials.json") == 0o600
    assert json.loads((home / "credentials.json").read_text()) == {"oauth": CREDS.to_entry()}
    assert store.load_oauth() == CREDS


def test_save_and_logout_keep_every_other_key(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({**OTHERS, "oauth": {"accessToken": "old"}}))
    path.chmod(0o644)
    store = CredentialsFile(path)
    store.save_oauth(CREDS)
    saved = json.loads(path.read_text())
    assert saved == {**OTHERS, "oauth": CREDS.to_entry()}
    assert list(saved) == [*OTHERS, "oauth"]  # the order of keys is kept too
    assert _mode(path) == 0o600  # a loose mode is tightened by the rewrite
    assert store.remove_oauth() is True
    assert json.loads(path.read_text()) == OTHERS
    assert store.remove_oauth() is False
    assert json.loads(path.read_text()) == OTHERS


def test_an_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    CredentialsFile(tmp_path / "credentials.json").save_oauth(CREDS)
    assert _mode(tmp_path) == 0o755


def test_logout_without_a_file_creates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert CredentialsFile.in_home(home).remove_oauth() is False
    assert not home.exists()
    home.mkdir()
    assert CredentialsFile.in_home(home).remove_oauth() is False
    assert list(home.iterdir()) == []


def test_no_file_means_no_credentials(tmp_path: Path) -> None:
    assert CredentialsFile(tmp_path / "credentials.json").load_oauth() is None


def test_a_file_without_oauth_means_no_credentials(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(OTHERS))
    assert CredentialsFile(path).load_oauth() is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"oauth": {"accessToken": "a"', "invalid JSON at line 1"),
        (b"[1, 2, 3]", "root is not a JSON object"),
        (b'"just a string"', "root is not a JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"", "invalid JSON"),
    ],
)
def test_a_corrupt_file_is_reported_and_left_byte_for_byte(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "credentials.json"
    path.write_bytes(content)
    store = CredentialsFile(path)
    actions = (store.check_can_save, store.load_oauth, lambda: store.save_oauth(CREDS))
    for action in (*actions, store.remove_oauth):
        with pytest.raises(CredentialsFileError) as caught:
            action()
        message = str(caught.value)
        assert str(path) in message
        assert problem in message
        assert "left unchanged" in message
        assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "credentials.json",
        "credentials.json.lock",
    ]


def test_the_save_check_passes_on_a_writable_home_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    # A malformed oauth entry is what a login replaces: it must not stop the login.
    content = json.dumps({**OTHERS, "oauth": {"accessToken": 12}}).encode()
    path.write_bytes(content)
    CredentialsFile(path).check_can_save()
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "credentials.json",
        "credentials.json.lock",
    ]
    home = tmp_path / "new" / "claude-home"
    CredentialsFile.in_home(home).check_can_save()
    assert _mode(home) == 0o700  # created as a save would create it
    assert [p.name for p in home.iterdir()] == ["credentials.json.lock"]


def test_the_save_check_fails_when_credentials_json_is_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    with pytest.raises(CredentialsFileError) as caught:
        CredentialsFile(path).check_can_save()
    assert str(caught.value) == f"{path}: cannot read (Is a directory)"
    assert [p.name for p in tmp_path.iterdir()] == ["credentials.json"]  # not even the lock
    assert [p.name for p in path.iterdir()] == ["keep.txt"]


def test_a_malformed_oauth_entry_names_the_field_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    content = b'{"oauth": {"accessToken": 12}}'
    path.write_bytes(content)
    with pytest.raises(CredentialsFileError, match=r"credentials\.json: oauth\.accessToken"):
        CredentialsFile(path).load_oauth()
    assert path.read_bytes() == content


def test_tokens_never_appear_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text('{"oauth": {"accessToken": "sk-very-secret", "expiresAt": "soon"}}')
    with pytest.raises(CredentialsFileError) as caught:
        CredentialsFile(path).load_oauth()
    assert "sk-very-secret" not in str(caught.value)


_CRASHING_CHILD = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from adapters.auth.credentials_store import CredentialsFile
from domain.auth.oauth_credentials import OAuthCredentials
from tests.without_root import run_python_without_root

def stop_before_rename(src, dst):
    print("written", flush=True)
    time.sleep(60)

os.replace = stop_before_rename
CredentialsFile(Path({path!r})).save_oauth(OAuthCredentials("new-access", "new-refresh", 1.0, ()))
"""


def test_a_crash_between_write_and_rename_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    old = json.dumps({**OTHERS, "oauth": CREDS.to_entry()}).encode()
    path.write_bytes(old)
    child = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_CHILD.format(root=str(ROOT), path=str(path))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "written"
    temp_files = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(temp_files) == 1
    assert b"new-access" in temp_files[0].read_bytes()  # the new content was fully written
    child.kill()
    child.wait()
    child.stdout.close()
    assert path.read_bytes() == old
    assert CredentialsFile(path).load_oauth() == CREDS
    # The next save still works (the lock died with the process).
    CredentialsFile(path, lock_timeout=5).save_oauth(OAuthCredentials("after", None, None, ()))
    assert json.loads(path.read_text())["oauth"]["accessToken"] == "after"


def test_concurrent_saves_never_lose_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(OTHERS))

    def save(n: int) -> None:
        for i in range(20):
            CredentialsFile(path).save_oauth(OAuthCredentials(f"t{n}-{i}", None, None, ()))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = json.loads(path.read_text())
    assert {k: v for k, v in final.items() if k != "oauth"} == OTHERS
    assert final["oauth"]["accessToken"].endswith("-19")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert os.access(path, os.R_OK)


def test_awaiting_the_lock_pauses_between_tries_and_gives_up_at_the_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "credentials.json"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(path) + ".lock"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        pauses: list[float] = []

        async def pause(seconds: float) -> None:
            pauses.append(seconds)
            await asyncio.sleep(seconds)

        async def take() -> None:
            async with CredentialsFile(path, lock_timeout=0.5).locked_awaiting(pause):
                raise AssertionError("the lock was taken while another process held it")

        with pytest.raises(CredentialsLocked, match=r"held its lock for more than 0\.5 s"):
            asyncio.run(take())
        assert len(pauses) >= 5  # tried again and again, each time after a pause
    finally:
        holder.kill()
        holder.wait()

    entered: list[bool] = []

    async def take_free() -> None:
        async with CredentialsFile(path).locked_awaiting(asyncio.sleep):
            entered.append(True)

    asyncio.run(take_free())  # once the holder is gone, at the first try
    assert entered == [True]


HOLD_THE_LOCK = (
    "import sys, time, filelock\n"
    "lock = filelock.FileLock(sys.argv[1]); lock.acquire()\n"
    "print('held', flush=True); time.sleep(60)\n"
)


def _in_mount_namespace(mounts: str, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` with hexclaw's Python after the shell ``mounts``, in a private mount
    namespace (so the mounts vanish with the process); skips where that is not permitted."""
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("cannot make a mount namespace here (unshare not permitted)")
    script = f'{mounts} && code="$1" && shift && exec "$0" -c "$code" "$@"'
    unshare = ["unshare", "--mount", "--propagation", "private"]
    return subprocess.run(
        [*unshare, "sh", "-c", script, sys.executable, code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


SAVE_AND_PRINT = (
    "import sys; from pathlib import Path; from adapters.auth.credentials_store import "
    "CredentialsFile; from domain.auth.oauth_credentials import OAuthCredentials\n"
    "store = CredentialsFile(Path(sys.argv[1]))\n"
    "try:\n"
    "    store.check_can_save()\n"
    "    store.save_oauth(OAuthCredentials('access-2', 'refresh-2', 1.9e9, ('user:inference',)))\n"
    "    print('saved')\n"
    "except Exception as error:\n"
    "    print(type(error).__name__, error)\n"
)


def test_a_bind_mounted_credentials_file_is_saved_in_place(tmp_path: Path) -> None:
    # A container that mounts the host's credentials.json on its own: no rename can replace
    # a mount point, so the save writes into the file itself.
    host = tmp_path / "host-credentials.json"
    host.write_text(json.dumps(OTHERS))
    home = tmp_path / "home"
    home.mkdir()
    target = home / "credentials.json"
    target.write_text("")
    done = _in_mount_namespace(f'mount --bind "{host}" "{target}"', SAVE_AND_PRINT, str(target))
    assert done.stdout.strip() == "saved", done.stdout + done.stderr
    saved = json.loads(host.read_text())
    assert saved["oauth"]["accessToken"] == "access-2"
    assert {k: v for k, v in saved.items() if k != "oauth"} == OTHERS
    assert target.read_text() == ""  # outside the namespace, the mount point was never touched


def test_the_save_check_fails_on_a_credentials_file_mounted_read_only(tmp_path: Path) -> None:
    host = tmp_path / "host-credentials.json"
    content = json.dumps(OTHERS)
    host.write_text(content)
    target = tmp_path / "credentials.json"
    target.write_text("")
    mounts = f'mount --bind "{host}" "{target}" && mount -o remount,ro,bind "{target}"'
    done = _in_mount_namespace(mounts, SAVE_AND_PRINT, str(target))
    assert done.stdout.strip() == (
        f"CredentialsFileError {target}: cannot write (Read-only file system)"
    ), done.stdout + done.stderr
    assert host.read_text() == content


def test_a_read_only_mode_on_the_file_does_not_stop_a_save(tmp_path: Path) -> None:
    # The save renames a new file over it, which the folder allows: the check must not refuse
    # what the save can do.
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(OTHERS))
    path.chmod(0o400)
    done = run_python_without_root(SAVE_AND_PRINT, str(path))
    assert done.stdout.strip() == "saved", done.stdout + done.stderr
    assert json.loads(path.read_text())["oauth"]["accessToken"] == "access-2"
