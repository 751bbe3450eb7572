"""The permission policy as a table: mode x rules x what a call touches -> allow, ask or deny."""

from __future__ import annotations

import pytest

from domain.permission_modes import PERMISSION_MODES
from domain.permissions.choices import PolicyChoices, tools_opted_in
from domain.permissions.policy import (
    PermissionPolicy,
    PermissionRules,
    UnknownPermissionMode,
    build_policy,
)
from domain.permissions.rules import InvalidPermissionRule, RuleContext, session_rules
from domain.settings.layer_trust import Scope
from domain.settings.merge import Settings, SettingsLayer, merge_layers
from domain.tools.calls import ToolAccess

CTX = RuleContext(workspace="/ws", home="/home/me")

READ_IN = ToolAccess("Read", "read", ("/ws/a.py",))
READ_OUT = ToolAccess("Read", "read", ("/etc/passwd",), outside_workspace=True)
EDIT_IN = ToolAccess("Edit", "write", ("/ws/a.py",))
EDIT_OUT = ToolAccess("Edit", "write", ("/tmp/a.py",), outside_workspace=True)
# A symlink inside the workspace whose target is outside: the adapter marks it outside.
EDIT_VIA_LINK = ToolAccess("Write", "write", ("/ws/link", "/etc/hosts"), outside_workspace=True)
BASH = ToolAccess("Bash", "execute", command="npm test")
FETCH = ToolAccess("WebFetch", "network", domain="example.com")
TODO = ToolAccess("TodoWrite", "none")

MODE_TABLE = [
    # access,        default, acceptEdits, plan,   bypassPermissions
    (READ_IN, "allow", "allow", "allow", "allow"),
    (READ_OUT, "ask", "ask", "ask", "allow"),
    (EDIT_IN, "ask", "allow", "deny", "allow"),
    (EDIT_OUT, "ask", "ask", "deny", "allow"),
    (EDIT_VIA_LINK, "ask", "ask", "deny", "allow"),
    (BASH, "ask", "ask", "deny", "allow"),
    (FETCH, "ask", "ask", "ask", "allow"),
    (TODO, "allow", "allow", "allow", "allow"),
]


def policy(mode: str = "default", **rules: list[str]) -> PermissionPolicy:
    built = build_policy(
        Settings(values={"permissions": rules}),
        PolicyChoices(mode=mode),
        CTX,
    )
    assert built.warnings == ()
    return built.policy


@pytest.mark.parametrize(("access", *PERMISSION_MODES), MODE_TABLE)
def test_modes_without_rules(
    access: ToolAccess,
    default: str,
    acceptEdits: str,  # noqa: N803 - named for the mode
    plan: str,
    bypassPermissions: str,  # noqa: N803
) -> None:
    expected = dict(
        zip(PERMISSION_MODES, (default, acceptEdits, plan, bypassPermissions), strict=True)
    )
    for mode, verdict in expected.items():
        decision = policy(mode).decide(access)
        assert decision.verdict == verdict, (mode, access)
        if verdict != "allow":
            assert decision.reason, "a denial or a question must say why"


RULE_TABLE = [
    # mode, allow, ask, deny, access, expected
    ("default", ["Bash(npm test)"], [], [], BASH, "allow"),
    ("default", ["Bash(npm test)"], [], ["Bash(npm:*)"], BASH, "deny"),  # deny wins over allow
    ("bypassPermissions", [], [], ["Bash(npm:*)"], BASH, "deny"),  # even in bypass
    ("default", ["Bash"], ["Bash(npm test)"], [], BASH, "ask"),  # ask wins over allow
    ("bypassPermissions", [], ["Bash(npm test)"], [], BASH, "allow"),
    ("plan", ["Bash(npm test)"], [], [], BASH, "deny"),  # plan is read-only whatever the rules
    ("plan", ["Edit"], [], [], EDIT_IN, "deny"),
    ("default", ["Edit(*.py)"], [], [], EDIT_IN, "allow"),
    ("default", ["Edit(docs/**)"], [], [], EDIT_IN, "ask"),
    ("acceptEdits", [], ["Edit(a.py)"], [], EDIT_IN, "ask"),
    ("acceptEdits", [], [], ["Edit(*.py)"], EDIT_IN, "deny"),
    ("acceptEdits", ["Edit(//tmp/**)"], [], [], EDIT_OUT, "allow"),  # a rule reaches outside
    ("default", [], [], ["Read(./a.py)"], READ_IN, "deny"),  # reads can be denied too
    ("default", ["Read(//etc/**)"], [], [], READ_OUT, "allow"),
    ("default", ["WebFetch(domain:example.com)"], [], [], FETCH, "allow"),
    ("default", ["WebFetch(domain:other.org)"], [], [], FETCH, "ask"),
    ("default", [], [], ["TodoWrite"], TODO, "deny"),
]


@pytest.mark.parametrize(("mode", "allow", "ask", "deny", "access", "expected"), RULE_TABLE)
def test_rules_and_modes(
    mode: str, allow: list[str], ask: list[str], deny: list[str], access: ToolAccess, expected: str
) -> None:
    assert policy(mode, allow=allow, ask=ask, deny=deny).decide(access).verdict == expected


def test_a_denial_names_the_rule_and_where_it_came_from() -> None:
    settings = merge_layers(
        [SettingsLayer("/p/.claude/settings.json", {"permissions": {"deny": ["Bash(npm:*)"]}})]
    )
    built = build_policy(settings, PolicyChoices(), CTX)
    reason = built.policy.decide(BASH).reason
    assert "Bash(npm:*)" in reason
    assert "/p/.claude/settings.json" in reason


def test_plan_mode_tells_the_model_why() -> None:
    reason = policy("plan").decide(EDIT_IN).reason
    assert "plan mode" in reason
    assert "/ws/a.py" in reason


def test_allow_for_the_session_adds_a_rule_for_that_call_only() -> None:
    p = policy()
    p.allow_for_session(BASH)
    assert p.decide(BASH).verdict == "allow"
    assert p.decide(ToolAccess("Bash", "execute", command="npm publish")).verdict == "ask"
    assert "allow: Bash(npm test)  [session]" in p.describe()
    p.allow_for_session(EDIT_IN)
    assert p.decide(EDIT_IN).verdict == "allow"
    assert p.decide(ToolAccess("Edit", "write", ("/ws/b.py",))).verdict == "ask"


def test_the_mode_can_change_at_run_time() -> None:
    p = policy()
    assert p.decide(EDIT_IN).verdict == "ask"
    assert p.set_mode("acceptEdits") == "acceptEdits"
    assert p.decide(EDIT_IN).verdict == "allow"
    assert p.describe()[0] == "mode: acceptEdits"
    with pytest.raises(UnknownPermissionMode, match="acceptEdits"):
        p.set_mode("yolo")
    assert p.mode == "acceptEdits"


def test_rules_can_be_added_at_run_time() -> None:
    p = policy()
    p.add_rule("deny", "Read(.env)")
    assert p.decide(ToolAccess("Read", "read", ("/ws/.env",))).verdict == "deny"
    with pytest.raises(InvalidPermissionRule):
        p.add_rule("allow", "Bash(oops")


def test_command_line_rules_add_to_settings_and_the_flag_mode_wins() -> None:
    settings = Settings(
        values={"permissions": {"allow": ["Bash(npm test)"], "defaultMode": "acceptEdits"}}
    )
    choices = PolicyChoices(
        mode="plan", allowed=("Bash(git diff:*) Read",), disallowed=("WebFetch",)
    )
    built = build_policy(settings, choices, CTX)
    p = built.policy
    assert p.mode == "plan"
    assert [str(r) for r in p.rules.allow] == ["Bash(npm test)", "Bash(git diff:*)", "Read"]
    assert p.tool_disabled("WebFetch")
    assert not p.tool_disabled("Bash")
    assert build_policy(settings, PolicyChoices(), CTX).policy.mode == "acceptEdits"


def test_a_bare_read_deny_disables_the_whole_read_family() -> None:
    p = PermissionPolicy("default", PermissionRules(), CTX)
    p.add_rule("deny", "Read")
    assert {t for t in ("Read", "Glob", "Grep", "LS", "Edit") if p.tool_disabled(t)} == {
        "Read",
        "Glob",
        "Grep",
        "LS",
    }


def test_bad_command_line_rules_are_errors_but_bad_settings_rules_are_warnings() -> None:
    with pytest.raises(InvalidPermissionRule, match="--disallowedTools"):
        build_policy(Settings(), PolicyChoices(disallowed=("Bash(rm",)), CTX)
    settings = merge_layers(
        [SettingsLayer("settings.json", {"permissions": {"allow": ["Bash(rm", "Edit"]}})]
    )
    built = build_policy(settings, PolicyChoices(), CTX)
    assert [str(r) for r in built.policy.rules.allow] == ["Edit"]
    (warning,) = built.warnings
    assert "settings.json" in warning
    assert "Bash(rm" in warning


def test_an_unknown_default_mode_is_a_warning() -> None:
    settings = Settings(values={"permissions": {"defaultMode": "yolo"}})
    built = build_policy(settings, PolicyChoices(), CTX)
    assert built.policy.mode == "default"
    (warning,) = built.warnings
    assert "yolo" in warning


@pytest.mark.parametrize(
    ("values", "scope", "choices", "expected"),
    [
        ({}, "user", PolicyChoices(), False),
        ({"permissions": {"deny": ["Bash"]}}, "user", PolicyChoices(), False),
        ({"permissions": {"allow": ["Read"]}}, "user", PolicyChoices(), True),
        ({"permissions": {"defaultMode": "plan"}}, "user", PolicyChoices(), True),
        ({"permissions": {"allow": ["Read"]}}, "flag", PolicyChoices(), True),
        # A clone's own rules never switch tools on for -p: its CLAUDE.md steers the prompt.
        ({"permissions": {"allow": ["Bash(npm test)"]}}, "project", PolicyChoices(), False),
        ({"permissions": {"defaultMode": "acceptEdits"}}, "local", PolicyChoices(), False),
        ({}, "user", PolicyChoices(allowed=("Edit",)), True),
        ({}, "user", PolicyChoices(mode="default"), True),
    ],
)
def test_print_mode_offers_tools_only_when_the_user_opts_in(
    values: dict[str, object], scope: Scope, choices: PolicyChoices, expected: bool
) -> None:
    settings = merge_layers([SettingsLayer("settings.json", values, scope)])
    assert tools_opted_in(settings, choices) is expected


# Writes into .git and .claude: hooks and settings there decide what the next run executes.
SETTINGS_WRITE = ToolAccess("Write", "write", ("/ws/.claude/settings.local.json",))
HOOK_WRITE = ToolAccess("Write", "write", ("/ws/.git/hooks/pre-commit",))
NESTED_GIT = ToolAccess("Edit", "write", ("/ws/vendor/lib/.git/config",))
UPPER_CASE = ToolAccess("Edit", "write", ("/ws/.GIT/config",))
# A harmless-looking name inside the workspace that is a link into .git.
LINKED_HOOK = ToolAccess("Write", "write", ("/ws/notes.txt", "/ws/.git/hooks/post-checkout"))
USER_SETTINGS = ToolAccess(
    "Edit", "write", ("/home/me/.claude/settings.json",), outside_workspace=True
)
PROTECTED = [SETTINGS_WRITE, HOOK_WRITE, NESTED_GIT, UPPER_CASE, LINKED_HOOK, USER_SETTINGS]


@pytest.mark.parametrize("access", PROTECTED)
@pytest.mark.parametrize(
    ("mode", "allow", "expected"),
    [
        ("default", [], "ask"),
        ("acceptEdits", [], "ask"),
        ("acceptEdits", ["Edit", "Write"], "ask"),
        ("default", ["Write(**)", "Edit(**)", "Edit(//home/**)", "Write(./.claude/**)"], "ask"),
        ("plan", [], "deny"),
        ("bypassPermissions", [], "allow"),
    ],
)
def test_writes_into_git_and_claude_folders_always_ask(
    access: ToolAccess, mode: str, allow: list[str], expected: str
) -> None:
    decision = policy(mode, allow=allow).decide(access)
    assert decision.verdict == expected
    if expected == "ask":
        assert "needs the user's approval" in decision.reason
        assert any(name in decision.reason for name in (".git/", ".claude/", ".GIT/"))


def test_a_deny_rule_still_wins_over_the_protected_folder_question() -> None:
    assert policy("acceptEdits", deny=["Write(.claude/**)"]).decide(SETTINGS_WRITE).verdict == (
        "deny"
    )


def test_a_session_allowance_does_not_unlock_the_protected_folders() -> None:
    p = policy("acceptEdits")
    p.allow_for_session(HOOK_WRITE)
    assert p.decide(HOOK_WRITE).verdict == "ask"


def bash(command: str) -> ToolAccess:
    return ToolAccess("Bash", "execute", command=command)


DYNAMIC_LS = bash("ls $(pwd)")
DYNAMIC_PUSH = bash("git push $(git remote)")

SESSION_TABLE = [
    # mode, allow, ask, deny, access, whether an "allow for the session" would be remembered
    ("default", [], [], [], HOOK_WRITE, False),  # protected folder
    ("acceptEdits", ["Edit", "Write"], [], [], SETTINGS_WRITE, False),
    ("default", [], [], [], LINKED_HOOK, False),
    ("default", [], [], [], USER_SETTINGS, False),
    ("default", ["Bash"], ["Bash(npm test)"], [], BASH, False),  # an ask rule
    ("acceptEdits", [], ["Edit(a.py)"], [], EDIT_IN, False),
    ("default", [], ["WebFetch(domain:example.com)"], [], FETCH, False),
    # A rule that cannot be checked: the session's exact rule names the command, which gets
    # it past the check, unless an ask rule touches it too (outside bypass mode).
    ("default", [], [], ["Bash(rm:*)"], DYNAMIC_LS, True),
    ("bypassPermissions", [], [], ["Bash(rm:*)"], DYNAMIC_LS, True),
    ("default", [], ["Bash(git push:*)"], [], DYNAMIC_PUSH, False),
    ("bypassPermissions", [], ["Bash(git push:*)"], [], DYNAMIC_PUSH, True),
    ("default", [], [], [], EDIT_IN, True),  # the mode's default
    ("default", [], [], [], READ_OUT, True),
    ("plan", [], [], [], READ_OUT, True),
    ("acceptEdits", [], [], [], EDIT_OUT, True),
    ("default", [], [], [], EDIT_VIA_LINK, True),
    ("default", [], [], [], BASH, True),
    ("default", [], [], [], FETCH, True),
    # A call that names nothing: no rule could remember it but one for the whole tool.
    ("default", [], [], [], bash(""), False),
    ("acceptEdits", [], [], [], ToolAccess("WebFetch", "network"), False),
    ("default", [], [], [], ToolAccess("Write", "write"), False),
]


@pytest.mark.parametrize(("mode", "allow", "ask", "deny", "access", "expected"), SESSION_TABLE)
def test_an_ask_says_whether_an_allow_for_the_session_would_be_remembered(
    mode: str, allow: list[str], ask: list[str], deny: list[str], access: ToolAccess, expected: bool
) -> None:
    p = policy(mode, allow=allow, ask=ask, deny=deny)
    decision = p.decide(access)
    assert decision.verdict == "ask"
    assert decision.session_allow is expected
    assert bool(decision.every_time) is not expected, "an ask without a session option says why"
    # What the policy really does with such an answer: the session's rules, added as allow
    # rules (without the guard in allow_for_session), allow the call exactly when promised.
    p.rules.allow.extend(session_rules(access))
    assert (p.decide(access).verdict == "allow") is expected


def test_the_reason_for_no_session_option_is_short_and_names_the_folder_or_rule() -> None:
    assert policy().decide(HOOK_WRITE).every_time == ".git/ changes always need approval"
    assert policy().decide(SETTINGS_WRITE).every_time == ".claude/ changes always need approval"
    asking = policy(allow=["Bash"], ask=["Bash(npm test)"]).decide(BASH)
    assert asking.every_time == "the rule Bash(npm test) always asks"
    unchecked = policy(ask=["Bash(git push:*)"]).decide(DYNAMIC_PUSH)
    assert unchecked.every_time == "the rule Bash(git push:*) always asks"


@pytest.mark.parametrize(
    ("ask", "access"), [([], HOOK_WRITE), (["Bash(npm test)"], BASH), ([], SETTINGS_WRITE)]
)
def test_a_session_answer_that_would_not_be_kept_is_an_allow_once(
    ask: list[str], access: ToolAccess
) -> None:
    p = policy("acceptEdits", ask=ask)
    before = p.describe()
    p.allow_for_session(access)
    assert p.describe() == before, "no session rule is stored"
    assert p.decide(access).verdict == "ask"


@pytest.mark.parametrize(
    "access",
    [
        ToolAccess("Write", "write", ("/ws/.gitignore",)),
        ToolAccess("Write", "write", ("/ws/.github/workflows/ci.yml",)),
        ToolAccess("Write", "write", ("/ws/docs/claude.md",)),
        ToolAccess("Read", "read", ("/ws/.git/config",)),
        ToolAccess("Read", "read", ("/ws/.claude/settings.json",)),
    ],
)
def test_neighbours_and_reads_of_the_protected_folders_are_not_affected(
    access: ToolAccess,
) -> None:
    assert policy("acceptEdits").decide(access).verdict == "allow"


def test_a_workspace_inside_a_dot_claude_folder_still_accepts_edits() -> None:
    context = RuleContext(workspace="/home/me/.claude/projects/demo", home="/home/me")
    built = build_policy(Settings(), PolicyChoices(mode="acceptEdits"), context)
    edit = ToolAccess("Edit", "write", ("/home/me/.claude/projects/demo/a.py",))
    assert built.policy.decide(edit).verdict == "allow"


@pytest.mark.parametrize(
    "path",
    [
        "/ws/HEAD",  # with objects/ and refs/, the folder is a git dir
        "/ws/config",  # ...whose config git obeys (diff.external, core.pager)
        "/ws/sub/packed-refs",
        "/ws/Config",  # a case-insensitive disk
        "/ws/commondir",
        "/ws/CLAUDE.md",
        "/ws/CLAUDE.local.md",
        "/ws/AGENTS.md",
        "/ws/pkg/CLAUDE.md",  # read when hexclaw starts in pkg/
        "/ws/.husky/pre-commit",
        "/ws/.githooks/pre-push",
        "/ws/.lefthook/pre-commit/x.sh",
        "/ws/lefthook.yml",
        "/ws/.pre-commit-config.yaml",
        "/ws/.envrc",
        "/ws/.mcp.json",
    ],
)
def test_writes_that_change_the_next_run_always_ask(path: str) -> None:
    access = ToolAccess("Write", "write", (path,))
    for mode, allow in (("acceptEdits", []), ("default", ["Write(**)", "Edit"])):
        decision = policy(mode, allow=allow).decide(access)
        assert decision.verdict == "ask", (path, mode)
        assert decision.session_allow is False
        assert "always needs the user's approval" in decision.reason


@pytest.mark.parametrize(
    "path",
    ["/ws/config/settings.py", "/ws/src/head.py", "/ws/refs/notes.md", "/ws/hooks/useX.ts"],
)
def test_folders_named_like_git_files_are_not_protected(path: str) -> None:
    assert policy("acceptEdits").decide(ToolAccess("Write", "write", (path,))).verdict == "allow"
