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
    assert safe["GIT_CONFIG_COUNT"] == "4"
    assert safe["GIT_CONFIG_KEY_0"] == "core.fsmonitor"


def test_a_folder_laid_out_as_a_bare_repository_is_not_read_as_one(tmp_path: Path) -> None:
    """With its ``.git`` broken, a folder holding ``HEAD``, ``objects/`` and ``refs/`` (and a
    config of its own) would be git's repository: not for hexclaw's calls."""
    env = {"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    folder = tmp_path / "work"
    folder.mkdir()
    run_git(folder, "init", "-q", env=env)
    (folder / ".git" / "HEAD").unlink()
    run_git(folder, "init", "-q", "--bare", ".", env=env)
    argv = ["git", "rev-parse", "--git-dir"]
    plain = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, check=False)
    assert plain.stdout.strip() == "."  # git alone takes the folder for a repository
    safe_env = safe_environment(folder, env)
    safe = subprocess.run(argv, cwd=folder, env=safe_env, capture_output=True, check=False)
    assert safe.returncode != 0


def test_an_object_missing_from_a_promisor_repository_is_not_fetched(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    repo = tmp_path / "repo"
    repo.mkdir()
    run_git(repo, "init", "-q", env=env)
    (repo / "a.txt").write_text("a\n")
    run_git(repo, "add", "-A", env=env)
    run_git(repo, "commit", "-qm", "first", env=env)
    commit = run_git(repo, "rev-parse", "HEAD", env=env).strip()
    (repo / ".git" / "objects" / commit[:2] / commit[2:]).unlink()
    run_git(repo, "config", "remote.origin.url", "ssh://example.invalid/repo", env=env)
    run_git(repo, "config", "remote.origin.promisor", "true", env=env)
    run_git(repo, "config", "core.sshCommand", f"touch {markers}/ssh; false", env=env)
    argv = ["git", "log", "-n1", "--format=%s"]
    safe_env = safe_environment(repo, env)
    subprocess.run(argv, cwd=repo, env=safe_env, capture_output=True, check=False)
    assert list(markers.iterdir()) == []
    subprocess.run(argv, cwd=repo, env=env, capture_output=True, check=False)
    assert [p.name for p in markers.iterdir()] == ["ssh"]  # git alone fetches, running it
