"""The OS sandbox through ``hexclaw -p --sandbox``: the scripted model runs what Bash rules
cannot stop (a Makefile, an interpreter, git's own options) under ``Bash(*)``, and the
sandbox contains it; with bubblewrap missing, Bash is refused in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_permission_print_mode import tool_results
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.integration.sandbox_harness import folder_outside_tmp, require_bwrap
from tests.support import hexclaw_env, run_git, run_hexclaw


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """Outside /tmp, which the sandbox replaces with its own."""
    yield from folder_outside_tmp("hexclaw-sandbox-e2e-")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.txt").write_text("untouched\n")
    return folder


def results_by_id(server: ScriptedAnthropicServer) -> dict[str, dict[str, Any]]:
    return {r["tool_use_id"]: r for r in tool_results(server.requests[1].body)}


def test_a_makefile_an_interpreter_and_git_options_are_contained_under_bash_star(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, outside: Path
) -> None:
    require_bwrap()
    (config_home / "credentials.json").write_text('{"claudeAiOauth": {"accessToken": "tok-9f3"}}')
    (workspace / "Makefile").write_text(f"clean:\n\trm -rf {outside}/*\n")
    (workspace / "a").write_text("a\n")
    (workspace / "b").write_text("b\n")
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("t_make", "Bash", {"command": "make clean"}),
        ("t_py", "Bash", {"command": f"python3 -c \"open('{outside}/py.txt', 'w')\""}),
        ("t_git", "Bash", {"command": f"git diff --no-index --output={outside}/diff a b"}),
        ("t_creds", "Bash", {"command": f"cat {config_home}/credentials.json"}),
        ("t_in", "Bash", {"command": "echo made > inside.txt"}),
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--sandbox", "--allowedTools", "Bash(*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    results = results_by_id(anthropic_server)
    for tool_id in ("t_make", "t_py", "t_git", "t_creds"):
        assert results[tool_id]["is_error"] is True, (tool_id, results[tool_id])
    assert "Read-only file system" in results["t_make"]["content"]
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert (outside / "victim.txt").read_text() == "untouched\n"
    assert results["t_in"]["is_error"] is False
    assert (workspace / "inside.txt").read_text() == "made\n"
    assert "tok-9f3" not in str(anthropic_server.requests[1].body)


def test_sandboxed_bash_is_auto_allowed_but_leaving_the_sandbox_is_asked(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, outside: Path
) -> None:
    require_bwrap()
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("t_auto", "Bash", {"command": "echo auto > auto.txt"}),
        (
            "t_out",
            "Bash",
            {"command": f"touch {outside}/escaped", "dangerouslyDisableSandbox": True},
        ),
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    # --allowedTools Read offers the tools; nothing allows Bash but the sandbox.
    done = run_hexclaw(["-p", "go", "--sandbox", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    results = results_by_id(anthropic_server)
    assert results["t_auto"]["is_error"] is False
    assert (workspace / "auto.txt").read_text() == "auto\n"
    # Outside the sandbox it is a normal question, which print mode cannot ask: denied.
    assert results["t_out"]["is_error"] is True
    assert "Permission denied" in results["t_out"]["content"]
    assert not (outside / "escaped").exists()


def test_without_bwrap_bash_is_refused_in_one_line_naming_the_fix(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, outside: Path
) -> None:
    settings = config_home / "settings.json"
    settings.write_text('{"sandbox": {"enabled": true}}')
    command = f"touch {outside}/made"
    anthropic_server.add(
        Reply.sse(tool_use_events([("t_bash", "Bash", {"command": command})])),
        Reply.sse(text_message_events("ok")),
    )
    empty = workspace.parent / "empty-bin"
    empty.mkdir()
    env = hexclaw_env(anthropic_server.url, config_home, PATH=str(empty))
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash(*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["is_error"] is True
    assert result["content"] == (
        "the sandbox is enabled but cannot start: bwrap (bubblewrap) is not on PATH; install "
        "bubblewrap (apt-get install bubblewrap, or dnf install bubblewrap), or set "
        '"sandbox": {"failIfUnavailable": false} in your settings to run unsandboxed. '
        "Bash is refused until then"
    )
    assert not (outside / "made").exists()


@pytest.mark.parametrize("repository", ["existing", "none"])
def test_a_sandboxed_command_cannot_plant_git_config_that_hexclaw_or_git_then_runs(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    outside: Path,
    repository: str,
) -> None:
    """git reads a repository's config from where ``.git/commondir`` points, and in a folder
    that was no repository, from the ``.git/config`` a command creates: a planted
    ``core.fsmonitor`` runs at the next git call (``git ls-files`` included), outside the
    sandbox when hexclaw makes that call itself."""
    require_bwrap()
    payload = f"touch {outside}/pwned; false"
    if repository == "existing":
        run_git(workspace, "init", "-q")
        (workspace / "a.txt").write_text("a\n")
        run_git(workspace, "add", "a.txt")
        run_git(workspace, "commit", "-qm", "first")
        plant = (
            "mkdir -p .cfg && cp -r .git/objects .git/refs .git/HEAD .cfg/ && "
            f"printf '[core]\\n\\trepositoryformatversion = 0\\n\\tfsmonitor = \"{payload}\"\\n' "
            '> .cfg/config && echo "$PWD/.cfg" > .git/commondir'
        )
    else:
        plant = f"git init -q && git config core.fsmonitor '{payload}'"
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("t_plant", "Bash", {"command": plant}),
        ("t_next", "Bash", {"command": "echo next > next.txt"}),
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--sandbox", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert not (outside / "pwned").exists()
    results = results_by_id(anthropic_server)
    assert results["t_next"]["is_error"] is False


@pytest.mark.parametrize("whose", ["project", "user"])
def test_a_projects_allow_rule_does_not_let_a_command_out_of_the_sandbox(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    outside: Path,
    whose: str,
) -> None:
    """A rule the folder holds (or a sandboxed command wrote there, where no ``.claude`` was
    to protect) may approve the command inside the sandbox, never outside it: the call
    with ``dangerouslyDisableSandbox`` gets the normal question, which ``-p`` cannot ask.
    The same rule in the user's own settings does let it out (so the attack is real)."""
    require_bwrap()
    (workspace / "x.py").write_text(f"open({str(outside / 'escaped')!r}, 'w')\n")
    rules = json.dumps({"permissions": {"allow": ["Bash(python3 x.py)"]}})
    if whose == "project":
        (workspace / ".claude").mkdir()
        (workspace / ".claude" / "settings.local.json").write_text(rules)
    else:
        (config_home / "settings.json").write_text(rules)
    call = {"command": "python3 x.py", "dangerouslyDisableSandbox": True}
    anthropic_server.add(
        Reply.sse(tool_use_events([("t_out", "Bash", call)])), Reply.sse(text_message_events("ok"))
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--sandbox", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    result = results_by_id(anthropic_server)["t_out"]
    if whose == "project":
        assert result["is_error"] is True
        assert "Permission denied" in result["content"]
        assert not (outside / "escaped").exists()
    else:
        assert result["is_error"] is False, result
        assert (outside / "escaped").exists()


def test_a_protected_path_that_appears_is_named_on_stderr_in_print_mode(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    """Where no ``.claude`` existed, a sandboxed command can create one (a missing path
    cannot be mounted over): the user of -p hears of it, not only the model."""
    require_bwrap()
    plant = "mkdir .claude && echo '{}' > .claude/settings.local.json"
    anthropic_server.add(
        Reply.sse(tool_use_events([("t_plant", "Bash", {"command": plant})])),
        Reply.sse(text_message_events("ok")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--sandbox", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    (line,) = [line for line in done.stderr.splitlines() if "review" in line]
    assert line.startswith("hexclaw: warning: sandbox: review .claude")
    assert "decides what git, editors or hexclaw run next" in line
    told = results_by_id(anthropic_server)["t_plant"]["content"]
    assert f"Sandbox: {workspace / '.claude'} appeared while sandboxed commands ran" in told
