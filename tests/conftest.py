"""Shared fixtures: a scripted Anthropic server on 127.0.0.1 and an isolated config home."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import TLSAnthropicServer, self_signed_certificate
from tests.fakes.sse_script import text_message_events

settings.register_profile("default", deadline=None)
settings.register_profile("fuzz", deadline=None, max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
HEXCLAW = [sys.executable, "-m", "entrypoints.cli"]


@pytest.fixture
def anthropic_server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=60) as server:
        yield server


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    home = tmp_path / "claude-home"
    home.mkdir()
    return home


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "workspace"
    ws.mkdir()
    return ws


def hexclaw_env(server_url: str, config_home: Path, **extra: str) -> dict[str, str]:
    """An environment for running hexclaw as a subprocess against the scripted server."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_", "HEXCLAW_"))
    }
    env.update(
        ANTHROPIC_API_KEY="sk-ant-test-key",
        ANTHROPIC_BASE_URL=server_url,
        CLAUDE_CONFIG_HOME=str(config_home),
        HOME=str(config_home.parent),
        NO_COLOR="1",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_hexclaw(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    stdin: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HEXCLAW, *args],
        env=env,
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[TLSAnthropicServer]:
    """The scripted server behind TLS with a self-signed certificate no client trusts."""
    try:
        cert, key = self_signed_certificate(tmp_path)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    with TLSAnthropicServer(cert, key, [Reply.sse(text_message_events("never"))] * 3) as tls:
        yield tls
