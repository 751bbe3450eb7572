"""kill -9 at random moments while credentials.json is being saved over and over: afterwards
the file is always a whole old or whole new document, never a torn one."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from adapters.auth.credentials_store import CredentialsFile
from domain.auth.oauth_credentials import OAuthCredentials
from tests.support import ROOT

# Large enough that one write takes several system calls and a kill can land inside it.
OTHERS = {"otherTool": {"blob": "x" * 300_000}}
_SAVER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from adapters.auth.credentials_store import CredentialsFile
from domain.auth.oauth_credentials import OAuthCredentials

store = CredentialsFile(Path({path!r}))
print("ready", flush=True)
n = 0
while True:
    n += 1
    store.save_oauth(OAuthCredentials(f"access-{{n}}", f"refresh-{{n}}", 1.0, ("a",)))
"""


def test_kill_9_during_saves_leaves_a_whole_file_every_time(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(OTHERS))
    rng = random.Random(8)
    seen: set[str] = set()
    for _ in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", _SAVER.format(root=str(ROOT), path=str(path))],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        child.kill()
        child.wait()
        child.stdout.close()
        document = json.loads(path.read_text())  # whole JSON, or this raises
        assert document["otherTool"] == OTHERS["otherTool"]
        oauth = document.get("oauth")
        if oauth is not None:
            number = oauth["accessToken"].removeprefix("access-")
            assert oauth["refreshToken"] == f"refresh-{number}"  # one save, not two halves
            seen.add(number)
        assert CredentialsFile(path).read_document() == document
    assert len(seen) >= 3  # the kills really landed at different points of the saving
    # What a kill leaves besides the file is only an unused temporary file, never read.
    leftovers = [
        p.name for p in tmp_path.iterdir() if p.name not in {path.name, "credentials.json.lock"}
    ]
    assert all(
        name.startswith(".credentials.json.") and name.endswith(".tmp") for name in leftovers
    )
    # And the next save works: the lock died with the killed process.
    final = OAuthCredentials("after", None, None, ())
    CredentialsFile(path, lock_timeout=5).save_oauth(final)
    assert CredentialsFile(path).load_oauth() == final
