"""The session log's entries byte for byte, its refusals word for word, and the entries that
rewrite the conversation (rewind, retraction): behaviours a mutation run found no test
pinning down."""

from __future__ import annotations

import json
import re

import pytest

from domain.messages.content import ConversationMessage, TextBlock, Usage
from domain.sessions.errors import InvalidSessionId, NotASessionLog, SessionFormatTooNew
from domain.sessions.log import (
    FORMAT_VERSION,
    HEADER_TYPE,
    SessionHeader,
    check_session_id,
    conversation_from_log,
    decode_log,
    encode_entry,
    format_version_of,
    header_entry,
    message_entry,
    permission_entry,
    project_slug,
    retracted_entry,
    rewound_entry,
    summarize,
    turn_end_entry,
)

HEADER = SessionHeader("s1", "/w", "2026-01-01T00:00:00Z", "0.1.0")


def user(text: str) -> ConversationMessage:
    return ConversationMessage("user", [TextBlock(text=text)])


def assistant(text: str) -> ConversationMessage:
    return ConversationMessage("assistant", [TextBlock(text=text)])


def log_bytes(*entries: dict[str, object]) -> bytes:
    return b"".join(encode_entry(e) for e in [header_entry(HEADER), *entries])


def test_a_message_entry_keeps_what_the_api_said_of_it() -> None:
    entry = message_entry(
        assistant("hi"),
        model="m",
        message_id="msg_1",
        stop_reason="end_turn",
        usage=Usage(input_tokens=1, output_tokens=2),
        incomplete=True,
        interrupted=True,
    )
    assert {k: v for k, v in entry.items() if k not in ("message", "usage")} == {
        "type": "message",
        "model": "m",
        "id": "msg_1",
        "stop_reason": "end_turn",
        "incomplete": True,
        "interrupted": True,
    }
    assert entry["usage"]["output_tokens"] == 2
    assert set(message_entry(user("q"))) == {"type", "message"}


def test_a_turn_end_and_a_permission_entry_name_every_field() -> None:
    turn = turn_end_entry("success", 3, Usage(input_tokens=4))
    assert {k: v for k, v in turn.items() if k != "usage"} == {
        "type": "turn_end",
        "subtype": "success",
        "model_calls": 3,
    }
    assert turn["usage"]["input_tokens"] == 4
    assert permission_entry("toolu_1", "Bash", "deny", "a rule", "rules") == {
        "type": "permission",
        "tool_use_id": "toolu_1",
        "tool_name": "Bash",
        "decision": "deny",
        "reason": "a rule",
        "decided_by": "rules",
    }
    assert rewound_entry(2, 1) == {"type": "rewind", "messages": 2, "turn": 1}


def test_an_entry_is_one_compact_line_of_utf8() -> None:
    assert encode_entry({"a": "é\n", "b": [1, 2]}) == '{"a":"é\\n","b":[1,2]}\n'.encode()


def test_a_rewind_cuts_the_conversation_back_to_the_messages_it_names() -> None:
    data = log_bytes(
        message_entry(user("one")),
        message_entry(assistant("two")),
        message_entry(user("three")),
        message_entry(assistant("four")),
        rewound_entry(2, 1),
    )
    conversation = conversation_from_log(decode_log(data, "s.jsonl"))
    assert [m.content[0].text for m in conversation.messages] == ["one", "two"]  # type: ignore[union-attr]


@pytest.mark.parametrize("bad", [-1, True, "2", None])
def test_a_rewind_with_a_count_that_is_not_a_count_is_ignored(bad: object) -> None:
    data = log_bytes(
        message_entry(user("one")),
        message_entry(assistant("two")),
        {"type": "rewind", "messages": bad},
    )
    assert len(conversation_from_log(decode_log(data, "s.jsonl")).messages) == 2


def test_an_entry_of_another_kind_holding_a_message_is_not_a_message() -> None:
    data = log_bytes(
        message_entry(user("one")), {"type": "note", "message": {"role": "user", "content": "x"}}
    )
    log = decode_log(data, "s.jsonl")
    assert len(conversation_from_log(log).messages) == 1
    assert summarize(log).message_count == 1


def test_a_retraction_takes_back_only_the_blocks_it_names() -> None:
    two = ConversationMessage("user", [TextBlock(text="a"), TextBlock(text="b")])
    data = log_bytes(
        message_entry(user("q")),
        message_entry(assistant("r")),
        message_entry(two),
        retracted_entry(1),
    )
    [*_, last] = conversation_from_log(decode_log(data, "s.jsonl")).messages
    assert [b.text for b in last.content] == ["a"]  # type: ignore[union-attr]
    whole = log_bytes(
        message_entry(user("q")),
        message_entry(assistant("r")),
        message_entry(user("x")),
        retracted_entry(1),
    )
    assert len(conversation_from_log(decode_log(whole, "s.jsonl")).messages) == 2
    after_assistant = log_bytes(
        message_entry(user("q")), message_entry(assistant("r")), retracted_entry(1)
    )
    assert len(conversation_from_log(decode_log(after_assistant, "s.jsonl")).messages) == 2


def test_the_log_refusals_name_the_file() -> None:
    with pytest.raises(NotASessionLog, match=r"^s\.jsonl is empty, not a hexclaw session$"):
        decode_log(b"", "s.jsonl")
    with pytest.raises(
        NotASessionLog, match=r"^s\.jsonl is not a hexclaw session \(no session header\)$"
    ):
        decode_log(b'{"type": "message"}\n', "s.jsonl")
    for version in (0, True, "1"):
        header = json.dumps({"type": HEADER_TYPE, "format": version}).encode() + b"\n"
        with pytest.raises(NotASessionLog, match="without a valid format version"):
            decode_log(header, "s.jsonl")
    newer = json.dumps({"type": HEADER_TYPE, "format": FORMAT_VERSION + 1}).encode() + b"\n"
    with pytest.raises(SessionFormatTooNew, match=re.escape(f"reads up to {FORMAT_VERSION})")):
        decode_log(newer, "s.jsonl")
    with pytest.raises(InvalidSessionId, match=r"^'\.\./x' is not a session id"):
        check_session_id("../x")


def test_a_header_without_details_reads_as_empty_ones() -> None:
    log = decode_log(json.dumps({"type": HEADER_TYPE, "format": 1}).encode() + b"\n", "s")
    assert log.header == SessionHeader("", "", "", "", 1)
    assert summarize(log).cwd == ""
    assert summarize(decode_log(log_bytes(), "s")).cwd == "/w"


def test_damaged_lines_are_skipped_and_named_and_blank_ones_ignored() -> None:
    data = (
        log_bytes(message_entry(user("one")))
        + b"\n{oops\n"
        + encode_entry(message_entry(assistant("two")))
        + b'{"type": "mess'
    )
    log = decode_log(data, "s")
    assert log.warnings == [
        "s: line 4 is damaged; skipped it",
        "s: the last line was cut off (hexclaw was stopped while writing it); skipped it",
    ]
    assert len(log.entries) == 2


def test_the_first_prompt_is_the_first_user_text_that_is_not_blank() -> None:
    data = log_bytes(
        message_entry(assistant("not this")),
        message_entry(
            ConversationMessage("user", [TextBlock(text="  "), TextBlock(text=" this ")])
        ),
    )
    assert summarize(decode_log(data, "s")).first_prompt == "this"
    assert summarize(decode_log(log_bytes(), "s")).first_prompt == ""


def test_a_project_slug_keeps_letters_and_digits_and_hashes_a_long_path() -> None:
    assert project_slug("/Users/Ana/my proj2") == "-Users-Ana-my-proj2"
    exact = "/" + "a" * 179
    assert project_slug(exact) == "-" + "a" * 179
    long = "/" + "a" * 180
    slug = project_slug(long)
    assert len(slug) == 180
    assert slug.startswith("-" + "a" * 162 + "-")


def test_the_format_version_is_read_only_from_a_header_line() -> None:
    assert format_version_of(b'{"type": "hexclaw-session", "format": 3}') == 3
    assert format_version_of(b'{"type": "hexclaw-session", "format": true}') is None
    assert format_version_of(b'{"type": "hexclaw-session", "format": "3"}') is None
    assert format_version_of(b'{"type": "message", "format": 3}') is None
    assert format_version_of(b"[1]") is None
