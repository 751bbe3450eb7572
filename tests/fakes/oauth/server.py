"""Starts the npm OAuth server (server.mjs) for a test and stops it afterwards."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
BROWSER = HERE / "browser.py"
NODE_MODULES = HERE / "node_modules" / "oauth2-mock-server"
CLIENT_ID = "hexclaw-test-client"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def require_node() -> str:
    """The node binary; skips (visibly) only when node itself is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the OAuth server tests need node")
    if not NODE_MODULES.is_dir():
        pytest.fail(
            "tests/fakes/oauth/node_modules is missing: run "
            "`make tests/fakes/oauth/node_modules/.installed` (make test does it)"
        )
    return node


class OAuthServer:
    """``with OAuthServer("--single-use") as server:``; ``server.url``, ``server.stats()``."""

    def __init__(self, *options: str, idle_timeout: float = 60) -> None:
        self._args = [
            require_node(),
            str(HERE / "server.mjs"),
            "--client-id",
            CLIENT_ID,
            "--idle-timeout",
            str(idle_timeout),
            *options,
        ]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> OAuthServer:
        self._process = subprocess.Popen(
            self._args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            _, err = self._process.communicate(timeout=10)
            raise RuntimeError(f"the OAuth server did not start: {err.strip()}")
        self.url = json.loads(line)["url"]
        return self

    def __exit__(self, *_: object) -> None:
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the server exits when its stdin closes
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    def settings(self, **extra: Any) -> dict[str, Any]:
        """The ``oauth`` settings block that points hexclaw at this server."""
        block: dict[str, Any] = {
            "clientId": CLIENT_ID,
            "authorizeUrl": f"{self.url}/authorize",
            "tokenUrl": f"{self.url}/token",
            "scopes": ["openid", "profile"],
        }
        block.update(extra)
        return block

    def stats(self) -> dict[str, Any]:
        with _OPENER.open(f"{self.url}/_stats", timeout=5) as response:
            stats: dict[str, Any] = json.loads(response.read())
        return stats

    def is_live(self, access_token: str) -> bool:
        request = urllib.request.Request(
            f"{self.url}/introspect",
            data=json.dumps({"token": access_token}).encode(),
            headers={"content-type": "application/json"},
        )
        with _OPENER.open(request, timeout=5) as response:
            return bool(json.loads(response.read())["active"])
