"""A program running in its own tmux server, as an interactive terminal user would run it."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

COLUMNS, ROWS = 120, 40


class TmuxUnavailable(Exception):
    pass


class TmuxPane:
    """Start with ``with``; the private tmux server is killed when the block ends."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, name: str) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            raise TmuxUnavailable("tmux is not installed")
        self._tmux = tmux
        self._socket = f"hexclaw-bench-{os.getpid()}-{name}"
        self._command = shlex.join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv])
        self._cwd = cwd
        self._socket_path = ""
        self._first_pid: int | None = None

    def _run(self, *args: str) -> str:
        done = subprocess.run(
            [self._tmux, "-L", self._socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=30,
        )
        return done.stdout

    def __enter__(self) -> TmuxPane:
        size = ["-x", str(COLUMNS), "-y", str(ROWS)]
        self._run("new-session", "-d", "-s", "bench", *size, "-c", str(self._cwd))
        # Keep a pane whose program exits, so its last words can be read.
        self._run("set-option", "-t", "bench", "remain-on-exit", "on")
        self._run("respawn-pane", "-k", "-t", "bench", "-c", str(self._cwd), self._command)
        self._socket_path = self._run("display-message", "-p", "#{socket_path}").strip()
        self._first_pid = self.pid
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._run("kill-server")
        # The program gets SIGHUP; wait for it, so its files can be removed after this block.
        deadline = time.monotonic() + 5
        while self._first_pid and os.path.exists(f"/proc/{self._first_pid}"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if self._socket_path:
            with contextlib.suppress(OSError):
                os.unlink(self._socket_path)

    @property
    def pid(self) -> int | None:
        """The program's pid (``env`` execs it), or None once it has exited."""
        out = self._run("display-message", "-p", "-t", "bench", "#{pane_dead} #{pane_pid}")
        dead, _, pid = out.strip().partition(" ")
        if dead != "0" or not pid.isdigit():
            return None
        return int(pid)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "bench")
