"""``isolation: "worktree"``: the rules of a subagent's own git worktree, without the git.

A worktree subagent works in ``<repository root>/.claude/worktrees/agent-<short id>`` on the
new branch ``claude/agent-<short id>``, checked out from the repository's default branch
(``origin/HEAD``) when that ref exists locally, else from local ``HEAD``; the setting
``worktree.baseRef: "head"`` always takes local ``HEAD``. Nothing is fetched. When the
subagent is done, a worktree with no changes (nothing uncommitted or untracked, its branch
still at the base commit) is removed with its branch; otherwise both are kept and the
parent's result ends with a line naming them.
"""

from __future__ import annotations

import posixpath
from typing import Literal

import attrs

from domain.repr_base import Record

Isolation = Literal["worktree"]

WORKTREES_FOLDER = ".claude/worktrees"
ORIGIN_HEAD = "refs/remotes/origin/HEAD"
LOCAL_HEAD = "HEAD"
SHORT_ID_LENGTH = 8

REMOTE_REFUSED = (
    "Not run: isolation: remote (a subagent in a remote environment) is not available in "
    "hexclaw. Call Agent again with isolation: worktree, or without isolation."
)
NEEDS_GIT = (
    "Error: worktree isolation needs a git repository with at least one commit ({why}). "
    "Nothing was created; call Agent again without isolation to work in this workspace."
)
UNKNOWN_ISOLATION = "Error: isolation must be worktree or remote, not {value!r}."


@attrs.frozen(repr=False)
class WorktreeNames(Record):
    name: str
    """``agent-<short id>``: the folder under ``.claude/worktrees``."""
    branch: str
    """``claude/agent-<short id>``."""

    def path(self, repository_root: str) -> str:
        return posixpath.join(repository_root, WORKTREES_FOLDER, self.name)


def worktree_names(agent_id: str) -> WorktreeNames:
    short = agent_id[:SHORT_ID_LENGTH]
    return WorktreeNames(name=f"agent-{short}", branch=f"claude/agent-{short}")


def base_ref(origin_head_exists: bool, setting: object) -> str:
    """The ref a new worktree starts from: the default branch when known locally, unless
    ``worktree.baseRef`` says ``head``."""
    if isinstance(setting, str) and setting.strip().lower() == "head":
        return LOCAL_HEAD
    return ORIGIN_HEAD if origin_head_exists else LOCAL_HEAD


def repository_root(top_level: str, common_dir: str) -> str:
    """Where ``.claude/worktrees`` goes: the main checkout's root, also when the workspace is
    itself a linked worktree (a nested subagent's), whose shared git dir is
    ``<main checkout>/.git``; for a bare or unusual layout, the workspace's own top level."""
    common = posixpath.normpath(common_dir)
    if posixpath.basename(common) == ".git":
        return posixpath.dirname(common)
    return posixpath.normpath(top_level)


def has_changes(porcelain: str, head: str, base: str) -> bool:
    """Whether a finished worktree holds work: ``git status --porcelain`` lists anything
    (changed, staged or untracked), or its branch moved off the base commit."""
    return bool(porcelain.strip()) or head.strip() != base.strip()


def submodule_paths(stage_listing: str) -> list[str]:
    """The submodules a worktree's index names, from ``git ls-files --stage -z``: hexclaw's
    status does not look inside their working trees (their own config would run there), so
    a worktree where one is checked out is kept rather than judged."""
    paths: list[str] = []
    for record in stage_listing.split("\0"):
        info, _, path = record.partition("\t")
        if info.startswith("160000 ") and path:
            paths.append(path)
    return paths


def kept_line(path: str, branch: str) -> str:
    """The line the parent's result ends with when the worktree is kept."""
    return f"The subagent's changes are kept in the worktree {path} on the branch {branch}."


def worktree_note(path: str, branch: str) -> str:
    """What the subagent's system prompt says of its worktree."""
    return (
        f"You work in an isolated git worktree ({path}, branch {branch}): a clean checkout, "
        "without the parent's uncommitted changes. Work only inside it; what you change "
        "stays there for the parent to review."
    )


def parse_isolation(value: object) -> Isolation | str | None:
    """``worktree``, None (no isolation), or the result text of a value that cannot run."""
    if value is None:
        return None
    if value == "worktree":
        return "worktree"
    if value == "remote":
        return REMOTE_REFUSED
    return UNKNOWN_ISOLATION.format(value=value)
