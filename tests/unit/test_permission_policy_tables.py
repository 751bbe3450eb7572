"""Every protected folder and file, one case each, through the policy in the mode that would
otherwise allow the write: written here, not imported, so that a name dropped from the
policy's tables fails a test."""

from __future__ import annotations

import pytest

from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext
from domain.tools.calls import ToolAccess

CTX = RuleContext(workspace="/home/u/ws", home="/home/u")
FOLDERS = [".git", ".claude", ".husky", ".githooks", ".git-hooks", ".hooks", ".lefthook"]
FILES = [
    "CLAUDE.md",
    "CLAUDE.local.md",
    "AGENTS.md",
    ".mcp.json",
    ".envrc",
    ".pre-commit-config.yaml",
    "lefthook.yml",
    ".lefthook.yml",
    "lefthook-local.yml",
]
GIT_DIR_FILES = ["HEAD", "config", "packed-refs", "commondir", "gitdir"]


def write(path: str) -> ToolAccess:
    return ToolAccess(tool="Write", kind="write", paths=(path,))


def accept_edits() -> PermissionPolicy:
    return PermissionPolicy("acceptEdits", PermissionRules(), CTX)


def test_an_ordinary_file_in_the_workspace_is_written_without_asking() -> None:
    decision = accept_edits().decide(write("/home/u/ws/src/a.py"))
    assert decision.verdict == "allow"


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_write_into_a_protected_folder_is_asked_every_time(folder: str) -> None:
    for path in (f"/home/u/ws/{folder}/hooks/x", f"/home/u/ws/sub/{folder.upper()}/x"):
        decision = accept_edits().decide(write(path))
        assert decision.verdict == "ask", path
        assert decision.step == "protected path"
        assert not decision.session_allow
        assert folder.upper() + "/" in decision.reason or folder + "/" in decision.reason


@pytest.mark.parametrize("name", FILES)
def test_a_write_to_a_protected_file_is_asked_every_time(name: str) -> None:
    decision = accept_edits().decide(write(f"/home/u/ws/pkg/{name}"))
    assert decision.verdict == "ask"
    assert decision.step == "protected path"
    assert name in decision.reason


@pytest.mark.parametrize("name", GIT_DIR_FILES)
def test_a_write_to_a_file_git_reads_in_a_git_dir_is_asked_with_why(name: str) -> None:
    for spelled in (name, name.lower(), name.upper()):
        decision = accept_edits().decide(write(f"/home/u/ws/{spelled}"))
        assert decision.verdict == "ask"
        assert decision.step == "protected path"
        assert "a folder can be a git dir" in decision.reason
