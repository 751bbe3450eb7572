"""The headless flags through the real CLI against the scripted server: ``--json-schema``,
``--max-budget-usd``, ``--fallback-model``, ``--session-id``, ``--fork-session``,
``--add-dir``, ``--setting-sources``, and bad stream-json input."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.live_process import one_error_line
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    block_start,
    block_stop,
    message_delta,
    message_start,
    message_stop,
    text_delta,
    text_message_events,
    tool_use_events,
)
from tests.support import hexclaw_env, run_hexclaw

SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "integer"}, "unit": {"type": "string"}},
    "required": ["answer", "unit"],
    "additionalProperties": False,
}


def structured(call_id: str, value: dict[str, Any]) -> Reply:
    return Reply.sse(tool_use_events([(call_id, "StructuredOutput", value)]))


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    last = body["messages"][-1]
    return [b for b in last["content"] if b.get("type") == "tool_result"]


def test_json_schema_answer_that_fails_once_is_corrected_and_returned(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        structured("toolu_1", {"answer": "four"}),
        structured("toolu_2", {"answer": 4, "unit": "apples"}),
        Reply.sse(text_message_events("Four apples.")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "How many?", "--output-format", "json", "--json-schema", json.dumps(SCHEMA)]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["structured_output"] == {"answer": 4, "unit": "apples"}
    assert (result["subtype"], result["is_error"]) == ("success", False)
    first = anthropic_server.requests[0].body
    offered = {t["name"]: t for t in first["tools"]}
    # Offered without any tool opt-in: it touches nothing.
    assert list(offered) == ["StructuredOutput"]
    assert offered["StructuredOutput"]["input_schema"] == SCHEMA
    assert "StructuredOutput" in json.dumps(first["system"])
    [rejected] = tool_results(anthropic_server.requests[1].body)
    assert rejected["is_error"] is True
    assert "'four' is not of type 'integer'" in rejected["content"]
    assert "'unit' is a required property" in rejected["content"]
    [accepted] = tool_results(anthropic_server.requests[2].body)
    assert accepted["is_error"] is False


def test_json_schema_answer_that_fails_twice_exits_1_with_the_error(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        structured("toolu_1", {"answer": "four"}),
        structured("toolu_2", {"answer": "still four", "unit": "apples"}),
        Reply.sse(text_message_events("I cannot.")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "How many?", "--output-format", "json", "--json-schema", json.dumps(SCHEMA)]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["subtype"] == "error_max_structured_output_retries"
    assert result["is_error"] is True
    assert "structured_output" not in result
    assert "'still four' is not of type 'integer'" in result["error"]
    assert "does not match --json-schema" in one_error_line(done.stderr)
    # Retried once: two answers through the tool, and the second error said to stop.
    [last_error] = tool_results(anthropic_server.requests[2].body)
    assert "Do not call StructuredOutput again" in last_error["content"]


def test_json_schema_from_a_file_and_a_schema_that_is_no_schema(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    bad = run_hexclaw(["-p", "x", "--json-schema", '{"type": 5}'], env, workspace)
    assert bad.returncode == 2
    assert "not a valid JSON Schema" in one_error_line(bad.stderr)
    missing = run_hexclaw(["-p", "x", "--json-schema", "nope.json"], env, workspace)
    assert missing.returncode == 2
    assert "cannot read nope.json" in one_error_line(missing.stderr)
    listing = {"type": "array", "items": {"type": "string"}}
    (workspace / "schema.json").write_text(json.dumps(listing))
    anthropic_server.add(
        structured("toolu_1", {"value": ["a", "b"]}), Reply.sse(text_message_events("ok"))
    )
    done = run_hexclaw(
        ["-p", "x", "--output-format", "json", "--json-schema", "schema.json"], env, workspace
    )
    assert done.returncode == 0, done.stderr
    # A schema that is not an object travels wrapped and comes back unwrapped.
    assert json.loads(done.stdout)["structured_output"] == ["a", "b"]
    assert len(anthropic_server.requests) == 2
    assert not bad.stdout
    assert not missing.stdout


def test_max_budget_stops_before_a_call_that_would_pass_it(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "hi", "--output-format", "json", "--max-budget-usd", "0.0001"], env, workspace
    )
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert (result["subtype"], result["is_error"]) == ("error_max_budget_usd", True)
    assert "--max-budget-usd" in result["error"]
    assert anthropic_server.requests == []


def test_max_budget_counts_what_calls_cost(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    # The first call reports a million input tokens: $3 at Sonnet's price, past a $1 budget,
    # so the call its tool result needs is never sent.
    costly = [message_start("msg_1", usage={"input_tokens": 1_000_000, "output_tokens": 1})]
    costly += tool_use_events([("toolu_1", "Bash", {"command": "echo hi"})])[1:]
    anthropic_server.add(Reply.sse(costly), Reply.sse(text_message_events("never")))
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "hi", "--output-format", "stream-json", "--allowedTools", "Bash(echo:*)"]
    done = run_hexclaw([*args, "--max-budget-usd", "1"], env, workspace)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[-1]["subtype"] == "error_max_budget_usd"
    assert len(anthropic_server.requests) == 1
    assert done.returncode == 1


def test_max_budget_needs_a_priced_model(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "hi", "--model", "mystery-model", "--max-budget-usd", "5"]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 2
    assert "there is none for the model 'mystery-model'" in one_error_line(done.stderr)


def test_fallback_model_takes_over_after_overload(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    overloaded = Reply.error(529, "overloaded_error", "Overloaded")
    anthropic_server.add(overloaded, overloaded, Reply.sse(text_message_events("from haiku")))
    env = hexclaw_env(anthropic_server.url, config_home, HEXCLAW_MAX_RETRIES="1")
    args = ["-p", "hi", "--output-format", "json", "--fallback-model", "claude-haiku-4-5"]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == "from haiku"
    assert [r.body["model"] for r in anthropic_server.requests] == [
        "claude-sonnet-4-5",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
    ]
    assert "continuing on claude-haiku-4-5" in done.stderr


def test_session_id_names_the_new_session_and_fork_leaves_the_original(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    first_id, fork_id = str(uuid.uuid4()), str(uuid.uuid4())
    anthropic_server.add(
        Reply.sse(text_message_events("one")), Reply.sse(text_message_events("two"))
    )
    done = run_hexclaw(
        ["-p", "first", "--output-format", "json", "--session-id", first_id], env, workspace
    )
    assert json.loads(done.stdout)["session_id"] == first_id
    [folder] = (config_home / "projects").iterdir()
    original = (folder / f"{first_id}.jsonl").read_bytes()
    again = run_hexclaw(["-p", "x", "--session-id", first_id], env, workspace)
    assert again.returncode != 0
    assert "already a saved session" in one_error_line(again.stderr)
    args = ["-p", "second", "--output-format", "json", "--resume", first_id, "--fork-session"]
    forked = run_hexclaw([*args, "--session-id", fork_id], env, workspace)
    assert forked.returncode == 0, forked.stderr
    assert json.loads(forked.stdout)["session_id"] == fork_id
    assert (folder / f"{first_id}.jsonl").read_bytes() == original
    # The fork continued the conversation, and its own log holds all of it.
    sent = anthropic_server.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    fork_log = (folder / f"{fork_id}.jsonl").read_text()
    assert "first" in fork_log
    assert "second" in fork_log
    assert "one" in fork_log
    bad = run_hexclaw(["-p", "x", "--session-id", "not-a-uuid"], env, workspace)
    assert bad.returncode == 2
    assert "not a UUID" in one_error_line(bad.stderr)
    lone = run_hexclaw(["-p", "x", "--fork-session"], env, workspace)
    assert lone.returncode == 2
    assert "needs --resume or --continue" in one_error_line(lone.stderr)


def test_add_dir_lets_the_tools_write_in_another_folder(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    target = other / "note.txt"
    write = {"file_path": str(target), "content": "hello\n"}
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "write it", "--permission-mode", "acceptEdits"]
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Write", write)])),
        Reply.sse(text_message_events("no")),
    )
    refused = run_hexclaw(args, env, workspace)
    assert refused.returncode == 0
    assert not target.exists()
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_2", "Write", write)])),
        Reply.sse(text_message_events("yes")),
    )
    done = run_hexclaw([*args, "--add-dir", str(other)], env, workspace)
    assert done.returncode == 0, done.stderr
    assert target.read_text() == "hello\n"


def test_setting_sources_leaves_out_the_layers_not_named(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / ".claude").mkdir()
    (workspace / ".claude" / "settings.json").write_text(json.dumps({"model": "claude-haiku-4-5"}))
    env = hexclaw_env(anthropic_server.url, config_home)
    anthropic_server.add(Reply.sse(text_message_events("a")), Reply.sse(text_message_events("b")))
    run_hexclaw(["-p", "x"], env, workspace)
    run_hexclaw(["-p", "x", "--setting-sources", "user,local"], env, workspace)
    assert [r.body["model"] for r in anthropic_server.requests] == [
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
    ]
    bad = run_hexclaw(["-p", "x", "--setting-sources", "user,team"], env, workspace)
    assert bad.returncode == 2
    assert "unknown setting source 'team'" in one_error_line(bad.stderr)


def test_bad_stream_json_input_is_one_line_and_exit_2_after_the_turns_before_it(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("fine")))
    env = hexclaw_env(anthropic_server.url, config_home)
    stdin = (
        json.dumps({"type": "user", "message": {"role": "user", "content": "hi"}}) + "\n{not json\n"
    )
    args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json"]
    done = run_hexclaw(args, env, workspace, stdin=stdin)
    assert done.returncode == 2
    assert "stdin line 2: not a JSON object" in one_error_line(done.stderr)
    types = [json.loads(line)["type"] for line in done.stdout.splitlines()]
    assert types == ["system", "assistant", "result"]
    usage = run_hexclaw(["-p", "--input-format", "stream-json"], env, workspace, stdin="")
    assert usage.returncode == 2
    assert "needs --output-format stream-json" in one_error_line(usage.stderr)
    both = run_hexclaw([*args, "a prompt too"], env, workspace, stdin="")
    assert both.returncode == 2
    assert "drop the prompt argument" in one_error_line(both.stderr)


def test_stream_json_input_with_stdin_closed_at_once_ends_cleanly(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json"]
    done = run_hexclaw(args, env, workspace, stdin="")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert anthropic_server.requests == []


def test_include_partial_messages_needs_stream_json_output(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "x", "--include-partial-messages"], env, workspace)
    assert done.returncode == 2
    assert "needs -p --output-format stream-json" in one_error_line(done.stderr)


def test_partial_messages_stream_the_raw_events_in_order(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    events = [
        message_start("msg_1"),
        block_start(0, {"type": "text", "text": ""}),
        text_delta(0, "Hel"),
        text_delta(0, "lo"),
        block_stop(0),
        message_delta("end_turn"),
        message_stop(),
    ]
    anthropic_server.add(Reply.sse(events))
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "x", "--output-format", "stream-json", "--include-partial-messages"]
    done = run_hexclaw(args, env, workspace)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    streamed = [line["event"] for line in lines if line["type"] == "stream_event"]
    assert streamed == [payload for _name, payload in events]
    assert [line["type"] for line in lines][-2:] == ["assistant", "result"]


def test_json_schema_in_a_stream_session_asks_each_turn_anew(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        structured("toolu_1", {"answer": 1, "unit": "apple"}),
        Reply.sse(text_message_events("one")),
        Reply.sse(text_message_events("no tool this time")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    turns = "".join(
        json.dumps({"type": "user", "message": {"role": "user", "content": text}}) + "\n"
        for text in ("first", "second")
    )
    args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json"]
    done = run_hexclaw([*args, "--json-schema", json.dumps(SCHEMA)], env, workspace, stdin=turns)
    results = [json.loads(x) for x in done.stdout.splitlines() if '"type": "result"' in x]
    assert results[0]["structured_output"] == {"answer": 1, "unit": "apple"}
    assert results[1]["subtype"] == "error_max_structured_output_retries"
    assert "did not call the StructuredOutput tool" in results[1]["error"]
    assert "structured_output" not in results[1]
    assert done.returncode == 1


def test_images_and_documents_in_stream_input_reach_the_model_as_sent(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("a red dot")))
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    document = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "notes"},
    }
    text = {"type": "text", "text": "What is this?"}
    message = {"type": "user", "message": {"role": "user", "content": [image, document, text]}}
    args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json"]
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(args, env, workspace, stdin=json.dumps(message) + "\n")
    assert done.returncode == 0, done.stderr
    sent = anthropic_server.requests[0].body["messages"][0]["content"]
    assert sent[:2] == [image, document]
    assert sent[2]["text"] == "What is this?"


def test_json_schema_beside_the_built_in_tools(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_0", "Write", {"file_path": "a.txt", "content": "x"})])),
        structured("toolu_1", {"answer": 1, "unit": "file"}),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "x", "--output-format", "json", "--permission-mode", "acceptEdits"]
    done = run_hexclaw([*args, "--json-schema", json.dumps(SCHEMA)], env, workspace)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["structured_output"] == {"answer": 1, "unit": "file"}
    offered = [t["name"] for t in anthropic_server.requests[0].body["tools"]]
    assert "Write" in offered
    assert offered[-1] == "StructuredOutput"
    assert (workspace / "a.txt").read_text() == "x"
