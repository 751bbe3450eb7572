"""The git of ``isolation: "worktree"``: creating a subagent's worktree and settling it.

git runs as a subprocess that runs no program the repository's config names (hooks: creating
a worktree would otherwise run its ``post-checkout``; filters: the checkout would run their
``smudge``; see ``adapters/system/git.py:safe_environment``), read again in each call's
folder (a subagent can rewrite its worktree's ``.git`` link), and never fetches. Settling does
not look inside submodules' working trees: a worktree with one checked out is kept. The
operations of one run take turns: concurrent ``git worktree add`` calls race on the shared git
dir's lock files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Sequence

import attrs

from adapters.system.git import GitFailed, safe_environment
from domain.repr_base import Record
from domain.subagents.errors import SubagentError
from domain.subagents.worktree_plan import (
    LOCAL_HEAD,
    ORIGIN_HEAD,
    base_ref,
    has_changes,
    repository_root,
    submodule_paths,
    worktree_names,
)

GIT_TIMEOUT = 60.0


class WorktreeUnavailable(SubagentError):
    """The workspace is no git repository (or git is missing, or has no commit to start
    from); the message says which, for the tool result."""


@attrs.frozen(repr=False)
class Worktree(Record):
    path: str
    branch: str
    base_commit: str
    repository_root: str


class GitWorktrees:
    """Creates and settles subagents' worktrees for one run's workspace."""

    def __init__(self, workspace: str, base_ref_setting: object = None) -> None:
        self.workspace = workspace
        self.base_ref_setting = base_ref_setting
        self._lock = threading.Lock()

    def create(self, agent_id: str, workspace: str | None = None) -> Worktree:
        """A fresh worktree for the subagent ``agent_id``, from the repository that holds
        ``workspace`` (the calling conversation's: a nested subagent's is its worktree)."""
        where = workspace or self.workspace
        if shutil.which("git") is None:
            raise WorktreeUnavailable("git is not installed")
        with self._lock:
            found = _git(where, "rev-parse", "--path-format=absolute", "--show-toplevel")
            if found.returncode != 0:
                raise WorktreeUnavailable(f"{where} is not inside one")
            common = _git(where, "rev-parse", "--path-format=absolute", "--git-common-dir")
            root = repository_root(found.stdout.strip(), common.stdout.strip())
            origin = _git(root, "rev-parse", "--verify", "--quiet", f"{ORIGIN_HEAD}^{{commit}}")
            ref = base_ref(origin.returncode == 0, self.base_ref_setting)
            base = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
            if base.returncode != 0:
                raise WorktreeUnavailable(f"{ref} of {root} names no commit")
            commit = base.stdout.strip()
            names = worktree_names(agent_id)
            path = names.path(root)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # Checked out only from inside the new worktree, where config that applies to
            # its branch alone (includeIf "onbranch:") is read with the rest, filters too.
            added = _git(
                root,
                "worktree",
                "add",
                "--quiet",
                "--no-checkout",
                "-b",
                names.branch,
                path,
                commit,
            )
            if added.returncode != 0:
                raise WorktreeUnavailable(f"git worktree add failed ({_last_line(added)})")
            filled = _git(path, "reset", "--quiet", "--hard")
            if filled.returncode != 0:
                _git(root, "worktree", "remove", "--force", path)
                _git(root, "branch", "-D", names.branch)
                raise WorktreeUnavailable(
                    f"git reset in the new worktree failed ({_last_line(filled)})"
                )
        return Worktree(path=path, branch=names.branch, base_commit=commit, repository_root=root)

    def settle(self, worktree: Worktree) -> bool:
        """Removes a worktree that holds no work (and its branch); True when it is kept. Any
        doubt (git failing to say) keeps it."""
        with self._lock:
            status = _git(
                worktree.path,
                "status",
                "--porcelain",
                "--untracked-files=all",
                "--ignore-submodules=dirty",
            )
            head = _git(worktree.path, "rev-parse", LOCAL_HEAD)
            if status.returncode != 0 or head.returncode != 0:
                return True
            if _checked_out_submodule(worktree.path):
                return True
            if has_changes(status.stdout, head.stdout, worktree.base_commit):
                return True
            removed = _git(worktree.repository_root, "worktree", "remove", "--force", worktree.path)
            if removed.returncode != 0:
                return True
            _git(worktree.repository_root, "branch", "-D", worktree.branch)
            _remove_if_empty(os.path.dirname(worktree.path))
            return False


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    return lines[-1] if lines else "no message"


def _remove_if_empty(folder: str) -> None:
    """``.claude/worktrees`` (and ``.claude``) when the last worktree left them empty."""
    for path in (folder, os.path.dirname(folder)):
        try:
            os.rmdir(path)
        except OSError:
            return


def _checked_out_submodule(path: str) -> bool:
    listed = _git(path, "ls-files", "--stage", "-z")
    if listed.returncode != 0:
        return True
    return any(
        os.path.lexists(os.path.join(path, sub, ".git")) for sub in submodule_paths(listed.stdout)
    )


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[str]:
    command: Sequence[str] = ("git", *args)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    # Variables a hook or the parent's shell may set would point git at another repository.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"):
        env.pop(name, None)
    try:
        env = safe_environment(cwd, env, timeout=GIT_TIMEOUT)
    except GitFailed as exc:
        return subprocess.CompletedProcess(command, 128, "", str(exc))
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(command, 128, "", str(exc))
