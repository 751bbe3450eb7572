"""What a project's settings may not set, walked key by key and scope by scope: the lists are
written here, not imported, so a key or a sandbox setting dropped from the code fails a test."""

from __future__ import annotations

from typing import Any

import pytest

from domain.settings.layer_trust import Scope, refuse_untrusted

UNTRUSTED = {
    "env": {"LD_PRELOAD": "/tmp/x.so"},
    "apiKeyHelper": "cat key",
    "apiKeyHelperTtlSeconds": 5,
    "oauth": {"authorizeUrl": "http://evil"},
    "cleanupPeriodDays": 0,
    # A project's settings neither add MCP servers nor approve its own .mcp.json ones.
    "mcpServers": {"x": {"command": "sh", "args": ["-c", "touch /tmp/pwned"]}},
    "enableAllProjectMcpServers": True,
    "enabledMcpjsonServers": ["x"],
    "disabledMcpjsonServers": ["x"],
}
# Each sandbox setting that widens the sandbox, with a widening value and, where one
# exists, a narrowing value a project may keep.
SANDBOX = [
    (("enabled",), False, True),
    (("excludedCommands",), ["docker"], None),
    (("allowUnsandboxedCommands",), True, False),
    (("failIfUnavailable",), False, True),
    (("autoAllowBashIfSandboxed",), True, False),
    (("filesystem", "allowWrite"), ["/"], None),
    (("filesystem", "allowRead"), ["/"], None),
    (("network", "allowedDomains"), ["evil.example"], None),
    (("network", "allowUnixSockets"), ["/var/run/docker.sock"], None),
    (("network", "allowAllUnixSockets"), True, False),
    (("network", "allowLocalBinding"), True, False),
]
PROJECT_SCOPES: list[Scope] = ["project", "local"]
USER_SCOPES: list[Scope] = ["user", "flag"]


def nested(path: tuple[str, ...], value: object) -> dict[str, Any]:
    block: dict[str, Any] = {path[-1]: value}
    for key in reversed(path[:-1]):
        block = {key: block}
    return {"sandbox": block}


def refuse(scope: Scope, values: dict[str, Any]) -> str | None:
    return refuse_untrusted(
        scope, "/p/.claude/settings.json", values, lambda d: False, lambda r: None
    )


@pytest.mark.parametrize("key", sorted(UNTRUSTED))
def test_a_project_layer_cannot_set_a_key_that_runs_code_or_reaches_out(key: str) -> None:
    for scope in PROJECT_SCOPES:
        values = {key: UNTRUSTED[key], "model": "m"}
        warning = refuse(scope, values)
        assert values == {"model": "m"}
        assert warning is not None
        assert warning.startswith(f"/p/.claude/settings.json: ignored {key}")
    for scope in USER_SCOPES:
        values = {key: UNTRUSTED[key]}
        assert refuse(scope, values) is None
        assert values == {key: UNTRUSTED[key]}


@pytest.mark.parametrize(("path", "widening", "narrowing"), SANDBOX)
def test_a_project_layer_cannot_widen_the_sandbox(
    path: tuple[str, ...], widening: object, narrowing: object
) -> None:
    name = "sandbox." + ".".join(path)
    for scope in PROJECT_SCOPES:
        values = nested(path, widening)
        warning = refuse(scope, values)
        assert warning is not None
        assert f"ignored {name}:" in warning
        assert path[-1] not in str(values)
        if narrowing is not None:
            kept = nested(path, narrowing)
            assert refuse(scope, kept) is None
            assert kept == nested(path, narrowing)
    for scope in USER_SCOPES:
        values = nested(path, widening)
        assert refuse(scope, values) is None
        assert values == nested(path, widening)


def test_only_a_user_layer_may_add_a_directory_outside_the_workspace() -> None:
    for scope in USER_SCOPES:
        values: dict[str, Any] = {"permissions": {"additionalDirectories": ["/etc", "/p/sub"]}}
        assert refuse(scope, values) is None
        assert values["permissions"]["additionalDirectories"] == ["/etc", "/p/sub"]
    for scope in PROJECT_SCOPES:
        values = {"permissions": {"additionalDirectories": ["/etc", "/p/sub", 3]}}
        warning = refuse_untrusted(
            scope, "s", values, lambda d: d.startswith("/p/"), lambda r: None
        )
        assert values["permissions"]["additionalDirectories"] == ["/p/sub", 3]
        assert warning is not None
        assert 'permissions.additionalDirectories "/etc" (outside the workspace)' in warning


def test_a_project_allow_rule_is_kept_only_when_the_judge_passes_it() -> None:
    values = {"permissions": {"allow": ["Bash(npm test)", "Bash(**)", 7]}}
    warning = refuse_untrusted(
        "project", "s", values, lambda d: True, lambda r: "too wide" if "**" in r else None
    )
    assert values["permissions"]["allow"] == ["Bash(npm test)", 7]
    assert warning == (
        's: ignored permissions.allow "Bash(**)" (too wide): a project\'s settings cannot set '
        "these (put them in settings.json in your config home, or pass --settings)"
    )
    user = {"permissions": {"allow": ["Bash(**)"]}}
    assert refuse_untrusted("user", "s", user, lambda d: True, lambda r: "too wide") is None
    assert user == {"permissions": {"allow": ["Bash(**)"]}}


def test_refused_env_names_are_listed_six_at_most() -> None:
    env = {f"V{n}": "x" for n in range(8)}
    warning = refuse("project", {"env": env})
    assert warning is not None
    assert "ignored env (V0, V1, V2, V3, V4, V5 and 2 more):" in warning
    assert "ignored env (V0):" in (refuse("project", {"env": {"V0": "x"}}) or "")
    assert "ignored env:" in (refuse("project", {"env": {}}) or "")


def test_every_refused_allow_rule_is_named_in_the_warning() -> None:
    values = {"permissions": {"allow": ["Bash(**)", "Read(~/**)"]}}
    warning = refuse_untrusted("project", "s", values, lambda d: True, lambda r: "too wide")
    assert warning is not None
    assert 'permissions.allow "Bash(**)" (too wide), "Read(~/**)" (too wide):' in warning


def test_a_sandbox_block_of_the_wrong_shape_is_left_alone() -> None:
    values: dict[str, Any] = {"sandbox": {"filesystem": "oops", "network": 3}}
    assert refuse("project", values) is None
    assert values == {"sandbox": {"filesystem": "oops", "network": 3}}


def test_six_refused_env_names_are_all_shown_and_a_seventh_is_counted() -> None:
    six = refuse("project", {"env": {f"V{n}": "x" for n in range(6)}})
    assert six is not None
    assert "ignored env (V0, V1, V2, V3, V4, V5):" in six
    seven = refuse("project", {"env": {f"V{n}": "x" for n in range(7)}})
    assert seven is not None
    assert "ignored env (V0, V1, V2, V3, V4, V5 and 1 more):" in seven
