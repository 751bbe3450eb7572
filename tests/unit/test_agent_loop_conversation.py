"""The conversation keeps the API's rules: merging, answering calls, repairing a crashed log."""

from __future__ import annotations

from domain.conversation.transcript import SESSION_ENDED_RESULT, Conversation, repaired
from domain.messages.content import (
    ConversationMessage,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from domain.messages.wire import conversation_message_to_wire
from tests.fakes.api_rules import api_problems


def wire(messages: list[ConversationMessage]) -> list[dict[str, object]]:
    return [conversation_message_to_wire(m) for m in messages]


def user(*blocks: object) -> ConversationMessage:
    return ConversationMessage(role="user", content=list(blocks))  # type: ignore[arg-type]


def assistant(*blocks: object) -> ConversationMessage:
    return ConversationMessage(role="assistant", content=list(blocks))  # type: ignore[arg-type]


def call(tool_id: str) -> ToolUseBlock:
    return ToolUseBlock(id=tool_id, name="Bash", input={"command": "echo hi"})


def result(tool_id: str, text: str = "ok") -> ToolResultBlock:
    return ToolResultBlock(tool_use_id=tool_id, content=text)


def test_two_user_messages_in_a_row_are_merged() -> None:
    conversation = Conversation()
    conversation.add_user_content([TextBlock("first")])
    conversation.add_user_content([TextBlock("second")])
    assert wire(conversation.messages) == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}],
        }
    ]


def test_a_continuation_joins_the_assistant_message_before_it() -> None:
    conversation = Conversation()
    conversation.add_user_content([TextBlock("search")])
    conversation.add_assistant([TextBlock("part one")])
    conversation.add_assistant([TextBlock("part two")])
    assert [m.role for m in conversation.messages] == ["user", "assistant"]
    assert [b.text for b in conversation.messages[1].content] == ["part one", "part two"]  # type: ignore[union-attr]


def test_unanswered_calls_are_those_of_the_newest_assistant_message() -> None:
    conversation = Conversation()
    conversation.add_user_content([TextBlock("go")])
    conversation.add_assistant([call("a"), call("b")])
    assert [b.id for b in conversation.unanswered_tool_uses()] == ["a", "b"]
    conversation.add_tool_results([result("a")])
    assert [b.id for b in conversation.unanswered_tool_uses()] == ["b"]
    conversation.add_tool_results([result("b")])
    assert conversation.unanswered_tool_uses() == []
    assert not api_problems(wire(conversation.messages))


def test_late_results_go_before_text_the_user_typed_since() -> None:
    conversation = Conversation()
    conversation.add_user_content([TextBlock("go")])
    conversation.add_assistant([call("a")])
    conversation.add_user_content([TextBlock("actually, stop")])
    conversation.add_tool_results([result("a")])
    assert [b.type for b in conversation.messages[-1].content] == ["tool_result", "text"]
    assert not api_problems(wire(conversation.messages))


def test_repair_answers_a_call_the_crash_left_open() -> None:
    fixed = repaired([user(TextBlock("go")), assistant(TextBlock("running"), call("a"))])
    assert not api_problems(wire(fixed))
    last = fixed[-1].content[0]
    assert isinstance(last, ToolResultBlock)
    assert (last.tool_use_id, last.content, last.is_error) == ("a", SESSION_ENDED_RESULT, True)


def test_repair_puts_the_missing_result_before_the_next_prompt() -> None:
    fixed = repaired([user(TextBlock("go")), assistant(call("a")), user(TextBlock("next"))])
    assert not api_problems(wire(fixed))
    assert [b.type for b in fixed[-1].content] == ["tool_result", "text"]


def test_repair_drops_results_that_answer_nothing_and_duplicates() -> None:
    messages = [
        user(result("ghost"), TextBlock("hello")),
        assistant(call("a")),
        user(result("a", "first"), result("a", "again"), result("zzz")),
        assistant(TextBlock("done")),
    ]
    fixed = repaired(messages)
    assert not api_problems(wire(fixed))
    assert fixed[0].content == [TextBlock("hello")]
    assert fixed[2].content == [result("a", "first")]


def test_repair_merges_what_a_lost_line_left_adjacent() -> None:
    # The assistant line in the middle was lost: two user messages meet, and the orphan result
    # that answered the lost call goes.
    messages = [user(TextBlock("one")), user(result("lost"), TextBlock("two"))]
    fixed = repaired(messages)
    assert wire(fixed) == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        }
    ]


def test_repair_drops_blocks_the_api_refuses_back() -> None:
    messages = [
        user(TextBlock("go")),
        assistant(ThinkingBlock("hmm", signature=""), TextBlock("")),
        user(TextBlock("again")),
        assistant(ThinkingBlock("ok", signature="sig"), TextBlock("answer")),
    ]
    fixed = repaired(messages)
    assert not api_problems(wire(fixed))
    assert len(fixed) == 2
    assert fixed[1].content == [ThinkingBlock("ok", signature="sig"), TextBlock("answer")]


def test_repair_drops_a_leading_assistant_message() -> None:
    fixed = repaired([assistant(TextBlock("orphan")), user(TextBlock("hi"))])
    assert wire(fixed) == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


def test_repair_leaves_a_valid_conversation_as_it_was() -> None:
    messages = [
        user(TextBlock("go")),
        assistant(TextBlock("calling"), call("a"), call("b")),
        user(result("a"), result("b"), TextBlock("and then")),
        assistant(TextBlock("done")),
    ]
    assert wire(repaired(messages)) == wire(messages)
