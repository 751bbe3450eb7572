"""A command that replaces a workspace folder by a symlink to one outside must not make the
checkpoints read, write or delete outside the workspace: real Bash calls over a real folder,
recorded and rewound by the real recorder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.checkpoints.recorder import CheckpointingTools, CheckpointRecorder
from adapters.checkpoints.rewinder import Rewinder
from adapters.checkpoints.workspace_files import delete_file, state_of, write_file
from adapters.checkpoints.workspace_scan import scan
from adapters.files.confined_open import LinkOnTheWay
from adapters.system.clock import SystemClock
from domain.tools.calls import ToolCall
from tests.integration.tool_harness import Harness
from tests.support import run_git


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the workspace, standing for ``~/.config``."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


class Session:
    def __init__(self, workspace: Path, history: Path) -> None:
        self.harness = Harness(workspace)
        self.recorder = CheckpointRecorder(workspace, history, SystemClock(), 1 << 30, 1 << 20)
        self.tools = CheckpointingTools(self.harness.registry, self.recorder)
        self.calls = 0

    def turn(self, command: str) -> None:
        self.recorder.begin_turn(command, 0)
        self.calls += 1
        outcome = self.tools.run(ToolCall(f"toolu_{self.calls}", "Bash", {"command": command}))
        assert not outcome.is_error, outcome


@pytest.fixture
def session(workspace: Path, tmp_path: Path) -> Iterator[Session]:
    made = Session(workspace, tmp_path / "history")
    yield made
    made.harness.close()


def everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_folder_replaced_by_a_link_is_not_written_through(
    session: Session, workspace: Path, outside: Path
) -> None:
    (workspace / "keep.txt").write_text("start\n")
    session.turn("mkdir -p d/git && printf '[core]\\n' > d/git/config && echo one > keep.txt")
    session.turn(f"rm -rf d && ln -s {outside} d && echo two > keep.txt")

    restored = Rewinder(session.recorder).restore(2)

    assert everything(outside) == []
    assert (workspace / "d").is_symlink()
    assert (workspace / "keep.txt").read_text() == "one\n"
    [left] = restored.not_restored
    assert left.path == "d/git/config"
    assert "the folder d on its way is a symbolic link" in left.line()
    assert left.line().startswith("not restored: d/git/config")


def test_a_deeper_folder_replaced_by_a_link_is_not_written_through(
    session: Session, workspace: Path, outside: Path
) -> None:
    session.turn("mkdir -p a/b && echo c > a/b/c.txt && echo x > a/x.txt")
    session.turn(f"rm -rf a/b && ln -s {outside} a/b && echo changed > a/x.txt")

    restored = Rewinder(session.recorder).restore(2)

    assert everything(outside) == []
    assert (workspace / "a/x.txt").read_text() == "x\n"
    assert [(n.path, n.reason) for n in restored.not_restored] == [
        ("a/b/c.txt", "the folder a/b on its way is a symbolic link")
    ]


def test_a_file_made_after_the_checkpoint_is_not_deleted_through_a_link(
    session: Session, workspace: Path, outside: Path
) -> None:
    # The rewind to turn 1 deletes d/new.txt, which turn 1 created; by then d leads outside,
    # where a file of that name is the user's own.
    session.turn("mkdir d && echo new > d/new.txt")
    session.turn(f"rm -rf d && ln -s {outside} d")
    (outside / "new.txt").write_text("the user's own\n")

    restored = Rewinder(session.recorder).restore(1, force=True)

    assert (outside / "new.txt").read_text() == "the user's own\n"
    assert restored.not_restored == ()
    # Reached directly, the deletion refuses too.
    with pytest.raises(LinkOnTheWay):
        delete_file(workspace, "d/new.txt")
    assert (outside / "new.txt").read_text() == "the user's own\n"


def test_the_files_own_helpers_refuse_a_linked_folder(workspace: Path, outside: Path) -> None:
    (outside / "f.txt").write_text("outside\n")
    (workspace / "d").symlink_to(outside)
    assert state_of(workspace, "d/f.txt") is None
    with pytest.raises(LinkOnTheWay):
        write_file(workspace, "d/sub/g.txt", b"payload", 0o644)
    assert everything(outside) == ["f.txt"]
    # Missing folders of a path are made as real folders.
    write_file(workspace, "e/f/g.txt", b"real", 0o600)
    assert (workspace / "e/f/g.txt").read_bytes() == b"real"
    assert not (workspace / "e").is_symlink()


def test_the_workspace_itself_may_be_a_link(tmp_path: Path, workspace: Path, outside: Path) -> None:
    linked = tmp_path / "linked-workspace"
    linked.symlink_to(workspace)
    session = Session(linked, tmp_path / "history")
    try:
        session.turn("mkdir -p s && echo one > s/f.txt")
        session.turn("echo two > s/f.txt")
        restored = Rewinder(session.recorder).restore(2)
    finally:
        session.harness.close()
    assert restored.not_restored == ()
    assert (workspace / "s/f.txt").read_text() == "one\n"


def test_the_turn_list_does_not_read_through_a_link(
    session: Session, workspace: Path, outside: Path
) -> None:
    session.turn("mkdir d && echo mine > d/f.txt")
    (workspace / "d/f.txt").unlink()
    (workspace / "d").rmdir()
    (workspace / "d").symlink_to(outside)
    (outside / "f.txt").write_text("outside\nsecret\n")
    turns = session.recorder.turns()
    [summary] = Rewinder(session.recorder).summaries(turns[0], turns)
    assert summary.deleted
    assert summary.added == 0


def test_a_scan_does_not_follow_a_tracked_folder_replaced_by_a_link(
    workspace: Path, outside: Path
) -> None:
    # git's index still lists d/f.txt once d is a link: the scan must not stat it outside.
    run_git(workspace, "init", "-q")
    (workspace / "d").mkdir()
    (workspace / "d/f.txt").write_text("tracked\n")
    (workspace / "top.txt").write_text("top\n")
    run_git(workspace, "add", ".")
    run_git(workspace, "commit", "-q", "-m", "start")
    (workspace / "d/f.txt").unlink()
    (workspace / "d").rmdir()
    (outside / "f.txt").write_text("outside\n")
    (workspace / "d").symlink_to(outside)
    assert sorted(scan(workspace)) == ["top.txt"]
