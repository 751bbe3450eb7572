"""The session store against real files: layout, durability, listing, resuming, cleanup,
and a child process killed with SIGKILL while it writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adapters.files.session_store import ConflictingSessionFlags, SessionStore
from adapters.system.clock import SystemClock
from domain.messages.content import ConversationMessage, TextBlock, ToolUseBlock
from domain.messages.wire import conversation_message_to_wire
from domain.sessions.errors import (
    AmbiguousSessionId,
    InvalidSessionId,
    NoSessionToContinue,
    NotASessionLog,
    SessionFormatTooNew,
    SessionNotFound,
)
from domain.sessions.log import (
    FORMAT_VERSION,
    decode_log,
    encode_entry,
    header_entry,
    message_entry,
    project_slug,
)
from tests.fakes.api_rules import api_problems
from tests.fakes.memory_recorder import MemoryRecorder
from tests.support import ROOT

DAY = 86_400


@pytest.fixture
def store(config_home: Path) -> SessionStore:
    return SessionStore(config_home, SystemClock())


def user(text: str) -> dict[str, object]:
    return message_entry(ConversationMessage.user_text(text))


def assistant(text: str) -> dict[str, object]:
    return message_entry(ConversationMessage(role="assistant", content=[TextBlock(text)]))


def new_session(store: SessionStore, workspace: Path, *entries: dict[str, object]) -> str:
    started = store.start(workspace)
    assert started.recorder is not None
    for entry in entries:
        started.recorder.append(entry)
    started.recorder.close()
    return started.session_id


def age(path: Path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_a_session_is_a_jsonl_file_under_the_project_folder(
    store: SessionStore, config_home: Path, workspace: Path
) -> None:
    session_id = new_session(store, workspace, user("hi"), assistant("hello"))
    path = config_home / "projects" / project_slug(str(workspace)) / f"{session_id}.jsonl"
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert len(lines) == 4  # header, two entries, and the empty split after the last newline
    log = decode_log(path.read_bytes(), str(path))
    assert (log.header.session_id, log.header.cwd, log.header.format) == (
        session_id,
        str(workspace),
        FORMAT_VERSION,
    )
    assert log.header.started_at.endswith("Z")
    assert [e["message"]["content"][0]["text"] for e in log.entries] == ["hi", "hello"]
    assert all("timestamp" in e for e in log.entries)
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_nothing_is_written_until_the_first_entry(store: SessionStore, workspace: Path) -> None:
    started = store.start(workspace)
    assert not started.path.exists()
    assert store.list_sessions(workspace) == []


def test_without_persistence_there_is_no_recorder(store: SessionStore, workspace: Path) -> None:
    started = store.start(workspace, persist=False)
    assert started.recorder is None
    assert started.session_id


def test_the_real_store_and_the_memory_fake_write_the_same_entries(
    store: SessionStore, workspace: Path
) -> None:
    entries: list[dict[str, object]] = [
        user("hi"),
        assistant("hello"),
        {"type": "turn_end", "subtype": "success"},
    ]
    session_id = new_session(store, workspace, *entries)
    fake = MemoryRecorder()
    for entry in entries:
        fake.append(entry)
    real = store.load(workspace, session_id).log.entries
    assert [{k: v for k, v in e.items() if k != "timestamp"} for e in real] == fake.entries


def test_continue_resumes_the_most_recently_written_session(
    store: SessionStore, workspace: Path
) -> None:
    older = new_session(store, workspace, user("older"))
    newer = new_session(store, workspace, user("newer"))
    age(store.folder(workspace) / f"{newer}.jsonl", 2)
    age(store.folder(workspace) / f"{older}.jsonl", 1)
    started = store.start(workspace, continue_latest=True)
    assert started.session_id == older
    assert started.conversation is not None
    assert started.conversation.messages[0].content == [TextBlock("older")]
    assert started.recorder is not None
    started.recorder.append(user("again"))
    entries = store.load(workspace, older).log.entries
    assert [e["message"]["content"][0]["text"] for e in entries] == ["older", "again"]


def test_continue_with_no_session_is_a_clear_error(store: SessionStore, workspace: Path) -> None:
    with pytest.raises(NoSessionToContinue, match="no saved session to continue"):
        store.start(workspace, continue_latest=True)


def test_resume_takes_an_id_or_a_unique_prefix(store: SessionStore, workspace: Path) -> None:
    first = new_session(store, workspace, user("one"))
    assert store.start(workspace, resume=first).session_id == first
    assert store.start(workspace, resume=first[:8]).session_id == first


def test_resume_errors_are_clear(store: SessionStore, workspace: Path) -> None:
    folder = store.folder(workspace)
    folder.mkdir(parents=True)
    for name in ("abc-1", "abc-2"):
        (folder / f"{name}.jsonl").write_bytes(b"")
    with pytest.raises(SessionNotFound, match="no session nope"):
        store.start(workspace, resume="nope")
    with pytest.raises(AmbiguousSessionId, match="matches 2 sessions"):
        store.start(workspace, resume="abc")
    with pytest.raises(InvalidSessionId):
        store.start(workspace, resume="../../etc/passwd")
    with pytest.raises(ConflictingSessionFlags):
        store.start(workspace, resume="abc-1", continue_latest=True)


def test_a_newer_format_is_refused_and_left_byte_for_byte(
    store: SessionStore, workspace: Path
) -> None:
    session_id = new_session(store, workspace, user("from the future"))
    path = store.folder(workspace) / f"{session_id}.jsonl"
    header = decode_log(path.read_bytes(), "x").header
    newer = dict(header_entry(header), format=FORMAT_VERSION + 1)
    data = encode_entry(newer) + encode_entry(user("from the future"))
    path.write_bytes(data)
    with pytest.raises(SessionFormatTooNew):
        store.start(workspace, resume=session_id)
    with pytest.raises(SessionFormatTooNew):
        store.start(workspace, continue_latest=True)
    assert path.read_bytes() == data
    [listed] = store.list_sessions(workspace)
    assert listed.problem == f"newer format {FORMAT_VERSION + 1}"


def test_listing_summarises_and_skips_other_programs_files(
    store: SessionStore, workspace: Path
) -> None:
    session_id = new_session(
        store, workspace, user("fix the build"), assistant("done"), user("thanks")
    )
    folder = store.folder(workspace)
    (folder / "claude-code-transcript.jsonl").write_text('{"type":"summary"}\n')
    (folder / "notes.txt").write_text("not a log")
    [listed] = store.list_sessions(workspace)
    assert listed.session_id == session_id
    assert listed.summary is not None
    assert (listed.summary.first_prompt, listed.summary.message_count) == ("fix the build", 3)


def test_a_folder_whose_path_maps_to_the_same_name_is_not_listed(
    store: SessionStore, tmp_path: Path
) -> None:
    one, other = tmp_path / "a_b", tmp_path / "a-b"
    one.mkdir()
    other.mkdir()
    assert store.folder(one) == store.folder(other)
    new_session(store, one, user("in a_b"))
    assert store.list_sessions(other) == []
    assert len(store.list_sessions(one)) == 1


def test_cleanup_deletes_only_old_hexclaw_logs(
    store: SessionStore, workspace: Path, tmp_path: Path
) -> None:
    old = new_session(store, workspace, user("old"))
    recent = new_session(store, workspace, user("recent"))
    kept_old = new_session(store, workspace, user("resumed now"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    old_elsewhere = new_session(store, elsewhere, user("old, other project"))
    folder = store.folder(workspace)
    foreign = folder / "claude-code.jsonl"
    foreign.write_text('{"type":"summary"}\n')
    future = folder / "future.jsonl"
    future.write_bytes(encode_entry({"type": "hexclaw-session", "format": FORMAT_VERSION + 1}))
    for path in (
        folder / f"{old}.jsonl",
        folder / f"{kept_old}.jsonl",
        store.folder(elsewhere) / f"{old_elsewhere}.jsonl",
        foreign,
        future,
    ):
        age(path, 31)
    age(folder / f"{recent}.jsonl", 29)
    deleted = store.cleanup(30, keep=[folder / f"{kept_old}.jsonl"])
    assert sorted(p.stem for p in deleted) == sorted([old, old_elsewhere])
    remaining = sorted(p.name for p in folder.iterdir())
    assert remaining == sorted(
        [f"{recent}.jsonl", f"{kept_old}.jsonl", "claude-code.jsonl", "future.jsonl"]
    )


def test_cleanup_with_no_sessions_yet_does_nothing(store: SessionStore) -> None:
    assert store.cleanup(30) == []


def test_appending_after_a_torn_line_starts_a_fresh_line(
    store: SessionStore, workspace: Path
) -> None:
    session_id = new_session(store, workspace, user("one"), assistant("two"))
    path = store.folder(workspace) / f"{session_id}.jsonl"
    with path.open("ab") as handle:
        handle.write(encode_entry(user("three"))[:20])
    torn = store.load(workspace, session_id)
    assert len(torn.log.entries) == 2
    assert any("last line was cut off" in w for w in torn.warnings)
    started = store.start(workspace, resume=session_id)
    assert started.recorder is not None
    started.recorder.append(user("four"))
    again = store.load(workspace, session_id)
    texts = [e["message"]["content"][0]["text"] for e in again.log.entries]
    assert texts == ["one", "two", "four"]
    assert any("damaged" in w for w in again.warnings)


def test_a_session_killed_after_a_tool_call_resumes_as_a_valid_conversation(
    store: SessionStore, workspace: Path
) -> None:
    call = message_entry(
        ConversationMessage(
            role="assistant",
            content=[ToolUseBlock(id="toolu_1", name="Bash", input={"command": "sleep 100"})],
        )
    )
    session_id = new_session(store, workspace, user("go"), call)
    started = store.start(workspace, resume=session_id)
    assert started.conversation is not None
    sent = [conversation_message_to_wire(m) for m in started.conversation.messages]
    assert not api_problems(sent)


def test_a_file_that_is_not_a_session_cannot_be_resumed(
    store: SessionStore, workspace: Path
) -> None:
    folder = store.folder(workspace)
    folder.mkdir(parents=True)
    (folder / "abc.jsonl").write_text('{"type":"summary"}\n')
    with pytest.raises(NotASessionLog):
        store.start(workspace, resume="abc")


CHILD = """
import sys
from pathlib import Path
from adapters.files.session_store import SessionStore
from adapters.system.clock import SystemClock

store = SessionStore(Path(sys.argv[1]), SystemClock())
started = store.start(Path(sys.argv[2]))
print(started.session_id, flush=True)
filler = "x" * int(sys.argv[3])
number = 0
while True:
    role = "user" if number % 2 == 0 else "assistant"
    text = f"{number}:{filler}"
    started.recorder.append(
        {"type": "message", "message": {"role": role, "content": [{"type": "text", "text": text}]}}
    )
    number += 1
"""


def start_writer(
    config_home: Path, workspace: Path, tmp_path: Path, filler: int
) -> tuple[subprocess.Popen[str], Path]:
    script = tmp_path / "writer.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), str(config_home), str(workspace), str(filler)],
        stdout=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        text=True,
    )
    assert child.stdout is not None
    session_id = child.stdout.readline().strip()
    store = SessionStore(config_home, SystemClock())
    return child, store.folder(workspace) / f"{session_id}.jsonl"


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    if child.stdout is not None:
        child.stdout.close()


def last_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return b""
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)


def check_killed_log(path: Path, workspace: Path, config_home: Path, filler: int) -> bool:
    """Every complete line is intact, at most the last is torn, and the session resumes."""
    data = path.read_bytes()
    log = decode_log(data, str(path))
    for number, entry in enumerate(log.entries):
        text = entry["message"]["content"][0]["text"]
        assert text == f"{number}:" + "x" * filler, f"entry {number} is not what was written"
    torn = not data.endswith(b"\n")
    assert len(log.warnings) == (1 if torn else 0)
    store = SessionStore(config_home, SystemClock())
    started = store.start(workspace, resume=path.stem, persist=False)
    assert started.conversation is not None
    sent = [conversation_message_to_wire(m) for m in started.conversation.messages]
    assert not api_problems(sent)
    return torn


def test_a_child_killed_at_any_moment_keeps_every_complete_line(
    config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    child, path = start_writer(config_home, workspace, tmp_path, 200)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not path.exists() or path.stat().st_size < 5000):
            time.sleep(0.005)
    finally:
        kill(child)
    check_killed_log(path, workspace, config_home, 200)


def test_a_child_killed_in_the_middle_of_a_write_loses_only_that_line(
    config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """Lines of 4 MB take a while to write: kill while the file does not end in a newline."""
    filler = 4_000_000
    seen_torn = False
    for attempt in range(3):
        run = tmp_path / f"attempt{attempt}"
        home, ws = run / "home", run / "ws"
        ws.mkdir(parents=True)
        home.mkdir()
        child, path = start_writer(home, ws, run, filler)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if path.exists() and path.stat().st_size > filler and last_byte(path) != b"\n":
                    break
        finally:
            kill(child)
        seen_torn = check_killed_log(path, ws, home, filler)
        if seen_torn:
            break
    assert seen_torn, "three kills in the middle of a 4 MB write all missed it"


def test_cleanup_takes_an_old_sessions_subagent_transcripts_with_it(
    store: SessionStore, workspace: Path
) -> None:
    old = new_session(store, workspace, user("old"))
    recent = new_session(store, workspace, user("recent"))
    folder = store.folder(workspace)
    for session in (old, recent):
        transcripts = folder / session / "subagents"
        transcripts.mkdir(parents=True)
        (transcripts / "agent-1.jsonl").write_text("{}\n")
    age(folder / f"{old}.jsonl", 31)
    store.cleanup(30)
    assert not (folder / old).exists()
    assert (folder / recent / "subagents" / "agent-1.jsonl").exists()
    # A session's folder of transcripts is never listed as a session.
    assert [s.session_id for s in store.list_sessions(workspace)] == [recent]
