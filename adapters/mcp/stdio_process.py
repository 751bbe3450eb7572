"""Starting stdio servers, and stopping their process groups: standard library only.

The processes are started before the SDK is imported (``McpHub`` adopts them), so a server's
own start-up overlaps hexclaw's import of the SDK instead of following it.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Collection, Mapping, Sequence

from adapters.tools.support.group_liveness import group_alive
from domain.mcp.config import ServerConfig
from domain.secret_names import looks_secret

STDERR_LINES = 20
GRACE = 2.0


class ProcessGroups:
    """Every process group started, so they can all be stopped at exit. Each group's first
    process (the server itself, whose pid is the group's id) is also held by a pidfd, which
    says when it has exited without polling and cannot name another process once its pid is
    reused."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: dict[int, int | None] = {}

    def add(self, pgid: int) -> None:
        exits = _pidfd(pgid)
        with self._lock:
            self._groups[pgid] = exits

    def discard(self, pgid: int) -> None:
        with self._lock:
            exits = self._groups.pop(pgid, None)
        _close(exits)

    def any_alive(self) -> bool:
        with self._lock:
            groups = set(self._groups)
        return any(group_alive(g) for g in groups)

    def stop_all(self, grace: float = GRACE) -> None:
        """SIGTERM every group, wait up to ``grace`` while any member lives, then SIGKILL."""
        with self._lock:
            groups, self._groups = self._groups, {}
        _stop(groups, grace)

    def stop(self, pgid: int, grace: float = GRACE) -> None:
        """One group stopped as ``stop_all`` stops them all (also when it is no longer held)."""
        with self._lock:
            groups = {pgid: self._groups.pop(pgid, None)}
        _stop(groups, grace)


def _stop(groups: Mapping[int, int | None], grace: float) -> None:
    exits = [fd for fd in groups.values() if fd is not None]
    try:
        stop_groups(set(groups), grace, exits)
    finally:
        for fd in exits:
            _close(fd)


def stop_groups(groups: set[int], grace: float = GRACE, exits: Collection[int] = ()) -> None:
    """SIGTERM each group, wait up to ``grace`` while any member lives, then SIGKILL. ``exits``
    (pidfds of the groups' first processes) are waited on first: most servers are a single
    process that dies within milliseconds of the TERM, and the exit waits no longer."""
    for pgid in groups:
        _signal(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    _await_exits(exits, deadline)
    while any(group_alive(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(0.005)
    for pgid in groups:
        if group_alive(pgid):
            _signal(pgid, signal.SIGKILL)


def _signal(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _pidfd(pid: int) -> int | None:
    """A pidfd of a child just started (so its pid is still its own); None where the system
    has none (not Linux, or a kernel before 5.3): the stop then polls."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        fd: int = opener(pid)
    except OSError:
        return None
    return fd


def _await_exits(exits: Collection[int], deadline: float) -> None:
    """Returns once every pidfd says its process has exited, or at the deadline."""
    pending = list(exits)
    while pending:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        ended, _, _ = select.select(pending, [], [], left)
        pending = [fd for fd in pending if fd not in ended]


def _close(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


class StderrTail:
    """The last lines a server wrote on stderr, for the line that says why it failed."""

    def __init__(self) -> None:
        self.lines: deque[str] = deque(maxlen=STDERR_LINES)

    def last(self) -> str:
        return next((line for line in reversed(self.lines) if line.strip()), "")


def spawn(
    command: str,
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: str,
    groups: ProcessGroups,
) -> subprocess.Popen[bytes] | OSError:
    """The server started in its own session (so its own process group); the error if it
    could not be started (a command not found is the server's status, not an exception)."""
    try:
        process = subprocess.Popen(
            [command, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )
    except OSError as exc:
        return exc
    groups.add(process.pid)
    return process


def start_stdio(
    server: ServerConfig, cwd: str, environ: Mapping[str, str], groups: ProcessGroups
) -> subprocess.Popen[bytes] | OSError:
    """A stdio server started with hexclaw's environment plus its own ``env``. A project's
    server (``.mcp.json``, which came with the repository) does not inherit the values whose
    names mark them secret (``ANTHROPIC_API_KEY``, ``GITHUB_TOKEN``...): its entry must name
    what it needs (``"env": {"TOKEN": "${GITHUB_TOKEN}"}``). The user's own servers inherit
    everything, as with Claude Code."""
    env = dict(environ)
    if server.scope == "project":
        env = {name: value for name, value in env.items() if not looks_secret(name)}
    env.update(server.env)
    return spawn(server.command, server.args, env, cwd, groups)
