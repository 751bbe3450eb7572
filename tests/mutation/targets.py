"""The modules ``make mutation`` mutates, each with the tests that exercise it.

Each module runs against its own tests only (the unit tests that import it, and the
in-process integration tests that drive it), so one module's run fits a 2-core machine.
Tests that run hexclaw in a child process are left out: a child imports the checkout, not
mutmut's mutated copy, so it could only ever see the original code.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Target:
    name: str
    module: str
    """The file mutmut mutates, relative to the checkout."""
    tests: tuple[str, ...]
    goal: int
    """The least share of non-equivalent mutants that must be killed, in percent."""


SHELL_TESTS = (
    "tests/unit/test_shell_split.py",
    "tests/unit/test_shell_wrappers.py",
    "tests/unit/test_command_options.py",
    "tests/unit/test_permission_rules.py",
    "tests/integration/test_shell_split_vs_bash.py",
)
RULE_TESTS = (
    "tests/unit/test_permission_rules.py",
    "tests/unit/test_permission_rule_behaviour.py",
    "tests/unit/test_permission_policy.py",
    "tests/unit/test_permission_policy_tables.py",
    "tests/unit/test_shell_wrappers.py",
    "tests/unit/test_settings_trust.py",
    "tests/unit/test_headless_permissions.py",
)
POLICY_TESTS = (
    *RULE_TESTS,
    "tests/unit/test_permission_policy_behaviour.py",
    "tests/unit/test_permission_policy_settings.py",
    "tests/unit/test_worktree_isolation_rules.py",
)
STREAM_TESTS = (
    "tests/unit/test_sse_framer.py",
    "tests/unit/test_sse_framer_limits.py",
    "tests/unit/test_stream_reducer.py",
    "tests/unit/test_stream_reducer_behaviour.py",
    "tests/unit/test_stream_properties.py",
)

TARGETS = (
    Target(
        "git programs",
        "domain/trust/git_programs.py",
        ("tests/unit/test_git_programs.py", "tests/integration/test_git_safe_environment.py"),
        100,
    ),
    Target("shell splitter", "domain/permissions/shell_split.py", SHELL_TESTS, 100),
    Target(
        "shell wrappers",
        "domain/permissions/shell_wrappers.py",
        (
            *SHELL_TESTS,
            "tests/unit/test_shell_wrapper_tables.py",
            "tests/unit/test_shell_wrapper_behaviour.py",
        ),
        100,
    ),
    Target("permission rules", "domain/permissions/rules.py", RULE_TESTS, 100),
    Target(
        "redaction",
        "domain/cassettes/redaction.py",
        (
            "tests/unit/test_redaction.py",
            "tests/unit/test_redaction_tables.py",
            "tests/unit/test_redaction_behaviour.py",
            "tests/unit/test_cassette_system_prompt.py",
        ),
        100,
    ),
    Target("permission policy", "domain/permissions/policy.py", POLICY_TESTS, 90),
    Target(
        "settings trust",
        "domain/settings/layer_trust.py",
        (
            "tests/unit/test_settings_trust.py",
            "tests/unit/test_settings_trust_tables.py",
            "tests/unit/test_permission_policy.py",
        ),
        90,
    ),
    Target(
        "cassette storage",
        "domain/cassettes/storage.py",
        (
            "tests/unit/test_redaction.py",
            "tests/unit/test_cassette_system_prompt.py",
            "tests/unit/test_delta_fragments.py",
            "tests/unit/test_cassette_storage.py",
        ),
        90,
    ),
    Target(
        "credential chain",
        "domain/auth/credential_chain.py",
        # The integration tests also run the npm OAuth server, which a mutation copy lacks.
        ("tests/unit/test_credential_chain.py", "tests/unit/test_token_policy.py"),
        90,
    ),
    Target(
        "token policy",
        "domain/auth/token_policy.py",
        ("tests/unit/test_token_policy.py", "tests/unit/test_credential_chain.py"),
        90,
    ),
    Target("SSE framer", "domain/stream/sse.py", STREAM_TESTS, 90),
    Target("stream reducer", "domain/stream/reducer.py", STREAM_TESTS, 90),
    Target(
        "session log",
        "domain/sessions/log.py",
        (
            "tests/unit/test_session_log.py",
            "tests/unit/test_session_log_entries.py",
            "tests/unit/test_turn_retraction.py",
            "tests/unit/test_reliability_parsers.py",
            "tests/integration/test_session_store.py",
        ),
        90,
    ),
)


def target_named(name: str) -> Target:
    for target in TARGETS:
        if name.lower() in (target.name.lower(), slug_of(target), target.module):
            return target
    raise KeyError(name)


def slug_of(target: Target) -> str:
    """The target's name as a command-line word and folder name: ``sse-framer``."""
    return target.name.replace(" ", "-").lower()
