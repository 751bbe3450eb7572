"""A ``.claude/`` folder written in Claude Code's documented formats is understood as it is:
hooks, commands (frontmatter variants, nested folders, $ARGUMENTS), skills and agents."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.agents.agent_files import load_agents
from adapters.commands.command_files import load_commands
from adapters.files.settings_files import load_settings
from adapters.hooks.loading import load_hooks
from adapters.skills.skill_files import load_skills
from domain.commands.custom import segments
from domain.skills.definitions import listing
from domain.trust.ledger import TrustLedger

SETTINGS = {
    "hooks": {
        "PreToolUse": [
            {
                "matcher": "Bash",
                "hooks": [
                    {
                        "type": "command",
                        "command": "$CLAUDE_PROJECT_DIR/.claude/hooks/guard.sh",
                        "timeout": 30,
                    }
                ],
            },
            {"matcher": "Edit|MultiEdit|Write", "hooks": [{"type": "command", "command": "fmt"}]},
        ],
        "PostToolUse": [{"matcher": "mcp__github__.*", "hooks": [{"command": "log-gh"}]}],
        "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "ctx.py"}]}],
        "SessionStart": [{"matcher": "startup", "hooks": [{"type": "command", "command": "s"}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    }
}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def claude_folder(workspace: Path) -> None:
    claude = workspace / ".claude"
    write(claude / "settings.json", json.dumps(SETTINGS))
    write(
        claude / "commands/commit.md",
        "---\nallowed-tools: Bash(git add:*), Bash(git status:*), Bash(git commit:*)\n"
        "argument-hint: [message]\ndescription: Create a git commit\nmodel: claude-haiku-4-5\n"
        "---\n\n## Context\n\n- Current status: !`git status`\n\nCommit with: $ARGUMENTS\n",
    )
    write(claude / "commands/frontend/component.md", "Create a React component named $0.\n")
    write(
        claude / "commands/fix-issue.md",
        "---\ndescription: Fix an issue\ndisable-model-invocation: true\n---\n"
        "Fix issue #$ARGUMENTS[0] with priority $1.\n",
    )
    write(claude / "commands/nofront.md", "First line is the description.\nMore.\n")
    write(
        claude / "skills/pdf-processing/SKILL.md",
        "---\nname: pdf-processing\ndescription: Extract text and tables from PDF files, fill "
        "forms. Use when working with PDFs.\nallowed-tools: Read, Grep, Glob\n---\n\n# PDF\n",
    )
    write(claude / "skills/pdf-processing/FORMS.md", "forms\n")
    write(
        claude / "agents/code-reviewer.md",
        "---\nname: code-reviewer\ndescription: Expert code review specialist. Use "
        "proactively after writing code.\ntools: Read, Grep, Glob, Bash\nmodel: inherit\n---\n\n"
        "You are a senior code reviewer.\n",
    )


def test_a_claude_code_folder_is_understood(tmp_path: Path) -> None:
    workspace, home = tmp_path / "work", tmp_path / "home"
    home.mkdir()
    claude_folder(workspace)
    settings = load_settings(workspace, home)
    assert settings.warnings == []

    hooks = load_hooks(settings.hook_layers, str(workspace), TrustLedger())
    assert hooks.warnings == ()
    (pending,) = hooks.pending  # a project's hooks wait for approval
    approved = hooks.with_approved([pending]).hooks
    (guard,) = approved.matching("PreToolUse", "Bash")
    assert guard.timeout == 30
    assert [c.command for c in approved.matching("PreToolUse", "MultiEdit")] == ["fmt"]
    assert approved.matching("PostToolUse", "mcp__github__create_issue")[0].command == "log-gh"
    assert approved.matching("PostToolUse", "mcp__slack__post") == []
    assert approved.matching("SessionStart", "resume") == []
    assert len(approved.matching("SessionStart", "startup")) == 1

    warnings: list[str] = []
    commands = load_commands(workspace, home, warnings)
    assert warnings == []
    assert set(commands) == {"commit", "frontend:component", "fix-issue", "nofront"}
    commit = commands["commit"]
    assert commit.allowed_tools == (
        "Bash(git add:*)",
        "Bash(git status:*)",
        "Bash(git commit:*)",
    )
    assert commit.argument_hint == "[message]"
    assert commit.model == "claude-haiku-4-5"
    assert commit.bang_commands == ["git status"]
    assert commands["fix-issue"].disable_model_invocation is True
    assert commands["nofront"].description == "First line is the description."
    expanded = "".join(
        s.text for s in segments(commands["fix-issue"], "123 high") if s.kind == "text"
    )
    assert expanded == "Fix issue #123 with priority high.\n"
    component = segments(commands["frontend:component"], "Button")
    assert component[0].text == "Create a React component named Button.\n"

    skills = load_skills(workspace, home, TrustLedger(), warnings)
    (skill,) = skills
    assert skill.name == "pdf-processing"
    assert skill.allowed_tools == ("Read", "Grep", "Glob")
    assert skill.scripts == ()
    assert "- pdf-processing: Extract text" in listing(skills)

    agents = load_agents(workspace, home, ("Read", "Grep", "Glob", "Bash"), warnings=warnings)
    (agent,) = agents
    assert agent.name == "code-reviewer"
    assert agent.tools == ("Read", "Grep", "Glob", "Bash")
    assert agent.model == "inherit"
    assert agent.system_prompt == "You are a senior code reviewer."
    assert warnings == []
