"""``hexclaw doctor``: one line per check, the fix on the line of anything wrong."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import hexclaw_env, run_hexclaw


def test_doctor_names_each_problem_with_its_fix(config_home: Path, workspace: Path) -> None:
    (config_home / "settings.json").write_text('{"sandbox": {"enabled": true}, "colour": 1}')
    os.chmod(config_home, 0o777)
    empty = workspace.parent / "empty-bin"
    empty.mkdir()
    env = hexclaw_env("http://127.0.0.1:9", config_home, PATH=str(empty))
    env.pop("ANTHROPIC_API_KEY")
    done = run_hexclaw(["doctor"], env, workspace)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 6, done.stdout
    sandbox, ripgrep, home, credentials, settings, summary = lines
    assert sandbox.startswith("FAIL  sandbox: bwrap (bubblewrap) is not on PATH; enabled in")
    assert sandbox.endswith(
        "fix: install bubblewrap (apt-get install bubblewrap, or dnf install bubblewrap)"
    )
    assert ripgrep.startswith("ok    ripgrep: ripgrep ")
    assert home == (
        f"FAIL  config home: {config_home} can be written by other users (mode 777); "
        f"fix: chmod 700 {config_home}"
    )
    assert credentials.startswith("FAIL  credentials: ")
    assert "hexclaw login" in credentials
    assert settings.startswith("warn  settings: 1 warning(s), first: ")
    assert "'colour'" in settings
    assert summary == "3 failed, 1 to look at"
    assert "Traceback" not in done.stderr


def test_doctor_passes_on_a_healthy_setup(config_home: Path, workspace: Path) -> None:
    os.chmod(config_home, 0o700)
    env = hexclaw_env("http://127.0.0.1:9", config_home)
    done = run_hexclaw(["doctor"], env, workspace)
    lines = done.stdout.splitlines()
    assert lines[2] == f"ok    config home: {config_home} (mode 700)"
    assert lines[3].startswith("ok    credentials: ANTHROPIC_API_KEY")
    assert "sk-ant-test-key" not in done.stdout
