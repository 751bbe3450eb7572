"""The ``sandbox`` settings block: Claude Code's keys and defaults, hexclaw's fail-closed
default, what a project may not set, and how a Bash call is routed."""

from __future__ import annotations

from typing import Any

import pytest

from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext
from domain.sandbox.config import SandboxConfig, parse_sandbox
from domain.sandbox.routing import route_command
from domain.settings.merge import SettingsLayer, merge_layers
from domain.tools.calls import ToolAccess

CTX = RuleContext(workspace="/ws", home="/home/me")


def parsed(block: Any, untrusted: tuple[str, ...] = ()) -> SandboxConfig:
    result = parse_sandbox(block, lambda key: "user.json", untrusted)
    assert result.warnings == ()
    return result.config


def test_defaults_are_claude_codes_except_failing_closed() -> None:
    config = parsed({"enabled": True})
    assert config.enabled
    assert config.enabled_by_user
    assert config.auto_allow_bash
    assert config.allow_unsandboxed_commands
    assert config.fail_if_unavailable
    assert config.auto_allows
    assert not parsed(None).enabled


def test_every_claude_code_key_is_read() -> None:
    config = parsed(
        {
            "enabled": True,
            "autoAllowBashIfSandboxed": False,
            "excludedCommands": ["docker:*"],
            "allowUnsandboxedCommands": False,
            "failIfUnavailable": False,
            "network": {
                "allowedDomains": ["github.com"],
                "deniedDomains": ["evil.github.com"],
                "allowUnixSockets": ["/run/x.sock"],
                "allowAllUnixSockets": False,
                "allowLocalBinding": True,
                "httpProxyPort": 8080,
                "socksProxyPort": 1080,
            },
            "filesystem": {"allowWrite": ["~/b"], "denyWrite": ["x"], "allowRead": ["."]},
            "enableWeakerNestedSandbox": False,
        }
    )
    assert config.excluded_commands == ("docker:*",)
    assert not config.auto_allows
    assert config.network.allowed_domains == ("github.com",)
    assert config.network.http_proxy_port == 8080
    assert config.filesystem.allow_write == ("~/b",)
    assert not config.fail_if_unavailable


def test_a_wrong_type_or_unknown_key_is_a_warning_and_the_default_stays() -> None:
    result = parse_sandbox(
        {"enabled": "yes", "network": {"httpProxyPort": 0}, "colour": 1},
        lambda key: "/u/settings.json",
    )
    assert not result.config.enabled
    assert result.warnings == (
        "/u/settings.json: sandbox.enabled must be true or false (ignored)",
        "/u/settings.json: unknown settings key 'sandbox.colour' (ignored)",
        "/u/settings.json: sandbox.network.httpProxyPort must be a port number (1-65535) (ignored)",
    )


def test_a_sandbox_a_project_enabled_runs_bash_confined_but_still_asks() -> None:
    config = parsed({"enabled": True}, untrusted=("user.json",))
    assert config.enabled
    assert not config.auto_allows
    assert config.switched(True).auto_allows


def test_a_project_cannot_widen_the_sandbox_but_may_narrow_it() -> None:
    project: dict[str, Any] = {
        "sandbox": {
            "enabled": True,
            "excludedCommands": ["*"],
            "failIfUnavailable": False,
            "allowUnsandboxedCommands": True,
            "autoAllowBashIfSandboxed": True,
            "filesystem": {"allowWrite": ["/"], "denyRead": ["~/.aws"]},
            "network": {"allowedDomains": ["evil.com"], "deniedDomains": ["x.com"]},
        }
    }
    settings = merge_layers([SettingsLayer("/ws/.claude/settings.json", project, "project")])
    assert settings.get("sandbox") == {
        "enabled": True,
        "filesystem": {"denyRead": ["~/.aws"]},
        "network": {"deniedDomains": ["x.com"]},
    }
    (warning,) = settings.warnings
    assert warning.startswith(
        "/ws/.claude/settings.json: ignored sandbox.excludedCommands; "
        "sandbox.allowUnsandboxedCommands; sandbox.failIfUnavailable; "
        "sandbox.autoAllowBashIfSandboxed; sandbox.filesystem.allowWrite; "
        "sandbox.network.allowedDomains: a project's settings cannot set these"
    )
    assert settings.untrusted_sources == ["/ws/.claude/settings.json"]
    # The same block in the user's own settings is kept whole.
    user = merge_layers([SettingsLayer("/u/settings.json", project, "user")])
    assert user.get("sandbox", "excludedCommands") == ["*"]


@pytest.mark.parametrize(
    ("command", "disable", "kind"),
    [
        ("ls", False, "sandboxed"),
        ("docker ps", False, "excluded"),
        ("docker ps && rm -rf ~", False, "sandboxed"),
        ("docker ps $(rm -rf ~)", False, "sandboxed"),
        ("touch a b", False, "excluded"),
        ("touch a > b", False, "sandboxed"),
        ("ls", True, "unsandboxed"),
    ],
)
def test_commands_are_routed_by_excluded_commands_in_bash_rule_syntax(
    command: str, disable: bool, kind: str
) -> None:
    config = parsed({"enabled": True, "excludedCommands": ["docker:*", "touch *", "*"]})
    assert route_command(config, command, disable, CTX).kind == kind


def test_dangerously_disable_sandbox_is_ignored_when_unsandboxed_commands_are_not_allowed() -> None:
    config = parsed({"enabled": True, "allowUnsandboxedCommands": False})
    assert route_command(config, "ls", True, CTX).kind == "sandboxed"
    assert route_command(parsed({}), "ls", False, CTX).kind == "plain"


def test_sandbox_auto_allow_skips_only_the_modes_question() -> None:
    policy = PermissionPolicy("default", PermissionRules(), CTX)
    confined = ToolAccess("Bash", "execute", command="make", sandbox_auto_allow=True)
    assert policy.decide(confined).verdict == "allow"
    assert policy.decide(ToolAccess("Bash", "execute", command="make")).verdict == "ask"
    policy.add_rule("deny", "Bash(make:*)")
    assert policy.decide(confined).verdict == "deny"
    asking = PermissionPolicy("default", PermissionRules(), CTX)
    asking.add_rule("ask", "Bash(git push:*)")
    pushed = ToolAccess("Bash", "execute", command="git push", sandbox_auto_allow=True)
    assert asking.decide(pushed).verdict == "ask"
    plan = PermissionPolicy("plan", PermissionRules(), CTX)
    assert plan.decide(confined).verdict == "deny"
