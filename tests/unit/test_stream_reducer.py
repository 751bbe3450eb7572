"""The stream reducer: Anthropic events in, a Message and live updates out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.messages.content import (
    Message,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from domain.stream.errors import IncompleteStream, StreamError, StreamProtocolError
from domain.stream.reducer import StreamReducer
from domain.stream.sse import ServerSentEvent
from domain.stream.updates import (
    BlockFinished,
    MessageDeltaReceived,
    MessageFinished,
    MessageStarted,
    StreamUpdate,
    TextDelta,
    ThinkingDelta,
    ToolUseStarted,
)
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    citations_delta,
    delta,
    error_event,
    json_delta,
    message_delta,
    message_start,
    message_stop,
    ping,
    signature_delta,
    text_delta,
    text_message_events,
    thinking_delta,
)


def reduce_events(events: list[ServerSentEvent]) -> Message:
    """A complete list of events reduced as the client does, stopping at ``message_stop``."""
    reducer = StreamReducer()
    for event in events:
        reducer.apply(event)
        if reducer.done:
            break
    return reducer.finish()


def sse(spec: EventSpec, named: bool = True) -> ServerSentEvent:
    name, payload = spec
    return ServerSentEvent(json.dumps(payload), name if named else "message")


def reduce(specs: list[EventSpec]) -> Message:
    return reduce_events([sse(s) for s in specs])


def updates_of(specs: list[EventSpec]) -> tuple[StreamReducer, list[StreamUpdate]]:
    reducer = StreamReducer()
    out: list[StreamUpdate] = []
    for spec in specs:
        out += reducer.apply(sse(spec))
    return reducer, out


def tool_events(fragments: list[str], start_input: dict[str, Any] | None = None) -> list[EventSpec]:
    return [
        message_start(),
        block_start(
            0, {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": start_input or {}}
        ),
        *(json_delta(0, f) for f in fragments),
        block_stop(0),
        message_delta("tool_use"),
        message_stop(),
    ]


def test_a_text_message_reduces_to_the_whole_message() -> None:
    assert reduce(text_message_events("Hello there", "second")) == Message(
        id="msg_01",
        model="claude-sonnet-4-5",
        content=[TextBlock("Hello there"), TextBlock("second")],
        stop_reason="end_turn",
        usage=Usage(input_tokens=12, output_tokens=7),
    )


def test_live_updates_come_in_order() -> None:
    events = [
        message_start(),
        block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        thinking_delta(0, "hmm"),
        signature_delta(0, "sig"),
        block_stop(0),
        block_start(1, {"type": "text", "text": ""}),
        text_delta(1, "Hi"),
        block_stop(1),
        block_start(2, {"type": "tool_use", "id": "toolu_9", "name": "Read", "input": {}}),
        json_delta(2, '{"file_path": "a"}'),
        block_stop(2),
        message_delta("tool_use", usage={"output_tokens": 30}),
        message_stop(),
    ]
    reducer, updates = updates_of(events)
    message = reducer.finish()
    assert updates == [
        MessageStarted("msg_01", "claude-sonnet-4-5"),
        ThinkingDelta(0, "hmm"),
        BlockFinished(0, ThinkingBlock("hmm", "sig")),
        TextDelta(1, "Hi"),
        BlockFinished(1, TextBlock("Hi")),
        ToolUseStarted(2, "toolu_9", "Read"),
        BlockFinished(2, ToolUseBlock("toolu_9", "Read", {"file_path": "a"})),
        MessageDeltaReceived("tool_use", Usage(input_tokens=12, output_tokens=30)),
        MessageFinished(message),
    ]


def test_blocks_are_placed_by_index_not_arrival() -> None:
    events = [
        message_start(),
        block_start(1, {"type": "text", "text": ""}),
        text_delta(1, "second"),
        block_stop(1),
        block_start(0, {"type": "text", "text": ""}),
        text_delta(0, "first"),
        block_stop(0),
        message_delta(),
        message_stop(),
    ]
    assert [b.text for b in reduce(events).content if isinstance(b, TextBlock)] == [
        "first",
        "second",
    ]


def test_interleaved_deltas_go_to_their_own_blocks() -> None:
    events = [
        message_start(),
        block_start(0, {"type": "text", "text": ""}),
        block_start(1, {"type": "tool_use", "id": "t", "name": "X", "input": {}}),
        text_delta(0, "a"),
        json_delta(1, '{"k":'),
        text_delta(0, "b"),
        json_delta(1, " 1}"),
        block_stop(1),
        block_stop(0),
        message_delta("tool_use"),
        message_stop(),
    ]
    message = reduce(events)
    assert message.content == [TextBlock("ab"), ToolUseBlock("t", "X", {"k": 1})]


def test_message_start_without_content_stop_reason_or_usage() -> None:
    bare = ("message_start", {"type": "message_start", "message": {"id": "m", "model": "x"}})
    message = reduce([bare, message_delta(usage={}), message_stop()])
    assert message == Message(id="m", model="x", stop_reason="end_turn", usage=Usage())


def test_message_start_with_a_missing_message_object() -> None:
    message = reduce([("message_start", {"type": "message_start"}), message_stop()])
    assert message == Message()


def test_prefilled_content_in_message_start_is_kept() -> None:
    start = message_start()
    start[1]["message"]["content"] = [{"type": "text", "text": "prefill"}]
    message = reduce([start, message_delta(), message_stop()])
    assert message.content == [TextBlock("prefill")]


def test_usage_missing_fields_are_zero_and_earlier_values_survive() -> None:
    events = text_message_events("x")
    events[0] = message_start(usage={"input_tokens": 50, "cache_read_input_tokens": 7})
    events[-2] = ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}})
    usage = reduce(events).usage
    assert usage == Usage(input_tokens=50, output_tokens=0, cache_read_input_tokens=7)
    assert usage.prompt_tokens == 57


def test_usage_is_overwritten_never_added() -> None:
    events = text_message_events("x")
    events[0] = message_start(usage={"input_tokens": 10, "output_tokens": 1})
    events[-2] = message_delta(usage={"input_tokens": 10, "output_tokens": 25})
    assert reduce(events).usage == Usage(input_tokens=10, output_tokens=25)


def test_usage_keeps_unknown_keys_and_nested_objects() -> None:
    events = text_message_events("x")
    events[0] = message_start(
        usage={"input_tokens": 3, "cache_creation": {"ephemeral_5m_input_tokens": 4}}
    )
    events[-2] = message_delta(usage={"output_tokens": 2, "tiers": {"a": 1}, "bogus": "x"})
    usage = reduce(events).usage
    assert usage.extra == {
        "cache_creation": {"ephemeral_5m_input_tokens": 4},
        "tiers": {"a": 1},
        "bogus": "x",
    }


def test_usage_counts_that_are_not_whole_numbers_are_ignored() -> None:
    events = text_message_events("x")
    events[-2] = message_delta(usage={"output_tokens": True, "input_tokens": -4})
    assert reduce(events).usage == Usage(input_tokens=0, output_tokens=0)


def test_stop_reason_last_non_null_wins() -> None:
    events = text_message_events("x")
    events.insert(-1, message_delta(None, usage={"output_tokens": 9}))
    message = reduce(events)
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == 9


def test_stop_sequence_is_recorded() -> None:
    events = text_message_events("x")
    events[-2] = (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "stop_sequence", "stop_sequence": "###"},
            "usage": {"output_tokens": 1},
        },
    )
    message = reduce(events)
    assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", "###")


# --- end of stream ---------------------------------------------------------------------


def test_missing_message_stop_is_fine_after_a_stop_reason() -> None:
    assert reduce(text_message_events("x")[:-1]).text == "x"


def test_ending_without_a_stop_reason_is_incomplete_with_the_partial() -> None:
    with pytest.raises(IncompleteStream, match="before the message finished") as caught:
        reduce(text_message_events("cut")[:-2])
    assert caught.value.partial is not None
    assert caught.value.partial.text == "cut"


def test_ending_inside_a_block_is_incomplete_with_the_open_text() -> None:
    events = text_message_events("abcdefghij")[:3]
    with pytest.raises(IncompleteStream, match="middle of a content block") as caught:
        reduce(events)
    assert caught.value.partial is not None
    assert caught.value.partial.content == [TextBlock("abcdefgh")]


def test_message_stop_with_a_block_still_open_is_incomplete() -> None:
    events = [*text_message_events("abc")[:3], message_stop()]
    reducer, updates = updates_of(events)
    assert not any(isinstance(u, MessageFinished) for u in updates)
    with pytest.raises(IncompleteStream):
        reducer.finish()


def test_no_events_at_all_is_incomplete_without_a_partial() -> None:
    with pytest.raises(IncompleteStream, match="before the message started") as caught:
        reduce_events([])
    assert caught.value.partial is None


def test_done_ends_the_stream_and_later_events_are_ignored() -> None:
    reducer = StreamReducer()
    for spec in text_message_events("x")[:-1]:
        reducer.apply(sse(spec))
    assert not reducer.done
    reducer.apply(ServerSentEvent("[DONE]", "data"))
    assert reducer.done
    assert reducer.apply(sse(text_delta(0, "late"))) == []
    assert reducer.finish().text == "x"


def test_done_without_a_stop_reason_is_incomplete() -> None:
    reducer = StreamReducer()
    for spec in text_message_events("x")[:-2]:
        reducer.apply(sse(spec))
    reducer.apply(ServerSentEvent("[DONE]"))
    with pytest.raises(IncompleteStream):
        reducer.finish()


def test_events_after_message_stop_are_ignored() -> None:
    reducer = StreamReducer()
    for spec in text_message_events("x"):
        reducer.apply(sse(spec))
    assert reducer.done
    assert reducer.apply(sse(error_event())) == []
    assert reducer.finish().text == "x"


# --- tolerance -------------------------------------------------------------------------


def test_type_comes_from_json_and_falls_back_to_the_event_name() -> None:
    nameless = [sse(s, named=False) for s in text_message_events("json type")]
    assert reduce_events(nameless).text == "json type"
    typeless = [
        ServerSentEvent(json.dumps({k: v for k, v in p.items() if k != "type"}), name)
        for name, p in text_message_events("event name")
    ]
    assert reduce_events(typeless).text == "event name"


def test_json_type_wins_over_a_wrong_event_name() -> None:
    events = [ServerSentEvent(json.dumps(p), "completion") for _, p in text_message_events("x")]
    assert reduce_events(events).text == "x"


def test_pings_unknown_events_and_keepalives_are_skipped() -> None:
    events = [sse(s) for s in text_message_events("x")]
    noise = [
        sse(ping()),
        ServerSentEvent(json.dumps({"type": "vertex_event", "x": 1}), "vertex_event"),
        ServerSentEvent("keep-alive"),
        ServerSentEvent("[1, 2]"),
        ServerSentEvent('"just a string"', "ping"),
    ]
    mixed = [events[0], *noise, *events[1:3], *noise, *events[3:]]
    assert reduce_events(mixed).text == "x"


def test_unknown_and_mismatched_deltas_are_skipped() -> None:
    events = text_message_events("text")
    events[2:2] = [
        delta(0, {"type": "future_delta", "x": 1}),
        json_delta(0, '{"a"'),  # input_json_delta on a text block (a LiteLLM bug)
        thinking_delta(0, "no"),
        delta(0, {"type": "text_delta", "text": 5}),
        delta(0, {"no": "type"}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": "x"}),
        ("content_block_delta", {"type": "content_block_delta", "index": [0], "delta": {}}),
        ("content_block_delta", {"type": "content_block_delta", "index": True, "delta": {}}),
        ("content_block_stop", {"type": "content_block_stop", "index": {"a": 1}}),
        text_delta(5, "no such block"),
    ]
    assert reduce(events).content == [TextBlock("text")]


def test_block_start_without_an_index_is_a_protocol_error() -> None:
    reducer = StreamReducer()
    reducer.apply(sse(message_start()))
    with pytest.raises(StreamProtocolError):
        reducer.apply(sse(("content_block_start", {"type": "content_block_start"})))


def test_malformed_json_in_an_anthropic_event_is_a_protocol_error() -> None:
    reducer = StreamReducer()
    reducer.apply(sse(message_start()))
    with pytest.raises(StreamProtocolError, match="content_block_delta") as caught:
        reducer.apply(ServerSentEvent("{not json", "content_block_delta"))
    assert caught.value.partial is not None


def test_deeply_nested_json_is_a_protocol_error_not_a_crash() -> None:
    reducer = StreamReducer()
    with pytest.raises(StreamProtocolError):
        reducer.apply(ServerSentEvent("[" * 100_000, "message_start"))
    assert StreamReducer().apply(ServerSentEvent("[" * 100_000)) == []


# --- errors ----------------------------------------------------------------------------


def test_error_event_is_typed_and_carries_the_partial() -> None:
    events = [*text_message_events("so far")[:3], error_event("overloaded_error", "Overloaded")]
    events[-1][1]["request_id"] = "req_in_body"
    with pytest.raises(StreamError) as caught:
        reduce(events)
    error = caught.value
    assert (error.error_type, error.error_message) == ("overloaded_error", "Overloaded")
    assert error.retryable
    assert error.request_id == "req_in_body"
    assert error.partial is not None
    assert error.partial.text == "so far"
    assert "overloaded_error: Overloaded" in str(error)


@pytest.mark.parametrize(
    ("error_type", "retryable"),
    [
        ("overloaded_error", True),
        ("api_error", True),
        ("rate_limit_error", True),
        ("invalid_request_error", False),
        ("authentication_error", False),
        ("permission_error", False),
        ("not_found_error", False),
    ],
)
def test_error_types_map_to_retryability(error_type: str, retryable: bool) -> None:
    with pytest.raises(StreamError) as caught:
        reduce([error_event(error_type)])
    assert caught.value.retryable is retryable
    assert caught.value.partial is None


def test_error_event_with_plain_text_data_is_still_an_error() -> None:
    with pytest.raises(StreamError, match="upstream timed out") as caught:
        reduce_events([sse(message_start()), ServerSentEvent("upstream timed out", "error")])
    assert caught.value.error_type == "api_error"


def test_error_event_without_details() -> None:
    with pytest.raises(StreamError) as caught:
        reduce_events([ServerSentEvent('{"type": "error"}', "error")])
    assert caught.value.error_type == "api_error"


# --- block kinds -----------------------------------------------------------------------


@pytest.mark.parametrize("fragments", [[], [""], ["", "  "]])
def test_empty_tool_input_is_an_empty_object(fragments: list[str]) -> None:
    [block] = reduce(tool_events(fragments)).content
    assert block == ToolUseBlock("toolu_1", "Bash", {})


def test_start_input_is_kept_when_no_deltas_arrive() -> None:
    [block] = reduce(tool_events([], start_input={"command": "ls"})).content
    assert block == ToolUseBlock("toolu_1", "Bash", {"command": "ls"})


def test_deltas_replace_the_placeholder_start_input() -> None:
    [block] = reduce(tool_events(['{"b": 2}'], start_input={"a": 1})).content
    assert block == ToolUseBlock("toolu_1", "Bash", {"b": 2})


@pytest.mark.parametrize(
    ("fragments", "reason"),
    [
        (['{"command": "ls'], "not valid JSON"),
        (['{"a": 1}', " trailing"], "not valid JSON"),
        (["[1, 2]"], "not a JSON object"),
        (['{"operation</arg_key>'], "not valid JSON"),
    ],
)
def test_tool_input_that_does_not_parse_is_marked_never_guessed(
    fragments: list[str], reason: str
) -> None:
    [block] = reduce(tool_events(fragments)).content
    assert isinstance(block, ToolUseBlock)
    assert block.input == {}
    assert block.input_error is not None
    assert reason in block.input_error
    assert "".join(fragments)[:10] in block.input_error


def test_server_tool_use_input_is_streamed_like_tool_use() -> None:
    events = [
        message_start(),
        block_start(0, {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {}}),
        json_delta(0, '{"query": '),
        json_delta(0, '"x"}'),
        block_stop(0),
        block_start(1, {"type": "server_tool_use", "id": "s2", "name": "web_search", "input": {}}),
        json_delta(0, "not json"),
        json_delta(1, "not json"),
        block_stop(1),
        message_delta(),
        message_stop(),
    ]
    assert reduce(events).content == [
        ServerToolUseBlock("s1", "web_search", {"query": "x"}),
        ServerToolUseBlock("s2", "web_search", {}),
    ]


def test_citations_are_appended_and_snapshots_do_not_share_them() -> None:
    first = {"type": "char_location", "cited_text": "a"}
    second = {"type": "char_location", "cited_text": "b"}
    reducer = StreamReducer()
    for spec in [
        message_start(),
        block_start(0, {"type": "text", "text": "", "citations": []}),
        text_delta(0, "claim"),
        citations_delta(0, first),
    ]:
        reducer.apply(sse(spec))
    early = reducer.partial()
    for spec in [citations_delta(0, second), block_stop(0), message_delta(), message_stop()]:
        reducer.apply(sse(spec))
    assert early.content == [TextBlock("claim", citations=[first])]
    assert reducer.finish().content == [TextBlock("claim", citations=[first, second])]


def test_thinking_signature_and_redacted_thinking() -> None:
    events = [
        message_start(),
        block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        thinking_delta(0, "step 1. "),
        thinking_delta(0, "step 2."),
        signature_delta(0, "EqQBCgIYAh=="),
        block_stop(0),
        block_start(1, {"type": "redacted_thinking", "data": "opaque"}),
        block_stop(1),
        message_delta(),
        message_stop(),
    ]
    assert reduce(events).content == [
        ThinkingBlock("step 1. step 2.", "EqQBCgIYAh=="),
        RedactedThinkingBlock("opaque"),
    ]


def test_partial_includes_open_blocks_as_they_stand() -> None:
    reducer = StreamReducer()
    for spec in tool_events(['{"command": "l'])[:3]:
        reducer.apply(sse(spec))
    [block] = reducer.partial().content
    assert isinstance(block, ToolUseBlock)
    assert block.input_error is not None
