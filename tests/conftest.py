"""Shared fixtures: a scripted Anthropic server on 127.0.0.1 and an isolated config home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import TLSAnthropicServer, self_signed_certificate
from tests.fakes.sse_script import text_message_events

# ``make check`` must give the same verdict on every run: the default profile derives its
# examples from each test's name and keeps no example database. ``make fuzz`` explores.
settings.register_profile("default", deadline=None, derandomize=True, database=None)
settings.register_profile("fuzz", deadline=None, max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[TLSAnthropicServer]:
    """The scripted server behind TLS with a self-signed certificate no client trusts."""
    try:
        cert, key = self_signed_certificate(tmp_path)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    with TLSAnthropicServer(cert, key, [Reply.sse(text_message_events("never"))] * 3) as tls:
        yield tls
