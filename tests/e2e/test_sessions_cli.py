"""Sessions through the command line: saved by -p, resumed by --continue and --resume,
listed by ``hexclaw sessions``, cleaned up at startup, and kept valid across SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from domain.sessions.log import FORMAT_VERSION, decode_log, encode_entry, project_slug
from tests.e2e.live_process import Reader, held_after_first_delta, one_error_line, running_hexclaw
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.api_rules import api_problems
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw

DAY = 86_400


def session_files(config_home: Path, workspace: Path) -> list[Path]:
    folder = config_home / "projects" / project_slug(str(workspace))
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def logged(path: Path) -> list[dict[str, Any]]:
    return [e for e in decode_log(path.read_bytes(), str(path)).entries if e["type"] == "message"]


def texts(path: Path) -> list[str]:
    return [b["text"] for e in logged(path) for b in e["message"]["content"] if b["type"] == "text"]


def ask_json(env: dict[str, str], workspace: Path, *args: str) -> dict[str, Any]:
    done = run_hexclaw(["-p", *args, "--output-format", "json"], env, workspace)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_print_run_is_saved_under_its_session_id(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("Saved answer.")))
    env = hexclaw_env(anthropic_server.url, config_home)
    result = ask_json(env, workspace, "remember this")
    [path] = session_files(config_home, workspace)
    assert path.stem == result["session_id"]
    assert texts(path) == ["remember this", "Saved answer."]


def test_continue_sends_the_saved_conversation_and_keeps_the_session(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events("First answer.")),
        Reply.sse(text_message_events("Second answer.")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    first = ask_json(env, workspace, "first question")
    second = ask_json(env, workspace, "--continue", "second question")
    assert second["session_id"] == first["session_id"]
    sent = anthropic_server.requests[1].body["messages"]
    assert [(m["role"], m["content"][0]["text"]) for m in sent] == [
        ("user", "first question"),
        ("assistant", "First answer."),
        ("user", "second question"),
    ]
    [path] = session_files(config_home, workspace)
    assert texts(path) == ["first question", "First answer.", "second question", "Second answer."]


def test_resume_picks_the_named_session_not_the_newest(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    for answer in ("About cats.", "About dogs.", "Cats again."):
        anthropic_server.add(Reply.sse(text_message_events(answer)))
    env = hexclaw_env(anthropic_server.url, config_home)
    cats = ask_json(env, workspace, "tell me about cats")
    ask_json(env, workspace, "tell me about dogs")
    resumed = ask_json(env, workspace, "--resume", cats["session_id"], "and more cats")
    assert resumed["session_id"] == cats["session_id"]
    sent = anthropic_server.requests[2].body["messages"]
    assert sent[0]["content"][0]["text"] == "tell me about cats"
    assert len(sent) == 3


def test_a_missing_session_is_one_clear_line_and_exit_1(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "--resume", "0123abcd", "hello"], env, workspace)
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert "no session 0123abcd" in line
    assert "hexclaw sessions" in line
    assert anthropic_server.requests == []
    continued = run_hexclaw(["-p", "--continue", "hello"], env, workspace)
    assert continued.returncode == 1
    assert "no saved session to continue" in one_error_line(continued.stderr)
    bad = run_hexclaw(["-p", "--resume", "../../etc/passwd", "hello"], env, workspace)
    assert bad.returncode == 1
    assert "is not a session id" in one_error_line(bad.stderr)
    assert session_files(config_home, workspace) == []


def test_sessions_lists_id_start_first_prompt_and_count(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home, COLUMNS="120")
    empty = run_hexclaw(["sessions"], env, workspace)
    assert empty.returncode == 0
    assert empty.stdout == f"No saved sessions for {workspace}.\n"
    anthropic_server.add(
        Reply.sse(text_message_events("One.")),
        Reply.sse(text_message_events("Two.")),
        Reply.sse(text_message_events("Three.")),
    )
    older = ask_json(env, workspace, "the older session")
    newer = ask_json(env, workspace, "the newer\nsession prompt")
    ask_json(env, workspace, "--resume", newer["session_id"], "a follow-up")
    done = run_hexclaw(["sessions"], env, workspace)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ID", "STARTED", "MESSAGES", "FIRST", "PROMPT"]
    first, second = lines[1].split(maxsplit=4), lines[2].split(maxsplit=4)
    assert (first[0], first[3], first[4]) == (newer["session_id"], "4", "the newer session prompt")
    assert (second[0], second[3], second[4]) == (older["session_id"], "2", "the older session")
    assert time.strftime("%Y-%m-%d") in lines[1] or time.strftime("%Y-%m-%d") in lines[2]
    assert "hexclaw --resume ID" in lines[-1]


def test_no_session_persistence_writes_nothing(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("Not kept.")))
    env = hexclaw_env(anthropic_server.url, config_home)
    result = ask_json(env, workspace, "--no-session-persistence", "forget me")
    assert result["session_id"]
    assert session_files(config_home, workspace) == []


def test_old_sessions_are_deleted_at_startup_as_cleanup_period_days_says(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    for _ in range(4):
        anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    old = ask_json(env, workspace, "an old chat")["session_id"]
    [old_path] = session_files(config_home, workspace)
    then = time.time() - 40 * DAY
    os.utime(old_path, (then, then))
    settings = config_home / "settings.json"

    settings.write_text(json.dumps({"cleanupPeriodDays": 0}))
    ask_json(env, workspace, "hi")
    assert old_path.exists(), "0 turns cleanup off"

    settings.write_text(json.dumps({"cleanupPeriodDays": 60}))
    ask_json(env, workspace, "hi")
    assert old_path.exists()

    settings.write_text("{}")
    ask_json(env, workspace, "hi")
    remaining = [p.stem for p in session_files(config_home, workspace)]
    assert old not in remaining
    assert len(remaining) == 3


def test_a_newer_format_session_is_refused_and_left_unchanged(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    folder = config_home / "projects" / project_slug(str(workspace))
    folder.mkdir(parents=True)
    path = folder / "future-session.jsonl"
    data = encode_entry(
        {"type": "hexclaw-session", "format": FORMAT_VERSION + 1, "session_id": "future-session"}
    ) + encode_entry({"type": "hologram", "payload": "from later"})
    path.write_bytes(data)
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "--resume", "future-session", "hi"], env, workspace)
    assert done.returncode == 1
    assert "newer hexclaw" in one_error_line(done.stderr)
    assert path.read_bytes() == data
    listing = run_hexclaw(["sessions"], env, workspace)
    assert "future-session" in listing.stdout
    assert "newer format" in listing.stdout


def test_sigterm_mid_stream_keeps_the_partial_answer_and_the_session_continues(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    reply, gate = held_after_first_delta(text_message_events("Partial answer that never finishes"))
    anthropic_server.add(reply, Reply.sse(text_message_events("Picking up again.")))
    env = hexclaw_env(anthropic_server.url, config_home)
    with running_hexclaw(["-p", "write a long answer"], env, workspace, gate) as proc:
        Reader(proc).until(b"Partial ")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143  # 128 + SIGTERM; Ctrl-C would be 130
    assert one_error_line(err.decode()) == "hexclaw: interrupted"
    [path] = session_files(config_home, workspace)
    entries = logged(path)
    assert entries[-1]["interrupted"] is True
    assert entries[-1]["message"]["content"] == [{"type": "text", "text": "Partial "}]
    again = ask_json(env, workspace, "--continue", "go on")
    assert again["result"] == "Picking up again."
    sent = anthropic_server.requests[1].body["messages"]
    assert not api_problems(sent)
    assert sent[1] == {"role": "assistant", "content": [{"type": "text", "text": "Partial "}]}


def test_a_dropped_connection_keeps_the_partial_answer_marked_incomplete(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(
            text_message_events("Half of the answer and then nothing"),
            chunk_size=200,
            drop_after_chunks=3,
        ),
        Reply.sse(text_message_events("Recovered.")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "explain"], env, workspace)
    assert done.returncode == 1
    assert len(anthropic_server.requests) == 1  # text had arrived: never re-sent automatically
    [path] = session_files(config_home, workspace)
    last = logged(path)[-1]
    assert last["incomplete"] is True
    kept = last["message"]["content"][0]["text"]
    assert kept
    assert "Half of the answer and then nothing".startswith(kept)
    again = ask_json(env, workspace, "--continue", "try again")
    assert again["result"] == "Recovered."
    assert not api_problems(anthropic_server.requests[1].body["messages"])
