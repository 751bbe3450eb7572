"""``GitWorktrees`` against real git: a repository without commits, a commit on the worktree's
branch (kept though the tree is clean), a nested worktree going under the main checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapters.subagents.worktrees import GitWorktrees, WorktreeUnavailable
from tests.support import ADD_LOCAL_SUBMODULE, run_git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def committed(folder: Path) -> Path:
    run_git(folder, "init", "-q", "-b", "main")
    (folder / "a.txt").write_text("a\n")
    run_git(folder, "add", ".")
    run_git(folder, "commit", "-q", "-m", "first")
    return folder


def test_a_repository_without_commits_creates_nothing(workspace: Path) -> None:
    run_git(workspace, "init", "-q", "-b", "main")
    with pytest.raises(WorktreeUnavailable, match="names no commit"):
        GitWorktrees(str(workspace)).create("0123456789abcdef")
    assert sorted(p.name for p in workspace.iterdir()) == [".git"]
    assert run_git(workspace, "branch").strip() == ""


def test_a_commit_on_the_branch_keeps_a_clean_worktree(workspace: Path) -> None:
    committed(workspace)
    worktrees = GitWorktrees(str(workspace))
    made = worktrees.create("0123456789abcdef")
    assert made.path == str(workspace / ".claude" / "worktrees" / "agent-01234567")
    (Path(made.path) / "b.txt").write_text("b\n")
    run_git(Path(made.path), "add", "b.txt")
    run_git(Path(made.path), "commit", "-q", "-m", "work")
    assert run_git(Path(made.path), "status", "--porcelain") == ""
    assert worktrees.settle(made) is True
    assert "claude/agent-01234567" in run_git(workspace, "branch")
    # An untouched one is removed, with its branch and the folders made for it.
    other = worktrees.create("fedcba9876543210")
    assert worktrees.settle(other) is False
    assert "claude/agent-fedcba98" not in run_git(workspace, "branch")
    assert not Path(other.path).exists()
    assert Path(made.path).exists()


def test_a_nested_worktree_goes_under_the_main_checkout(workspace: Path) -> None:
    committed(workspace)
    worktrees = GitWorktrees(str(workspace))
    outer = worktrees.create("aaaaaaaa00000000")
    inner = worktrees.create("bbbbbbbb00000000", outer.path)
    assert inner.path == str(workspace / ".claude" / "worktrees" / "agent-bbbbbbbb")
    assert inner.repository_root == str(workspace)
    assert worktrees.settle(inner) is False
    assert worktrees.settle(outer) is False
    assert not (workspace / ".claude").exists()


def test_the_repositorys_programs_do_not_run_and_a_checked_out_submodule_keeps_it(
    workspace: Path, tmp_path: Path
) -> None:
    """Creating a worktree checks files out (a smudge filter would run) and settling it asks
    for its status (an fsmonitor would run, and a submodule's own config inside it): none
    runs. A worktree where a submodule is checked out is kept, since its inside is not
    looked at."""
    markers = tmp_path / "markers"
    markers.mkdir()
    inner = tmp_path / "inner"
    inner.mkdir()
    committed(inner)
    committed(workspace)
    (workspace / ".gitattributes").write_text("*.txt filter=own\n")
    run_git(workspace, *ADD_LOCAL_SUBMODULE, str(inner), "sub")
    run_git(workspace, "add", ".")
    run_git(workspace, "commit", "-q", "-m", "with a submodule")
    for key in ("filter.own.smudge", "filter.own.clean", "core.fsmonitor"):
        run_git(workspace, "config", key, f"touch {markers / key}; false")
    worktrees = GitWorktrees(str(workspace))
    made = worktrees.create("0123456789abcdef")
    assert (Path(made.path) / "a.txt").read_text() == "a\n"
    assert worktrees.settle(made) is False  # untouched (its submodule is not checked out)
    made = worktrees.create("fedcba9876543210")
    sub = Path(made.path) / "sub"
    sub.rmdir()
    shutil.copytree(inner, sub)  # a checkout of its own, with its own config
    run_git(sub, "config", "core.fsmonitor", f"touch {markers / 'sub-fsmonitor'}; false")
    run_git(sub, "config", "filter.own.clean", f"touch {markers / 'sub-clean'}; false")
    (sub / ".gitattributes").write_text("*.txt filter=own\n")
    assert worktrees.settle(made) is True
    assert Path(made.path).exists()
    assert sorted(p.name for p in markers.iterdir()) == []


def test_a_filter_that_applies_only_on_the_new_branch_does_not_run_at_checkout(
    workspace: Path, tmp_path: Path
) -> None:
    """Config included only on ``claude/`` branches is invisible from the main checkout: the
    new worktree is filled from inside it, where that filter is read and emptied."""
    marker = tmp_path / "smudged"
    committed(workspace)
    (workspace / ".gitattributes").write_text("* filter=wt\n")
    run_git(workspace, "add", ".")
    run_git(workspace, "commit", "-q", "-m", "attributes")
    (workspace / ".git" / "branch.cfg").write_text(
        f'[filter "wt"]\n\tsmudge = "touch {marker}; cat"\n'
    )
    run_git(workspace, "config", "includeIf.onbranch:claude/**.path", "branch.cfg")
    made = GitWorktrees(str(workspace)).create("0123456789abcdef")
    assert (Path(made.path) / "a.txt").read_text() == "a\n"
    assert run_git(Path(made.path), "status", "--porcelain") == ""
    assert not marker.exists()
