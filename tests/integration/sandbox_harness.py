"""Bash in the real OS sandbox (bubblewrap) over a temporary workspace, home and config
home, for the sandbox integration tests; ``require_bwrap`` skips when it cannot run here."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.sandbox.availability import find_bwrap
from adapters.sandbox.runner import Sandbox
from adapters.tools.bash import BashLimits, BashTool
from adapters.tools.support.background_jobs import BackgroundJobs
from adapters.tools.support.workspace import Workspace
from domain.permissions.policy import PermissionRules
from domain.permissions.rules import parse_rule
from domain.sandbox.config import SandboxConfig, parse_sandbox
from domain.sandbox.errors import SandboxUnavailable
from domain.sandbox.plan import PlanInputs
from domain.tools.calls import ToolOutcome


def folder_outside_tmp(prefix: str) -> Iterator[Path]:
    """A test folder under /var/tmp, removed afterwards (use as a fixture's body). Inside the
    sandbox /tmp is the session's own, so a folder under the host's /tmp would be invisible
    there and an attack on it would prove nothing."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def require_bwrap() -> None:
    try:
        find_bwrap(os.environ.get("PATH"))
    except SandboxUnavailable as exc:
        pytest.skip(f"the sandbox tests run real bubblewrap: {exc.cause} (make sandbox-deps)")


class SandboxKit:
    def __init__(
        self,
        root: Path,
        settings: dict[str, object] | None = None,
        deny: tuple[str, ...] = (),
        allow: tuple[str, ...] = (),
        search_path: str | None = None,
    ) -> None:
        self.root = root
        self.workspace = root / "ws"
        self.home = root / "home"
        self.config_home = self.home / ".claude"
        self.outside = root / "outside"
        for folder in (self.workspace, self.config_home, self.outside):
            folder.mkdir(parents=True, exist_ok=True)
        (self.config_home / "credentials.json").write_text('{"secret": "oauth-token"}')
        (self.outside / "victim.txt").write_text("untouched\n")
        parsed = parse_sandbox({"enabled": True, **(settings or {})}, lambda key: "test")
        assert parsed.warnings == ()
        self.config: SandboxConfig = parsed.config
        self.rules = PermissionRules(
            allow=[parse_rule(r) for r in allow], deny=[parse_rule(r) for r in deny]
        )
        inputs = PlanInputs(
            workspace=str(self.workspace),
            home=str(self.home),
            config_home=str(self.config_home),
            session_tmp="",
            filesystem=self.config.filesystem,
        )
        path = os.environ.get("PATH") if search_path is None else search_path
        self.sandbox = Sandbox(self.config, inputs, path, self.rules)
        self.jobs = BackgroundJobs(grace=0.5)
        self.bash = BashTool(
            Workspace(self.workspace), self.jobs, BashLimits(kill_grace=0.5), sandbox=self.sandbox
        )

    def run(self, command: str, **extra: object) -> ToolOutcome:
        return self.bash.run({"command": command, **extra})

    def close(self) -> None:
        """What hexclaw does when the session ends: jobs first, then the sandbox's folders."""
        self.jobs.stop_all()
        self.sandbox.close()
