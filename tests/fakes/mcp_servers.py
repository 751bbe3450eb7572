"""The MCP servers the tests start: their entries, and skips that say what is missing."""

from __future__ import annotations

import shutil
import sys
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
