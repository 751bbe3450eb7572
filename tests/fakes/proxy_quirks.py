"""The exact bytes of each quirk of Anthropic-compatible proxies, served by the scripted server.

Each ``Quirk`` names a cassette in ``cassettes/proxy/`` and holds the replies that reproduce it
(see ../shared/reference/anthropic-streaming.md, section 6, for where each quirk is seen).
``tests/fakes/record_cassettes.py`` records every quirk over real HTTP from this script; to look
at one by hand, serve it and point any client at the printed URL:

    python -m tests.fakes.proxy_quirks missing-message-stop
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import attrs

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    encode_event,
    encode_events,
    json_delta,
    message_delta,
    message_start,
    message_stop,
    ping,
    text_delta,
)

MODEL = "claude-sonnet-4-5"
PROMPT = "Say hello from the proxy."
ANSWER = "Hello from behind the proxy!"
FOREIGN_TOOL_ID = "call_9f3KxYbq2LmNpQ7r"
# Small chunks with a pause between them, so each cassette also records real chunk boundaries.
CHUNK = 48
PAUSE = 0.005


@attrs.frozen
class Quirk:
    name: str
    proves: str
    seen_in: str
    replies: Callable[[], list[Reply]]
    prompt: str = PROMPT


def _answer_events(
    start_usage: dict[str, int] | None = None,
    delta_usage: dict[str, int] | None = None,
    stop: bool = True,
    drop_start_usage: bool = False,
) -> list[EventSpec]:
    start = message_start("msg_proxy_01", MODEL, start_usage)
    if drop_start_usage:
        del start[1]["message"]["usage"]
    events: list[EventSpec] = [
        start,
        block_start(0, {"type": "text", "text": ""}),
        text_delta(0, ANSWER[:9]),
        text_delta(0, ANSWER[9:]),
        block_stop(0),
        message_delta("end_turn", delta_usage),
    ]
    if stop:
        events.append(message_stop())
    return events


def _stream(body: bytes, tail: bytes = b"") -> list[Reply]:
    """The body in small paced chunks; ``tail`` arrives in one piece after them.

    The client stops reading at message_stop, and a recording keeps what the client read:
    bytes that must be in the cassette after message_stop go in the same chunk as it.
    """
    reply = Reply.stream_bytes(body, chunk_size=CHUNK, delay_between_chunks=PAUSE)
    if tail:
        reply.chunks.append(tail)
    return [reply]


def _keep_alive_body() -> bytes:
    events = _answer_events()
    comments = [b": keep-alive\n\n", b": OPENROUTER PROCESSING\n\n"]
    parts = [comments[1], comments[1]]
    for number, event in enumerate(events):
        parts.append(encode_events([event]))
        parts.append(comments[number % 2])
    parts.insert(3, encode_events([ping()]))
    return b"".join(parts)


def _foreign_tool_body() -> bytes:
    events: list[EventSpec] = [
        message_start("msg_proxy_tool", MODEL),
        block_start(0, {"type": "text", "text": ""}),
        text_delta(0, "Let me check the weather."),
        block_stop(0),
        block_start(
            1, {"type": "tool_use", "id": FOREIGN_TOOL_ID, "name": "get_weather", "input": {}}
        ),
        json_delta(1, '{"city": '),
        json_delta(1, '"Paris"}'),
        block_stop(1),
        message_delta("tool_use"),
        message_stop(),
    ]
    return encode_events(events)


QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        "missing-message-stop",
        "a stream that ends after a message_delta with a stop_reason, and no message_stop, "
        "is a complete answer",
        "tombii/better-ccflare PR #307; BerriAI/litellm PR #20361; openclaw/openclaw PR #120030",
        lambda: _stream(encode_events(_answer_events(stop=False))),
    ),
    Quirk(
        "done-sentinel-after-message-stop",
        "`event: data` / `data: [DONE]` after message_stop does not break the answer "
        "(the official SDK crashes on it)",
        "OpenRouterTeam/docs issue #1 (OpenRouter's /api/v1/messages)",
        lambda: _stream(
            encode_events(_answer_events(stop=False)),
            tail=encode_events([message_stop()]) + encode_event("data", "[DONE]"),
        ),
    ),
    Quirk(
        "done-sentinel-instead-of-message-stop",
        "a bare `data: [DONE]` where message_stop should be is skipped, and the answer is "
        "complete on its stop_reason",
        "Alishahryar1/free-claude-code PR #43; aiproxer/aiproxer PR #539",
        lambda: _stream(encode_events(_answer_events(stop=False)) + encode_event(None, "[DONE]")),
    ),
    Quirk(
        "usage-only-in-message-delta",
        "message_start carries no usage at all; the counts on message_delta are the totals",
        "open-webui PR #27293; lobehub/lobehub PR #18612; AMAP-ML/SkillClaw PR #21",
        lambda: _stream(
            encode_events(
                _answer_events(
                    drop_start_usage=True,
                    delta_usage={"input_tokens": 25, "output_tokens": 9},
                )
            )
        ),
    ),
    Quirk(
        "zeroed-usage-in-message-start",
        "message_start reports every count as 0; the real counts arrive on message_delta and win",
        "mlx-node/mlx-node PR #45; BerriAI/litellm issue #31069; lobehub/lobehub PR #18612",
        lambda: _stream(
            encode_events(
                _answer_events(
                    start_usage={
                        "input_tokens": 0,
                        "output_tokens": 0,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                    },
                    delta_usage={"input_tokens": 31, "output_tokens": 12},
                )
            )
        ),
    ),
    Quirk(
        "missing-event-lines",
        "events with only `data:` lines (the type only in the JSON) are reduced by that type "
        "(the official SDK drops unnamed events)",
        "docs.rs open-agent-sdk types/anthropic_stream.rs; anthropics/anthropic-sdk-python "
        "PR #1651",
        lambda: _stream(encode_events(_answer_events(), event_lines=False)),
    ),
    Quirk(
        "crlf-line-endings",
        "CRLF line endings frame exactly like LF",
        "allowed by the SSE spec; no first-hand gateway report in the reference",
        lambda: _stream(encode_events(_answer_events(), eol="\r\n")),
    ),
    Quirk(
        "keep-alive-comments",
        "`: keep-alive` and `: OPENROUTER PROCESSING` comments (and a ping) between events "
        "are ignored",
        "OpenRouter streaming docs; anyrobert/cursor-api-proxy v1.5.0",
        lambda: _stream(_keep_alive_body()),
    ),
    Quirk(
        "foreign-tool-call-ids",
        f"a tool call whose id is in another provider's format ({FOREIGN_TOOL_ID}) is kept "
        "as is, and its tool_result answers that same id",
        "gateways that translate OpenAI-format upstreams (issue 7; reference section 6, "
        "LiteLLM rows)",
        lambda: _stream(_foreign_tool_body()),
        prompt="What is the weather in Paris?",
    ),
    Quirk(
        "overloaded-529-then-success",
        "an HTTP 529 overloaded_error is retried, and the retry's answer is the result",
        "reference section 5.1 (529 overloaded before the stream starts)",
        lambda: [
            Reply.error(529, "overloaded_error", "Overloaded"),
            *_stream(encode_events(_answer_events())),
        ],
    ),
    Quirk(
        "rate-limited-429-then-success",
        "an HTTP 429 rate_limit_error with retry-after is retried after that wait",
        "reference section 5.2 (rate_limit_error is retryable after a delay)",
        lambda: [
            Reply.error(
                429,
                "rate_limit_error",
                "Number of request tokens has exceeded your per-minute rate limit",
                retry_after="1",
            ),
            *_stream(encode_events(_answer_events())),
        ],
    ),
)


def quirk(name: str) -> Quirk:
    for candidate in QUIRKS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def main(argv: list[str]) -> int:
    """Serve one quirk (its replies, then the last one again) until idle for 60 seconds."""
    if len(argv) != 1 or argv[0] not in {q.name for q in QUIRKS}:
        names = ", ".join(q.name for q in QUIRKS)
        print(f"usage: python -m tests.fakes.proxy_quirks NAME  (one of: {names})")
        return 2
    chosen = quirk(argv[0])
    with ScriptedAnthropicServer(
        chosen.replies(), responder=lambda _: chosen.replies()[-1], idle_timeout=60
    ) as server:
        print(server.url, flush=True)
        while server._thread.is_alive():
            server._thread.join(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
