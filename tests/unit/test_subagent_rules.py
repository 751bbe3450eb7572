"""The pure rules of subagents and parallel calls: batches, agent choice, tools, models, the
read-only check, --agents, and Task as Agent's former name."""

from __future__ import annotations

import pytest

from domain.agents.definitions import AgentDefinition
from domain.hooks.matching import matcher_matches
from domain.loop.tool_batches import plan_batches
from domain.messages.content import ToolUseBlock
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext, parse_rule
from domain.subagents.agents_flag import parse_agents_flag
from domain.subagents.builtin import BUILTIN_AGENTS
from domain.subagents.errors import InvalidAgentsFlag
from domain.subagents.read_only import ReadOnlyDecider, read_only_command
from domain.subagents.request import AgentRequest, parse_request
from domain.subagents.selection import (
    MAX_DEPTH,
    find_agent,
    merge_agents,
    subagent_model,
    subagent_tools,
)
from domain.tools.calls import ToolAccess

PARENT_TOOLS = ["Bash", "Read", "Write", "Glob", "Grep", "LS", "WebFetch", "Agent"]
AGENTS = merge_agents(BUILTIN_AGENTS)


def block(name: str, n: int, bad: bool = False) -> ToolUseBlock:
    return ToolUseBlock(id=f"t{n}", name=name, input={}, input_error="cut off" if bad else None)


def test_consecutive_safe_calls_form_a_batch_and_others_stand_alone() -> None:
    names = ["Read", "Grep", "Write", "Read", "Read", "Bash", "Read"]
    calls = [block(name, n) for n, name in enumerate(names)]
    batches = plan_batches(calls, lambda b: b.name in {"Read", "Grep"})
    assert [[b.name for b in batch] for batch in batches] == [
        ["Read", "Grep"],
        ["Write"],
        ["Read", "Read"],
        ["Bash"],
        ["Read"],
    ]


def test_a_call_with_broken_input_never_joins_a_batch() -> None:
    calls = [block("Read", 0), block("Read", 1, bad=True), block("Read", 2)]
    batches = plan_batches(calls, lambda b: True)
    assert [[b.id for b in batch] for batch in batches] == [["t0"], ["t1"], ["t2"]]


def test_agent_choice_defaults_to_general_purpose_and_names_the_known_ones() -> None:
    found = find_agent(AGENTS, None)
    assert isinstance(found, AgentDefinition)
    assert found.name == "general-purpose"
    missing = find_agent(AGENTS, "nope")
    assert (
        missing == "Agent type 'nope' not found. Available agents: Explore, Plan, general-purpose"
    )


def test_general_purpose_gets_the_parents_tools_and_agent_until_the_depth_limit() -> None:
    general = AGENTS["general-purpose"]
    assert subagent_tools(general, PARENT_TOOLS, 1) == PARENT_TOOLS
    assert subagent_tools(general, PARENT_TOOLS, MAX_DEPTH) == PARENT_TOOLS[:-1]


def test_explore_gets_the_read_only_tools_the_parent_has() -> None:
    explore = AGENTS["Explore"]
    assert subagent_tools(explore, ["Read", "Grep", "Write"], 1) == ["Grep", "Read"]


def test_a_custom_agent_gets_exactly_its_list_in_its_order_task_meaning_agent() -> None:
    custom = AgentDefinition("c", "d", "p", tools=("Grep", "Bash(git:*)", "Task", "Nope"))
    assert subagent_tools(custom, PARENT_TOOLS, 1) == ["Grep", "Bash", "Agent"]
    assert subagent_tools(custom, ["Grep"], 1) == ["Grep"]


@pytest.mark.parametrize(
    ("requested", "agent_model", "expected"),
    [
        ("haiku", None, "claude-haiku-4-5"),
        (None, "opus", "claude-opus-4-5"),
        (None, "inherit", "claude-sonnet-4-5"),
        ("fable", None, "claude-sonnet-4-5"),
        (None, "claude-3-5-haiku-latest", "claude-3-5-haiku-latest"),
        ("sonnet", "haiku", "claude-sonnet-4-5"),
    ],
)
def test_models_follow_the_call_then_the_agent_then_the_parent(
    requested: str | None, agent_model: str | None, expected: str
) -> None:
    agent = AgentDefinition("a", "d", "p", model=agent_model)
    assert subagent_model(requested, agent, "claude-sonnet-4-5") == expected


@pytest.mark.parametrize(
    "command", ["ls -la", "git log --oneline | head -5", "grep -rn foo src && wc -l x.py"]
)
def test_reading_commands_pass_the_read_only_check(command: str) -> None:
    assert read_only_command(command) is None


@pytest.mark.parametrize(
    "command",
    [
        "rm -rf build",
        "echo hi > out.txt",
        "git commit -m x",
        "find . -delete",
        "sed -i s/a/b/ f",
        "ls $(whoami)",
        "python -c 'print(1)'",
    ],
)
def test_writing_or_unknown_commands_fail_the_read_only_check(command: str) -> None:
    assert read_only_command(command) is not None


def test_the_read_only_decider_only_takes_away() -> None:
    policy = PermissionPolicy("bypassPermissions", PermissionRules(), RuleContext("/w", "/h"))
    decider = ReadOnlyDecider(policy, "Plan")
    write = ToolAccess("Write", "write", paths=("/w/a.py",))
    assert decider.decide(write).verdict == "deny"
    assert decider.decide(ToolAccess("Bash", "execute", command="touch x")).verdict == "deny"
    assert decider.decide(ToolAccess("Bash", "execute", command="ls")).verdict == "allow"
    strict = PermissionPolicy("default", PermissionRules(), RuleContext("/w", "/h"))
    asked = ReadOnlyDecider(strict, "Plan").decide(ToolAccess("Bash", "execute", command="ls"))
    assert asked.verdict == "ask"


def test_agents_flag_takes_claude_codes_shape() -> None:
    (agent,) = parse_agents_flag(
        '{"reviewer": {"description": "Reviews", "prompt": "Review.", "tools": ["Read"], '
        '"model": "sonnet"}}'
    )
    assert (agent.name, agent.tools, agent.model, agent.system_prompt) == (
        "reviewer",
        ("Read",),
        "sonnet",
        "Review.",
    )


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"a b": {}}', '{"x": {"prompt": "p"}}', '{"x": {"description": "d"}}'],
)
def test_a_bad_agents_flag_is_refused(text: str) -> None:
    with pytest.raises(InvalidAgentsFlag):
        parse_agents_flag(text)


def test_requests_that_cannot_run_get_a_clear_answer() -> None:
    assert parse_request({"description": "d", "prompt": "p", "run_in_background": True}) == (
        AgentRequest("d", "p", background=True)
    )
    assert "prompt" in str(parse_request({"description": "d", "prompt": " "}))
    assert parse_request({"description": "d", "prompt": "p", "isolation": "worktree"}) == (
        AgentRequest("d", "p", isolation="worktree")
    )
    assert "not available in hexclaw" in str(
        parse_request({"description": "d", "prompt": "p", "isolation": "remote"})
    )
    assert "worktree or remote" in str(
        parse_request({"description": "d", "prompt": "p", "isolation": "docker"})
    )
    assert parse_request({"description": "d", "prompt": "p", "run_in_background": False}) == (
        AgentRequest("d", "p")
    )


def test_task_is_agent_in_rules_and_hook_matchers() -> None:
    assert parse_rule("Task").covers_tool("Agent")
    assert not parse_rule("Task").covers_tool("Bash")
    assert parse_rule("Agent").covers_tool("Agent")
    assert matcher_matches("Task", "Agent")
    assert matcher_matches("Bash|Task", "Agent")
    assert matcher_matches("Ta.*", "Agent")
    assert not matcher_matches("Task", "Bash")
    assert matcher_matches("Agent", "Task")  # a call by the former name
    policy = PermissionPolicy(
        "default", PermissionRules(deny=[parse_rule("Task")]), RuleContext("/w", "/h")
    )
    assert policy.tool_disabled("Agent")
