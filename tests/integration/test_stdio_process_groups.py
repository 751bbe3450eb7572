"""Stopping stdio servers' process groups with real processes: TERM, a grace period while any
member lives, then KILL; the wait ends when the last member is gone, not at a polling step."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from adapters.mcp.stdio_process import ProcessGroups, spawn
from adapters.tools.support.group_liveness import group_alive

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")


def started(script: str, groups: ProcessGroups, cwd: Path) -> int:
    process = spawn("sh", ["-c", script], dict(os.environ), str(cwd), groups)
    assert not isinstance(process, OSError)
    return process.pid


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert path.exists()


def gone(pgid: int) -> bool:
    """A KILLed process needs a moment to die: wait for it a little."""
    deadline = time.monotonic() + 2
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return not group_alive(pgid)


def test_a_server_that_dies_on_term_ends_the_wait_at_once(tmp_path: Path) -> None:
    groups = ProcessGroups()
    pid = started("exec sleep 60", groups, tmp_path)
    begun = time.monotonic()
    groups.stop_all(grace=5.0)
    assert time.monotonic() - begun < 1.0
    assert not group_alive(pid)


def test_a_server_that_ignores_term_is_killed_after_the_grace(tmp_path: Path) -> None:
    groups = ProcessGroups()
    ready = tmp_path / "ready"
    pid = started(f"trap '' TERM; touch {ready}; exec sleep 60", groups, tmp_path)
    wait_for(ready)
    begun = time.monotonic()
    groups.stop_all(grace=0.5)
    assert time.monotonic() - begun >= 0.5
    assert gone(pid)


def test_a_member_left_after_the_server_exits_is_still_waited_for_then_killed(
    tmp_path: Path,
) -> None:
    """The server's own exit is not the group's: a child that ignores TERM keeps it alive."""
    groups = ProcessGroups()
    ready = tmp_path / "ready"
    script = f"(trap '' TERM; touch {ready}; exec sleep 60) & exec sleep 60"
    pid = started(script, groups, tmp_path)
    wait_for(ready)
    begun = time.monotonic()
    groups.stop_all(grace=0.5)
    assert time.monotonic() - begun >= 0.5
    assert gone(pid)


def test_stopping_one_group_leaves_the_others_running(tmp_path: Path) -> None:
    groups = ProcessGroups()
    first = started("exec sleep 60", groups, tmp_path)
    second = started("exec sleep 60", groups, tmp_path)
    groups.stop(first)
    assert not group_alive(first)
    assert group_alive(second)
    groups.stop_all()
    assert not group_alive(second)
