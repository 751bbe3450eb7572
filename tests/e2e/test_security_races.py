"""A local process swapping a workspace folder for a symlink while the model reads and writes
through it: a Read or Write allowed for ``sub/…`` inside the workspace never reaches the file
the symlink points to outside, however the swap falls between the check and the open."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_permission_print_mode import tool_results
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw

CALLS = 150
OUTSIDE_SECRET = "OUTSIDE-SECRET-CONTENT"


@contextlib.contextmanager
def swapping(workspace: Path, outside: Path) -> Iterator[list[int]]:
    """``workspace/sub`` flips between a real folder and a symlink to ``outside``, as fast as
    the machine allows, until the block ends; yields the swap count."""
    (workspace / "linkB").symlink_to(outside, target_is_directory=True)
    stop = threading.Event()
    count = [0]

    def flip() -> None:
        sub, real, link = (str(workspace / n) for n in ("sub", "dirA", "linkB"))
        while not stop.is_set():
            with contextlib.suppress(OSError):
                os.rename(sub, real)
                os.rename(link, sub)
                time.sleep(0.0005)
                os.rename(sub, link)
                os.rename(real, sub)
                count[0] += 1
                time.sleep(0.001)

    thread = threading.Thread(target=flip, daemon=True)
    thread.start()
    try:
        yield count
    finally:
        stop.set()
        thread.join(timeout=5)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(OUTSIDE_SECRET + "\n")
    return folder


def test_reads_never_follow_a_folder_swapped_for_a_symlink(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, outside: Path
) -> None:
    (workspace / "sub").mkdir()
    (workspace / "sub" / "secret.txt").write_text("inside content\n")
    calls: list[tuple[str, str, dict[str, Any]]] = [
        (f"t{i}", "Read", {"file_path": "sub/secret.txt"}) for i in range(CALLS)
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    with swapping(workspace, outside) as swaps:
        done = run_hexclaw(["-p", "read", "--allowedTools", "Grep"], env, workspace, timeout=120)
    assert done.returncode == 0, done.stderr
    assert swaps[0] > 0
    results = tool_results(anthropic_server.requests[1].body)
    assert len(results) == CALLS
    leaked = [r for r in results if OUTSIDE_SECRET in str(r["content"])]
    assert leaked == []
    assert any("inside content" in str(r["content"]) for r in results)


def test_writes_never_land_outside_through_a_swapped_folder(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, outside: Path
) -> None:
    (workspace / "sub").mkdir()
    calls: list[tuple[str, str, dict[str, Any]]] = [
        (f"t{i}", "Write", {"file_path": f"sub/w{i}.txt", "content": "planted\n"})
        for i in range(CALLS)
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    with swapping(workspace, outside) as swaps:
        done = run_hexclaw(
            ["-p", "write", "--permission-mode", "acceptEdits"], env, workspace, timeout=120
        )
    assert done.returncode == 0, done.stderr
    assert swaps[0] > 0
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    written = [r for r in tool_results(anthropic_server.requests[1].body) if not r["is_error"]]
    assert written, "no write went through at all: the test proves nothing"
