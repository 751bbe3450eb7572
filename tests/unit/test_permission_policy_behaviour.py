"""What ``PermissionPolicy.decide`` says besides its verdict: which check decided (in the
documented order), the rule and the file it came from, whether a hook may answer, and the exact
sentence the user and the model read; and the bypass lock, run-time rules and hidden paths."""

from __future__ import annotations

import re

import pytest

from domain.permissions.policy import (
    DECISION_STEPS,
    BypassDisabled,
    PermissionPolicy,
    PermissionRules,
    UnknownPermissionMode,
)
from domain.permissions.rules import RuleContext, parse_rule
from domain.tools.calls import ToolAccess

CTX = RuleContext(workspace="/ws", home="/home/me")
MANAGED = "/etc/hexclaw/managed-settings.json"


def policy(
    mode: str = "default",
    allow: tuple[str, ...] = (),
    ask: tuple[str, ...] = (),
    deny: tuple[str, ...] = (),
    context: RuleContext = CTX,
) -> PermissionPolicy:
    """Rules with no source of their own, as a caller that builds them by hand makes them."""
    rules = PermissionRules(
        [parse_rule(r) for r in allow], [parse_rule(r) for r in ask], [parse_rule(r) for r in deny]
    )
    made = PermissionPolicy("default", rules, context)
    made.set_mode(mode)
    return made


def bash(command: str | None, sandbox_auto_allow: bool = False) -> ToolAccess:
    return ToolAccess("Bash", "execute", command=command, sandbox_auto_allow=sandbox_auto_allow)


def write(*paths: str, outside: bool = False) -> ToolAccess:
    return ToolAccess("Write", "write", paths, outside_workspace=outside)


# One call for each check of decide, in the order decide makes them: written out here, so a
# step dropped from or moved in DECISION_STEPS (which `permissions explain` walks) fails.
STEP_CASES = [
    ("deny rule", policy(deny=("Bash(rm:*)",)), bash("rm -rf build")),
    ("touches nothing", policy(deny=("Bash(rm:*)",)), ToolAccess("TodoWrite", "none")),
    ("plan mode", policy("plan"), write("/ws/a.py")),
    ("unchecked rule", policy(deny=("Bash(rm:*)",)), bash("ls $(pwd)")),
    ("bypass mode", policy("bypassPermissions"), bash("npm test")),
    ("protected path", policy("acceptEdits"), write("/ws/.git/config")),
    ("ask rule", policy(allow=("Bash",), ask=("Bash(npm test)",)), bash("npm test")),
    ("allow rule", policy(allow=("Bash(npm test)",)), bash("npm test")),
    ("mode default", policy(), bash("npm test")),
]


def test_the_checks_of_decide_are_listed_in_the_order_it_makes_them() -> None:
    assert tuple(step for step, _, _ in STEP_CASES) == DECISION_STEPS


@pytest.mark.parametrize(("step", "made", "access"), STEP_CASES, ids=[c[0] for c in STEP_CASES])
def test_each_decision_names_the_check_that_made_it(
    step: str, made: PermissionPolicy, access: ToolAccess
) -> None:
    assert made.decide(access).step == step


def test_a_call_whose_input_cannot_be_used_is_denied_with_why_whatever_the_rules() -> None:
    access = ToolAccess("Read", "read", ("/ws/a.py",), invalid="the path contains a NUL byte")
    for made in (policy(), policy("bypassPermissions", allow=("Read",))):
        decision = made.decide(access)
        assert (decision.verdict, decision.reason) == ("deny", "the path contains a NUL byte")


def test_a_deny_rule_names_itself_and_where_it_came_from() -> None:
    made = policy(deny=("Bash(rm:*)",))
    made.add_rule("deny", "Read(.env)", MANAGED)
    rm = made.decide(bash("rm -rf build"))
    assert rm.reason == "the rule Bash(rm:*) (settings) denies running `rm -rf build`"
    assert (rm.rule, rm.rule_source) == ("Bash(rm:*)", "settings")
    env = made.decide(ToolAccess("Read", "read", ("/ws/.env",)))
    assert env.reason == f"the rule Read(.env) ({MANAGED}) denies reading /ws/.env"
    assert (env.rule, env.rule_source) == ("Read(.env)", MANAGED)


def test_a_rule_added_at_run_time_comes_from_the_session_unless_told() -> None:
    made = policy()
    rule = made.add_rule("ask", "Bash(git push:*)")
    assert rule.source == "session"
    made.add_rule("allow", "Bash(npm test)", MANAGED)
    assert made.describe() == [
        "mode: default",
        f"allow: Bash(npm test)  [{MANAGED}]",
        "ask: Bash(git push:*)  [session]",
    ]
    push = made.decide(bash("git push origin"))
    assert (
        push.reason == "the rule Bash(git push:*) (session) asks before running `git push origin`"
    )
    assert push.rule_source == "session"


def test_an_ask_rule_asks_every_time_with_no_hook_allowed_to_answer() -> None:
    decision = policy(allow=("Bash",), ask=("Bash(npm test)",)).decide(bash("npm test"))
    assert decision.verdict == "ask"
    assert decision.reason == "the rule Bash(npm test) (settings) asks before running `npm test`"
    assert decision.every_time == "the rule Bash(npm test) always asks"
    assert (decision.rule, decision.rule_source) == ("Bash(npm test)", "settings")
    assert decision.session_allow is False
    assert decision.hook_may_allow is False


def test_a_deny_rule_that_cannot_be_checked_asks_and_no_hook_may_answer() -> None:
    decision = policy(deny=("Bash(rm:*)",)).decide(bash("ls $(pwd)"))
    assert decision.verdict == "ask"
    assert decision.reason == (
        "the rule Bash(rm:*) (settings) cannot be checked against running `ls $(pwd)`: "
        "part of it is only known when it runs"
    )
    assert (decision.rule, decision.rule_source) == ("Bash(rm:*)", "settings")
    assert decision.hook_may_allow is False
    assert decision.session_allow is True  # the session's exact rule gets it past the check
    assert decision.every_time == ""


def test_an_unchecked_command_an_ask_rule_touches_asks_every_time() -> None:
    decision = policy(ask=("Bash(git push:*)",)).decide(bash("git push $(git remote)"))
    assert decision.verdict == "ask"
    assert decision.step == "unchecked rule"
    assert decision.reason == (
        "the rule Bash(git push:*) (settings) cannot be checked against running "
        "`git push $(git remote)`: part of it is only known when it runs"
    )
    assert decision.every_time == "the rule Bash(git push:*) always asks"
    assert (decision.rule, decision.rule_source) == ("Bash(git push:*)", "settings")
    assert decision.session_allow is False
    assert decision.hook_may_allow is False


WHY_GIT = " (a file git reads as part of a repository: with it, a folder can be a git dir)"
LATER = (
    ", which decides what later runs of git, its hooks or hexclaw do; "
    "that always needs the user's approval"
)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/ws/.git/hooks/pre-commit", ".git/"),
        ("/ws/sub/.Husky/pre-push", ".Husky/"),
        ("/ws/pkg/CLAUDE.md", "CLAUDE.md"),
        ("/ws/.envrc", ".envrc"),
        ("/ws/HEAD", "HEAD" + WHY_GIT),
        ("/ws/sub/Config", "Config" + WHY_GIT),
    ],
)
def test_a_protected_write_says_what_it_changes_and_why_it_always_asks(
    path: str, named: str
) -> None:
    decision = policy("acceptEdits", allow=("Write",)).decide(write(path))
    assert decision.reason == f"writing {path} changes {named}{LATER}"
    assert decision.every_time == f"{named.split(' (', 1)[0]} changes always need approval"
    assert decision.hook_may_allow is False
    assert decision.session_allow is False


def test_a_write_outside_the_workspace_into_the_users_claude_folder_is_protected() -> None:
    # Outside the workspace every part of the path counts, however long the workspace's own.
    context = RuleContext(workspace="/home/me/projects/app", home="/home/me")
    made = policy("acceptEdits", allow=("Write(//home/me/**)",), context=context)
    path = "/home/me/.claude/settings.json"
    decision = made.decide(write(path, outside=True))
    assert decision.verdict == "ask"
    assert decision.step == "protected path"
    assert decision.reason == f"writing {path} changes .claude/{LATER}"


@pytest.mark.parametrize("name", ["demo", "SANDBOX", "draft ", "v2."])
def test_a_workspace_inside_a_protected_folder_counts_only_what_lies_below_it(name: str) -> None:
    root = f"/home/me/.claude/projects/{name}"
    made = policy("acceptEdits", context=RuleContext(workspace=root, home="/home/me"))
    for path in (f"{root}/a.py", f"{root}/src/b.py", root):
        assert made.decide(write(path)).verdict == "allow", path
    assert made.decide(write(f"{root}/.git/config")).step == "protected path"
    beside = made.decide(write(f"{root}x/a.py", outside=True))
    assert beside.step == "protected path", "a folder that only starts like the workspace"


@pytest.mark.parametrize(
    ("made", "access", "reason"),
    [
        (policy(), bash("npm   test\n  --watch"), "running `npm test --watch`"),
        (policy(), bash(""), "using Bash"),
        (policy(), bash(None), "using Bash"),
        (
            policy(),
            ToolAccess("WebFetch", "network", domain="example.com"),
            "fetching from example.com",
        ),
        (policy(), ToolAccess("WebFetch", "network"), "using WebFetch"),
        (policy(), write("/ws/a.py"), "writing /ws/a.py"),
        (policy(), write(), "using Write"),
        (policy("acceptEdits"), ToolAccess("mcp__srv__drop", "mcp"), "using mcp__srv__drop"),
    ],
)
def test_a_question_names_what_the_call_does(
    made: PermissionPolicy, access: ToolAccess, reason: str
) -> None:
    decision = made.decide(access)
    assert decision.verdict == "ask"
    assert decision.reason == f"{reason} needs the user's approval in {made.mode} mode"


def test_a_question_outside_the_workspace_names_the_path_that_is_outside() -> None:
    read = ToolAccess("Read", "read", ("/etc/passwd",), outside_workspace=True)
    assert policy().decide(read).reason == (
        "reading /etc/passwd is outside the workspace and needs approval"
    )
    link = write("/ws/link", "/etc/hosts", outside=True)
    assert policy("acceptEdits").decide(link).reason == (
        "writing /etc/hosts is outside the workspace and needs approval"
    )


def test_a_long_command_is_cut_to_120_characters_in_the_sentence() -> None:
    whole = "echo " + "a" * 115
    assert len(whole) == 120
    assert policy().decide(bash(whole)).reason.startswith(f"running `{whole}` needs")
    longer = whole + "b"
    cut = policy().decide(bash(longer)).reason
    assert cut.startswith(f"running `{longer[:119]}…` needs")


def test_plan_mode_denies_an_mcp_tool_unless_its_server_marks_it_read_only() -> None:
    plan = policy("plan")
    drop = plan.decide(ToolAccess("mcp__srv__drop", "mcp"))
    assert drop.verdict == "deny"
    assert drop.reason == (
        "plan mode is read-only, so using mcp__srv__drop is not allowed; present the plan "
        "and let the user leave plan mode first"
    )
    lookup = plan.decide(ToolAccess("mcp__srv__lookup", "mcp", read_only=True))
    assert lookup.verdict == "ask"
    assert lookup.step == "mode default"


def test_a_command_the_sandbox_confines_runs_without_a_question() -> None:
    confined = bash("npm test", sandbox_auto_allow=True)
    decision = policy().decide(confined)
    assert (decision.verdict, decision.step) == ("allow", "mode default")
    assert policy().decide(bash("npm test")).verdict == "ask"
    # Only a command is confined: the flag on any other call changes nothing.
    other = ToolAccess("Write", "write", ("/ws/a.py",), sandbox_auto_allow=True)
    assert policy().decide(other).verdict == "ask"
    # Ask and deny rules still hold.
    assert policy(ask=("Bash(npm:*)",)).decide(confined).verdict == "ask"
    assert policy(deny=("Bash(npm:*)",)).decide(confined).verdict == "deny"


def test_a_policy_whose_settings_disable_bypass_cannot_start_in_it_or_switch_to_it() -> None:
    with pytest.raises(BypassDisabled) as refused:
        PermissionPolicy("bypassPermissions", PermissionRules(), CTX, MANAGED)
    assert str(refused.value) == (
        "bypassPermissions mode is disabled by permissions.disableBypassPermissionsMode "
        f"in {MANAGED}"
    )
    for mode in ("default", "acceptEdits", "plan"):
        made = PermissionPolicy(mode, PermissionRules(), CTX, MANAGED)
        assert made.mode == mode
        assert made.bypass_disabled_by == MANAGED
        with pytest.raises(BypassDisabled, match=f"in {re.escape(MANAGED)}$"):
            made.set_mode("bypassPermissions")
        assert made.mode == mode
        assert made.set_mode("acceptEdits") == "acceptEdits"


def test_an_unknown_mode_is_refused_with_the_modes_there_are() -> None:
    with pytest.raises(UnknownPermissionMode) as refused:
        policy().set_mode("yolo")
    assert str(refused.value) == (
        "unknown permission mode 'yolo'; choose one of default, acceptEdits, plan, "
        "bypassPermissions"
    )


def test_search_tools_leave_out_the_paths_deny_rules_keep_from_them() -> None:
    made = policy(allow=("Read(./notes.txt)",), deny=("Read(./.env)", "Bash(cat:*)"))
    for tool in ("Grep", "Glob", "LS", "Read"):
        hidden = made.hidden_paths(tool)
        assert hidden is not None, tool
        assert hidden("/ws/.env")
        assert not hidden("/ws/notes.txt")
        assert not hidden("/elsewhere/.env"), "the rule is relative to the workspace"
    assert made.hidden_paths("WebFetch") is None
    assert policy(allow=("Read(./.env)",)).hidden_paths("Grep") is None


@pytest.mark.parametrize(
    "access",
    [bash(""), bash(None), ToolAccess("WebFetch", "network"), write(), ToolAccess("Edit", "write")],
)
def test_a_call_that_names_nothing_is_asked_without_a_session_answer(access: ToolAccess) -> None:
    decision = policy().decide(access)
    assert decision.verdict == "ask"
    assert decision.step == "mode default"
    assert decision.session_allow is False
    assert decision.every_time == "the call names no command, host or path to remember"


@pytest.mark.parametrize(
    "access", [bash("ls"), ToolAccess("WebFetch", "network", domain="a.example"), write("/ws/a")]
)
def test_a_call_that_names_what_it_does_is_asked_with_a_session_answer(access: ToolAccess) -> None:
    decision = policy().decide(access)
    assert (decision.verdict, decision.session_allow, decision.every_time) == ("ask", True, "")
