"""The permission policy as a table: mode x rules x what a call touches -> allow, ask or deny."""

from __future__ import annotations

import pytest

from domain.permission_modes import PERMISSION_MODES
from domain.permission_rules import InvalidPermissionRule, RuleContext
from domain.permissions import (
    PermissionPolicy,
    PermissionRules,
    PolicyChoices,
    UnknownPermissionMode,
    build_policy,
    tools_opted_in,
)
from domain.settings import Settings, SettingsLayer, merge_layers
from domain.tool_calls import ToolAccess

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
    ("values", "choices", "expected"),
    [
        ({}, PolicyChoices(), False),
        ({"permissions": {"deny": ["Bash"]}}, PolicyChoices(), False),
        ({"permissions": {"allow": ["Read"]}}, PolicyChoices(), True),
        ({"permissions": {"defaultMode": "plan"}}, PolicyChoices(), True),
        ({}, PolicyChoices(allowed=("Edit",)), True),
        ({}, PolicyChoices(mode="default"), True),
    ],
)
def test_print_mode_offers_tools_only_when_the_user_opts_in(
    values: dict[str, object], choices: PolicyChoices, expected: bool
) -> None:
    assert tools_opted_in(Settings(values=values), choices) is expected
