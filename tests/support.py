"""Helpers the tests share: running hexclaw as a subprocess against the scripted server.

Fixtures live in the conftest files; plain functions and constants live here, so a test
module imports them by name instead of from a conftest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEXCLAW = [sys.executable, "-m", "entrypoints.cli"]


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


def with_startup_probe(env: dict[str, str], folder: Path, sitecustomize: str) -> dict[str, str]:
    """``env`` with ``sitecustomize`` (Python source) run at the start of the hexclaw process:
    written into ``folder``, which goes first on its PYTHONPATH. The tests use it to install
    audit hooks that watch the real CLI from inside (what is loaded when it spawns a server,
    whether the collector is on when a tool starts)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(sitecustomize)
    return {**env, "PYTHONPATH": os.pathsep.join([str(folder), env.get("PYTHONPATH", "")])}


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


# `git submodule add` of a local folder (git refuses the file transport for submodules unless
# told).
ADD_LOCAL_SUBMODULE = ("-c", "protocol.file.allow=always", "submodule", "add", "-q")


def run_git(folder: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """git in ``folder`` with a committer set (tests make commits on a bare machine); its
    output. Fails the test when git fails."""
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
