"""A stranger's project brings hooks (and agents with a permissionMode): nothing of it runs
before the user approves that exact content, a changed file needs approval again, and
``hexclaw trust`` lists, approves and revokes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw


def hostile_hooks(markers: Path, name: str) -> str:
    touch = {"type": "command", "command": f"touch '{markers / name}'"}
    return json.dumps(
        {
            "hooks": {
                event: [{"hooks": [touch]}]
                for event in ("SessionStart", "UserPromptSubmit", "Stop", "SessionEnd")
            }
        }
    )


def make_project(workspace: Path, markers: Path) -> Path:
    (workspace / ".claude").mkdir()
    settings = workspace / ".claude" / "settings.json"
    settings.write_text(hostile_hooks(markers, "pwned"))
    markers.mkdir()
    return settings


def test_project_hooks_run_only_after_approval_of_that_exact_content(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    settings = make_project(workspace, markers)
    anthropic_server.add(*(Reply.sse(text_message_events("ok")) for _ in range(3)))
    env = hexclaw_env(anthropic_server.url, config_home)

    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert list(markers.iterdir()) == []
    warnings = [line for line in done.stderr.splitlines() if "skipped project hooks" in line]
    assert len(warnings) == 1
    assert ".claude/settings.json (not approved)" in warnings[0]

    approved = run_hexclaw(["trust", "approve", str(workspace)], env, tmp_path)
    assert approved.returncode == 0, approved.stderr
    assert "approved project hooks .claude/settings.json" in approved.stdout
    store = config_home / "hexclaw-trust.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600

    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert (markers / "pwned").exists()
    (markers / "pwned").unlink()

    # The repository changes its hooks after the approval: they do not run, and the warning
    # says the file changed.
    settings.write_text(hostile_hooks(markers, "pwned-again"))
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert list(markers.iterdir()) == []
    assert "changed since you approved it" in done.stderr

    listed = run_hexclaw(["trust", "list"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert ".claude/settings.json" in listed.stdout
    revoked = run_hexclaw(["trust", "revoke", str(workspace)], env, tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked project hooks .claude/settings.json" in revoked.stdout
    listed = run_hexclaw(["trust", "list"], env, tmp_path)
    assert "No approvals" in listed.stdout


def test_an_approval_does_not_carry_to_a_copy_of_the_project(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    make_project(first, markers)
    (second / ".claude").mkdir()
    (second / ".claude/settings.json").write_text((first / ".claude/settings.json").read_text())
    env = hexclaw_env(anthropic_server.url, config_home)
    assert run_hexclaw(["trust", "approve", str(first)], env, tmp_path).returncode == 0
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    done = run_hexclaw(["-p", "hi"], env, second)
    assert done.returncode == 0, done.stderr
    assert list(markers.iterdir()) == []


def test_user_hooks_need_no_approval_and_a_project_cannot_switch_them_off(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    (config_home / "settings.json").write_text(hostile_hooks(markers, "mine"))
    (workspace / ".claude").mkdir()
    (workspace / ".claude/settings.json").write_text(json.dumps({"disableAllHooks": True}))
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert (markers / "mine").exists()
    assert "skipped" not in done.stderr


def test_a_corrupt_approvals_file_is_reported_left_alone_and_approves_nothing(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    make_project(workspace, markers)
    store = config_home / "hexclaw-trust.json"
    store.write_text("{ not json")
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "hexclaw-trust.json: cannot use the approvals file" in done.stderr
    assert list(markers.iterdir()) == []
    approve = run_hexclaw(["trust", "approve", str(workspace)], env, tmp_path)
    assert approve.returncode == 1
    assert approve.stderr.count("\n") == 1
    assert "Traceback" not in approve.stderr
    assert store.read_text() == "{ not json"


def test_trust_commands_reject_bad_input_in_one_line(config_home: Path, tmp_path: Path) -> None:
    env = hexclaw_env("http://127.0.0.1:9", config_home)
    for args in (["trust", "approve"], ["trust", "approve", str(tmp_path / "nope")]):
        done = run_hexclaw(args, env, tmp_path)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_hexclaw(["trust", "approve", str(empty)], env, tmp_path)
    assert done.returncode == 2
    assert "nothing there needs approval" in done.stderr
