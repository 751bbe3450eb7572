"""Checkpoints and rewind through the real CLI: a scripted model changes files with Write,
Edit and Bash in two turns; ``hexclaw rewind`` puts every byte and mode back."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.e2e.test_repl_tmux import READY
from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw

TOOLS = ["--permission-mode", "acceptEdits", "--allowedTools", "Bash"]
BINARY = bytes(range(256)) * 8


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` with its bytes and permission bits."""
    found: dict[str, tuple[bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            found[str(path.relative_to(root))] = (
                path.read_bytes(),
                stat.S_IMODE(path.stat().st_mode),
            )
    return found


def first_turn(server: ScriptedAnthropicServer) -> None:
    server.add(
        Reply.sse(
            tool_use_events(
                [
                    ("toolu_1", "Write", {"file_path": "a.txt", "content": "created by Write\n"}),
                    ("toolu_2", "Read", {"file_path": "b.txt"}),
                ]
            )
        ),
        Reply.sse(
            tool_use_events(
                [
                    (
                        "toolu_3",
                        "Edit",
                        {"file_path": "b.txt", "old_string": "two", "new_string": "TWO"},
                    )
                ],
                message_id="msg_edit",
            )
        ),
        Reply.sse(text_message_events("turn one done")),
    )


BASH_TURN = (
    "printf 'appended\\n' >> b.txt && rm c.txt && mkdir -p sub/deeper && "
    "printf 'in a new folder\\n' > sub/deeper/n.txt && mv d.txt e.txt && "
    "printf '\\000\\001\\002' > bin.dat && chmod 600 a.txt"
)


def second_turn(server: ScriptedAnthropicServer) -> None:
    server.add(
        Reply.sse(tool_use_events([("toolu_4", "Bash", {"command": BASH_TURN})])),
        Reply.sse(text_message_events("turn two done")),
    )


@pytest.fixture
def project(workspace: Path) -> Path:
    (workspace / "b.txt").write_text("one\ntwo\nthree\n")
    (workspace / "c.txt").write_text("to be deleted\n")
    (workspace / "c.txt").chmod(0o755)
    (workspace / "d.txt").write_text("to be renamed\n")
    (workspace / "bin.dat").write_bytes(BINARY)
    return workspace


def rewind(env: dict[str, str], cwd: Path, *args: str) -> None:
    done = run_hexclaw(["rewind", *args], env, cwd)
    assert done.returncode == 0, done.stderr + done.stdout


def test_rewind_takes_back_write_edit_and_every_kind_of_bash_change(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, project: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    start = tree(project)
    first_turn(anthropic_server)
    done = run_hexclaw(["-p", "turn one", *TOOLS], env, project)
    assert done.returncode == 0, done.stderr
    after_one = tree(project)
    assert after_one["b.txt"][0] == b"one\nTWO\nthree\n"
    second_turn(anthropic_server)
    done = run_hexclaw(["-c", "-p", "turn two", *TOOLS], env, project)
    assert done.returncode == 0, done.stderr
    assert not (project / "c.txt").exists()
    assert (project / "sub/deeper/n.txt").exists()

    listing = run_hexclaw(["rewind", "--list"], env, project)
    assert listing.returncode == 0, listing.stderr
    assert "turn one" in listing.stdout
    assert "turn two" in listing.stdout
    assert "sub/deeper/n.txt (new)  +1 -0" in listing.stdout
    assert "c.txt (deleted)" in listing.stdout

    rewind(env, project, "2", "--code", "--yes")
    assert tree(project) == after_one
    rewind(env, project, "1", "--code", "--yes")
    assert tree(project) == start
    # Each rewind is a turn of its own (3 and 4): undoing the last one is rewinding to it.
    rewind(env, project, "4", "--code", "--yes")
    assert tree(project) == after_one
    # The store is in the config home, never in the workspace.
    assert (config_home / "file-history").is_dir()
    assert not any(".hexclaw" in p for p in tree(project))


def test_a_file_changed_by_hand_makes_rewind_refuse_unless_forced(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, project: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    first_turn(anthropic_server)
    assert run_hexclaw(["-p", "turn one", *TOOLS], env, project).returncode == 0
    (project / "b.txt").write_text("edited by hand afterwards\n")
    refused = run_hexclaw(["rewind", "1", "--code", "--yes"], env, project)
    assert refused.returncode == 1
    assert "b.txt" in refused.stderr
    assert "--force" in refused.stderr
    assert (project / "b.txt").read_text() == "edited by hand afterwards\n"
    assert (project / "a.txt").exists()
    rewind(env, project, "1", "--code", "--yes", "--force")
    assert (project / "b.txt").read_text() == "one\ntwo\nthree\n"
    assert not (project / "a.txt").exists()


def test_rewinding_the_conversation_continues_without_the_rewound_turns(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, project: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    first_turn(anthropic_server)
    assert run_hexclaw(["-p", "turn one", *TOOLS], env, project).returncode == 0
    second_turn(anthropic_server)
    assert run_hexclaw(["-c", "-p", "turn two", *TOOLS], env, project).returncode == 0
    rewind(env, project, "2", "--yes")  # --both is the default
    anthropic_server.add(Reply.sse(text_message_events("turn three done")))
    done = run_hexclaw(["-c", "-p", "turn three", *TOOLS], env, project)
    assert done.returncode == 0, done.stderr
    sent = json.dumps(anthropic_server.requests[-1].body["messages"])
    assert "turn one" in sent
    assert "turn two" not in sent
    assert "turn three" in sent
    assert not (project / "sub").exists() or not any((project / "sub").rglob("*.txt"))


def test_without_yes_and_without_a_terminal_nothing_changes(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, project: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    first_turn(anthropic_server)
    assert run_hexclaw(["-p", "turn one", *TOOLS], env, project).returncode == 0
    before = tree(project)
    done = run_hexclaw(["rewind", "1"], env, project)
    assert done.returncode == 1
    assert "restore  b.txt" in done.stdout
    assert "delete   a.txt" in done.stdout
    assert "--yes" in done.stderr
    assert tree(project) == before


def test_a_huge_file_is_named_not_kept_and_the_store_stays_bounded(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, project: Path
) -> None:
    huge = project / "huge.bin"
    with huge.open("wb") as handle:
        handle.truncate(2 << 30)  # 2 GiB, sparse
    (config_home / "settings.json").write_text(json.dumps({"checkpointMaxBytes": 3000}))
    env = hexclaw_env(anthropic_server.url, config_home)
    for turn in range(3):
        command = f"printf 'x' >> huge.bin && head -c 2000 /dev/urandom > noise{turn}.bin"
        anthropic_server.add(
            Reply.sse(tool_use_events([(f"toolu_{turn}", "Bash", {"command": command})])),
            Reply.sse(text_message_events("ok")),
        )
        flags = ["-c"] if turn else []
        done = run_hexclaw([*flags, "-p", f"turn {turn}", *TOOLS], env, project)
        assert done.returncode == 0, done.stderr
        assert "huge.bin is not kept" in done.stderr
    blobs = [p for p in (config_home / "file-history").rglob("*") if p.is_file()]
    stored = sum(p.stat().st_size for p in blobs if p.parent.parent.name == "blobs")
    assert stored <= 3000 + 2100  # the bound, plus the newest turn (never evicted)
    listing = run_hexclaw(["rewind", "--list"], env, project).stdout
    assert "huge.bin  not kept" in listing
    assert "removed: store full" in listing


def test_the_home_folder_is_never_snapshotted(
    anthropic_server: ScriptedAnthropicServer, config_home: Path
) -> None:
    home = config_home.parent
    env = hexclaw_env(anthropic_server.url, config_home)
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "true"})])),
        Reply.sse(text_message_events("ok")),
    )
    done = run_hexclaw(["-p", "hi", *TOOLS], env, home)
    assert done.returncode == 0, done.stderr
    assert "no checkpoints (rewind is off): the workspace is your home folder" in done.stderr
    assert not (config_home / "file-history").exists()
    assert os.environ.get("HOME") != str(home)


def test_the_repl_lists_previews_and_rewinds_files_and_conversation(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, project: Path
) -> None:
    first_turn(anthropic_server)
    anthropic_server.add(Reply.sse(text_message_events("after the rewind")))
    env = hexclaw_env(anthropic_server.url, config_home, HEXCLAW_MAX_RETRIES="0")
    start = tree(project)
    lines = [
        "turn one",
        "/rewind",
        "/rewind 1",  # a preview: nothing changes without --yes
        "/rewind 1 --yes",
        "what now",
        "/exit",
    ]
    done = run_hexclaw(TOOLS, env, project, stdin="\n".join(lines) + "\n", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1  " in done.stdout
    assert "a.txt (new)  +1 -0" in done.stdout
    assert "Nothing changed yet: /rewind 1 --yes applies it." in done.stdout
    assert "Files are as they were when turn 1 started." in done.stdout
    assert tree(project) == start
    last = json.dumps(anthropic_server.requests[-1].body["messages"])
    assert "what now" in last
    assert "turn one" not in last


@pytest.mark.tmux
@pytest.mark.timeout(60)
def test_esc_esc_at_an_empty_prompt_lists_the_turns_and_with_text_clears_the_line(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, project: Path
) -> None:
    first_turn(anthropic_server)
    env = hexclaw_env(anthropic_server.url, config_home, HEXCLAW_MAX_RETRIES="0")
    tmux = TmuxDriver(width=120, height=40)
    try:
        tmux.start([*HEXCLAW, *TOOLS], env, project)
        tmux.wait_for(READY, timeout=15)
        tmux.type("turn one")
        tmux.send("Enter")
        tmux.wait_for("turn one done", timeout=15)
        tmux.wait_for(READY, timeout=10)
        tmux.type("half a thought")
        tmux.wait_for("half a thought")
        tmux.send("Escape", "Escape")
        screen = tmux.wait_for(lambda shown: "half a thought" not in shown, timeout=5)
        assert "a.txt (new)" not in screen
        tmux.send("Escape", "Escape")
        screen = tmux.wait_for("a.txt (new)  +1 -0", timeout=10, history=200)
    finally:
        tmux.close()
    # The list only: nothing was rewound and no prompt reached the model.
    assert "turn one" in screen
    assert (project / "a.txt").read_text() == "created by Write\n"
    assert len(anthropic_server.requests) == 3


def bash_turn(server: ScriptedAnthropicServer, call_id: str, command: str) -> None:
    server.add(
        Reply.sse(tool_use_events([(call_id, "Bash", {"command": command})])),
        Reply.sse(text_message_events("done")),
    )


def test_rewind_does_not_write_through_a_folder_a_command_replaced_by_a_link(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    # Turn 1 writes d/git/config; turn 2 makes d a link to a folder outside (standing for
    # ~/.config). Rewinding turn 2 must not create outside/git/config.
    outside = tmp_path / "dot-config"
    outside.mkdir()
    env = hexclaw_env(anthropic_server.url, config_home)
    (workspace / "keep.txt").write_text("start\n")
    bash_turn(
        anthropic_server,
        "toolu_1",
        "mkdir -p d/git && printf '[core]\\n\\tfsmonitor = touch pwned\\n' > d/git/config"
        " && echo one > keep.txt",
    )
    assert run_hexclaw(["-p", "turn one", *TOOLS], env, workspace).returncode == 0
    bash_turn(anthropic_server, "toolu_2", f"rm -rf d && ln -s {outside} d && echo two > keep.txt")
    assert run_hexclaw(["-c", "-p", "turn two", *TOOLS], env, workspace).returncode == 0

    done = run_hexclaw(["rewind", "2", "--code", "--yes"], env, workspace)

    assert list(outside.iterdir()) == []
    assert done.returncode == 1, done.stderr + done.stdout
    assert "not restored: d/git/config (the folder d on its way is a symbolic link)" in done.stdout
    assert (workspace / "keep.txt").read_text() == "one\n"
    assert (workspace / "d").is_symlink()
