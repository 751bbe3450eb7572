"""Taking a refused turn's user content back out, live and when a session log is replayed."""

from __future__ import annotations

from typing import Any

import pytest

from domain.conversation.transcript import Conversation
from domain.messages.content import (
    ContentBlock,
    ConversationMessage,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from domain.messages.wire import conversation_message_to_wire
from domain.sessions.log import (
    RETRACTED,
    SessionHeader,
    conversation_from_log,
    decode_log,
    encode_entry,
    header_entry,
    message_entry,
    retracted_entry,
)

HEADER = SessionHeader(session_id="s", cwd="/w", started_at="2025-01-01T00:00:00Z", version="0")


def text(value: str) -> TextBlock:
    return TextBlock(text=value)


def wire(messages: list[ConversationMessage]) -> list[Any]:
    return [conversation_message_to_wire(m) for m in messages]


def replayed(*entries: dict[str, Any]) -> list[Any]:
    data = encode_entry(header_entry(HEADER)) + b"".join(encode_entry(e) for e in entries)
    return wire(conversation_from_log(decode_log(data, "log")).messages)


def user(*blocks: ContentBlock) -> dict[str, Any]:
    return message_entry(ConversationMessage(role="user", content=list(blocks)))


def assistant(value: str) -> dict[str, Any]:
    return message_entry(ConversationMessage(role="assistant", content=[text(value)]))


def test_a_whole_user_message_is_removed() -> None:
    conversation = Conversation()
    conversation.add_user_content([text("q")])
    conversation.add_assistant([text("a")])
    refused = [text("too long"), text("really")]
    conversation.add_user_content(refused)
    assert conversation.retract_user_content(refused) is True
    assert wire(conversation.messages) == wire(
        [
            ConversationMessage(role="user", content=[text("q")]),
            ConversationMessage(role="assistant", content=[text("a")]),
        ]
    )


def test_content_merged_into_earlier_results_leaves_the_results() -> None:
    conversation = Conversation()
    result = ToolResultBlock(tool_use_id="t1", content="interrupted", is_error=True)
    conversation.add_user_content([result])
    conversation.add_user_content([text("refused")])
    assert conversation.retract_user_content([text("refused")]) is True
    assert conversation.messages[-1].content == [result]


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [ConversationMessage(role="assistant", content=[text("x")])],
        [ConversationMessage(role="user", content=[text("summary of everything")])],
    ],
    ids=["empty", "ends-with-assistant", "summarized-away"],
)
def test_nothing_changes_when_the_content_is_not_at_the_end(
    messages: list[ConversationMessage],
) -> None:
    conversation = Conversation(messages=messages)
    before = wire(conversation.messages)
    assert conversation.retract_user_content([text("refused")]) is False
    assert wire(conversation.messages) == before


def test_replay_drops_the_retracted_blocks_only() -> None:
    assert replayed(
        user(text("q")),
        assistant("a"),
        user(text("refused one"), text("refused two")),
        retracted_entry(2),
        {"type": "turn_end", "subtype": "error_during_execution"},
        user(text("next")),
    ) == [
        {"role": "user", "content": [{"type": "text", "text": "q"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "a"}]},
        {"role": "user", "content": [{"type": "text", "text": "next"}]},
    ]


def test_replay_keeps_results_logged_before_the_retracted_text() -> None:
    call = ToolUseBlock(id="t1", name="Bash", input={"command": "sleep 9"})
    result = ToolResultBlock(tool_use_id="t1", content="interrupted", is_error=True)
    messages = replayed(
        user(text("run it")),
        message_entry(ConversationMessage(role="assistant", content=[call])),
        user(result),
        user(text("refused")),
        retracted_entry(1),
    )
    assert messages[-1] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": "interrupted", "is_error": True}
        ],
    }


@pytest.mark.parametrize(
    "entry",
    [
        {"type": RETRACTED},
        {"type": RETRACTED, "blocks": "2"},
        {"type": RETRACTED, "blocks": True},
        {"type": RETRACTED, "blocks": 0},
        {"type": RETRACTED, "blocks": 5},
    ],
)
def test_a_damaged_retracted_entry_changes_nothing(entry: dict[str, Any]) -> None:
    assert replayed(user(text("q")), assistant("a"), user(text("kept")), entry) == [
        {"role": "user", "content": [{"type": "text", "text": "q"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "a"}]},
        {"role": "user", "content": [{"type": "text", "text": "kept"}]},
    ]
