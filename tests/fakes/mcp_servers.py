"""The MCP servers the tests start: their entries, and skips that say what is missing."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

EVERYTHING = (
    ROOT / "tests/fakes/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
)
TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"


def everything_entry() -> dict[str, Any]:
    if shutil.which("node") is None or not EVERYTHING.is_file():
        pytest.skip("server-everything is not installed: run `make test` (needs node and npm)")
    return {"command": "node", "args": [str(EVERYTHING), "stdio"]}


def time_entry() -> dict[str, Any]:
    if not TIME_SERVER.is_file():
        pytest.skip("mcp-server-time is not installed: `make .venv/.installed` (the dev extra)")
    return {"command": str(TIME_SERVER), "args": ["--local-timezone", "UTC"]}


def fault_entry(*flags: str) -> dict[str, Any]:
    return {
        "command": sys.executable,
        "args": ["-m", "tests.fakes.mcp_fault_server", *flags],
        "env": {"PYTHONPATH": str(ROOT)},
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def listening_module(
    module: str, args: list[str], port: int, env: dict[str, str] | None = None
) -> Iterator[None]:
    """``python -m module *args`` from the checkout, once something listens on 127.0.0.1:port;
    ended by its PID on leaving."""
    server = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.contextmanager
def remote_server(flag: str, *extra: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """The fault server (FastMCP) on 127.0.0.1 with ``--http`` (at ``/mcp``) or ``--sse`` (at
    ``/sse``) on a free port, once it listens; its port. Stopped on leaving."""
    port = free_port()
    with listening_module("tests.fakes.mcp_fault_server", [flag, str(port), *extra], port, env):
        yield port
