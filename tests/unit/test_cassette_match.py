"""Where a live request differs from the recorded one, said in one line."""

from __future__ import annotations

import json
from typing import Any

from domain.cassettes.cassette import CassetteRequest
from domain.cassettes.match import first_difference, request_difference


def _messages(body: dict[str, Any], host: str = "127.0.0.1:4000") -> CassetteRequest:
    return CassetteRequest("POST", f"http://{host}/v1/messages", {}, json.dumps(body).encode())


BASE: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 1024,
    "system": [{"type": "text", "text": "Today is 2026-01-01"}],
    "tools": [{"name": "Read", "description": "reads", "input_schema": {}}],
    "messages": [
        {"role": "user", "content": [{"type": "text", "text": "fix the bug"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "Read", "input": {"p": "a"}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "1 passed"}],
        },
    ],
    "stream": True,
}


def test_the_same_conversation_matches_whatever_the_host_system_tools_and_limits() -> None:
    other = dict(BASE, system=[{"type": "text", "text": "Today is 2027-05-05"}], max_tokens=9)
    other["tools"] = [{"name": "Bash", "description": "runs", "input_schema": {}}]
    assert request_difference(_messages(BASE), _messages(other, host="api.anthropic.com")) is None


def test_cache_breakpoints_do_not_count() -> None:
    marked = json.loads(json.dumps(BASE))
    marked["messages"][2]["content"][0]["cache_control"] = {"type": "ephemeral"}
    assert request_difference(_messages(BASE), _messages(marked)) is None


def test_a_changed_tool_result_is_pinpointed() -> None:
    changed = json.loads(json.dumps(BASE))
    changed["messages"][2]["content"][0]["content"] = "1 failed"
    assert request_difference(_messages(BASE), _messages(changed)) == (
        'body.messages[2].content[0].content: the cassette has "1 passed", this run sent "1 failed"'
    )


def test_an_extra_message_and_a_missing_key_are_named() -> None:
    longer = json.loads(json.dumps(BASE))
    longer["messages"].append({"role": "assistant", "content": "hi"})
    assert request_difference(_messages(BASE), _messages(longer)) == (
        "body.messages has 3 items in the cassette but 4 in this run"
    )
    without = json.loads(json.dumps(BASE))
    del without["messages"][1]["content"][0]["input"]
    assert request_difference(_messages(BASE), _messages(without)) == (
        "body.messages[1].content[0].input is in the cassette but not in this run's request"
    )


def test_the_model_counts() -> None:
    assert request_difference(_messages(BASE), _messages(dict(BASE, model="other"))) == (
        'body.model: the cassette has "claude-sonnet-4-5", this run sent "other"'
    )


def test_method_and_path_come_first() -> None:
    recorded = _messages(BASE)
    assert request_difference(recorded, CassetteRequest("GET", recorded.uri, {}, b"")) == (
        "the method differs: the cassette has POST, this run sent GET"
    )
    moved = CassetteRequest("POST", "http://127.0.0.1:4000/v1/complete", {}, recorded.body)
    assert request_difference(recorded, moved) == (
        "the URL differs: the cassette has /v1/messages, this run sent /v1/complete"
    )


def test_other_json_bodies_are_compared_whole() -> None:
    token = CassetteRequest(
        "POST", "https://x/v1/oauth/token", {}, b'{"grant_type": "refresh_token", "scope": "a"}'
    )
    changed = CassetteRequest(
        "POST", "https://x/v1/oauth/token", {}, b'{"grant_type": "refresh_token", "scope": "b"}'
    )
    assert request_difference(token, changed) == (
        'body.scope: the cassette has "a", this run sent "b"'
    )


def test_non_json_bodies_show_the_first_differing_byte() -> None:
    a = CassetteRequest("POST", "http://x/form", {}, b"grant_type=code&code=REDACTED")
    b = CassetteRequest("POST", "http://x/form", {}, b"grant_type=refresh&code=REDACTED")
    assert request_difference(a, b) == (
        'the body differs from byte 11: the cassette has "code&code=REDACTED" (29 bytes), '
        'this run sent "refresh&code=REDACTED" (32 bytes)'
    )


def test_long_values_are_cut_and_types_count() -> None:
    found = first_difference("body", "x" * 200, "y")
    assert found is not None
    assert "… (202 characters)" in found
    assert first_difference("body", 1, 1.0) == "body: the cassette has 1, this run sent 1.0"
