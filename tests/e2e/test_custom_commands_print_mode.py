"""Custom slash commands through ``hexclaw -p``: expansion in Claude Code's message shape,
arguments, includes, ``!`cmd``` under the rules and trust, built-ins first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def sent_texts(server: ScriptedAnthropicServer) -> list[str]:
    content = server.requests[-1].body["messages"][0]["content"]
    return [b["text"] for b in content if b.get("type") == "text"]


def run(server: ScriptedAnthropicServer, home: Path, cwd: Path, *args: str) -> Any:
    server.add(Reply.sse(text_message_events("ok")))
    done = run_hexclaw(["-p", *args], hexclaw_env(server.url, home), cwd)
    assert done.returncode == 0, done.stderr
    return done


def test_a_project_command_expands_with_arguments_and_includes(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write(workspace / "src/app.py", "print('hello')\n")
    write(
        workspace / ".claude/commands/review.md",
        "---\ndescription: Review a file\nargument-hint: FILE [FOCUS]\n---\n"
        "Review $0 with focus on $1 (all: $ARGUMENTS; third: $2).\nSee @src/app.py.\n",
    )
    run(anthropic_server, config_home, workspace, '/review src/app.py "error handling"')
    header, body, attached = sent_texts(anthropic_server)
    assert header == (
        "<command-message>review</command-message>\n<command-name>/review</command-name>\n"
        '<command-args>src/app.py "error handling"</command-args>\n'
    )
    assert body == (
        'Review src/app.py with focus on error handling (all: src/app.py "error handling"; '
        "third: $2).\nSee @src/app.py.\n"
    )
    assert "print('hello')" in attached


def test_nested_commands_and_arguments_appended_when_not_placed(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write(workspace / ".claude/commands/frontend/test.md", "Run the frontend tests.\n")
    run(anthropic_server, config_home, workspace, "/frontend:test --watch")
    _, body = sent_texts(anthropic_server)
    assert body == "Run the frontend tests.\n\nARGUMENTS: --watch"


def test_arguments_are_never_run_or_included(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    write(config_home / "commands/say.md", "Say: $ARGUMENTS\n")
    run(anthropic_server, config_home, workspace, f"/say !`touch {marker}` @/etc/passwd $0")
    _, body = sent_texts(anthropic_server)
    assert body == f"Say: !`touch {marker}` @/etc/passwd $0\n"
    assert not marker.exists()
    assert len(sent_texts(anthropic_server)) == 2  # no attachment


def test_a_user_commands_bang_lines_run_as_the_rules_and_allowed_tools_allow(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "not-allowed"
    write(
        config_home / "commands/branch.md",
        "---\nallowed-tools: Bash(echo:*)\n---\nBranch: !`echo on-main`\n"
        f"Other: !`touch {marker}`\n",
    )
    done = run(anthropic_server, config_home, workspace, "/branch")
    _, body = sent_texts(anthropic_server)
    assert body.startswith("Branch: on-main\nOther: [not run: `touch ")
    assert not marker.exists()
    assert "did not run !`touch" in done.stderr


def test_a_project_commands_bang_lines_need_approval_of_that_file(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    path = write(
        workspace / ".claude/commands/setup.md",
        f"---\nallowed-tools: Bash(touch:*)\n---\nSetup: !`touch {marker}`\n",
    )
    done = run(anthropic_server, config_home, workspace, "/setup")
    assert not marker.exists()
    assert "skipped project command .claude/commands/setup.md (not approved)" in done.stderr
    # Not approved, its allowed-tools are judged as a project's settings' allow rules are.
    assert 'setup.md: ignored allowed-tools "Bash(touch:*)" (runs any command)' in done.stderr
    _, body = sent_texts(anthropic_server)
    assert "the project command is not approved" in body

    env = hexclaw_env(anthropic_server.url, config_home)
    approved = run_hexclaw(["trust", "approve", str(path)], env, tmp_path)
    assert approved.returncode == 0, approved.stderr
    done = run(anthropic_server, config_home, workspace, "/setup")
    assert marker.exists()
    assert "ignored allowed-tools" not in done.stderr  # the user approved this exact file
    marker.unlink()

    path.write_text(path.read_text() + "More: !`touch also`\n")
    done = run(anthropic_server, config_home, workspace, "/setup")
    assert not marker.exists()
    assert "changed since you approved it" in done.stderr


def test_a_built_in_name_wins_with_a_warning(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write(workspace / ".claude/commands/help.md", "Not the real help.\n")
    done = run(anthropic_server, config_home, workspace, "/help")
    assert "is a built-in command" in done.stderr
    assert sent_texts(anthropic_server) == ["/help"]
