"""MCP's JSON-RPC rules the lean stdio session relies on: what a received line is, the
version handshake, pagination, and the checks that turn results into records."""

from __future__ import annotations

import json

import pytest

from domain.mcp.errors import McpProtocolError
from domain.mcp.listing import (
    CallResult,
    call_result_of,
    contents_of,
    messages_of,
    missing_structure,
    prompts_of,
    resources_of,
    tools_of,
)
from domain.mcp.protocol import (
    LATEST_PROTOCOL_VERSION,
    MAX_PAGES,
    Malformed,
    Notification,
    Pager,
    Request,
    Response,
    cancelled,
    classify,
    elicitation_answer,
    encoded,
    form_elicitation,
    initialize_params,
    progress_line,
    server_hello,
    with_progress_token,
)


def test_replies_requests_and_notifications_are_told_apart() -> None:
    assert classify(b'{"jsonrpc":"2.0","id":3,"result":{"tools":[]}}\n') == Response(
        3, {"tools": []}
    )
    failed = classify('{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"bad"}}')
    assert failed == Response(4, None, -32602, "bad")
    assert isinstance(failed, Response)
    assert failed.failed
    assert classify('{"jsonrpc":"2.0","id":"a","method":"ping"}') == Request("a", "ping", {})
    assert classify(
        '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}'
    ) == Notification("notifications/progress", {"progress": 1})


def test_a_reply_id_of_digits_matches_our_integer_id() -> None:
    reply = classify('{"jsonrpc":"2.0","id":"7","result":{}}')
    assert isinstance(reply, Response)
    assert reply.id == 7
    other = classify('{"jsonrpc":"2.0","id":"x7","result":{}}')
    assert isinstance(other, Response)
    assert other.id == "x7"


@pytest.mark.parametrize(
    "line",
    [
        "this is not JSON-RPC",
        '{"jsonrpc": "2.0", "bogus": true}',
        "[1, 2]",
        '{"id": 1, "result": {}}',
        '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}',
        '{"jsonrpc":"2.0","id":1,"result":[]}',
        '{"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"y"}}',
        '{"jsonrpc":"2.0","id":true,"method":"ping"}',
        '{"jsonrpc":"2.0","method":"ping","params":[1]}',
        '{"jsonrpc":"2.0","id":null,"result":{}}',
        b"\xff\xfe",
    ],
)
def test_lines_that_are_no_json_rpc_message_are_malformed(line: str | bytes) -> None:
    assert isinstance(classify(line), Malformed)


def test_messages_are_one_compact_line() -> None:
    line = encoded({"jsonrpc": "2.0", "method": "x", "params": {"text": "é\nb"}})
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert json.loads(line) == {"jsonrpc": "2.0", "method": "x", "params": {"text": "é\nb"}}


def test_the_client_offers_the_newest_version_and_form_elicitation() -> None:
    params = initialize_params("hexclaw", "1.0", elicitation=True)
    assert params["protocolVersion"] == LATEST_PROTOCOL_VERSION == "2025-11-25"
    assert params["capabilities"] == {"elicitation": {"form": {}}}
    assert params["clientInfo"] == {"name": "hexclaw", "version": "1.0"}
    assert initialize_params("h", "1", elicitation=False)["capabilities"] == {}


def test_the_sdk_versions_are_the_ones_accepted() -> None:
    from mcp.shared.version import SUPPORTED_PROTOCOL_VERSIONS
    from mcp.types import LATEST_PROTOCOL_VERSION as SDK_LATEST

    from domain.mcp import protocol

    assert protocol.LATEST_PROTOCOL_VERSION == SDK_LATEST
    assert list(protocol.SUPPORTED_PROTOCOL_VERSIONS) == SUPPORTED_PROTOCOL_VERSIONS


def test_a_server_answer_is_accepted_only_in_a_supported_version() -> None:
    hello = server_hello(
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {"listChanged": True}, "prompts": {}},
            "serverInfo": {"name": "everything", "version": "2"},
        }
    )
    assert hello.name == "everything"
    assert hello.offers("tools")
    assert hello.offers("prompts")
    assert not hello.offers("resources")
    with pytest.raises(McpProtocolError, match="Unsupported protocol version"):
        server_hello({"protocolVersion": "2023-01-01", "capabilities": {}})
    with pytest.raises(McpProtocolError, match="capabilities"):
        server_hello({"protocolVersion": LATEST_PROTOCOL_VERSION})


def test_the_pager_follows_cursors_and_stops_on_a_loop_or_the_limit() -> None:
    pager = Pager()
    assert pager.params() is None
    assert pager.advance({"nextCursor": "10"})
    assert pager.params() == {"cursor": "10"}
    assert pager.advance({"nextCursor": "20"})
    assert not pager.advance({})
    circling = Pager()
    assert circling.advance({"nextCursor": "a"})
    assert not circling.advance({"nextCursor": "a"})
    endless = Pager()
    pages = 1
    while endless.advance({"nextCursor": str(pages)}):
        pages += 1
    assert pages == MAX_PAGES
    with pytest.raises(McpProtocolError):
        Pager().advance({"nextCursor": 3})


def test_progress_token_cancellation_and_elicitation_shapes() -> None:
    asked = with_progress_token({"name": "slow", "_meta": {"x": 1}}, 5)
    assert asked == {"name": "slow", "_meta": {"x": 1, "progressToken": 5}}
    assert cancelled(5, "why") == {
        "jsonrpc": "2.0",
        "method": "notifications/cancelled",
        "params": {"requestId": 5, "reason": "why"},
    }
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    assert form_elicitation({"message": "Who?", "requestedSchema": schema}) == ("Who?", schema)
    assert form_elicitation({"mode": "url", "message": "Go", "url": "https://x"}) is None
    assert elicitation_answer(None) == {"action": "decline"}
    assert elicitation_answer({"name": "a"}) == {"action": "accept", "content": {"name": "a"}}


def test_progress_becomes_the_spinner_line() -> None:
    line = progress_line("f", {"progressToken": 1, "progress": 1, "total": 10, "message": "up"})
    assert line == "f: up (1/10)"
    assert progress_line("f", {"progress": 2.5}) == "f: working (2.5)"
    assert progress_line("f", {"message": "no number"}) is None


def test_tools_become_records_with_their_hints_and_schemas() -> None:
    page = {
        "tools": [
            {
                "name": "echo",
                "title": "Echo",
                "inputSchema": {"type": "object"},
                "annotations": {"readOnlyHint": True},
            },
            {
                "name": "sum",
                "description": "adds",
                "inputSchema": {"type": "object"},
                "outputSchema": {"type": "object"},
            },
        ],
        "nextCursor": "2",
    }
    echo, total = tools_of("s", page)
    assert (echo.server, echo.name, echo.description, echo.read_only) == ("s", "echo", "Echo", True)
    assert echo.output_schema is None
    assert total.description == "adds"
    assert not total.read_only
    assert total.output_schema == {"type": "object"}
    with pytest.raises(McpProtocolError, match="inputSchema"):
        tools_of("s", {"tools": [{"name": "x"}]})
    with pytest.raises(McpProtocolError, match="no tools list"):
        tools_of("s", {})


def test_prompts_resources_and_messages_are_checked() -> None:
    (prompt,) = prompts_of(
        "s",
        {"prompts": [{"name": "p", "arguments": [{"name": "a", "required": True}, {"name": "b"}]}]},
    )
    assert prompt.arguments == (("a", True), ("b", False))
    assert resources_of({"resources": [{"uri": "demo://a", "name": "a"}]})[0]["uri"] == "demo://a"
    with pytest.raises(McpProtocolError):
        resources_of({"resources": [{"name": "no uri"}]})
    assert contents_of({"contents": [{"uri": "demo://a", "text": "t"}]})[0]["text"] == "t"
    assert messages_of({"messages": [{"role": "user", "content": {"type": "text"}}]})
    with pytest.raises(McpProtocolError):
        messages_of({"messages": [{"role": "system"}]})


def test_call_results_and_the_output_schema_rule() -> None:
    result = call_result_of(
        {"content": [{"type": "text", "text": "hi"}], "structuredContent": {"a": 1}}
    )
    assert result == CallResult([{"type": "text", "text": "hi"}], {"a": 1}, False)
    assert call_result_of({"content": [], "isError": True}).is_error
    with pytest.raises(McpProtocolError):
        call_result_of({"content": [{"text": "no type"}]})
    (tool,) = tools_of(
        "s", {"tools": [{"name": "t", "inputSchema": {}, "outputSchema": {"type": "object"}}]}
    )
    assert missing_structure(tool, CallResult([], None)) is not None
    assert missing_structure(tool, CallResult([], None, is_error=True)) is None
    assert missing_structure(tool, CallResult([], {"a": 1})) is None
