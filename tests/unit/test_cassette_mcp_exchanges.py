"""The pure rules of MCP exchanges in cassettes: what must match, ids fitted, standing streams."""

from __future__ import annotations

import json
from typing import Any

from domain.cassettes.cassette import CassetteRequest, CassetteResponse, Interaction
from domain.cassettes.mcp_exchanges import (
    describe,
    error_reply,
    event_fields,
    exchange_key,
    id_map,
    request_ids,
    rewrite_event,
    rewrite_json,
    sse_events,
    standing_plan,
)
from domain.cassettes.storage import Redactor


def _post(message: dict[str, Any], url: str = "http://127.0.0.1:4000/mcp") -> CassetteRequest:
    return CassetteRequest("POST", url, {}, json.dumps(message).encode())


def _call(request_id: Any, text: str, token: Any = None) -> dict[str, Any]:
    params: dict[str, Any] = {"name": "echo", "arguments": {"text": text}}
    if token is not None:
        params["_meta"] = {"progressToken": token}
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def test_ids_progress_tokens_hosts_and_session_ids_do_not_count() -> None:
    recorded = _post(_call(3, "hi", token=3), "http://127.0.0.1:4000/messages/?session_id=ab")
    live = _post(_call(7, "hi", token=7), "http://example.com:9/messages/?session_id=cd")
    assert exchange_key(recorded) == exchange_key(live)


def test_the_method_path_query_and_params_count() -> None:
    base = _post(_call(1, "hi"))
    assert exchange_key(base) != exchange_key(_post(_call(1, "ho")))
    assert exchange_key(base) != exchange_key(_post(_call(1, "hi"), "http://h/other"))
    assert exchange_key(base) != exchange_key(_post(_call(1, "hi"), "http://h/mcp?x=1"))
    listed = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    assert exchange_key(base) != exchange_key(_post(listed))
    get = CassetteRequest("GET", "http://127.0.0.1:4000/mcp", {}, b"")
    assert exchange_key(get) != exchange_key(CassetteRequest("DELETE", get.uri, {}, b""))


def test_initialize_matches_whatever_hexclaws_version() -> None:
    def initialize(version: str) -> CassetteRequest:
        params = {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "hexclaw", "version": version},
        }
        return _post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params})

    assert exchange_key(initialize("0.1.0")) == exchange_key(initialize("0.2.0"))


def test_a_request_is_described_in_one_line_without_its_meta() -> None:
    line = describe(_post(_call(4, "hi", token=4)))
    assert line == 'POST /mcp tools/call {"name": "echo", "arguments": {"text": "hi"}}'
    assert "\n" not in describe(_post(_call(4, "x" * 500)))
    assert len(describe(_post(_call(4, "x" * 500)))) < 120


def test_a_json_answer_gets_this_runs_id() -> None:
    mapping = id_map(_post(_call(3, "hi")), _post(_call(9, "hi")))
    answer = {"jsonrpc": "2.0", "id": 3, "result": {"content": []}}
    assert json.loads(rewrite_json(json.dumps(answer).encode(), mapping))["id"] == 9
    # The id's type is kept apart: a recorded "3" is another request.
    other = {"jsonrpc": "2.0", "id": "3", "result": {}}
    assert json.loads(rewrite_json(json.dumps(other).encode(), mapping))["id"] == "3"


def test_an_sse_answer_gets_this_runs_id_and_progress_token() -> None:
    mapping = id_map(_post(_call(3, "hi", token=3)), _post(_call(9, "hi", token=9)))
    progress = {
        "jsonrpc": "2.0",
        "method": "notifications/progress",
        "params": {"progressToken": 3, "progress": 1},
    }
    body = (
        f"event: message\r\ndata: {json.dumps(progress)}\r\n\r\n"
        'event: message\r\ndata: {"jsonrpc":"2.0","id":3,"result":{}}\r\n\r\n'
    ).encode()
    events = [rewrite_event(e, mapping) for e in sse_events(body)]
    data = [json.loads(event_fields(e)[1] or "") for e in events]
    assert data[0]["params"]["progressToken"] == 9
    assert data[1]["id"] == 9
    assert all(e.endswith(b"\r\n\r\n") for e in events)
    # A request from the server on the same stream keeps its own id.
    ask = b'event: message\r\ndata: {"jsonrpc":"2.0","id":3,"method":"elicitation/create"}\r\n\r\n'
    assert rewrite_event(ask, mapping) == ask


def test_events_are_cut_at_blank_lines_whatever_the_line_ends() -> None:
    body = b"event: endpoint\r\ndata: /m?session_id=1\r\n\r\n: ping\n\ndata: {}\r\rdata: x"
    assert sse_events(body) == [
        b"event: endpoint\r\ndata: /m?session_id=1\r\n\r\n",
        b": ping\n\n",
        b"data: {}\r\r",
        b"data: x",
    ]
    assert event_fields(b"event: endpoint\r\ndata: /m\r\n\r\n") == ("endpoint", "/m")
    assert event_fields(b": ping\n\n") == ("message", None)


def test_a_standing_stream_sends_each_answer_when_its_request_is_replayed() -> None:
    def message(value: dict[str, Any]) -> str:
        return f"event: message\r\ndata: {json.dumps(value)}\r\n\r\n"

    log = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": "working"}}
    body = (
        "event: endpoint\r\ndata: /messages/?session_id=1\r\n\r\n"
        + message({"jsonrpc": "2.0", "id": 0, "result": {"init": True}})
        + ": ping\r\n\r\n"
        + message(log)
        + message({"jsonrpc": "2.0", "id": 1, "result": {"tools": []}})
        + message({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
    ).encode()
    plan = standing_plan(body)
    assert [event_fields(e)[0] for e in plan.opening] == ["endpoint"]
    assert list(plan.by_response) == ["0", "1"]
    first, second = plan.by_response["0"], plan.by_response["1"]
    assert len(first) == 1
    # The log came just before answer 1, the notification after the last answer: both with it.
    assert [json.loads(event_fields(e)[1] or "").get("method") for e in second] == [
        "notifications/message",
        None,
        "notifications/tools/list_changed",
    ]


def test_a_stream_without_answers_is_sent_when_it_opens() -> None:
    body = b'event: message\r\ndata: {"jsonrpc":"2.0","method":"notifications/x"}\r\n\r\n'
    plan = standing_plan(body)
    assert plan.opening == (body,)
    assert plan.by_response == {}


def test_request_ids_are_those_of_requests_only() -> None:
    batch = [_call(1, "a"), {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    reply = {"jsonrpc": "2.0", "id": 5, "result": {"action": "decline"}}
    request = CassetteRequest("POST", "http://h/mcp", {}, json.dumps([*batch, reply]).encode())
    assert request_ids(request) == [1]
    refusal = json.loads(error_reply(1, "replay stopped: no"))
    assert refusal == {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {"code": -32603, "message": "replay stopped: no"},
    }


def test_a_token_in_a_header_of_its_own_naming_is_redacted_and_echoes_too() -> None:
    token = "plain-token-value-0042"
    request = CassetteRequest(
        "POST",
        "http://h/mcp",
        {
            "authorization": [f"Bearer {token}"],
            "x-trace": [token],
            "x-auth-token": ["s3cr3t-v4lue"],
        },
        json.dumps(_call(1, "who")).encode(),
    )
    answer = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"text": f"you sent {token}"}})
    response = CassetteResponse(
        200, "OK", {"content-type": ["application/json"]}, (answer.encode(),)
    )
    stored: Interaction = Redactor().interaction(request, response, None)
    assert stored.request.headers == {
        "authorization": ["REDACTED"],
        "x-trace": ["REDACTED"],
        "x-auth-token": ["REDACTED"],
    }
    assert token.encode() not in stored.response.body
    assert b"you sent REDACTED" in stored.response.body
