"""Agents from files: Claude Code's formats, validation, precedence and trust of permissionMode."""

from __future__ import annotations

from pathlib import Path

from adapters.agents.agent_files import agent_trust_item, load_agents
from adapters.files.trust_store import TrustStore
from domain.extensions.frontmatter import parse_markdown, tool_list

KNOWN = ("Read", "Grep", "Glob", "Bash", "Edit", "Write")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_claude_code_agent_files_are_understood(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    write(
        work / ".claude/agents/reviewer.md",
        "---\nname: reviewer\ndescription: Reviews code: finds bugs\ntools: Read, Grep\n"
        "model: sonnet\n---\nYou review code.\n",
    )
    write(
        home / "agents/writer.md",
        "---\nname: writer\ndescription: Writes docs\ntools:\n  - Read\n  - Write\n---\nWrite.\n",
    )
    write(home / "agents/all.md", "---\nname: all\ndescription: Everything\n---\nAll.\n")
    warnings: list[str] = []
    agents = {a.name: a for a in load_agents(work, home, KNOWN, warnings=warnings)}
    assert warnings == []
    assert agents["reviewer"].tools == ("Read", "Grep")
    assert agents["reviewer"].model == "sonnet"
    assert agents["reviewer"].description == "Reviews code: finds bugs"
    assert agents["reviewer"].system_prompt == "You review code."
    assert agents["reviewer"].scope == "project"
    assert agents["writer"].tools == ("Read", "Write")
    assert agents["all"].tools is None
    assert agents["reviewer"].listing_line() == (
        "- reviewer: Reviews code: finds bugs (Tools: Read, Grep)"
    )


def test_invalid_agents_are_named_and_unknown_tools_left_out(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    write(work / ".claude/agents/nodesc.md", "---\nname: nodesc\n---\nbody\n")
    write(work / ".claude/agents/odd.md", "---\ndescription: x\ntools: Read, Teleport\n---\nb\n")
    write(work / ".claude/agents/mode.md", "---\ndescription: x\npermissionMode: yolo\n---\nb\n")
    warnings: list[str] = []
    agents = {a.name: a for a in load_agents(work, home, KNOWN, warnings=warnings)}
    assert "nodesc" not in agents
    assert agents["odd"].tools == ("Read",)
    assert agents["mode"].permission_mode is None
    joined = "\n".join(warnings)
    assert "no description" in joined
    assert "Teleport" in joined
    assert "yolo" in joined


def test_project_agent_overrides_user_agent(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    write(home / "agents/a.md", "---\nname: a\ndescription: user\n---\nu\n")
    write(work / ".claude/agents/a.md", "---\nname: a\ndescription: project\n---\np\n")
    (agent,) = load_agents(work, home, KNOWN)
    assert agent.description == "project"


def test_project_permission_mode_counts_only_for_the_approved_content(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    path = write(
        work / ".claude/agents/fixer.md",
        "---\nname: fixer\ndescription: fixes\npermissionMode: acceptEdits\n---\nFix.\n",
    )
    write(home / "agents/mine.md", "---\nname: mine\ndescription: m\npermissionMode: plan\n---\n")
    warnings: list[str] = []
    agents = {a.name: a for a in load_agents(work, home, KNOWN, warnings=warnings)}
    assert agents["fixer"].permission_mode is None
    assert agents["mine"].permission_mode == "plan"  # the user's own: no approval
    assert any("fixer.md" in w and "not approved" in w for w in warnings)

    item = agent_trust_item(
        load_agents(work, home, KNOWN, ledger=TrustStore.in_home(tmp_path / "x").load())[0],
        work,
    )
    assert item is None  # once dropped, nothing to pin; pin from the parsed-but-unchecked file
    from domain.agents.definitions import parse_agent

    parsed = parse_agent(path.read_text(), str(path), "project", "fixer", KNOWN)
    assert not isinstance(parsed, str)
    pinned = agent_trust_item(parsed, work)
    assert pinned is not None
    TrustStore.in_home(home).update(lambda ledger: ledger.approve([pinned], "t"))
    agents = {a.name: a for a in load_agents(work, home, KNOWN)}
    assert agents["fixer"].permission_mode == "acceptEdits"

    path.write_text(path.read_text().replace("acceptEdits", "bypassPermissions"))
    warnings = []
    agents = {a.name: a for a in load_agents(work, home, KNOWN, warnings=warnings)}
    assert agents["fixer"].permission_mode is None
    assert any("changed since you approved it" in w for w in warnings)


def test_frontmatter_variants() -> None:
    doc = parse_markdown("---\ndescription: a: b: c\n---\nbody")
    assert doc.values["description"] == "a: b: c"
    assert doc.body == "body"
    assert parse_markdown("no front matter\n").body == "no front matter\n"
    assert tool_list("Bash(git add:*), Bash(git status:*), Read") == (
        "Bash(git add:*)",
        "Bash(git status:*)",
        "Read",
    )
    assert tool_list(None) is None
