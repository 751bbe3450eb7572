"""The system prompt: each section on its own, the cache layout, secrets, and a golden file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from domain.context.environment_info import EnvironmentInfo, GitSnapshot
from domain.context.instruction_memory import MemoryBudget, discovery_plan, load_memory
from domain.context.system_prompt import (
    IDENTITY,
    SystemPromptInputs,
    build_system_prompt,
    custom_system_prompt,
    environment_section,
    git_status_section,
    instructions_section,
    iso_date,
    tool_rules_section,
)
from tests.fakes.instruction_files import InMemoryFiles

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "system_prompt.txt"
TOOLS = Path(__file__).resolve().parents[1] / "reference" / "claude-code-tools.json"
CLAUDE_CODE_TOOLS = ("Bash", "Edit", "Read", "Write", "Glob", "Grep", "WebFetch", "TodoWrite")

# 2026-03-14 23:30 UTC: already the 15th an hour east of Greenwich.
NOW = 1_773_531_000.0


def system_prompt_text(blocks: list[dict[str, Any]]) -> str:
    """The blocks as one text."""
    return "\n\n".join(str(block.get("text", "")) for block in blocks)


class FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return 0.0


REPO = "/home/ana/projects/weather"
FIXTURE_REPOSITORY = EnvironmentInfo(
    working_directory=REPO,
    platform="linux",
    os_version="Linux 6.8.0-49-generic",
    utc_offset_seconds=3600,
    git=GitSnapshot(
        branch="feature/cache",
        changes=(" M src/weather/forecast.py", "A  src/weather/cache.py", "?? notes.txt"),
        changed_count=3,
        recent_commits=("3f2a9c1 Add a forecast cache", "b81d007 Read the API key from env"),
    ),
)
FIXTURE_FILES: dict[str, str | None] = {
    "/home/ana/.claude/CLAUDE.md": "Prefer small commits.\n",
    f"{REPO}/CLAUDE.md": "# Weather\nRun `make test` before committing. Style: @docs/style.md\n",
    f"{REPO}/docs/style.md": "Type hints everywhere. The token is sk-ant-api03-abcdefghijklmnop.\n",
    f"{REPO}/CLAUDE.local.md": "My staging key is hunter2-staging-key.\n",
}


def fixture_inputs(**changes: Any) -> SystemPromptInputs:
    memory = load_memory(
        discovery_plan(REPO, "/home/ana/.claude"), InMemoryFiles(FIXTURE_FILES), MemoryBudget()
    )
    inputs = SystemPromptInputs(
        model="claude-sonnet-4-5",
        environment=FIXTURE_REPOSITORY,
        tool_names=CLAUDE_CODE_TOOLS,
        memory=memory,
        append="Answer in French.",
        secrets=("hunter2-staging-key",),
    )
    return attrs.evolve(inputs, **changes)


def render_golden(blocks: list[dict[str, object]]) -> str:
    parts = []
    for number, block in enumerate(blocks, start=1):
        cache = (
            f" cache_control={json.dumps(block['cache_control'])}"
            if "cache_control" in block
            else ""
        )
        parts.append(f"===== system block {number}{cache} =====\n{block['text']}\n")
    return "\n".join(parts)


def test_golden_system_prompt_for_the_fixture_repository() -> None:
    blocks = build_system_prompt(fixture_inputs(), FixedClock(NOW))
    rendered = render_golden(blocks)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8")


def test_blocks_are_ordered_by_stability_and_the_stable_ones_are_cached() -> None:
    blocks = build_system_prompt(fixture_inputs(), FixedClock(NOW))
    assert [b["type"] for b in blocks] == ["text"] * 4
    assert [b.get("cache_control") for b in blocks] == [
        {"type": "ephemeral"},
        {"type": "ephemeral"},
        None,
        None,
    ]
    assert str(blocks[0]["text"]).startswith(IDENTITY)
    assert str(blocks[1]["text"]).startswith("# Instructions from memory files")
    assert str(blocks[2]["text"]).startswith("# Environment")
    assert blocks[3]["text"] == "Answer in French."


def test_the_stable_block_does_not_change_with_the_session() -> None:
    one = build_system_prompt(fixture_inputs(), FixedClock(NOW))
    other_env = attrs.evolve(FIXTURE_REPOSITORY, working_directory="/elsewhere", git=None)
    two = build_system_prompt(
        fixture_inputs(environment=other_env, model="claude-opus-4-5"), FixedClock(NOW + 86400)
    )
    assert one[0] == two[0]
    assert one[2] != two[2]


def test_secrets_never_reach_the_prompt() -> None:
    text = system_prompt_text(build_system_prompt(fixture_inputs(), FixedClock(NOW)))
    assert "hunter2-staging-key" not in text
    assert "sk-ant-api03" not in text
    assert text.count("REDACTED") == 2


def test_environment_section_uses_the_clock_and_local_offset() -> None:
    section = environment_section(FIXTURE_REPOSITORY, "claude-haiku-4-5", "2026-03-15")
    assert section.splitlines() == [
        "# Environment",
        "<env>",
        f"Working directory: {REPO}",
        "Is a git repository: yes",
        "Platform: linux",
        "OS version: Linux 6.8.0-49-generic",
        "Today's date: 2026-03-15",
        "Model: claude-haiku-4-5",
        "</env>",
    ]
    no_git = attrs.evolve(FIXTURE_REPOSITORY, git=None)
    assert "Is a git repository: no" in environment_section(no_git, "m", "d")
    assert iso_date(NOW, 0) == "2026-03-14"
    assert iso_date(NOW, 3600) == "2026-03-15"


def test_git_section_caps_changes_and_clips_long_lines() -> None:
    many = tuple(f"?? file{i}.txt" for i in range(50))
    snapshot = GitSnapshot(branch="main", changes=many, changed_count=250)
    lines = git_status_section(snapshot, max_changes=5).splitlines()
    assert lines[2] == "Current branch: main"
    assert lines[3] == "Changes (250 entries):"
    assert lines[4:9] == [f"?? file{i}.txt" for i in range(5)]
    assert lines[9] == "... and 245 more (run git status to see them)"
    long_line = GitSnapshot(branch=None, head="abc1234", changes=("?? " + "x" * 500,))
    text = git_status_section(long_line)
    assert "HEAD is detached at abc1234" in text
    assert max(len(line) for line in text.splitlines()) == 200


def test_git_section_when_git_was_too_slow_to_name_the_branch() -> None:
    text = git_status_section(GitSnapshot(branch=None, note="git branch did not finish in time"))
    assert "Current branch: unknown" in text
    assert "detached" not in text


def test_git_section_for_a_clean_tree_with_a_note() -> None:
    text = git_status_section(GitSnapshot(branch="main", note="git log did not finish in time"))
    assert "Current branch: main" in text
    assert "Changes: none (the working tree is clean)" in text
    assert text.endswith("Note: git log did not finish in time")


def test_tool_rules_cover_only_the_tools_offered() -> None:
    rules = tool_rules_section(["Read", "Bash"])
    assert "- Read: " in rules
    assert "- Bash: " in rules
    assert "- Edit: " not in rules
    assert "No tools are available" in tool_rules_section([])


def test_every_claude_code_tool_has_a_rule() -> None:
    not_offered_yet = {"Skill"}  # the same set as in test_tool_definitions
    names = [tool["name"] for tool in json.loads(TOOLS.read_text())]
    names = [name for name in names if name not in not_offered_yet]
    rules = tool_rules_section(names)
    missing = [name for name in names if f"- {name}: " not in rules]
    assert missing == []


def test_instructions_section_is_absent_without_files() -> None:
    empty = load_memory(discovery_plan(REPO, "/home/ana/.claude"), InMemoryFiles({}))
    assert instructions_section(empty) is None
    blocks = build_system_prompt(fixture_inputs(memory=empty, append=None), FixedClock(NOW))
    assert len(blocks) == 2
    assert [b.get("cache_control") for b in blocks] == [{"type": "ephemeral"}, None]


def test_instructions_section_shows_budget_notes() -> None:
    files = {f"{REPO}/CLAUDE.md": "x" * 30, f"{REPO}/CLAUDE.local.md": "y" * 30}
    memory = load_memory(
        discovery_plan(REPO, "/home/ana/.claude"),
        InMemoryFiles(files),
        MemoryBudget(total_chars=30),
    )
    section = instructions_section(memory)
    assert section is not None
    assert section.endswith(
        f"[hexclaw: {REPO}/CLAUDE.local.md was not loaded: "
        "the total budget of 30 characters was used up.]"
    )


def test_custom_system_prompt_replaces_everything_and_keeps_the_append() -> None:
    blocks = custom_system_prompt("You are a pirate.", "Be brief.", ())
    assert blocks == [
        {"type": "text", "text": "You are a pirate."},
        {"type": "text", "text": "Be brief."},
    ]
    assert custom_system_prompt("key sk-ant-api03-zzzzzzzzzzzz")[0]["text"] == "key REDACTED"
