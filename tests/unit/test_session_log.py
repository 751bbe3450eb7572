"""The session log format: header, entries, torn lines, newer versions, replay."""

from __future__ import annotations

import json

import pytest

from domain.conversation.compaction_plan import compacted_messages
from domain.messages.content import ConversationMessage, TextBlock, ToolUseBlock, Usage
from domain.messages.wire import conversation_message_to_wire
from domain.sessions.errors import InvalidSessionId, NotASessionLog, SessionFormatTooNew
from domain.sessions.log import (
    FORMAT_VERSION,
    SessionHeader,
    check_session_id,
    conversation_from_log,
    decode_log,
    encode_entry,
    format_version_of,
    header_entry,
    message_entry,
    project_slug,
    summarize,
    turn_end_entry,
)
from domain.sessions.retention import cleanup_days, is_expired
from tests.fakes.api_rules import api_problems

HEADER = SessionHeader(
    session_id="s-1", cwd="/home/ada/proj", started_at="2025-03-01T10:00:00Z", version="0.1.0"
)


def log_bytes(*entries: dict[str, object]) -> bytes:
    return encode_entry(header_entry(HEADER)) + b"".join(encode_entry(e) for e in entries)


def user(text: str) -> dict[str, object]:
    return message_entry(ConversationMessage.user_text(text))


def answer(text: str, output_tokens: int = 5) -> dict[str, object]:
    return message_entry(
        ConversationMessage(role="assistant", content=[TextBlock(text)]),
        model="claude-sonnet-4-5",
        stop_reason="end_turn",
        usage=Usage(input_tokens=10, output_tokens=output_tokens),
    )


def test_an_entry_is_one_line_even_with_newlines_inside() -> None:
    line = encode_entry(user("two\nlines\r\nand a \u2028 separator"))
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert (
        json.loads(line)["message"]["content"][0]["text"] == "two\nlines\r\nand a \u2028 separator"
    )


def test_a_log_round_trips_to_the_same_conversation_and_usage() -> None:
    log = decode_log(
        log_bytes(
            user("hi"),
            answer("hello", 5),
            turn_end_entry("success", 1, Usage()),
            user("more"),
            answer("sure", 7),
        ),
        "s-1.jsonl",
    )
    assert log.header == HEADER
    assert log.warnings == []
    conversation = conversation_from_log(log)
    assert [conversation_message_to_wire(m) for m in conversation.messages] == [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
        {"role": "user", "content": [{"type": "text", "text": "more"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "sure"}]},
    ]
    assert (conversation.usage.input_tokens, conversation.usage.output_tokens) == (20, 12)
    assert conversation.last_call_usage == Usage(input_tokens=10, output_tokens=7)


def test_a_torn_last_line_is_skipped_with_a_warning() -> None:
    whole = log_bytes(user("hi"), answer("hello"))
    torn = whole + encode_entry(user("this one was being written"))[:17]
    log = decode_log(torn, "s-1.jsonl")
    assert len(log.entries) == 2
    assert len(log.warnings) == 1
    assert "s-1.jsonl" in log.warnings[0]
    assert "last line was cut off" in log.warnings[0]


def test_a_torn_multibyte_character_is_a_torn_line_not_a_crash() -> None:
    line = encode_entry(user("naïve café ☕"))
    cut = line.index("☕".encode()) + 1
    log = decode_log(log_bytes(user("hi")) + line[:cut], "s.jsonl")
    assert len(log.entries) == 1
    assert log.warnings


def test_a_complete_last_line_missing_only_its_newline_is_kept() -> None:
    data = log_bytes(user("hi")) + encode_entry(answer("hello")).rstrip(b"\n")
    log = decode_log(data, "s.jsonl")
    assert len(log.entries) == 2
    assert log.warnings == []


def test_a_damaged_middle_line_is_skipped_and_named() -> None:
    data = log_bytes(user("hi")) + b"{not json\n" + encode_entry(answer("hello"))
    log = decode_log(data, "s.jsonl")
    assert len(log.entries) == 2
    assert log.warnings == ["s.jsonl: line 3 is damaged; skipped it"]


def test_a_newer_format_is_refused_with_a_clear_error() -> None:
    newer = dict(header_entry(HEADER), format=FORMAT_VERSION + 1)
    with pytest.raises(SessionFormatTooNew) as caught:
        decode_log(encode_entry(newer) + encode_entry(user("hi")), "s-1.jsonl")
    message = str(caught.value)
    assert "s-1.jsonl" in message
    assert f"format {FORMAT_VERSION + 1}" in message
    assert "upgrade hexclaw" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b'{"type": "summary", "summary": "a Claude Code transcript"}\n',
        b'{"type": "hexclaw-session", "format": "one"}\n',
        b'{"type": "hexclaw-se',
    ],
)
def test_files_that_are_not_hexclaw_sessions_are_refused(data: bytes) -> None:
    with pytest.raises(NotASessionLog):
        decode_log(data, "x.jsonl")


def test_format_version_of_reads_only_a_hexclaw_header() -> None:
    assert format_version_of(encode_entry(header_entry(HEADER))) == FORMAT_VERSION
    assert format_version_of(b'{"type": "user"}') is None
    assert format_version_of(b"garbage") is None


def test_a_log_cut_after_a_tool_call_replays_to_a_conversation_the_api_accepts() -> None:
    call = message_entry(
        ConversationMessage(
            role="assistant",
            content=[TextBlock("running"), ToolUseBlock(id="toolu_1", name="Bash", input={})],
        )
    )
    conversation = conversation_from_log(decode_log(log_bytes(user("go"), call), "s.jsonl"))
    assert not api_problems([conversation_message_to_wire(m) for m in conversation.messages])
    assert conversation.messages[-1].role == "user"


def test_unknown_entry_types_and_keys_are_ignored() -> None:
    data = log_bytes(
        user("hi"),
        {"type": "future_event", "anything": [1, 2]},
        dict(answer("hello"), extra_key="kept aside"),
    )
    conversation = conversation_from_log(decode_log(data, "s.jsonl"))
    assert [m.role for m in conversation.messages] == ["user", "assistant"]


def test_summary_names_the_first_prompt_and_counts_messages() -> None:
    log = decode_log(
        log_bytes(user("  fix the flaky test\nplease "), answer("ok"), user("thanks")), "s"
    )
    summary = summarize(log)
    assert summary.session_id == "s-1"
    assert summary.started_at == "2025-03-01T10:00:00Z"
    assert summary.first_prompt == "fix the flaky test\nplease"
    assert summary.message_count == 3


@pytest.mark.parametrize("good", ["3f2a9c1e-0b7d-4e2a-9d55-0c6f1e2a3b4c", "abc", "A_b-9"])
def test_session_ids_that_name_files_safely_are_accepted(good: str) -> None:
    assert check_session_id(good) == good


@pytest.mark.parametrize("bad", ["", "../etc/passwd", "a/b", ".hidden", "-rf", "x" * 200, "a b"])
def test_session_ids_that_could_escape_the_folder_are_refused(bad: str) -> None:
    with pytest.raises(InvalidSessionId):
        check_session_id(bad)


def test_project_slug_follows_claude_codes_naming() -> None:
    assert project_slug("/home/ada/my_proj.v2") == "-home-ada-my-proj-v2"


def test_a_very_long_path_gets_a_bounded_unique_slug() -> None:
    a = project_slug("/x" * 300 + "/a")
    b = project_slug("/x" * 300 + "/b")
    assert a != b
    assert len(a) <= 180


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 30.0),
        (7, 7.0),
        (0.5, 1.0),
        (1e9, 36_500.0),
        (0, None),
        (-1, None),
        ("30", None),
        (True, None),
    ],
)
def test_cleanup_period_days(value: object, expected: float | None) -> None:
    days, problem = cleanup_days(value)
    assert days == expected
    # Under a day is raised to a day, with a note; above a century is a century.
    assert (problem is None) == (value is None or value in (7, 1e9, 0))


def test_a_session_expires_only_after_the_whole_period() -> None:
    now = 1_000_000_000.0
    assert not is_expired(now - 30 * 86_400, now, 30)
    assert is_expired(now - 30 * 86_400 - 1, now, 30)


def test_a_logged_compaction_is_applied_where_it_happened_on_resume() -> None:
    before = [user("one"), answer("first"), user("two"), answer("second")]
    compaction = {
        "type": "compaction",
        "trigger": "manual",
        "summary": "We counted to two.",
        "summarized_messages": 2,
        "kept_messages": 2,
        "usage": {"input_tokens": 100, "output_tokens": 30},
    }
    after = [user("three"), answer("third")]
    conversation = conversation_from_log(
        decode_log(log_bytes(*before, compaction, *after), "s.jsonl")
    )
    kept = [
        ConversationMessage.user_text("two"),
        ConversationMessage(role="assistant", content=[TextBlock("second")]),
    ]
    expected = [
        *compacted_messages("We counted to two.", kept),
        ConversationMessage.user_text("three"),
        ConversationMessage(role="assistant", content=[TextBlock("third")]),
    ]
    wire = [conversation_message_to_wire(m) for m in conversation.messages]
    assert wire == [conversation_message_to_wire(m) for m in expected]
    assert not api_problems(wire)
    # The summary call cost tokens too; the three answers cost 10 in and 5 out each.
    assert (conversation.usage.input_tokens, conversation.usage.output_tokens) == (130, 45)
