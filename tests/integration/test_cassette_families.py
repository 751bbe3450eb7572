"""Every committed cassette replays through the real client, offline, and holds no secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import vcr
from vcr.serializers import yamlserializer

from adapters.anthropic.client import AnthropicClient, ClientConfig, make_http_client
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.cassettes.file import load_cassette
from adapters.cassettes.replay import ReplayTransport
from domain.cassettes.cassette import Cassette
from domain.cassettes.chunked_body import fixed_size
from domain.cassettes.storage import cassette_leaks
from domain.messages.api_errors import ApiStatusError
from domain.messages.content import Message, TextBlock, ToolUseBlock
from domain.messages.request import MessageRequest
from domain.messages.retry_policy import RetryPolicy
from domain.messages.wire import conversation_message_from_wire
from tests.fakes.proxy_quirks import ANSWER, FOREIGN_TOOL_ID, QUIRKS

ROOT = Path(__file__).resolve().parents[2]
ALL_CASSETTES = sorted([*ROOT.glob("cassettes/*/*.yaml"), *ROOT.glob("demo/*.yaml")])
MESSAGES_CASSETTES = [
    p for p in ALL_CASSETTES if load_cassette(p).interactions[0].request.target == "/v1/messages"
]


class _Random:
    def token_bytes(self, count: int) -> bytes:
        return b"\0" * count

    def fraction(self) -> float:
        return 0.0


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def replay_calls(
    cassette: Cassette, chunk_size: int | None = None
) -> tuple[list[Message], list[float]]:
    """Send each recorded Messages request again, through the real client; every answer."""
    chunking = None if chunk_size is None else (lambda body: fixed_size(body, chunk_size))
    transport = ReplayTransport(cassette, chunking=chunking)
    sleeps: list[float] = []
    config = ClientConfig(base_url="https://api.anthropic.com", retry=RetryPolicy(max_retries=3))
    client = AnthropicClient(
        config,
        StaticAuthHeaders({"x-api-key": "replay"}),
        _Random(),
        http=make_http_client(config, transport),
        sleep=sleeps.append,
    )
    messages: list[Message] = []
    seen: set[bytes] = set()
    for interaction in cassette.interactions:
        body = interaction.request.body
        if body in seen:  # a retried request: the client resends it by itself
            continue
        seen.add(body)
        wire: dict[str, Any] = json.loads(body)
        request = MessageRequest(
            model=wire["model"],
            max_tokens=wire["max_tokens"],
            messages=[conversation_message_from_wire(m) for m in wire["messages"]],
            system=wire.get("system", []),
            tools=wire.get("tools", []),
        )
        messages.append(client.stream_message(request, lambda _: None))
    assert transport.unplayed == 0
    return messages, sleeps


def test_there_are_cassettes_in_every_family() -> None:
    families = {p.parent.name for p in ALL_CASSETTES}
    assert {"anthropic", "proxy", "oauth", "mcp"} <= families
    assert {f"cassettes/proxy/{q.name}.yaml" for q in QUIRKS} <= {_name(p) for p in ALL_CASSETTES}


def test_the_index_names_every_cassette() -> None:
    index = (ROOT / "cassettes" / "README.md").read_text()
    for path in ALL_CASSETTES:
        name = path.relative_to(ROOT / "cassettes" if "cassettes" in path.parts else ROOT)
        assert f"`{name}`" in index, f"cassettes/README.md does not mention {name}"


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=_name)
def test_vcrpy_itself_loads_every_cassette(path: Path) -> None:
    requests, responses, *_ = vcr.serialize.deserialize(path.read_text(), yamlserializer)
    interactions = load_cassette(path).interactions
    assert [r.uri for r in requests] == [i.request.uri for i in interactions]
    assert [r["body"]["string"] for r in responses] == [i.response.body for i in interactions]


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=_name)
def test_no_cassette_holds_anything_like_a_key_or_token(path: Path) -> None:
    assert cassette_leaks(load_cassette(path), path.read_bytes()) == []


@pytest.mark.parametrize("path", MESSAGES_CASSETTES, ids=_name)
@pytest.mark.parametrize("chunk_size", [None, 1, 7])
def test_every_messages_cassette_replays_to_complete_messages(
    path: Path, chunk_size: int | None
) -> None:
    cassette = load_cassette(path)
    final_status = cassette.interactions[-1].response.status
    if final_status != 200:
        with pytest.raises(ApiStatusError) as caught:
            replay_calls(cassette, chunk_size)
        assert caught.value.status == final_status
        return
    messages, _ = replay_calls(cassette, chunk_size)
    assert messages
    assert all(m.stop_reason for m in messages)
    # The chunking never changes the result.
    assert messages == replay_calls(load_cassette(path))[0]


def _proxy(name: str) -> Message:
    messages, _ = replay_calls(load_cassette(ROOT / "cassettes" / "proxy" / f"{name}.yaml"))
    assert len(messages) == 1
    return messages[0]


@pytest.mark.parametrize(
    "name",
    [
        "missing-message-stop",
        "done-sentinel-after-message-stop",
        "done-sentinel-instead-of-message-stop",
        "missing-event-lines",
        "crlf-line-endings",
        "keep-alive-comments",
    ],
)
def test_framing_quirks_give_the_plain_answer(name: str) -> None:
    message = _proxy(name)
    assert message.content == [TextBlock(text=ANSWER)]
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (12, 7)


def test_usage_only_in_message_delta() -> None:
    usage = _proxy("usage-only-in-message-delta").usage
    assert (usage.input_tokens, usage.output_tokens) == (25, 9)


def test_zeroed_usage_in_message_start_is_replaced_by_the_delta_totals() -> None:
    usage = _proxy("zeroed-usage-in-message-start").usage
    assert (usage.input_tokens, usage.output_tokens) == (31, 12)
    assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)


def test_a_foreign_tool_call_id_is_kept_as_is() -> None:
    message = _proxy("foreign-tool-call-ids")
    assert message.stop_reason == "tool_use"
    tool_uses = [b for b in message.content if isinstance(b, ToolUseBlock)]
    assert [(t.id, t.name, t.input) for t in tool_uses] == [
        (FOREIGN_TOOL_ID, "get_weather", {"city": "Paris"})
    ]


@pytest.mark.parametrize(
    ("name", "expected_sleeps"),
    [("overloaded-529-then-success", [0.0]), ("rate-limited-429-then-success", [1.0])],
)
def test_an_error_status_before_success_is_retried(name: str, expected_sleeps: list[float]) -> None:
    path = ROOT / "cassettes" / "proxy" / f"{name}.yaml"
    assert [i.response.status for i in load_cassette(path).interactions][-1] == 200
    messages, sleeps = replay_calls(load_cassette(path))
    assert [m.text for m in messages] == [ANSWER]
    assert sleeps == expected_sleeps


def test_the_live_family_holds_a_streamed_answer_and_two_refusals() -> None:
    folder = ROOT / "cassettes" / "anthropic"
    messages, _ = replay_calls(load_cassette(folder / "text-answer.yaml"))
    assert [m.stop_reason for m in messages] == ["end_turn"]
    assert messages[0].text.strip().lower().startswith("hello")
    assert messages[0].usage.input_tokens > 0
    for name, status in (("unknown-model-404", 404), ("invalid-key-401", 401)):
        cassette = load_cassette(folder / f"{name}.yaml")
        assert [i.response.status for i in cassette.interactions] == [status]
        assert str(cassette.metadata["source"]).startswith(("live:", "stand-in:"))
