"""Hostile input the fuzzers found crashing a parser, kept as plain regression tests so the
normal suite always runs them (the fuzzers find such cases only with many examples)."""

from __future__ import annotations

import json

import pytest

from domain.auth.errors import TokenEndpointError
from domain.auth.token_response import parse_token_response
from domain.messages.content import ToolUseBlock, UnknownBlock
from domain.messages.wire import block_from_wire
from domain.sessions.log import FORMAT_VERSION, HEADER_TYPE, conversation_from_log, decode_log
from domain.settings.merge import SettingsError, parse_settings_text

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    "lifetime",
    [
        {"expires_in": "1E310"},
        {"expires_in": 1e308},
        {"expires_in": 10**400},
        {"expires_at": float("inf")},
        {"expires_at": -1e300},
        {"expires_at": 10**20},
    ],
)
def test_a_token_lifetime_beyond_any_date_is_a_typed_error(lifetime: dict[str, object]) -> None:
    with pytest.raises(TokenEndpointError, match="out of range"):
        parse_token_response({"access_token": "at", **lifetime}, NOW, ())


def test_an_expiry_up_to_the_end_of_year_9999_is_still_a_date() -> None:
    last_millisecond = {"access_token": "at", "expires_at": 253_402_300_799_000}
    assert parse_token_response(last_millisecond, NOW, ()).expires_at == 253_402_300_799.0


@pytest.mark.parametrize("depth", [65, 900, 5000, 200_000])
def test_settings_nested_too_deeply_are_one_settings_error(depth: int) -> None:
    text = '{"hooks": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(SettingsError, match=r"^/p/settings\.json: settings nest"):
        parse_settings_text(text, "/p/settings.json")


def test_settings_nested_64_levels_are_fine() -> None:
    text = '{"hooks": ' + "[" * 62 + "]" * 62 + "}"
    assert parse_settings_text(text, "s") == json.loads(text)


def _log(*entries: object) -> bytes:
    header = {"type": HEADER_TYPE, "format": FORMAT_VERSION}
    return "".join(json.dumps(e) + "\n" for e in (header, *entries)).encode()


def test_a_session_line_nested_too_deeply_is_skipped_as_damaged() -> None:
    deep = '{"type":"message","message":' + "[" * 5000 + "]" * 5000 + "}"
    data = _log({"type": "message", "message": {"role": "user", "content": "hi"}})
    log = decode_log(data + deep.encode() + b"\n", "/s/x.jsonl")
    assert log.warnings == ["/s/x.jsonl: line 3 is damaged; skipped it"]
    assert [m.role for m in conversation_from_log(log).messages] == ["user"]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "tool_use", "id": ["toolu_1"], "name": "Read", "input": {}},
        {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": "a.py"},
        {"type": "tool_result", "tool_use_id": {"x": 1}, "content": "ok"},
        {"type": "text", "text": 42},
        {"type": "thinking", "thinking": "hm", "signature": None},
    ],
)
def test_a_block_with_a_field_of_the_wrong_type_is_kept_whole_not_half_read(
    block: dict[str, object],
) -> None:
    assert block_from_wire(block) == UnknownBlock(raw=block)


def test_a_resumed_log_with_a_list_for_a_tool_id_loads() -> None:
    data = _log(
        {"type": "message", "message": {"role": "user", "content": "hi"}},
        {
            "type": "message",
            "message": {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": [1], "name": "x", "input": {}}],
            },
        },
    )
    messages = conversation_from_log(decode_log(data, "s")).messages
    assert [m.role for m in messages] == ["user", "assistant"]
    assert not any(isinstance(b, ToolUseBlock) for b in messages[1].content)


@pytest.mark.parametrize("content", [1, 2.5, True, {"type": "text", "text": "x"}])
def test_a_logged_message_whose_content_is_not_a_list_loads_without_it(content: object) -> None:
    data = _log(
        {"type": "message", "message": {"role": "user", "content": "hi"}},
        {"type": "message", "message": {"role": "assistant", "content": content}},
    )
    messages = conversation_from_log(decode_log(data, "s")).messages
    assert [(m.role, len(m.content)) for m in messages] == [("user", 1)]
