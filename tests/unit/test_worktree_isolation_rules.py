"""The pure rules of ``isolation: "worktree"``: names, the base ref, the repository root,
"has changes?", the result line, parsing the isolation of a call, an agent file and
``--agents``; and the permission policy rooted at a worktree."""

from __future__ import annotations

import pytest

from domain.agents.definitions import parse_agent
from domain.permissions.choices import PolicyChoices
from domain.permissions.policy import PermissionPolicy, build_policy
from domain.permissions.rules import RuleContext
from domain.settings.merge import Settings
from domain.subagents.agents_flag import parse_agents_flag
from domain.subagents.errors import InvalidAgentsFlag
from domain.subagents.worktree_plan import (
    REMOTE_REFUSED,
    base_ref,
    has_changes,
    kept_line,
    parse_isolation,
    repository_root,
    worktree_names,
)
from domain.tools.calls import ToolAccess

WT = "/repo/.claude/worktrees/agent-0123abcd"


def test_names_and_path_come_from_the_short_id() -> None:
    names = worktree_names("0123abcd4567ef89")
    assert names.name == "agent-0123abcd"
    assert names.branch == "claude/agent-0123abcd"
    assert names.path("/repo") == WT


@pytest.mark.parametrize(
    ("origin_head", "setting", "expected"),
    [
        (True, None, "refs/remotes/origin/HEAD"),
        (False, None, "HEAD"),
        (True, "head", "HEAD"),
        (True, "HEAD", "HEAD"),
        (False, "head", "HEAD"),
        (True, "fresh", "refs/remotes/origin/HEAD"),
        (True, 3, "refs/remotes/origin/HEAD"),
    ],
)
def test_the_base_is_the_default_branch_unless_absent_or_the_setting_says_head(
    origin_head: bool, setting: object, expected: str
) -> None:
    assert base_ref(origin_head, setting) == expected


def test_worktrees_go_under_the_main_checkout_also_from_a_linked_worktree() -> None:
    assert repository_root("/repo", "/repo/.git") == "/repo"
    assert repository_root(WT, "/repo/.git") == "/repo"
    assert repository_root("/repo/sub", "/repo/.git/") == "/repo"
    # A separate git dir that is not named .git: the workspace's own top level.
    assert repository_root("/repo", "/elsewhere/repo.git") == "/repo"


@pytest.mark.parametrize(
    ("porcelain", "head", "changed"),
    [
        ("", "abc", False),
        ("\n", "abc\n", False),
        ("?? new.txt\n", "abc", True),
        (" M README.md\n", "abc", True),
        ("A  staged.txt\n", "abc", True),
        ("", "def", True),  # a commit on its branch
    ],
)
def test_a_worktree_has_changes_when_status_lists_any_or_its_branch_moved(
    porcelain: str, head: str, changed: bool
) -> None:
    assert has_changes(porcelain, head, "abc") is changed


def test_the_kept_line_names_path_and_branch() -> None:
    line = kept_line(WT, "claude/agent-0123abcd")
    assert WT in line
    assert "claude/agent-0123abcd" in line
    assert "\n" not in line


def test_isolation_values() -> None:
    assert parse_isolation(None) is None
    assert parse_isolation("worktree") == "worktree"
    assert parse_isolation("remote") == REMOTE_REFUSED
    assert "not available in hexclaw" in REMOTE_REFUSED
    assert "worktree or remote" in str(parse_isolation("vm"))


def test_an_agent_file_may_ask_for_a_worktree() -> None:
    text = "---\nname: w\ndescription: d\nisolation: worktree\n---\nBody\n"
    agent = parse_agent(text, "w.md", "project", "w")
    assert not isinstance(agent, str)
    assert agent.isolation == "worktree"
    assert agent.warnings == ()
    remote = parse_agent(text.replace("worktree", "remote"), "w.md", "project", "w")
    assert not isinstance(remote, str)
    assert remote.isolation is None
    assert "not available in hexclaw" in remote.warnings[0]
    plain = parse_agent("---\nname: w\ndescription: d\n---\nB\n", "w.md", "user", "w")
    assert not isinstance(plain, str)
    assert plain.isolation is None


def test_the_agents_flag_may_ask_for_a_worktree() -> None:
    (agent,) = parse_agents_flag(
        '{"w": {"description": "d", "prompt": "p", "isolation": "worktree"}}'
    )
    assert agent.isolation == "worktree"
    with pytest.raises(InvalidAgentsFlag, match="isolation"):
        parse_agents_flag('{"w": {"description": "d", "prompt": "p", "isolation": "remote"}}')


def policy(mode: str = "acceptEdits", **rules: list[str]) -> PermissionPolicy:
    built = build_policy(
        Settings(values={"permissions": rules}),
        PolicyChoices(mode=mode),
        RuleContext(workspace="/repo", home="/home/me"),
    )
    return built.policy


def write(path: str, outside: bool = False) -> ToolAccess:
    return ToolAccess("Write", "write", (path,), outside_workspace=outside)


def test_a_rooted_policy_judges_protected_paths_from_the_worktree() -> None:
    base = policy()
    rooted = base.rooted_at(WT)
    # Under the parent's root, every write in the worktree lands in .claude/: always asks.
    assert base.decide(write(f"{WT}/a.py")).verdict == "ask"
    assert rooted.decide(write(f"{WT}/a.py")).verdict == "allow"
    # The worktree's own protected paths and the parent's .claude/ still ask.
    assert rooted.decide(write(f"{WT}/.git/config")).verdict == "ask"
    assert rooted.decide(write(f"{WT}/CLAUDE.md")).verdict == "ask"
    assert rooted.decide(write("/repo/.claude/settings.json", outside=True)).verdict == "ask"
    assert rooted.decide(write("/repo/a.py", outside=True)).verdict == "ask"


def test_a_rooted_policy_keeps_deny_and_ask_rules_from_both_roots() -> None:
    base = policy(deny=["Edit(./secret/**)", "Read(./secret/**)"], ask=["Edit(./ask/**)"])
    rooted = base.rooted_at(WT)
    assert rooted.decide(write(f"{WT}/secret/k")).verdict == "deny"
    assert rooted.decide(write("/repo/secret/k", outside=True)).verdict == "deny"
    assert rooted.decide(write(f"{WT}/ask/k")).every_time
    hidden = rooted.hidden_paths("Grep")
    assert hidden is not None
    assert hidden(f"{WT}/secret/k")
    assert hidden("/repo/secret/k")
    assert not hidden(f"{WT}/open/k")


def test_a_rooted_policy_shares_the_mode_and_the_session_answers_live() -> None:
    base = policy(mode="default")
    rooted = base.rooted_at(WT)
    assert rooted.decide(write(f"{WT}/a.py")).verdict == "ask"
    base.set_mode("acceptEdits")
    assert rooted.mode == "acceptEdits"
    assert rooted.decide(write(f"{WT}/a.py")).verdict == "allow"
    rooted.set_mode("plan")
    assert base.mode == "plan"
    base.set_mode("default")
    bash = ToolAccess("Bash", "execute", command="make test")
    rooted.allow_for_session(bash)
    assert base.decide(bash).verdict == "allow"
