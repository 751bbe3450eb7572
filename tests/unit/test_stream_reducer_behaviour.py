"""Reducer behaviours a mutation run found no test pinning down."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.messages.content import ServerToolUseBlock, TextBlock, ThinkingBlock, ToolUseBlock
from domain.stream.errors import IncompleteStream, StreamError, StreamProtocolError
from domain.stream.reducer import StreamReducer, reduce_chunks
from domain.stream.sse import ServerSentEvent, SSEFramer, SSEFramingError
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    encode_event,
    json_delta,
    message_start,
)


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


def raw(name: str, data: str) -> ServerSentEvent:
    return ServerSentEvent(data, name)


def test_an_unfinished_stream_says_how_far_it_got() -> None:
    with pytest.raises(IncompleteStream) as never:
        StreamReducer().finish()
    assert str(never.value) == "the stream ended before the message started"
    assert never.value.partial is None
    with pytest.raises(IncompleteStream) as inside:
        reduce([message_start(), block_start(0, {"type": "text", "text": ""})]).finish()
    assert str(inside.value) == "the stream ended in the middle of a content block"
    assert inside.value.partial is not None
    with pytest.raises(IncompleteStream) as unfinished:
        reduce([message_start()]).finish()
    assert str(unfinished.value) == "the stream ended before the message finished"


def test_a_plain_text_error_carries_what_had_arrived() -> None:
    with pytest.raises(StreamError) as early:
        StreamReducer().apply(raw("error", "Overloaded"))
    assert early.value.partial is None
    assert str(early.value) == "api_error: Overloaded"
    reducer = reduce([message_start()])
    with pytest.raises(StreamError) as late:
        reducer.apply(raw("error", "Overloaded"))
    assert late.value.partial is not None
    assert late.value.partial.id == "msg_01"


@pytest.mark.parametrize(
    "name",
    [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ],
)
def test_malformed_json_in_any_anthropic_event_is_a_protocol_error(name: str) -> None:
    data = "{" + "x" * 200
    with pytest.raises(StreamProtocolError) as caught:
        StreamReducer().apply(raw(name, data))
    assert str(caught.value) == f"malformed JSON in a {name!r} event: {data[:120]!r}"
    assert StreamReducer().apply(raw("message", data)) == []  # a gateway keep-alive


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "content_block_start", "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_start", "index": 0, "content_block": "text"},
    ],
)
def test_a_block_start_without_index_or_block_is_a_protocol_error(payload: dict[str, Any]) -> None:
    reducer = reduce([message_start()])
    with pytest.raises(StreamProtocolError) as caught:
        reducer.apply(raw("content_block_start", json.dumps(payload)))
    assert str(caught.value) == "content_block_start without index or block"
    assert caught.value.partial is not None


def test_usage_and_stop_sequence_in_a_message_delta_are_read() -> None:
    delta = (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": "stop_sequence",
                "stop_sequence": 7,
                "usage": {"output_tokens": 5},
            },
        },
    )
    message = reduce([message_start(), delta]).finish()
    assert message.usage.output_tokens == 5
    assert message.stop_sequence is None


def test_an_error_event_without_details_has_a_default_message() -> None:
    payload = {"type": "error", "error": {}, "request_id": 5}
    with pytest.raises(StreamError) as caught:
        StreamReducer().apply(raw("error", json.dumps(payload)))
    assert caught.value.error_message == "the server reported an error mid-stream"
    assert caught.value.request_id is None


def test_deltas_for_another_kind_of_block_are_ignored() -> None:
    text = block_start(0, {"type": "text", "text": "a"})
    sig = (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": "s"},
        },
    )
    cite = (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "citations_delta", "citation": {"c": 1}},
        },
    )
    think = block_start(1, {"type": "thinking", "thinking": "t", "signature": "s0"})
    message = reduce(
        [
            message_start(),
            text,
            sig,
            think,
            cite,
            block_stop(0),
            block_stop(1),
            start_with(stop_reason="end_turn"),
        ]
    ).finish()
    assert message.content == [TextBlock(text="a"), ThinkingBlock(thinking="t", signature="s0")]


def test_citations_arriving_are_added_to_those_the_block_started_with() -> None:
    cite = (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "citations_delta", "citation": {"c": 2}},
        },
    )
    kept = reduce(
        [
            message_start(),
            block_start(0, {"type": "text", "text": "a", "citations": [{"c": 1}]}),
            block_stop(0),
        ]
    ).partial()
    assert kept.content == [TextBlock(text="a", citations=[{"c": 1}])]
    added = reduce(
        [message_start(), block_start(0, {"type": "text", "text": "a"}), cite, block_stop(0)]
    ).partial()
    assert added.content == [TextBlock(text="a", citations=[{"c": 2}])]


def test_a_tool_input_given_whole_at_the_start_is_used() -> None:
    start = block_start(
        0, {"type": "tool_use", "id": "t", "name": "Bash", "input": {"command": "ls"}}
    )
    assert reduce([message_start(), start, block_stop(0)]).partial().content == [
        ToolUseBlock(id="t", name="Bash", input={"command": "ls"})
    ]


def test_an_unreadable_tool_input_of_exactly_two_hundred_characters_is_shown_whole() -> None:
    fragment = "{" + "x" * 199
    specs = [
        message_start(),
        block_start(0, {"type": "tool_use", "id": "t", "name": "Bash", "input": {}}),
        json_delta(0, fragment),
        block_stop(0),
    ]
    [block] = reduce(specs).partial().content
    assert isinstance(block, ToolUseBlock)
    assert block.input_error is not None
    assert block.input_error.endswith("received: " + fragment)


def test_a_stop_for_a_block_never_started_is_ignored_and_flags_start_false() -> None:
    reducer = StreamReducer()
    assert reducer.started is False
    assert reducer.done is False
    assert (
        reduce([message_start()]).apply(
            raw("content_block_stop", json.dumps({"type": "content_block_stop", "index": 3}))
        )
        == []
    )


def test_reduce_chunks_uses_the_framer_and_reducer_it_is_given() -> None:
    data = b"".join(
        encode_event(n, p) for n, p in [message_start(), start_with(stop_reason="end_turn")]
    )
    reducer = StreamReducer()
    assert reduce_chunks([data], reducer=reducer).id == "msg_01"
    assert reducer.started
    with pytest.raises(SSEFramingError):
        reduce_chunks([data], framer=SSEFramer(max_event_chars=10))


def test_a_signature_or_citation_of_the_wrong_type_is_ignored() -> None:
    think = block_start(0, {"type": "thinking", "thinking": "t", "signature": "s0"})
    sig = (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": 5},
        },
    )
    text = block_start(1, {"type": "text", "text": "a"})
    cite = (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "citations_delta", "citation": "x"},
        },
    )
    message = reduce(
        [message_start(), think, sig, text, cite, block_stop(0), block_stop(1)]
    ).partial()
    assert message.content == [ThinkingBlock(thinking="t", signature="s0"), TextBlock(text="a")]
