"""Anthropic's web_search server tool, as Claude Code's WebSearch: offered only while the
rules allow it outright, its blocks kept and sent back unchanged, shown in the REPL; other
server tools' blocks stay as they came."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    citations_delta,
    json_delta,
    message_delta,
    message_start,
    message_stop,
    text_delta,
    text_message_events,
)
from tests.support import hexclaw_env, run_hexclaw

WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 8}
SEARCH_CALL = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {}}
QUERY = {"query": "hexclaw release notes"}
RESULTS = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_01",
    "content": [
        {
            "type": "web_search_result",
            "url": "https://example.com/notes",
            "title": "Release notes",
            "encrypted_content": "EqgfCioIARgBIiQ3YTAw",
            "page_age": "April 30, 2025",
        },
        {
            "type": "web_search_result",
            "url": "https://example.org/blog",
            "title": "The blog post",
            "encrypted_content": "Eo8BCioIAhgBIiQyYjQ0",
            "page_age": None,
        },
    ],
}
CITATION = {
    "type": "web_search_result_location",
    "url": "https://example.com/notes",
    "title": "Release notes",
    "encrypted_index": "Eo8BCioIAhgBIiQyYjQ0",
    "cited_text": "Version 2 is out.",
}
# A server tool hexclaw has no name for: its blocks must come back exactly as they came.
OTHER_CALL = {
    "type": "server_tool_use",
    "id": "srvtoolu_02",
    "name": "code_execution",
    "input": {"code": "print(1)"},
}
OTHER_RESULT = {
    "type": "code_execution_tool_result",
    "tool_use_id": "srvtoolu_02",
    "content": {"type": "code_execution_result", "stdout": "1\n", "stderr": "", "return_code": 0},
}


def searched_events(then_read: str | None = None) -> list[EventSpec]:
    events: list[EventSpec] = [
        message_start("msg_search"),
        block_start(0, SEARCH_CALL),
        json_delta(0, json.dumps(QUERY)[:10]),
        json_delta(0, json.dumps(QUERY)[10:]),
        block_stop(0),
        block_start(1, RESULTS),
        block_stop(1),
        block_start(2, {"type": "text", "text": ""}),
        citations_delta(2, CITATION),
        text_delta(2, "Version 2 is out."),
        block_stop(2),
        block_start(3, {**OTHER_CALL, "input": {}}),
        json_delta(3, json.dumps(OTHER_CALL["input"])),
        block_stop(3),
        block_start(4, OTHER_RESULT),
        block_stop(4),
    ]
    if then_read is None:
        return [*events, message_delta("end_turn"), message_stop()]
    call = {"type": "tool_use", "id": "toolu_r", "name": "Read", "input": {}}
    return [
        *events,
        block_start(5, call),
        json_delta(5, json.dumps({"file_path": then_read})),
        block_stop(5),
        message_delta("tool_use"),
        message_stop(),
    ]


def ask(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path, *args: str
) -> dict[str, Any]:
    done = run_hexclaw(
        ["-p", "what is new?", *args, "--output-format", "json"],
        hexclaw_env(server.url, config_home),
        workspace,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def offered(server: ScriptedAnthropicServer) -> bool:
    tools = server.requests[-1].body.get("tools", [])
    searches = [t for t in tools if t.get("name") == "web_search"]
    assert searches in ([], [WEB_SEARCH])
    return bool(searches)


@pytest.mark.parametrize(
    ("args", "user_rules", "project_rules", "expected"),
    [
        (["--allowedTools", "Read"], None, None, False),
        (["--allowedTools", "WebSearch"], None, None, True),
        (["--allowedTools", "Read"], {"allow": ["WebSearch"]}, None, True),
        (["--allowedTools", "Read"], None, {"allow": ["WebSearch"]}, False),
        (["--allowedTools", "WebSearch", "--disallowedTools", "WebSearch"], None, None, False),
        (["--allowedTools", "WebSearch"], {"ask": ["WebSearch"]}, None, False),
        (["--permission-mode", "bypassPermissions"], None, None, True),
        (["--permission-mode", "plan"], None, None, False),
    ],
)
def test_web_search_is_offered_only_while_the_rules_allow_it(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    args: list[str],
    user_rules: dict[str, Any] | None,
    project_rules: dict[str, Any] | None,
    expected: bool,
) -> None:
    if user_rules is not None:
        (config_home / "settings.json").write_text(json.dumps({"permissions": user_rules}))
    if project_rules is not None:
        (workspace / ".claude").mkdir()
        (workspace / ".claude" / "settings.json").write_text(
            json.dumps({"permissions": project_rules})
        )
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    ask(anthropic_server, config_home, workspace, *args)
    assert offered(anthropic_server) is expected


def test_server_tool_blocks_are_kept_and_sent_back_unchanged(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("hello\n")
    anthropic_server.add(
        Reply.sse(searched_events(then_read="a.txt"), chunk_size=13),
        Reply.sse(text_message_events("Done.")),
    )
    result = ask(anthropic_server, config_home, workspace, "--allowedTools", "WebSearch,Read")
    assert result["result"] == "Done."
    assistant = anthropic_server.requests[1].body["messages"][1]
    assert assistant["content"][:5] == [
        {**SEARCH_CALL, "input": QUERY},
        RESULTS,
        {"type": "text", "text": "Version 2 is out.", "citations": [CITATION]},
        OTHER_CALL,
        OTHER_RESULT,
    ]
    assert assistant["content"][5]["type"] == "tool_use"
    # Only the client tool is answered: server tools are never given a tool_result.
    answers = anthropic_server.requests[1].body["messages"][2]["content"]
    assert [b.get("tool_use_id") for b in answers if b["type"] == "tool_result"] == ["toolu_r"]


def test_the_repl_shows_the_search_and_its_results(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "settings.json").write_text(
        json.dumps({"permissions": {"allow": ["WebSearch"]}})
    )
    anthropic_server.add(Reply.sse(searched_events()))
    done = run_hexclaw(
        [],
        hexclaw_env(anthropic_server.url, config_home),
        workspace,
        stdin="what is new?\n/exit\n",
    )
    assert done.returncode == 0, done.stderr
    assert 'WebSearch("hexclaw release notes")' in done.stdout
    assert "2 results: Release notes; The blog post" in done.stdout
    assert "code_execution (run by the API)" in done.stdout
    assert "Version 2 is out." in done.stdout
    assert offered(anthropic_server)


def test_an_allow_rule_added_in_the_repl_offers_it_from_the_next_request(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events("one")), Reply.sse(text_message_events("two"))
    )
    done = run_hexclaw(
        [],
        hexclaw_env(anthropic_server.url, config_home),
        workspace,
        stdin="first\n/permissions allow WebSearch\nsecond\n/exit\n",
    )
    assert done.returncode == 0, done.stderr
    tools = [
        [t.get("name") for t in request.body.get("tools", [])]
        for request in anthropic_server.requests
    ]
    assert "web_search" not in tools[0]
    assert "web_search" in tools[1]


def test_each_search_is_priced_in_the_result_and_its_usage(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    def answered(searches: int) -> dict[str, Any]:
        usage = {"output_tokens": 7, "server_tool_use": {"web_search_requests": searches}}
        events = [*searched_events()[:-2], message_delta("end_turn", usage), message_stop()]
        anthropic_server.add(Reply.sse(events))
        return ask(anthropic_server, config_home, workspace, "--allowedTools", "WebSearch")

    none, two = answered(0), answered(2)
    assert two["total_cost_usd"] - none["total_cost_usd"] == pytest.approx(0.02)
    assert two["usage"]["server_tool_use"] == {"web_search_requests": 2}
