"""Isolated environments for running hexclaw and Claude Code against the scripted server.

Both get a fresh HOME and config folder, a dummy key and the server's URL, and nothing
from the caller's environment except PATH, so a developer's real credentials or settings
never reach a benchmark run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

DUMMY_KEY = "sk-ant-api03-bench-0000000000000000000000000000"


def _base(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ANTHROPIC_API_KEY": DUMMY_KEY,
    }


def hexclaw_env(server_url: str, home: Path) -> dict[str, str]:
    env = _base(home)
    env.update(ANTHROPIC_BASE_URL=server_url, CLAUDE_CONFIG_HOME=str(home / ".claude"))
    return env


def claude_env(server_url: str, home: Path, workspaces: list[Path]) -> dict[str, str]:
    """Claude Code's environment, with its first-run dialogs already answered.

    Without the answered dialogs the interactive process stops at onboarding (which
    tries to reach api.anthropic.com), the folder-trust question and the API-key
    question, and never reaches its prompt.
    """
    config_dir = home / ".claude"
    config_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "hasCompletedOnboarding": True,
        "theme": "dark",
        "customApiKeyResponses": {"approved": [DUMMY_KEY[-20:]], "rejected": []},
        "projects": {
            str(ws): {"hasTrustDialogAccepted": True, "hasCompletedProjectOnboarding": True}
            for ws in workspaces
        },
    }
    (config_dir / ".claude.json").write_text(json.dumps(config))
    env = _base(home)
    env.update(
        ANTHROPIC_BASE_URL=server_url,
        CLAUDE_CONFIG_DIR=str(config_dir),
        DISABLE_TELEMETRY="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        DISABLE_AUTOUPDATER="1",
    )
    return env
