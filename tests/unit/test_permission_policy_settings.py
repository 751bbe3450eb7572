"""``build_policy``: what the settings and the command line make of the policy, and the exact
warning for each thing in a settings file it skips, naming the file that holds it (so the user
can find the typo) or "settings" when no file is known."""

from __future__ import annotations

import re

import pytest

from domain.permissions.choices import PolicyChoices
from domain.permissions.policy import BypassDisabled, build_policy
from domain.permissions.rules import InvalidPermissionRule, RuleBehavior, RuleContext
from domain.settings.merge import Settings, SettingsLayer, merge_layers
from domain.tools.calls import ToolAccess

CTX = RuleContext(workspace="/ws", home="/home/me")
USER = "/home/me/.claude/settings.json"
EXTRA = "/home/me/extra-settings.json"
MODES = "default, acceptEdits, plan, bypassPermissions"
BYPASS_IGNORED = (
    "defaultMode bypassPermissions is ignored; it needs --dangerously-skip-permissions or "
    "--permission-mode bypassPermissions (using default)"
)


def two_files(second: dict[str, object]) -> Settings:
    """The user's settings set ``permissions`` first; a second file adds ``second`` to it."""
    return merge_layers(
        [
            SettingsLayer(USER, {"permissions": {"allow": ["Read"]}}),
            SettingsLayer(EXTRA, {"permissions": second}, "flag"),
        ]
    )


# Lists of rules add up across files, so the allow list is named by both files that hold it.
@pytest.mark.parametrize(
    ("behavior", "source"), [("allow", f"{USER} + {EXTRA}"), ("ask", EXTRA), ("deny", EXTRA)]
)
def test_a_bad_rule_is_skipped_with_a_warning_naming_the_file_that_holds_it(
    behavior: RuleBehavior, source: str
) -> None:
    settings = two_files({behavior: ["Bash(rm", "Edit"]})
    built = build_policy(settings, PolicyChoices(), CTX)
    assert built.warnings == (
        f"{source}: invalid permission rule 'Bash(rm': expected Tool or Tool(specifier), "
        'e.g. "Bash(npm test)" or "Edit(docs/**)" (ignored)',
    )
    kept = built.policy.rules.by_behavior()[behavior]
    assert [str(rule) for rule in kept][-1] == "Edit"
    assert kept[-1].source == source


@pytest.mark.parametrize("behavior", ["allow", "ask", "deny"])
def test_rules_that_are_not_a_list_are_skipped_with_a_warning(behavior: RuleBehavior) -> None:
    settings = Settings(
        values={"permissions": {behavior: "Bash"}}, sources={f"permissions.{behavior}": USER}
    )
    built = build_policy(settings, PolicyChoices(), CTX)
    assert built.warnings == (f"{USER}: permission rules must be a list of strings (ignored)",)
    assert built.policy.rules.by_behavior()[behavior] == []


def test_a_rule_that_is_not_a_string_is_skipped_and_the_rules_after_it_are_kept() -> None:
    settings = Settings(
        values={"permissions": {"deny": [3, "Read(.env)", None, "WebFetch"]}},
        sources={"permissions.deny": USER},
    )
    built = build_policy(settings, PolicyChoices(), CTX)
    assert built.warnings == (
        f"{USER}: permission rule 3 is not a string (ignored)",
        f"{USER}: permission rule None is not a string (ignored)",
    )
    assert [str(rule) for rule in built.policy.rules.deny] == ["Read(.env)", "WebFetch"]


def test_without_a_known_file_the_warnings_and_rules_say_settings() -> None:
    built = build_policy(
        Settings(values={"permissions": {"deny": [7, "Bash(rm:*)"], "defaultMode": "yolo"}}),
        PolicyChoices(),
        CTX,
    )
    assert built.warnings == (
        "settings: permission rule 7 is not a string (ignored)",
        f"settings: unknown permission mode 'yolo'; choose one of {MODES} (using default)",
    )
    decision = built.policy.decide(ToolAccess("Bash", "execute", command="rm -rf /"))
    assert decision.reason == "the rule Bash(rm:*) (settings) denies running `rm -rf /`"
    assert decision.rule_source == "settings"


def test_an_unknown_default_mode_is_skipped_with_a_warning_naming_its_file() -> None:
    settings = Settings(
        values={"permissions": {"allow": ["Read"], "defaultMode": "yolo"}},
        sources={"permissions": USER, "permissions.defaultMode": EXTRA},
    )
    built = build_policy(settings, PolicyChoices(), CTX)
    assert built.policy.mode == "default"
    assert built.warnings == (
        f"{EXTRA}: unknown permission mode 'yolo'; choose one of {MODES} (using default)",
    )


def test_bypass_mode_in_a_settings_file_is_ignored_with_a_warning_naming_the_file() -> None:
    built = build_policy(two_files({"defaultMode": "bypassPermissions"}), PolicyChoices(), CTX)
    assert built.policy.mode == "default"
    assert built.warnings == (f"{EXTRA}: {BYPASS_IGNORED}",)
    unnamed = build_policy(
        Settings(values={"permissions": {"defaultMode": "bypassPermissions"}}), PolicyChoices(), CTX
    )
    assert unnamed.policy.mode == "default"
    assert unnamed.warnings == (f"settings: {BYPASS_IGNORED}",)


@pytest.mark.parametrize("mode", ["acceptEdits", "plan", "default"])
def test_other_modes_in_a_settings_file_are_used_without_a_warning(mode: str) -> None:
    built = build_policy(two_files({"defaultMode": mode}), PolicyChoices(), CTX)
    assert built.policy.mode == mode
    assert built.warnings == ()


def test_bypass_mode_on_the_command_line_is_used_without_a_warning() -> None:
    built = build_policy(Settings(), PolicyChoices(mode="bypassPermissions"), CTX)
    assert built.policy.mode == "bypassPermissions"
    assert built.warnings == ()


def test_a_settings_file_that_disables_bypass_refuses_the_flag_and_names_itself() -> None:
    settings = two_files({"disableBypassPermissionsMode": "disable"})
    with pytest.raises(BypassDisabled) as refused:
        build_policy(settings, PolicyChoices(mode="bypassPermissions"), CTX)
    assert str(refused.value) == (
        f"bypassPermissions mode is disabled by permissions.disableBypassPermissionsMode in {EXTRA}"
    )
    assert refused.value.exit_code == 2


def test_a_settings_file_that_disables_bypass_refuses_it_later_too() -> None:
    settings = two_files({"disableBypassPermissionsMode": "disable"})
    policy = build_policy(settings, PolicyChoices(mode="acceptEdits"), CTX).policy
    assert policy.bypass_disabled_by == EXTRA
    with pytest.raises(BypassDisabled, match=f"in {re.escape(EXTRA)}$"):
        policy.set_mode("bypassPermissions")
    assert policy.mode == "acceptEdits"
    assert policy.set_mode("plan") == "plan"


def test_disabling_bypass_without_a_known_file_names_settings() -> None:
    settings = Settings(values={"permissions": {"disableBypassPermissionsMode": "disable"}})
    policy = build_policy(settings, PolicyChoices(), CTX).policy
    assert policy.bypass_disabled_by == "settings"
    with pytest.raises(BypassDisabled, match=r"disableBypassPermissionsMode in settings$"):
        policy.set_mode("bypassPermissions")


@pytest.mark.parametrize("value", ["allow", "Disable", True, None])
def test_only_the_value_disable_disables_bypass(value: object) -> None:
    settings = Settings(
        values={"permissions": {"disableBypassPermissionsMode": value}},
        sources={"permissions.disableBypassPermissionsMode": USER},
    )
    policy = build_policy(settings, PolicyChoices(), CTX).policy
    assert policy.bypass_disabled_by is None
    assert policy.set_mode("bypassPermissions") == "bypassPermissions"


def test_command_line_rules_say_which_flag_they_came_from() -> None:
    choices = PolicyChoices(allowed=("Read Bash(git diff:*)",), disallowed=("WebFetch",))
    policy = build_policy(Settings(), choices, CTX).policy
    assert policy.describe() == [
        "mode: default",
        "allow: Read  [--allowedTools]",
        "allow: Bash(git diff:*)  [--allowedTools]",
        "deny: WebFetch  [--disallowedTools]",
    ]
    fetch = policy.decide(ToolAccess("WebFetch", "network", domain="example.com"))
    assert fetch.reason == "the rule WebFetch (--disallowedTools) denies fetching from example.com"
    assert fetch.rule_source == "--disallowedTools"
    diff = policy.decide(ToolAccess("Bash", "execute", command="git diff HEAD"))
    assert (diff.verdict, diff.rule, diff.rule_source) == (
        "allow",
        "Bash(git diff:*)",
        "--allowedTools",
    )


def test_a_bad_command_line_rule_names_its_flag() -> None:
    with pytest.raises(InvalidPermissionRule, match=r"^--allowedTools: invalid permission rule"):
        build_policy(Settings(), PolicyChoices(allowed=("Bash(rm",)), CTX)
