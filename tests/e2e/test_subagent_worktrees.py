"""``isolation: "worktree"`` through ``hexclaw -p`` against the scripted server, with real git:
the subagent works in its own worktree and branch, what it changed is kept (and named in the
parent's result), a worktree without changes is removed, writes outside the worktree are
refused, and a workspace outside git gets an error with nothing created."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.subagents.worktree_plan import kept_line
from tests.e2e.hook_scripts import hook, python_command, read_log, settings_with, write_scripts
from tests.e2e.subagent_script import PARENT, Router, results_in, system_text
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.integration.sandbox_harness import folder_outside_tmp, require_bwrap
from tests.support import hexclaw_env, run_hexclaw

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

KEPT = re.compile(r"kept in the worktree (\S+) on the branch (\S+)\.$")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def repository(workspace: Path) -> Path:
    """A repository with one commit (README.md, victim.txt) on main, and uncommitted changes
    the subagent must not see; its post-checkout hook would leave a marker."""
    git(workspace, "init", "-q", "-b", "main")
    (workspace / "README.md").write_text("committed\n")
    (workspace / "victim.txt").write_text("keep me\n")
    git(workspace, "add", ".")
    git(workspace, "commit", "-q", "-m", "first")
    (workspace / "README.md").write_text("uncommitted\n")
    (workspace / "dirty.txt").write_text("untracked\n")
    hook = workspace / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {workspace.parent / 'hook-ran'}\n")
    hook.chmod(0o755)
    return workspace


def agent_call(call_id: str, prompt: str, **extra: Any) -> tuple[str, str, dict[str, Any]]:
    return (call_id, "Agent", {"description": f"task {call_id}", "prompt": prompt, **extra})


def delegating(
    prompt: str, calls: list[tuple[str, str, dict[str, Any]]], report: str, **agent: Any
) -> Router:
    """The parent calls Agent once (``agent``: the call's other input) and then answers
    "Done."; the subagent makes ``calls`` in one message, then reports ``report``."""
    return Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_a", prompt, **agent)])),
                Reply.sse(text_message_events("Done.")),
            ],
            prompt: [
                Reply.sse(tool_use_events(calls)),
                Reply.sse(text_message_events(report)),
            ],
        }
    )


def run(router: Router, workspace: Path, config_home: Path, *args: str) -> str:
    with ScriptedAnthropicServer(responder=router, idle_timeout=60) as server:
        env = hexclaw_env(server.url, config_home)
        done = run_hexclaw(["-p", "go", *args], env, workspace)
    assert done.returncode == 0, done.stderr
    return done.stdout


def agent_result(router: Router) -> dict[str, Any]:
    (result,) = results_in(router.seen[PARENT][1])
    return result


def text_of(result: dict[str, Any]) -> str:
    content = result["content"]
    if isinstance(content, str):
        return content
    return "\n".join(block.get("text", "") for block in content)


def branches(workspace: Path) -> list[str]:
    return git(workspace, "branch", "--format=%(refname:short)").split()


def worktrees(workspace: Path) -> list[str]:
    return [
        line.split(" ", 1)[1]
        for line in git(workspace, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def test_a_worktree_subagent_writes_in_its_own_worktree_and_the_parent_learns_where(
    config_home: Path, workspace: Path
) -> None:
    repository(workspace)
    prompt = "Add new.txt and report."
    router = delegating(
        prompt,
        [
            ("toolu_r", "Read", {"file_path": "README.md"}),
            ("toolu_w", "Write", {"file_path": "new.txt", "content": "made\n"}),
        ],
        "Report: wrote new.txt.",
        isolation="worktree",
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    result = text_of(agent_result(router))
    assert result.startswith("Report: wrote new.txt.")
    found = KEPT.search(result.splitlines()[-1])
    assert found is not None, result
    path, branch = Path(found.group(1)), found.group(2)
    assert re.fullmatch(r"claude/agent-[0-9a-f]{8}", branch)
    assert path == workspace / ".claude" / "worktrees" / branch.removeprefix("claude/")
    # The file is in the kept worktree, on its branch; not in the parent's workspace.
    assert (path / "new.txt").read_text() == "made\n"
    assert not (workspace / "new.txt").exists()
    assert branch in branches(workspace)
    assert str(path) in worktrees(workspace)
    assert git(path, "rev-parse", "--abbrev-ref", "HEAD").strip() == branch
    assert git(path, "status", "--porcelain").strip() == "?? new.txt"
    # A clean checkout: the parent's uncommitted changes did not come along, and the
    # subagent read the committed text.
    assert not (path / "dirty.txt").exists()
    (read, written) = results_in(router.seen[prompt][1])
    assert "committed" in json.dumps(read)
    assert "uncommitted" not in json.dumps(read)
    assert not written.get("is_error")
    assert (workspace / "README.md").read_text() == "uncommitted\n"
    # Its prompt names the worktree as where it works; no repository hook ran.
    assert f"Working directory: {path}" in system_text(router.seen[prompt][0])
    assert not (workspace.parent / "hook-ran").exists()


def test_an_agent_file_with_isolation_that_only_reads_leaves_nothing_behind(
    config_home: Path, workspace: Path
) -> None:
    repository(workspace)
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "reader.md").write_text(
        "---\nname: reader\ndescription: Reads\ntools: Read, Glob\nisolation: worktree\n---\n"
        "You read files.\n"
    )
    prompt = "Read the README."
    router = delegating(
        prompt,
        [("toolu_r", "Read", {"file_path": "README.md"})],
        "Report: it says committed.",
        subagent_type="reader",
    )
    run(router, workspace, config_home, "--allowedTools", "Read")
    (read,) = results_in(router.seen[prompt][1])
    assert "committed" in json.dumps(read)
    assert "uncommitted" not in json.dumps(read)
    assert "worktree" in system_text(router.seen[prompt][0])
    assert text_of(agent_result(router)) == "Report: it says committed."
    assert worktrees(workspace) == [str(workspace)]
    assert branches(workspace) == ["main"]
    assert not (workspace / ".claude" / "worktrees").exists()


def test_writes_outside_the_worktree_are_refused(config_home: Path, workspace: Path) -> None:
    repository(workspace)
    prompt = "Try to escape."
    victim = workspace / "victim.txt"
    router = delegating(
        prompt,
        [
            ("toolu_1", "Write", {"file_path": "../escape.txt", "content": "x"}),
            ("toolu_2", "Write", {"file_path": str(victim), "content": "gone\n"}),
            (
                "toolu_3",
                "Edit",
                {
                    "file_path": "../../../victim.txt",
                    "old_string": "keep me",
                    "new_string": "gone",
                },
            ),
            ("toolu_4", "Write", {"file_path": "inside.txt", "content": "ok\n"}),
        ],
        "Report: tried.",
        isolation="worktree",
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    results = results_in(router.seen[prompt][1])
    assert [bool(r.get("is_error")) for r in results] == [True, True, True, False]
    assert all("Permission denied" in json.dumps(r) for r in results[:3]), results
    # Beside the worktree is still the parent's .claude folder: protected, so refused.
    assert "changes .claude/" in json.dumps(results[0])
    assert all("is outside the workspace" in json.dumps(r) for r in results[1:3])
    assert victim.read_text() == "keep me\n"
    assert not (workspace / ".claude" / "worktrees" / "escape.txt").exists()
    found = KEPT.search(text_of(agent_result(router)))
    assert found is not None
    assert (Path(found.group(1)) / "inside.txt").read_text() == "ok\n"


def test_a_nested_subagent_works_in_its_parents_worktree(
    config_home: Path, workspace: Path
) -> None:
    repository(workspace)
    outer, inner = "Delegate the note.", "Write note.txt."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_a", outer, isolation="worktree")])),
                Reply.sse(text_message_events("Done.")),
            ],
            outer: [
                Reply.sse(tool_use_events([agent_call("toolu_b", inner)])),
                Reply.sse(text_message_events("Report: delegated.")),
            ],
            inner: [
                Reply.sse(
                    tool_use_events(
                        [("toolu_w", "Write", {"file_path": "note.txt", "content": "n\n"})]
                    )
                ),
                Reply.sse(text_message_events("Report: wrote it.")),
            ],
        }
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    found = KEPT.search(text_of(agent_result(router)))
    assert found is not None
    path = Path(found.group(1))
    assert (path / "note.txt").read_text() == "n\n"
    assert not (workspace / "note.txt").exists()
    assert f"Working directory: {path}" in system_text(router.seen[inner][0])


def test_a_background_worktree_subagent_reports_its_worktree(
    config_home: Path, workspace: Path
) -> None:
    repository(workspace)
    prompt = "Write bg.txt in the background."
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [
                            agent_call(
                                "toolu_bg", prompt, isolation="worktree", run_in_background=True
                            )
                        ]
                    )
                ),
                Reply.sse(text_message_events("Waiting.")),
                Reply.sse(text_message_events("It is done.")),
            ],
            prompt: [
                Reply.sse(
                    tool_use_events([("toolu_w", "Write", {"file_path": "bg.txt", "content": "b"})])
                ),
                Reply.sse(text_message_events("Report: bg.txt written.")),
            ],
        }
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    last = router.seen[PARENT][-1].body["messages"][-1]
    (note,) = [b["text"] for b in last["content"] if b.get("type") == "text"]
    assert "<task-id>toolu_bg</task-id>" in note
    (path,) = list((workspace / ".claude" / "worktrees").iterdir())
    assert f"{kept_line(str(path), f'claude/{path.name}')}</result>" in note
    assert (path / "bg.txt").read_text() == "b"
    assert not (workspace / "bg.txt").exists()


def test_outside_a_git_repository_the_call_gets_an_error_and_nothing_is_created(
    config_home: Path, workspace: Path
) -> None:
    prompt = "Write anything."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_a", prompt, isolation="worktree")])),
                Reply.sse(text_message_events("No repository.")),
            ],
            prompt: [Reply.sse(text_message_events("I should not run."))],
        }
    )
    above = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=workspace, capture_output=True, check=False
    )
    assert above.returncode != 0  # no repository above the workspace either
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    result = agent_result(router)
    assert result.get("is_error") is True
    assert "worktree isolation needs a git repository" in text_of(result)
    assert prompt not in router.seen
    assert list(workspace.iterdir()) == []


def test_remote_isolation_is_refused(config_home: Path, workspace: Path) -> None:
    repository(workspace)
    prompt = "Work remotely."
    router = Router(
        {
            PARENT: [
                Reply.sse(tool_use_events([agent_call("toolu_a", prompt, isolation="remote")])),
                Reply.sse(text_message_events("Refused.")),
            ],
        }
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    result = agent_result(router)
    assert result.get("is_error") is True
    assert "not available in hexclaw" in text_of(result)
    assert prompt not in router.seen
    assert branches(workspace) == ["main"]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [({}, "from origin"), ({"worktree": {"baseRef": "head"}}, "local commit")],
)
def test_the_worktree_starts_from_origin_head_unless_settings_say_head(
    config_home: Path, workspace: Path, tmp_path: Path, settings: dict[str, Any], expected: str
) -> None:
    seed, origin = tmp_path / "seed", tmp_path / "origin.git"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    (seed / "README.md").write_text("from origin\n")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "first")
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    workspace.rmdir()
    git(tmp_path, "clone", "-q", str(origin), str(workspace))
    (workspace / "README.md").write_text("local commit\n")
    git(workspace, "commit", "-q", "-am", "ahead of origin")
    (config_home / "settings.json").write_text(json.dumps(settings))
    prompt = "Read the README."
    router = delegating(
        prompt,
        [("toolu_r", "Read", {"file_path": "README.md"})],
        "Report: read.",
        isolation="worktree",
    )
    run(router, workspace, config_home, "--allowedTools", "Read")
    (read,) = results_in(router.seen[prompt][1])
    assert expected in json.dumps(read)
    # Nothing changed: removed, and nothing was fetched into the clone.
    assert branches(workspace) == ["main"]
    assert text_of(agent_result(router)) == "Report: read."


@pytest.fixture
def var_tmp() -> Iterator[Path]:
    """Outside /tmp, which the sandbox replaces with its own."""
    yield from folder_outside_tmp("hexclaw-worktree-e2e-")


def test_sandboxed_bash_of_a_worktree_subagent_writes_only_in_its_worktree(
    config_home: Path, var_tmp: Path
) -> None:
    require_bwrap()
    workspace = var_tmp / "workspace"
    workspace.mkdir()
    repository(workspace)
    prompt = "Run commands."
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("t_pwd", "Bash", {"command": "pwd"}),
        ("t_in", "Bash", {"command": "echo made > inside.txt"}),
        ("t_out", "Bash", {"command": "echo gone > ../../../victim.txt"}),
        ("t_abs", "Bash", {"command": f"echo gone > {workspace}/new.txt"}),
    ]
    router = delegating(prompt, calls, "Report: ran.", isolation="worktree")
    run(router, workspace, config_home, "--sandbox", "--allowedTools", "Bash(*)")
    found = KEPT.search(text_of(agent_result(router)))
    assert found is not None
    path = Path(found.group(1))
    results = {r["tool_use_id"]: r for r in results_in(router.seen[prompt][1])}
    assert str(path) in json.dumps(results["t_pwd"])
    assert results["t_in"]["is_error"] is False
    assert (path / "inside.txt").read_text() == "made\n"
    for tool_id in ("t_out", "t_abs"):
        assert results[tool_id]["is_error"] is True, results[tool_id]
        assert "Read-only file system" in json.dumps(results[tool_id])
    assert (workspace / "victim.txt").read_text() == "keep me\n"
    assert not (workspace / "new.txt").exists()


def test_two_concurrent_worktree_subagents_get_a_worktree_each(
    config_home: Path, workspace: Path
) -> None:
    repository(workspace)
    one, two = "Write one.txt.", "Write two.txt."
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events(
                        [
                            agent_call("toolu_1", one, isolation="worktree"),
                            agent_call("toolu_2", two, isolation="worktree"),
                        ]
                    )
                ),
                Reply.sse(text_message_events("Done.")),
            ],
            **{
                prompt: [
                    Reply.sse(
                        tool_use_events(
                            [("toolu_w", "Write", {"file_path": name, "content": name})]
                        )
                    ),
                    Reply.sse(text_message_events(f"Report: {name}")),
                ]
                for prompt, name in ((one, "one.txt"), (two, "two.txt"))
            },
        }
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    kept = {}
    for result in results_in(router.seen[PARENT][1]):
        found = KEPT.search(text_of(result))
        assert found is not None
        kept[result["tool_use_id"]] = Path(found.group(1))
    assert kept["toolu_1"] != kept["toolu_2"]
    assert sorted(p.name for p in kept["toolu_1"].iterdir() if p.suffix == ".txt") == [
        "one.txt",
        "victim.txt",
    ]
    assert sorted(p.name for p in kept["toolu_2"].iterdir() if p.suffix == ".txt") == [
        "two.txt",
        "victim.txt",
    ]
    assert len(worktrees(workspace)) == 3


def test_deny_rules_from_settings_hold_in_the_worktree(config_home: Path, workspace: Path) -> None:
    repository(workspace)
    (workspace / "secret.txt").write_text("hunter2\n")
    git(workspace, "add", "secret.txt")
    git(workspace, "commit", "-q", "-m", "secret")
    (config_home / "settings.json").write_text(
        json.dumps({"permissions": {"deny": ["Read(./secret.txt)"]}})
    )
    prompt = "Read the secret."
    router = delegating(
        prompt,
        [
            ("toolu_r", "Read", {"file_path": "secret.txt"}),
            ("toolu_g", "Grep", {"pattern": "hunter"}),
        ],
        "Report: denied.",
        isolation="worktree",
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits")
    read, grep = results_in(router.seen[prompt][1])
    assert read["is_error"] is True
    assert "Read(./secret.txt)" in json.dumps(read)
    assert "hunter2" not in json.dumps(router.seen[prompt][1].body)
    assert "secret.txt" not in json.dumps(grep)
    assert worktrees(workspace) == [str(workspace)]


def test_a_worktree_subagents_hooks_run_in_its_worktree(
    config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """Its PostToolUse and SubagentStop hooks run from the worktree and say so in ``cwd``
    (a hook running the tests tests the subagent's work); ``CLAUDE_PROJECT_DIR`` still names
    the project, and the parent's own hooks still run in the workspace."""
    repository(workspace)
    logger, _ = write_scripts(tmp_path / "hooks")
    log = tmp_path / "hooks.log"
    logged = python_command(logger, str(log))
    settings = settings_with(
        hook("PostToolUse", logged, "Write"), hook("SubagentStop", logged), hook("Stop", logged)
    )
    prompt = "Add new.txt."
    router = delegating(
        prompt,
        [("toolu_w", "Write", {"file_path": "new.txt", "content": "made\n"})],
        "Report: done.",
        isolation="worktree",
    )
    run(router, workspace, config_home, "--permission-mode", "acceptEdits", "--settings", settings)
    found = KEPT.search(text_of(agent_result(router)).splitlines()[-1])
    assert found is not None
    worktree = found.group(1)
    entries = {entry["hook_event_name"]: entry for entry in read_log(log)}
    for event in ("PostToolUse", "SubagentStop"):
        assert entries[event]["cwd"] == worktree, event
        assert entries[event]["_cwd"] == worktree, event
        assert entries[event]["_env_project_dir"] == str(workspace), event
    assert entries["Stop"]["cwd"] == str(workspace)
    assert entries["Stop"]["_cwd"] == str(workspace)
