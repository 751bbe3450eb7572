"""Storing a request replaces its system prompt and leaves every other byte as it was."""

from __future__ import annotations

import json

import pytest

from domain.cassettes.cassette import CassetteRequest
from domain.cassettes.match import request_difference
from domain.cassettes.storage import SYSTEM_PLACEHOLDER, Redactor, without_system_prompt


def messages_body(system: object) -> bytes:
    # Written the way the client writes it (json.dumps defaults, non-ASCII kept).
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": system,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "héllo ✓"}]}],
        "stream": True,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def test_the_system_prompt_becomes_the_placeholder_and_the_rest_keeps_its_bytes() -> None:
    system = [
        {"type": "text", "text": "You are hexclaw.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Contents of ~/.claude/CLAUDE.md: my private notes"},
    ]
    stored = without_system_prompt(messages_body(system))
    assert b"private notes" not in stored
    assert stored == messages_body(SYSTEM_PLACEHOLDER)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"grant_type=authorization_code&code=x",
        b'{"grant_type": "refresh_token", "refresh_token": "r"}',
        b'["system"]',
        b'{"system": 1',
        b'{"text": "the word \\"system\\" in a message"}',
    ],
)
def test_bodies_without_a_top_level_system_are_untouched(body: bytes) -> None:
    assert without_system_prompt(body) == body


def test_a_live_request_still_matches_the_stored_one_whatever_its_system_prompt() -> None:
    uri = "https://api.anthropic.com/v1/messages?beta=true"
    recorded = Redactor().request(
        CassetteRequest("POST", uri, {}, messages_body("old prompt, old date")), None
    )
    live = CassetteRequest("POST", uri, {}, messages_body([{"type": "text", "text": "new"}]))
    assert request_difference(recorded, Redactor().request(live, None)) is None
    assert json.loads(recorded.body)["system"] == SYSTEM_PLACEHOLDER
