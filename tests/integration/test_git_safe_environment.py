"""``safe_environment`` against real git: the repository's own programs do not run, the
user's own filters (git-lfs's kind, in the global config) still do."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from adapters.system.git import safe_environment
from tests.support import run_git


def test_the_repositorys_programs_are_off_and_the_users_filters_run(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    user_config = tmp_path / "gitconfig"
    user_config.write_text(f'[filter "mine"]\n\tclean = "touch {markers}/user-clean; cat"\n')
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(user_config), "GIT_CONFIG_NOSYSTEM": "1"}
    repo = tmp_path / "repo"
    repo.mkdir()
    run_git(repo, "init", "-q", env=env)
    (repo / ".gitattributes").write_text("*.own filter=own\n*.mine filter=mine\n")
    (repo / "a.own").write_text("a\n")
    (repo / "b.mine").write_text("b\n")
    run_git(repo, "add", "-A", env=env)
    run_git(repo, "commit", "-qm", "first", env=env)
    (markers / "user-clean").unlink()  # the add ran it, as it should
    for key, name in (
        ("core.fsmonitor", "fsmonitor"),
        ("filter.own.clean", "own-clean"),
        ("filter.own.process", "own-process"),
    ):
        run_git(repo, "config", key, f"touch {markers}/{name}; false", env=env)
    for path in (repo / "a.own", repo / "b.mine"):
        os.utime(path, (1_000_000_000, 1_000_000_000))

    safe = safe_environment(repo, env)
    done = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, env=safe, capture_output=True, check=False
    )
    assert sorted(p.name for p in markers.iterdir()) == ["user-clean"]
    assert done.returncode == 0
    # Without it, git runs them all (so the test can tell).
    for path in (repo / "a.own", repo / "b.mine"):
        os.utime(path, (1_000_000_001, 1_000_000_001))
    subprocess.run(["git", "status"], cwd=repo, env=env, capture_output=True, check=False)
    assert {"fsmonitor", "own-process"} <= {p.name for p in markers.iterdir()}


def test_outside_a_repository_only_the_fixed_settings_are_added(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    safe = safe_environment(tmp_path, env)
    assert safe["GIT_CONFIG_COUNT"] == "3"
    assert safe["GIT_CONFIG_KEY_0"] == "core.fsmonitor"
