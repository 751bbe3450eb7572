"""Drives a program in a real terminal: a private tmux server, keys in, screen text out.

Each driver has its own tmux socket (``tmux -L``), so tests never touch the user's tmux or
each other's; ``close`` kills that server and everything in it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

TMUX = "tmux"
EXIT_MARK = "[hexclaw exited"


def require_tmux() -> str:
    """The tmux binary; installs Debian's package when running as root in CI, else skips."""
    found = shutil.which(TMUX)
    if found:
        return found
    if os.environ.get("CI") and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "tmux"],
            capture_output=True,
            timeout=300,
            check=False,
        )
        found = shutil.which(TMUX)
        if found:
            return found
    pytest.skip("tmux is not installed (apt-get install tmux); the terminal tests need it")


class Timeout(AssertionError):
    pass


class TmuxDriver:
    def __init__(self, width: int = 120, height: int = 40) -> None:
        self.binary = require_tmux()
        self.socket = f"hexclaw-test-{uuid.uuid4().hex[:12]}"
        self.width = width
        self.height = height
        self.target = "main"

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=check,
        )

    def start(self, command: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        """Run ``command`` in a new window; when it ends, its exit status is printed and the
        window stays, so the last screen and the status can still be read."""
        shell = f"{shlex.join(command)}; printf '\\n{EXIT_MARK} %s]\\n' $?; exec sleep 600"
        environment = {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}
        environment.setdefault("TERM", "xterm-256color")
        subprocess.run(
            [
                self.binary,
                "-L",
                self.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                self.target,
                "-x",
                str(self.width),
                "-y",
                str(self.height),
                "-c",
                str(cwd),
                "sh",
                "-c",
                shell,
            ],
            env=environment,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )

    def send(self, *keys: str) -> None:
        """tmux key names (``Enter``, ``C-c``, ``Up``, ``Escape``) sent as keys."""
        self._tmux("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        """Literal text, typed."""
        self._tmux("send-keys", "-t", self.target, "-l", text)

    def paste(self, text: str) -> None:
        """Text delivered as one bracketed paste, as a terminal does when the user pastes."""
        self._tmux("set-buffer", "-b", "hexclaw-test", text)
        self._tmux("paste-buffer", "-p", "-d", "-b", "hexclaw-test", "-t", self.target)

    def screen(self, history: int = 0, escapes: bool = False) -> str:
        """What the pane shows now, plus ``history`` lines of scrollback above it; with
        ``escapes``, the colours and styles too, as SGR escape sequences."""
        args = ["capture-pane", "-p", "-J", "-t", self.target]
        if escapes:
            args.append("-e")
        if history:
            args += ["-S", f"-{history}"]
        return self._tmux(*args).stdout

    def wait_for(
        self,
        wanted: str | re.Pattern[str] | Callable[[str], bool],
        timeout: float = 8.0,
        history: int = 0,
    ) -> str:
        """Poll the screen until ``wanted`` shows; the last screen is in the failure message."""
        deadline = time.monotonic() + timeout
        screen = ""
        while True:
            screen = self.screen(history)
            if callable(wanted) and not isinstance(wanted, re.Pattern):
                if wanted(screen):
                    return screen
            elif isinstance(wanted, re.Pattern):
                if wanted.search(screen):
                    return screen
            elif wanted in screen:
                return screen
            if time.monotonic() > deadline:
                raise Timeout(f"waited {timeout}s for {wanted!r}; the screen shows:\n{screen}")
            time.sleep(0.05)

    def exit_status(self, timeout: float = 8.0) -> int:
        screen = self.wait_for(EXIT_MARK, timeout, history=500)
        match = re.search(re.escape(EXIT_MARK) + r" (\d+)\]", screen)
        assert match is not None, screen
        return int(match.group(1))

    def close(self) -> None:
        self._tmux("kill-server", check=False)
