"""Permission decisions as headless mode shows them: an answer that changes a call's input,
each decision in the log and to the observer, and ``permissions explain`` (pure parts)."""

from __future__ import annotations

import pytest

from domain.permissions.choices import PolicyChoices
from domain.permissions.explain import explain
from domain.permissions.policy import PermissionPolicy, build_policy
from domain.permissions.rules import RuleContext
from domain.settings.merge import Settings
from domain.tools.calls import PermissionAnswer, ToolAccess
from tests.fakes.fake_permissions import ScriptedPrompt, TableDecider
from tests.fakes.fake_tools import FakeToolRunner
from tests.fakes.memory_recorder import MemoryRecorder
from tests.fakes.recording_observer import RecordingObserver
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.unit.test_agent_loop_turns import make_loop, prompt

CTX = RuleContext(workspace="/ws", home="/home/me")


def policy(mode: str = "default", **rules: list[str]) -> PermissionPolicy:
    return build_policy(
        Settings(values={"permissions": rules}, sources={}), PolicyChoices(mode=mode), CTX
    ).policy


def test_an_allow_with_updated_input_runs_the_updated_input() -> None:
    tools = FakeToolRunner()
    answer = PermissionAnswer("allow_once", updated_input={"command": "echo safer"})
    loop, _ = make_loop(
        [
            tool_use_events([("toolu_a", "Bash", {"command": "echo risky"})]),
            text_message_events("ok"),
        ],
        tools=tools,
        decider=TableDecider({"Bash": "ask"}),
        prompt=ScriptedPrompt([answer]),
    )
    loop.run_turn(prompt("go"))
    assert tools.shell_log == ["echo safer"]


def test_updated_input_is_judged_by_the_deny_rules_again() -> None:
    tools = FakeToolRunner()
    answer = PermissionAnswer("allow_once", updated_input={"command": "rm -rf /"})
    observer = RecordingObserver()
    loop, client = make_loop(
        [tool_use_events([("toolu_a", "Bash", {"command": "ls"})]), text_message_events("ok")],
        tools=tools,
        decider=None,
        prompt=ScriptedPrompt([answer]),
        observer=observer,
    )
    loop.permissions = policy(deny=["Bash(rm:*)"])
    result = loop.run_turn(prompt("go"))
    assert tools.runs == []
    assert result.permission_denials[0].tool_use_id == "toolu_a"
    assert observer.permissions[0][1:] == (
        "deny",
        "the rule Bash(rm:*) (settings) denies running `rm -rf /`",
        "rules",
    )
    assert "Permission denied" in client.requests[1]["messages"][-1]["content"][0]["content"]


def test_each_decision_goes_to_the_log_and_the_observer() -> None:
    recorder, observer = MemoryRecorder(), RecordingObserver()
    loop, _ = make_loop(
        [
            tool_use_events(
                [
                    ("toolu_a", "Bash", {"command": "echo a"}),
                    ("toolu_b", "Read", {"file_path": "x"}),
                ]
            ),
            text_message_events("ok"),
        ],
        decider=TableDecider({"Bash": "ask", "Read": "allow"}),
        prompt=ScriptedPrompt([PermissionAnswer("deny", "not now")]),
        observer=observer,
        recorder=recorder,
    )
    loop.run_turn(prompt("go"))
    logged = [e for e in recorder.entries if e["type"] == "permission"]
    assert [(e["tool_use_id"], e["decision"], e["decided_by"]) for e in logged] == [
        ("toolu_a", "deny", "user"),
        ("toolu_b", "allow", "rules"),
    ]
    assert logged[0]["reason"] == "not now"
    assert [p[0] for p in observer.permissions] == ["toolu_a", "toolu_b"]


def located(rule: str, source: str, behavior: str) -> str:
    return f"{source}:{behavior}"


@pytest.mark.parametrize(
    ("command", "verdict", "step", "rule"),
    [
        ("git diff && ls", "allow", "allow rule", "Bash(git diff:*)"),
        ("git diff && rm -rf build", "deny", "deny rule", "Bash(rm -rf:*)"),
        ("sudo rm -rf /", "deny", "deny rule", "Bash(rm -rf:*)"),
        ("git push", "ask", "ask rule", "Bash(git push:*)"),
        ("git diff; curl x", "ask", "mode default", ""),
        ('bash -c "$X"', "ask", "unchecked rule", "Bash(rm -rf:*)"),
    ],
)
def test_explain_gives_the_policys_own_verdict_and_the_check_that_decided(
    command: str, verdict: str, step: str, rule: str
) -> None:
    rules = policy(
        allow=["Bash(git diff:*)", "Bash(ls)"],
        deny=["Bash(rm -rf:*)"],
        ask=["Bash(git push:*)"],
    )
    access = ToolAccess("Bash", "execute", command=command)
    explained = explain(rules, access, located)
    assert explained.decision == rules.decide(access)
    assert (explained.decision.verdict, explained.decision.step) == (verdict, step)
    assert explained.decision.rule == rule
    assert explained.exit_code == {"allow": 0, "ask": 1, "deny": 2}[verdict]
    text = "\n".join(explained.lines())
    assert f"{step}: decides {verdict.upper()}" in text
    assert text.splitlines()[-1].startswith(f"decision: {verdict}")


def test_explain_names_each_piece_and_what_it_runs() -> None:
    rules = policy(allow=["Bash(git diff:*)"], deny=["Bash(rm -rf:*)"])
    access = ToolAccess("Bash", "execute", command="git diff && sudo rm -rf /tmp/x")
    explained = explain(rules, access, located)
    first, second = explained.pieces
    assert (first.text, first.allow, first.deny) == (
        "git diff",
        "Bash(git diff:*)  (settings:allow)",
        "",
    )
    assert second.text == "sudo rm -rf /tmp/x"
    assert second.runs == ("rm -rf /tmp/x",)
    assert second.deny == "Bash(rm -rf:*)  (settings:deny)"


def test_explain_for_paths_and_modes() -> None:
    read_out = ToolAccess("Read", "read", ("/etc/hosts",), outside_workspace=True)
    assert explain(policy(), read_out, located).decision.step == "mode default"
    assert explain(policy("bypassPermissions"), read_out, located).exit_code == 0
    edit = ToolAccess("Edit", "write", ("/ws/.git/config",))
    explained = explain(policy("acceptEdits"), edit, located)
    assert (explained.decision.verdict, explained.decision.step) == ("ask", "protected path")
    plan = explain(policy("plan"), ToolAccess("Bash", "execute", command="ls"), located)
    assert (plan.exit_code, plan.decision.step) == (2, "plan mode")
