"""``apiKeyHelper``: a settings command whose standard output is the API key.

It runs through ``/bin/sh -c`` in the workspace, as in Claude Code, and its key is cached in
memory for ``apiKeyHelperTtlSeconds`` (default 5 minutes); a 401 asks for a fresh key at once.
Failures say the exit status and the first line of standard error, never the output.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from domain.auth.errors import ApiKeyHelperError
from domain.ports import Clock

DEFAULT_TTL_SECONDS = 300.0
DEFAULT_RUN_TIMEOUT = 30.0


class ApiKeyHelper:
    def __init__(
        self,
        command: str,
        clock: Clock,
        cwd: Path,
        ttl: float = DEFAULT_TTL_SECONDS,
        run_timeout: float = DEFAULT_RUN_TIMEOUT,
    ) -> None:
        self._command = command
        self._clock = clock
        self._cwd = cwd
        self._ttl = ttl
        self._run_timeout = run_timeout
        self._cached: str | None = None
        self._fetched_at = 0.0

    def key(self) -> str:
        now = self._clock.monotonic()
        if self._cached is None or now - self._fetched_at >= self._ttl:
            self._cached = self._run()
            self._fetched_at = now
        return self._cached

    def invalidate(self) -> None:
        self._cached = None

    def _run(self) -> str:
        try:
            done = subprocess.run(
                ["/bin/sh", "-c", self._command],
                cwd=self._cwd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self._run_timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ApiKeyHelperError(
                f"apiKeyHelper did not finish within {self._run_timeout:g} s"
            ) from None
        except OSError as exc:
            raise ApiKeyHelperError(f"apiKeyHelper cannot run: {exc.strerror}") from None
        if done.returncode != 0:
            detail = _first_line(done.stderr)
            raise ApiKeyHelperError(
                f"apiKeyHelper exited with status {done.returncode}"
                + (f": {detail}" if detail else "")
            )
        key = done.stdout.decode("utf-8", "replace").strip()
        if not key or any(c.isspace() for c in key):
            raise ApiKeyHelperError(
                "apiKeyHelper printed no key (its output must be the key alone on one line)"
            )
        return key


def _first_line(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return " ".join(text.splitlines()[0].split())[:200] if text else ""
