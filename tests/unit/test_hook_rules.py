"""The pure hook rules: matchers, reading a run, combining parallel runs, and the dispatcher's
order with the permission decision (driven through a real in-memory process port)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from domain.hooks.config import HookCommand, HookSet, parse_hooks
from domain.hooks.dispatch import MAX_STOP_CONTINUATIONS, HookDispatcher
from domain.hooks.matching import matcher_matches, matcher_problem
from domain.hooks.outcome import HookEffect, HookRun, combine, read_run
from domain.tools.calls import Decision, ToolCall


@pytest.mark.parametrize(
    ("matcher", "value", "expected"),
    [
        ("", "Bash", True),
        ("*", "Anything", True),
        ("Bash", "Bash", True),
        ("Bash", "BashOutput", False),
        ("Edit|Write", "Write", True),
        ("Edit|Write", "Read", False),
        ("Notebook.*", "NotebookEdit", True),
        ("mcp__github__.*", "mcp__github__create_issue", True),
        ("mcp__github__.*", "mcp__gitlab__x", False),
    ],
)
def test_matchers(matcher: str, value: str, expected: bool) -> None:
    assert matcher_matches(matcher, value) is expected


def test_a_bad_regex_is_named_and_the_group_skipped() -> None:
    warnings: list[str] = []
    value = {"PreToolUse": [{"matcher": "(", "hooks": [{"type": "command", "command": "x"}]}]}
    assert parse_hooks(value, "s.json", warnings) == []
    assert matcher_problem("(") is not None
    assert "not a valid regular expression" in warnings[0]


def test_config_problems_are_warnings() -> None:
    warnings: list[str] = []
    value = {
        "Nope": [],
        "Stop": [{"hooks": [{"type": "prompt", "prompt": "x"}, {"command": "ok", "timeout": -1}]}],
    }
    (command,) = parse_hooks(value, "s.json", warnings)
    assert command.timeout == 60
    assert len(warnings) == 3


def cmd(event: Any = "PreToolUse", text: str = "c", matcher: str = "") -> HookCommand:
    return HookCommand(event, matcher, text, 60.0, "settings.json")


def test_exit_codes_and_json() -> None:
    assert read_run("PreToolUse", HookRun(cmd(), 2, "", "nope\n")).reason == "[c]: nope"
    assert read_run("Stop", HookRun(cmd("Stop"), 2, "", "more\n")).reason == "more"
    other = read_run("PreToolUse", HookRun(cmd(), 1, "", "boom"))
    assert not other.blocked
    assert "failed: boom" in other.messages[0]
    assert read_run("UserPromptSubmit", HookRun(cmd(), 0, "ctx\n")).context == ("ctx",)
    assert read_run("PostToolUse", HookRun(cmd(), 0, "ctx\n")).context == ()
    legacy = read_run("PreToolUse", HookRun(cmd(), 0, json.dumps({"decision": "block"})))
    assert legacy.permission == "deny"
    blocked = read_run("Stop", HookRun(cmd(), 0, '{"decision": "block", "reason": "go on"}'))
    assert blocked.blocked
    assert blocked.reason == "go on"
    quiet = read_run("Stop", HookRun(cmd(), 0, '{"suppressOutput": true}'))
    assert quiet.shown == ()


def test_combining_takes_the_strictest_verdict() -> None:
    allow = HookEffect(permission="allow", updated_input={"command": "x"})
    deny = HookEffect(permission="deny", permission_reason="no")
    combined = combine([allow, deny, HookEffect(permission="ask")])
    assert combined.permission == "deny"
    assert combined.permission_reason == "no"
    assert combined.updated_input is None
    assert combine([allow]).updated_input == {"command": "x"}


class ScriptedProcesses:
    """A HookProcesses port that answers each command from a table, recording the payloads."""

    def __init__(self, answers: dict[str, tuple[int, str, str]]) -> None:
        self.answers = answers
        self.payloads: list[dict[str, Any]] = []

    def run_all(self, commands: Sequence[HookCommand], payload: dict[str, Any]) -> list[HookRun]:
        self.payloads.append(payload)
        return [HookRun(c, *self.answers[c.command]) for c in commands]

    def in_folder(self, cwd: str) -> ScriptedProcesses:
        return self


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def hook_ran(self, run: HookRun) -> None:
        pass

    def hook_message(self, text: str) -> None:
        self.lines.append(text)

    def hook_output(self, text: str) -> None:
        pass


def dispatcher(answers: dict[str, tuple[int, str, str]], *commands: HookCommand) -> Any:
    processes = ScriptedProcesses(answers)
    hooks = HookDispatcher(HookSet(commands), processes, Lines(), "/w", lambda: "default")
    return hooks, processes


ALLOW = json.dumps({"hookSpecificOutput": {"permissionDecision": "allow"}})


def test_deny_rules_come_before_hooks_and_allow_only_answers_the_modes_ask() -> None:
    hooks, processes = dispatcher({"c": (0, ALLOW, "")}, cmd())
    call = ToolCall("t", "Bash", {"command": "ls"})
    gate = hooks.before_tool(call, lambda _: Decision("deny", "rule"))
    assert gate.decision.verdict == "deny"
    assert processes.payloads == []
    assert hooks.before_tool(call, lambda _: Decision("ask", "mode")).decision.verdict == "allow"
    protected = Decision("ask", ".git", session_allow=False, hook_may_allow=False)
    assert hooks.before_tool(call, lambda _: protected).decision.verdict == "ask"


def test_a_rewritten_input_is_decided_again() -> None:
    output = json.dumps(
        {"hookSpecificOutput": {"permissionDecision": "allow", "updatedInput": {"command": "rm"}}}
    )
    hooks, _ = dispatcher({"c": (0, output, "")}, cmd())

    def decide(call: ToolCall) -> Decision:
        return Decision("deny", "no rm") if call.input["command"] == "rm" else Decision("ask")

    gate = hooks.before_tool(ToolCall("t", "Bash", {"command": "ls"}), decide)
    assert gate.decision.verdict == "deny"
    assert gate.call.input == {"command": "rm"}


def test_stop_continuations_are_bounded() -> None:
    hooks, processes = dispatcher({"c": (2, "", "again")}, cmd("Stop"))
    reasons = [hooks.on_stop("text", n) for n in range(MAX_STOP_CONTINUATIONS + 1)]
    assert reasons[:-1] == ["again"] * MAX_STOP_CONTINUATIONS
    assert reasons[-1] is None
    assert [p["stop_hook_active"] for p in processes.payloads] == [False, True, True]


def test_disabled_hooks_match_nothing() -> None:
    assert HookSet((cmd(),), disabled=True).matching("PreToolUse", "Bash") == []


def test_a_subagents_loop_fires_subagent_stop() -> None:
    hooks, processes = dispatcher({"c": (2, "", "keep going")}, cmd("SubagentStop"))
    assert hooks.on_stop("text", 0) is None  # the main loop fires Stop, which has no hook
    assert hooks.for_subagent().on_stop("text", 0) == "keep going"
    assert processes.payloads[0]["hook_event_name"] == "SubagentStop"
