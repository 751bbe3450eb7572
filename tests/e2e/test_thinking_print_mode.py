"""Extended thinking through ``hexclaw -p`` against the scripted server: the request's
``thinking`` object, beta header and effort per model, settings, environment, flag and prompt
words; thinking blocks sent back byte for byte through the tool loop, kept in the session
file and on resume, and carried by stream-json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    json_delta,
    message_delta,
    message_start,
    message_stop,
    signature_delta,
    text_message_events,
    thinking_delta,
)
from tests.support import hexclaw_env, run_hexclaw

INTERLEAVED = "interleaved-thinking-2025-05-14"
# Quotes, a backslash, a newline, non-ASCII and an emoji: what a careless re-encoding changes.
THOUGHT = 'Let me read the file first.\nIt says "hello" \\ naïve café 🦀 — then answer.'
SIGNATURE = "EqQBCkYIBxgCKkBz+/sig==\u00e9"
REDACTED = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"


def thinking_tool_reply(path: str) -> Reply:
    """Thinking (streamed in pieces, then signed), redacted thinking, then a Read call."""
    events: list[EventSpec] = [
        message_start("msg_think_tool"),
        block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        *(thinking_delta(0, THOUGHT[i : i + 7]) for i in range(0, len(THOUGHT), 7)),
        signature_delta(0, SIGNATURE),
        block_stop(0),
        block_start(1, {"type": "redacted_thinking", "data": REDACTED}),
        block_stop(1),
        block_start(2, {"type": "tool_use", "id": "toolu_r1", "name": "Read", "input": {}}),
        json_delta(2, json.dumps({"file_path": path})),
        block_stop(2),
        message_delta("tool_use"),
        message_stop(),
    ]
    # Five-byte chunks split the emoji and the accented letters across reads.
    return Reply.sse(events, chunk_size=5)


def ask(
    server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    args: list[str],
    **env: str,
) -> dict[str, Any]:
    done = run_hexclaw(
        ["-p", *args, "--output-format", "json"],
        hexclaw_env(server.url, config_home, **env),
        workspace,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def betas(request: RecordedRequest) -> list[str]:
    return [b for b in request.headers.get("anthropic-beta", "").split(",") if b]


def write_settings(config_home: Path, **values: Any) -> None:
    (config_home / "settings.json").write_text(json.dumps(values))


def test_thinking_is_on_by_default_with_claude_codes_budget_and_the_interleaved_beta(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, ["hello", "--allowedTools", "Read"])
    body = anthropic_server.requests[0].body
    assert body["model"] == "claude-sonnet-4-5"
    assert body["max_tokens"] == 32000
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 31999}
    assert "temperature" not in body
    assert INTERLEAVED in betas(anthropic_server.requests[0])


def test_without_tools_thinking_needs_no_interleaved_beta(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, ["hello"])
    request = anthropic_server.requests[0]
    assert "tools" not in request.body
    assert request.body["thinking"]["type"] == "enabled"
    assert INTERLEAVED not in betas(request)


def test_always_thinking_false_sends_disabled_with_temperature_one(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write_settings(config_home, alwaysThinkingEnabled=False)
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, ["hello", "--allowedTools", "Read"])
    request = anthropic_server.requests[0]
    assert request.body["thinking"] == {"type": "disabled"}
    assert request.body["temperature"] == 1
    assert INTERLEAVED not in betas(request)


@pytest.mark.parametrize(
    ("prompt", "budget"),
    [
        ("think about the bug", 4000),
        ("Think hard about the bug", 10000),
        ("please ULTRATHINK this one", 31999),
        ("think harder, then answer", 31999),
    ],
)
def test_prompt_words_turn_thinking_on_with_their_budget(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    prompt: str,
    budget: int,
) -> None:
    write_settings(config_home, alwaysThinkingEnabled=False)
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, [prompt])
    body = anthropic_server.requests[0].body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert "temperature" not in body


def test_max_thinking_tokens_wins_over_the_setting_and_the_words(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write_settings(config_home, alwaysThinkingEnabled=False)
    anthropic_server.add(Reply.sse(text_message_events("ok")), Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, ["ultrathink"], MAX_THINKING_TOKENS="4000")
    assert anthropic_server.requests[0].body["thinking"] == {
        "type": "enabled",
        "budget_tokens": 4000,
    }
    ask(anthropic_server, config_home, workspace, ["hello"], MAX_THINKING_TOKENS="0")
    assert anthropic_server.requests[1].body["thinking"] == {"type": "disabled"}


def test_the_flag_beats_the_environment_and_the_budget_stays_below_max_tokens(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")), Reply.sse(text_message_events("ok")))
    ask(
        anthropic_server,
        config_home,
        workspace,
        ["hello", "--max-thinking-tokens", "2048"],
        MAX_THINKING_TOKENS="9000",
    )
    assert anthropic_server.requests[0].body["thinking"]["budget_tokens"] == 2048
    ask(
        anthropic_server,
        config_home,
        workspace,
        ["hello", "--max-thinking-tokens", "50000", "--max-tokens", "8000"],
    )
    body = anthropic_server.requests[1].body
    assert body["max_tokens"] == 8000
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 7999}


def test_a_bad_budget_flag_is_one_usage_line(config_home: Path, workspace: Path) -> None:
    done = run_hexclaw(
        ["-p", "hi", "--max-thinking-tokens", "-5"],
        hexclaw_env("http://127.0.0.1:9", config_home),
        workspace,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--max-thinking-tokens" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("model", "thinking", "effort", "extra_betas"),
    [
        # Adaptive-only families: Claude Code's default effort is medium.
        ("claude-opus-5", {"type": "adaptive"}, "medium", []),
        ("claude-opus-4-7", {"type": "adaptive"}, "medium", []),
        # Both kinds: adaptive is preferred and interleaves without a beta.
        ("claude-sonnet-4-6", {"type": "adaptive"}, "medium", []),
        # Budget thinking; effort only when chosen (none here).
        ("claude-opus-4-5", {"type": "enabled", "budget_tokens": 31999}, None, [INTERLEAVED]),
        ("claude-3-7-sonnet-latest", {"type": "enabled", "budget_tokens": 31999}, None, []),
        # No thinking at all: no thinking object.
        ("claude-3-5-haiku-latest", None, None, []),
    ],
)
def test_each_model_family_gets_the_thinking_it_takes(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    model: str,
    thinking: dict[str, Any] | None,
    effort: str | None,
    extra_betas: list[str],
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    ask(
        anthropic_server,
        config_home,
        workspace,
        ["hello", "--model", model, "--max-tokens", "32000", "--allowedTools", "Read"],
    )
    request = anthropic_server.requests[0]
    assert request.body.get("thinking") == thinking
    assert request.body.get("output_config") == (None if effort is None else {"effort": effort})
    assert betas(request) == extra_betas


def test_effort_level_setting_and_the_words_raise_effort_on_adaptive_models(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write_settings(config_home, effortLevel="low")
    anthropic_server.add(Reply.sse(text_message_events("ok")), Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, ["hello", "--model", "claude-opus-5"])
    assert anthropic_server.requests[0].body["output_config"] == {"effort": "low"}
    ask(anthropic_server, config_home, workspace, ["ultrathink", "--model", "claude-opus-5"])
    assert anthropic_server.requests[1].body["output_config"] == {"effort": "max"}


def test_opus_4_5_sends_a_chosen_effort_with_its_beta(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    write_settings(config_home, effortLevel="medium")
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, ["hello", "--model", "claude-opus-4-5"])
    request = anthropic_server.requests[0]
    assert request.body["output_config"] == {"effort": "medium"}
    assert "effort-2025-11-24" in betas(request)


def test_thinking_blocks_go_back_byte_for_byte_in_place_and_survive_resume(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("hello\n")
    anthropic_server.add(
        thinking_tool_reply("a.txt"),
        Reply.sse(text_message_events("It says hello.")),
        Reply.sse(text_message_events("Still hello.")),
    )
    first = ask(anthropic_server, config_home, workspace, ["read a.txt", "--allowedTools", "Read"])
    assert first["result"] == "It says hello."
    thinking = json.dumps(
        {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE}, ensure_ascii=False
    )
    redacted = json.dumps({"type": "redacted_thinking", "data": REDACTED}, ensure_ascii=False)
    second = anthropic_server.requests[1]
    assert thinking.encode() in second.raw
    assert redacted.encode() in second.raw
    assistant = second.body["messages"][1]
    assert assistant["role"] == "assistant"
    assert [b["type"] for b in assistant["content"]] == [
        "thinking",
        "redacted_thinking",
        "tool_use",
    ]
    assert INTERLEAVED in betas(second)
    resumed = ask(
        anthropic_server,
        config_home,
        workspace,
        ["--resume", first["session_id"], "again?", "--allowedTools", "Read"],
    )
    assert resumed["result"] == "Still hello."
    third = anthropic_server.requests[2]
    assert thinking.encode() in third.raw
    assert redacted.encode() in third.raw
    assert third.body["messages"][1] == assistant


def test_stream_json_carries_the_thinking_blocks(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("hello\n")
    anthropic_server.add(thinking_tool_reply("a.txt"), Reply.sse(text_message_events("done")))
    done = run_hexclaw(
        ["-p", "go", "--output-format", "stream-json", "--verbose", "--allowedTools", "Read"],
        hexclaw_env(anthropic_server.url, config_home),
        workspace,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    first = next(line for line in lines if line["type"] == "assistant")
    content = first["message"]["content"]
    assert content[0] == {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE}
    assert content[1] == {"type": "redacted_thinking", "data": REDACTED}


def test_a_bad_max_thinking_tokens_is_one_warning_and_thinking_stays_at_its_default(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "settings.json").write_text(json.dumps({"effortLevel": "extreme"}))
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    done = run_hexclaw(
        ["-p", "hello"],
        hexclaw_env(anthropic_server.url, config_home, MAX_THINKING_TOKENS="lots"),
        workspace,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert any("MAX_THINKING_TOKENS must be a whole number" in line for line in lines)
    assert any("effortLevel must be one of low, medium, high, xhigh, max" in line for line in lines)
    assert anthropic_server.requests[0].body["thinking"] == {
        "type": "enabled",
        "budget_tokens": 31999,
    }
