"""The REPL with piped input (no terminal): slash commands, errors, and plain output."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw


def repl(
    server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    lines: list[str],
    *args: str,
) -> subprocess.CompletedProcess[str]:
    env = hexclaw_env(server.url, config_home, HEXCLAW_MAX_RETRIES="0")
    return run_hexclaw(list(args), env, workspace, stdin="\n".join(lines) + "\n", timeout=30)


def test_help_lists_every_command_and_unknown_ones_get_a_suggestion(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    done = repl(anthropic_server, config_home, workspace, ["/help", "/hlep", "/modle x", "/exit"])
    assert done.returncode == 0, done.stderr
    for usage in (
        "/model [name]",
        "/permissions [mode]",
        "/compact [focus]",
        "/resume [id]",
        "/export [file]",
        "/exit, /quit",
        "/memory",
        "/diff",
        "/init",
        "/login",
    ):
        assert usage in done.stdout
    assert "unknown command /hlep; did you mean /help?" in done.stdout
    assert "unknown command /modle; did you mean /model?" in done.stdout
    assert "\x1b[" not in done.stdout
    assert anthropic_server.requests == []


def test_status_names_model_auth_mode_session_folder_and_branch(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    subprocess.run(["git", "init", "-q", "-b", "trunk"], cwd=workspace, check=True)
    done = repl(
        anthropic_server, config_home, workspace, ["/status"], "--model", "claude-haiku-4-5"
    )
    out = done.stdout
    assert "claude-haiku-4-5" in out
    assert "Auth               ANTHROPIC_API_KEY" in out
    assert "Permission mode    default" in out
    assert str(workspace) in out
    assert "trunk" in out
    assert anthropic_server.url in out


def test_a_prompt_argument_is_the_first_turn_and_model_switches_apply_next(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events("First answer.")),
        Reply.sse(text_message_events("Second answer.")),
    )
    done = repl(
        anthropic_server,
        config_home,
        workspace,
        ["/model claude-opus-4-5", "and now?", "/exit"],
        "what is this?",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("First answer.") < done.stdout.index("Second answer.")
    first, second = (r.body for r in anthropic_server.requests)
    assert first["model"] == "claude-sonnet-4-5"
    assert first["messages"][0]["content"][0]["text"] == "what is this?"
    assert second["model"] == "claude-opus-4-5"
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]


def test_a_failed_turn_is_one_line_and_the_repl_goes_on(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.error(400, "invalid_request_error", "messages: something is off"),
        Reply.sse(text_message_events("Recovered.")),
    )
    done = repl(anthropic_server, config_home, workspace, ["one", "two"])
    assert done.returncode == 0, done.stderr
    failures = [line for line in done.stdout.splitlines() if "something is off" in line]
    assert len(failures) == 1
    assert failures[0].startswith("✗ ")
    assert "Recovered." in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_init_writes_a_starter_claude_md_and_never_overwrites_it(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "Makefile").write_text("test:\n\tpytest\nlint:\n\truff check .\n")
    (workspace / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (workspace / "src").mkdir()
    done = repl(anthropic_server, config_home, workspace, ["/init"])
    text = (workspace / "CLAUDE.md").read_text()
    assert "- Test: `make test`" in text
    assert "- Lint: `make lint`" in text
    assert "Python" in text
    assert "`src/`" in text
    assert "Wrote" in done.stdout
    (workspace / "CLAUDE.md").write_text("mine\n")
    again = repl(anthropic_server, config_home, workspace, ["/init"])
    assert "already exists; /init never overwrites it" in again.stdout
    assert (workspace / "CLAUDE.md").read_text() == "mine\n"


def test_export_saves_the_conversation_as_markdown(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("Use `ls -la`.")))
    lines = ["/export early.md", "how do I list files?", "/export chat.md", "/export chat.md"]
    done = repl(anthropic_server, config_home, workspace, lines)
    assert "nothing to export yet" in done.stdout
    assert not (workspace / "early.md").exists()
    text = (workspace / "chat.md").read_text()
    assert "## You\n\nhow do I list files?" in text
    assert "## Assistant\n\nUse `ls -la`." in text
    assert "already exists; name another file" in done.stdout


def test_diff_shows_the_workspace_changes(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=workspace, check=True)
    (workspace / "app.py").write_text("print('old')\n")
    subprocess.run([*git, "add", "app.py"], cwd=workspace, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], cwd=workspace, check=True)
    (workspace / "app.py").write_text("print('new')\n")
    (workspace / "notes.md").write_text("draft\n")
    # The repository's own diff programs and filters run nothing for /diff.
    markers = tmp_path / "markers"
    markers.mkdir()
    (workspace / ".git/info/attributes").write_text("*.py diff=conv filter=own\n")
    for key in ("diff.external", "diff.conv.textconv", "filter.own.clean", "core.fsmonitor"):
        subprocess.run(
            [*git, "config", key, f"touch {markers / key}; false"], cwd=workspace, check=True
        )
    done = repl(anthropic_server, config_home, workspace, ["/diff"])
    assert "-print('old')" in done.stdout
    assert "+print('new')" in done.stdout
    assert "Untracked: notes.md" in done.stdout
    assert sorted(p.name for p in markers.iterdir()) == []


def test_diff_outside_git_and_bad_permission_modes_are_one_line_errors(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    done = repl(anthropic_server, config_home, workspace, ["/diff", "/permissions sideways"])
    errors = [line for line in done.stdout.splitlines() if line.startswith("✗ ")]
    assert len(errors) == 2
    assert "not in a git repository" in errors[0]
    assert "sideways" in errors[1]
    assert done.returncode == 0


def saved_session_ids(config_home: Path) -> list[str]:
    return sorted(p.stem for p in config_home.glob("projects/*/*.jsonl"))


def test_sessions_clear_and_resume(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(*(Reply.sse(text_message_events(f"answer {n}")) for n in range(3)))
    repl(anthropic_server, config_home, workspace, ["the first question", "/clear"])
    (first_id,) = saved_session_ids(config_home)
    done = repl(
        anthropic_server,
        config_home,
        workspace,
        ["another question", "/sessions", f"/resume {first_id[:8]}", "a follow-up"],
    )
    assert done.returncode == 0, done.stderr
    assert f"Resumed session {first_id}: 2 messages." in done.stdout
    listing = [line for line in done.stdout.splitlines() if first_id in line]
    assert "the first question" in listing[0]
    assert len(saved_session_ids(config_home)) == 2
    resumed = anthropic_server.requests[2].body["messages"]
    assert [m["role"] for m in resumed] == ["user", "assistant", "user"]
    assert resumed[0]["content"][0]["text"] == "the first question"
    assert resumed[2]["content"][0]["text"] == "a follow-up"


def test_permissions_show_and_change_the_mode_and_rules(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    lines = [
        "/permissions",
        "/permissions acceptEdits",
        "/permissions allow Bash(npm test:*)",
        "/permissions",
    ]
    done = repl(anthropic_server, config_home, workspace, lines)
    out = done.stdout
    assert "mode: default" in out
    assert "Permission mode set to acceptEdits" in out
    assert "Added allow rule Bash(npm test:*)" in out
    assert out.index("mode: acceptEdits") > out.index("Permission mode set to acceptEdits")
    assert "allow: Bash(npm test:*)" in out


def test_memory_lists_instruction_files_and_opens_them_in_the_editor(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "CLAUDE.md").write_text("# Rules\n")
    env = hexclaw_env(
        anthropic_server.url, config_home, EDITOR="sh -c 'echo edited >> \"$1\"' editor"
    )
    lines = "/memory\n/memory 1\n/memory user\n/memory 7\n"
    done = run_hexclaw([], env, workspace, stdin=lines, timeout=30)
    assert f"1. {workspace / 'CLAUDE.md'}" in done.stdout
    assert (workspace / "CLAUDE.md").read_text() == "# Rules\nedited\n"
    assert (config_home / "CLAUDE.md").read_text() == "edited\n"
    assert "/memory 7: name a number from 1 to 1, user, or project" in done.stdout


def test_compact_summarises_and_counts_in_cost(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events("first answer")),
        Reply.sse(text_message_events("second answer")),
        Reply.sse(text_message_events("Summary: we talked about two things.")),
    )
    lines = ["one", "two", "/compact keep the names", "/cost"]
    done = repl(anthropic_server, config_home, workspace, lines)
    assert "Compacted:" in done.stdout
    summary_request = anthropic_server.requests[2].body
    assert "keep the names" in str(summary_request["messages"])
    assert "compaction (claude-sonnet-4-5)" in done.stdout


def test_sigterm_at_the_prompt_ends_the_repl(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    process = subprocess.Popen(
        [*HEXCLAW],
        env=env,
        cwd=workspace,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "hexclaw" in first
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 143
    finally:
        process.kill()
        process.communicate()
