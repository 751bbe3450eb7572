"""The environment probe against real git repositories and a git that hangs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adapters.system.environment_probe import MAX_CHANGE_LINES, EnvironmentProbe

FIXED = {
    "GIT_AUTHOR_NAME": "Ana",
    "GIT_AUTHOR_EMAIL": "ana@example.com",
    "GIT_COMMITTER_NAME": "Ana",
    "GIT_COMMITTER_EMAIL": "ana@example.com",
    "GIT_AUTHOR_DATE": "2026-01-02T03:04:05Z",
    "GIT_COMMITTER_DATE": "2026-01-02T03:04:05Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **FIXED},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("print('hi')\n")
    git(root, "add", "app.py")
    git(root, "commit", "-q", "-m", "First commit")
    (root / "app.py").write_text("print('hello')\n")
    git(root, "commit", "-q", "-am", "Say hello")
    return root


def test_snapshot_of_a_real_repository(repo: Path) -> None:
    (repo / "app.py").write_text("print('changed')\n")
    (repo / "new.txt").write_text("new\n")
    sub = repo / "pkg"
    sub.mkdir()
    info = EnvironmentProbe().probe(sub)
    assert info.working_directory == str(sub)
    assert info.platform == sys.platform
    assert info.os_version
    assert info.utc_offset_seconds == time.localtime().tm_gmtoff
    assert info.git is not None
    assert info.git.branch == "main"
    assert info.git.changes == (" M app.py", "?? new.txt")
    assert info.git.changed_count == 2
    subjects = [line.split(" ", 1)[1] for line in info.git.recent_commits]
    assert subjects == ["Say hello", "First commit"]
    assert info.git.note is None


def test_detached_head_names_the_commit(repo: Path) -> None:
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    git(repo, "checkout", "-q", "--detach", "HEAD")
    snapshot = EnvironmentProbe().git_snapshot(repo)
    assert snapshot is not None
    assert (snapshot.branch, snapshot.head) == (None, head)


def test_status_lines_are_capped_but_counted(repo: Path) -> None:
    for i in range(MAX_CHANGE_LINES + 25):
        (repo / f"f{i:04d}.txt").write_text("x")
    snapshot = EnvironmentProbe().git_snapshot(repo)
    assert snapshot is not None
    assert len(snapshot.changes) == MAX_CHANGE_LINES
    assert snapshot.changed_count == MAX_CHANGE_LINES + 25


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    info = EnvironmentProbe().probe(plain)
    assert info.git is None
    assert info.is_git_repo is False


def test_missing_git_means_no_snapshot(tmp_path: Path) -> None:
    assert EnvironmentProbe(git=str(tmp_path / "no-such-git")).git_snapshot(tmp_path) is None


def test_a_hanging_git_costs_at_most_the_timeout(repo: Path, tmp_path: Path) -> None:
    slow_git = tmp_path / "slow-git"
    slow_git.write_text(
        '#!/bin/sh\ncase "$*" in *rev-parse*) exec git "$@";; esac\nexec sleep 30\n'
    )
    slow_git.chmod(0o755)
    started = time.monotonic()
    snapshot = EnvironmentProbe(git=str(slow_git), timeout=1.0).git_snapshot(repo)
    elapsed = time.monotonic() - started
    assert elapsed < 5
    assert snapshot is not None
    assert snapshot.branch is None
    assert snapshot.note == "git branch did not finish in time"


def _logging_git(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "git.log"
    wrapper = tmp_path / "logging-git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec git "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def _commands(log: Path) -> list[str]:
    """The git command of each logged call (after GitRunner's own options)."""
    calls = [line.split() for line in log.read_text().splitlines()]
    return [words[3] if words[0] == "--no-pager" else words[0] for words in calls]


def test_the_repositorys_config_is_read_only_for_commands_that_read_files(
    repo: Path, tmp_path: Path
) -> None:
    """Outside a repository the probe is one rev-parse (no config read at start); inside
    one, the filters are listed once, just before the first command that reads files."""
    outside = tmp_path / "outside"
    outside.mkdir()
    wrapper, log = _logging_git(tmp_path)
    assert EnvironmentProbe(git=str(wrapper)).git_snapshot(outside) is None
    assert _commands(log) == ["rev-parse"]
    log.unlink()
    assert EnvironmentProbe(git=str(wrapper)).git_snapshot(repo) is not None
    assert _commands(log) == ["rev-parse", "branch", "config", "status", "log"]
