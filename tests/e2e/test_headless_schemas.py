"""The JSON Schemas in docs/headless/schemas hold for hexclaw's real output, line by line.

Every line type is produced here by the real CLI against the scripted server and checked
against its schema with the ``jsonschema`` library; a shape that drifts from its schema fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from domain.headless.output_lines import SCHEMA_VERSION
from tests.e2e.test_cli_basics import clean_env, imported_modules
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import ROOT, hexclaw_env, run_hexclaw

SCHEMAS = ROOT / "docs" / "headless" / "schemas"


def schemas() -> dict[str, dict[str, Any]]:
    return {
        path.name.removesuffix(".schema.json"): json.loads(path.read_text())
        for path in sorted(SCHEMAS.glob("*.schema.json"))
    }


def schema_name(line: dict[str, Any]) -> str:
    kind = str(line["type"])
    return f"system_{line['subtype']}" if kind == "system" else kind


def check_lines(text: str) -> list[dict[str, Any]]:
    known = schemas()
    lines = [json.loads(raw) for raw in text.splitlines()]
    for line in lines:
        schema = known[schema_name(line)]
        errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(line)]
        assert errors == [], (schema_name(line), errors, line)
    return lines


def test_every_schema_is_a_valid_draft_2020_12_schema_of_this_version() -> None:
    found = schemas()
    assert set(found) == {
        "system_init",
        "system_permission",
        "assistant",
        "user",
        "result",
        "stream_event",
        "control_request",
        "control_response",
    }
    for schema in found.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    init = found["system_init"]["properties"]["schema_version"]
    assert init["const"] == SCHEMA_VERSION


def test_print_mode_lines_match_their_schemas(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    # A run that shows every -p line type: init, partial events, an allowed tool call and a
    # refused one (print mode cannot ask), their permission lines, tool results, the result.
    calls = [
        ("toolu_1", "Bash", {"command": "echo ok"}),
        ("toolu_2", "Bash", {"command": "touch elsewhere"}),
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("done")))
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "go", "--output-format", "stream-json", "--include-partial-messages"]
    done = run_hexclaw([*args, "--allowedTools", "Bash(echo:*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    lines = check_lines(done.stdout)
    names = [schema_name(line) for line in lines]
    assert {"system_init", "stream_event", "assistant", "user", "system_permission"} <= set(names)
    assert names[0] == "system_init"
    assert names[-1] == "result"
    assert lines[0]["schema_version"] == SCHEMA_VERSION
    permission = [x for x in lines if schema_name(x) == "system_permission"]
    decisions = [(x["tool_use_id"], x["decision"], x["decided_by"]) for x in permission]
    assert decisions == [("toolu_1", "allow", "rules"), ("toolu_2", "deny", "print mode")]
    assert lines[-1]["permission_denials"][0]["tool_use_id"] == "toolu_2"


def test_error_and_structured_results_match_the_result_schema(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    anthropic_server.add(Reply.error(400, "invalid_request_error", "prompt is too long"))
    failed = run_hexclaw(["-p", "x", "--output-format", "json"], env, workspace)
    assert failed.returncode == 1
    [result] = check_lines(failed.stdout)
    assert result["subtype"] == "error_during_execution"
    schema = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}}})
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "StructuredOutput", {"n": 3})])),
        Reply.sse(text_message_events("3")),
    )
    args = ["-p", "x", "--output-format", "stream-json", "--json-schema", schema]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    assert check_lines(done.stdout)[-1]["structured_output"] == {"n": 3}


def test_replayed_user_messages_match_the_user_schema(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("hi")))
    env = hexclaw_env(anthropic_server.url, config_home)
    sent = {
        "type": "user",
        "message": {"role": "user", "content": [{"type": "text", "text": "hello"}]},
        "uuid": "u-1",
    }
    args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json"]
    done = run_hexclaw([*args, "--replay-user-messages"], env, workspace, stdin=json.dumps(sent))
    assert done.returncode == 0, done.stderr
    lines = check_lines(done.stdout)
    assert [schema_name(x) for x in lines] == ["user", "system_init", "assistant", "result"]
    assert lines[0]["message"] == sent["message"]
    assert (lines[0]["uuid"], lines[0]["isReplay"]) == ("u-1", True)


@pytest.mark.parametrize(("extra", "loaded"), [([], False), (["--json-schema", "{}"], True)])
def test_json_schema_library_loads_only_for_json_schema(
    extra: list[str], loaded: bool, tmp_path: Path
) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "entrypoints.cli", "-p", "hi", *extra],
        env=clean_env(
            tmp_path, ANTHROPIC_API_KEY="sk-test", ANTHROPIC_BASE_URL="http://127.0.0.1:9"
        ),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ("jsonschema" in imported_modules(done.stderr)) is loaded


def test_a_hook_that_blocks_a_call_is_named_in_the_permission_line(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    from tests.e2e.hook_scripts import hook, settings_with

    blocker = "echo 'no rm here' >&2; exit 2"
    (config_home / "settings.json").write_text(settings_with(hook("PreToolUse", blocker, "Bash")))
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "touch made"})])),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "go", "--allowedTools", "Bash", "--output-format", "stream-json"]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    lines = check_lines(done.stdout)
    [decision] = [x for x in lines if schema_name(x) == "system_permission"]
    assert (decision["decision"], decision["decided_by"]) == ("deny", "hook")
    assert "no rm here" in decision["reason"]
    assert not (workspace / "made").exists()
