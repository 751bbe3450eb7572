"""Reducer behaviours a mutation run found no test pinning down."""

from __future__ import annotations

import json
from typing import Any

from domain.messages.content import ServerToolUseBlock, ToolUseBlock
from domain.stream.reducer import StreamReducer
from domain.stream.sse import ServerSentEvent
from tests.fakes.sse_script import EventSpec, block_start, block_stop, json_delta, message_start


def reduce(specs: list[EventSpec]) -> StreamReducer:
    reducer = StreamReducer()
    for name, payload in specs:
        reducer.apply(ServerSentEvent(json.dumps(payload), name))
    return reducer


def start_with(**fields: Any) -> EventSpec:
    name, payload = message_start()
    payload["message"].update(fields)
    return name, payload


def test_a_stop_reason_in_message_start_finishes_the_message_without_a_delta() -> None:
    message = reduce([start_with(stop_reason="end_turn")]).finish()
    assert message.stop_reason == "end_turn"
    assert message.id == "msg_01"


def test_content_in_message_start_is_kept_as_the_first_blocks() -> None:
    start = start_with(content=[{"type": "text", "text": "hi"}], stop_reason="end_turn")
    message = reduce([start]).finish()
    assert [b.text for b in message.content] == ["hi"]  # type: ignore[union-attr]


def test_a_tool_use_whose_input_is_not_json_keeps_its_id_and_name_and_says_why() -> None:
    specs = [
        message_start(),
        block_start(0, {"type": "tool_use", "id": "toolu_9", "name": "Bash", "input": {}}),
        json_delta(0, '{"command": '),
        block_stop(0),
        start_with(stop_reason="tool_use"),
    ]
    [block] = reduce(specs).partial().content
    assert isinstance(block, ToolUseBlock)
    assert (block.id, block.name, block.input) == ("toolu_9", "Bash", {})
    assert block.input_error is not None
    assert block.input_error.startswith("tool input is not valid JSON")
    assert block.input_error.endswith('received: {"command": ')


def test_a_tool_input_that_is_json_but_not_an_object_is_refused() -> None:
    specs = [
        message_start(),
        block_start(0, {"type": "tool_use", "id": "toolu_9", "name": "Bash", "input": {}}),
        json_delta(0, "[1, 2]"),
        block_stop(0),
    ]
    [block] = reduce(specs).partial().content
    assert isinstance(block, ToolUseBlock)
    assert block.id == "toolu_9"
    assert block.input_error is not None
    assert block.input_error.startswith("tool input is not a JSON object; received: [1, 2]")


def test_a_long_unreadable_tool_input_is_shown_cut_to_two_hundred_characters() -> None:
    fragment = '{"a": "' + "x" * 300
    specs = [
        message_start(),
        block_start(0, {"type": "tool_use", "id": "toolu_9", "name": "Bash", "input": {}}),
        json_delta(0, fragment),
        block_stop(0),
    ]
    [block] = reduce(specs).partial().content
    assert isinstance(block, ToolUseBlock)
    assert block.input_error is not None
    assert block.input_error.endswith("received: " + fragment[:200] + "...")


def test_a_server_tool_whose_input_is_not_json_keeps_its_id_with_an_empty_input() -> None:
    specs = [
        message_start(),
        block_start(
            0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
        ),
        json_delta(0, "{not json"),
        block_stop(0),
    ]
    [block] = reduce(specs).partial().content
    assert block == ServerToolUseBlock(id="srvtoolu_1", name="web_search", input={})
