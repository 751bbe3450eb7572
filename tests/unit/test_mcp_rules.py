"""MCP's pure rules: server entries, ${VAR} expansion, scope precedence, tool names, the rules
that name MCP tools, project-server approval, and the output cap."""

from __future__ import annotations

import pytest

from domain.mcp.approval import UserChoices, check_project_servers, trust_item
from domain.mcp.config import (
    ServerConfig,
    expanded,
    parse_config_text,
    parse_entry,
    parse_servers,
)
from domain.mcp.errors import McpConfigError
from domain.mcp.naming import normalise, rule_covers, server_of, tool_name
from domain.mcp.results import capped, result_blocks
from domain.mcp.scopes import merge_scopes
from domain.permissions.choices import PolicyChoices
from domain.permissions.policy import build_policy
from domain.permissions.rules import RuleContext, parse_rule
from domain.settings.merge import Settings, SettingsLayer, merge_layers
from domain.tools.calls import ToolAccess
from domain.trust.ledger import TrustLedger

CTX = RuleContext(workspace="/ws", home="/home/me")


def test_entry_types_and_inference() -> None:
    stdio = parse_entry("a", {"command": "npx", "args": ["-y", "x"]}, "user", "f")
    assert (stdio.transport, stdio.command, stdio.args) == ("stdio", "npx", ("-y", "x"))
    http = parse_entry("b", {"url": "http://h/mcp", "headers": {"A": "1"}}, "user", "f")
    assert (http.transport, http.headers) == ("http", (("A", "1"),))
    sse = parse_entry("c", {"type": "sse", "url": "http://h/sse"}, "user", "f")
    assert sse.transport == "sse"
    assert (
        parse_entry("d", {"type": "streamable-http", "url": "u"}, "user", "f").transport == "http"
    )


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {},
        {"type": "ws", "url": "x"},
        {"command": ""},
        {"command": "x", "args": "a b"},
        {"command": "x", "env": {"A": 1}},
        {"type": "http"},
        {"type": "http", "url": "u", "headers": ["A: b"]},
    ],
)
def test_bad_entries_are_named(raw: object) -> None:
    with pytest.raises(McpConfigError, match="'bad'"):
        parse_entry("bad", raw, "project", ".mcp.json")


def test_config_text_errors() -> None:
    with pytest.raises(McpConfigError, match="not valid JSON"):
        parse_config_text("{", "--mcp-config")
    with pytest.raises(McpConfigError, match="mcpServers must be"):
        parse_servers([1], "flag", "--mcp-config")
    assert parse_config_text('{"mcpServers": {"a": {}}}', "x") == {"a": {}}


def test_expansion() -> None:
    server = parse_entry(
        "s",
        {
            "command": "${BIN}",
            "args": ["--port=${PORT:-8080}", "${EMPTY:-d}", "$NOT_BRACED"],
            "env": {"TOKEN": "${TOKEN}"},
        },
        "user",
        "f",
    )
    done, missing = expanded(server, {"BIN": "/bin/srv", "EMPTY": ""})
    assert done.command == "/bin/srv"
    assert done.args == ("--port=8080", "d", "$NOT_BRACED")
    assert done.env == (("TOKEN", ""),)
    assert missing == ["TOKEN"]
    url = parse_entry(
        "h", {"url": "https://${HOST}/mcp", "headers": {"A": "Bearer ${K}"}}, "user", "f"
    )
    done, missing = expanded(url, {"HOST": "h.example", "K": "k1"})
    assert (done.url, done.headers, missing) == ("https://h.example/mcp", (("A", "Bearer k1"),), [])


def _server(name: str, scope: str, command: str = "x") -> ServerConfig:
    return parse_entry(name, {"command": command}, scope, scope)  # type: ignore[arg-type]


def test_scope_precedence_and_strict() -> None:
    servers = [
        _server("a", "local", "local"),
        _server("a", "user", "user"),
        _server("a", "project", "project"),
        _server("b", "user"),
        _server("c", "flag", "flag"),
        _server("b", "flag", "flag-b"),
    ]
    merged = {s.name: s.command for s in merge_scopes(servers)}
    assert merged == {"a": "local", "b": "flag-b", "c": "flag"}
    strict = {s.name: s.command for s in merge_scopes(servers, strict=True)}
    assert strict == {"b": "flag-b", "c": "flag"}


def test_names() -> None:
    assert tool_name("my server", "get.thing") == "mcp__my_server__get_thing"
    assert normalise("a-b_c9") == "a-b_c9"
    assert len(tool_name("s" * 60, "t" * 60)) == 64
    assert server_of("mcp__gh__issues") == "gh"
    assert server_of("Bash") is None


@pytest.mark.parametrize(
    ("rule", "tool", "covers"),
    [
        ("mcp__gh", "mcp__gh__list", True),
        ("mcp__gh__*", "mcp__gh__list", True),
        ("mcp__gh__list", "mcp__gh__list", True),
        ("mcp__gh__list", "mcp__gh__delete", False),
        ("mcp__gh", "mcp__ghx__list", False),
        ("mcp__gh__*", "mcp__ghx__list", False),
        ("mcp__gh", "Bash", False),
    ],
)
def test_rules_naming_mcp_tools(rule: str, tool: str, covers: bool) -> None:
    assert parse_rule(rule).covers_tool(tool) is covers
    assert (rule_covers(rule, tool) or rule == tool) is covers


def _policy(mode: str = "default", **rules: list[str]) -> object:
    return build_policy(
        Settings(values={"permissions": rules}), PolicyChoices(mode=mode), CTX
    ).policy


def test_policy_for_mcp_tools() -> None:
    call = ToolAccess("mcp__gh__delete", "mcp")
    read = ToolAccess("mcp__gh__list", "mcp", read_only=True)
    default = build_policy(Settings(), PolicyChoices(), CTX).policy
    assert default.decide(call).verdict == "ask"
    assert default.decide(read).verdict == "ask"  # read-only is not "touches nothing"
    plan = build_policy(Settings(), PolicyChoices(mode="plan"), CTX).policy
    assert plan.decide(call).verdict == "deny"
    assert plan.decide(read).verdict == "ask"
    allowed = build_policy(
        Settings(values={"permissions": {"allow": ["mcp__gh"], "deny": ["mcp__gh__delete"]}}),
        PolicyChoices(),
        CTX,
    ).policy
    assert allowed.decide(read).verdict == "allow"
    assert allowed.decide(call).verdict == "deny"
    assert allowed.tool_disabled("mcp__gh__delete")
    assert not allowed.tool_disabled("mcp__gh__list")
    star = build_policy(Settings(), PolicyChoices(disallowed=("mcp__gh__*",)), CTX).policy
    assert star.tool_disabled("mcp__gh__list")
    assert not star.tool_disabled("mcp__other__list")


def test_project_servers_need_approval_pinned_to_the_entry() -> None:
    server = parse_entry("evil", {"command": "touch", "args": ["/tmp/x"]}, "project", ".mcp.json")
    user = _server("mine", "user")
    checks = check_project_servers([server, user], "/ws", UserChoices(), TrustLedger())
    assert [(c.server.name, c.standing, c.check.verdict) for c in checks] == [
        ("evil", "ask", "unapproved")
    ]
    ledger = TrustLedger().approve([trust_item(server, "/ws")], "now")
    assert check_project_servers([server], "/ws", UserChoices(), ledger)[0].standing == "start"
    changed = parse_entry("evil", {"command": "touch", "args": ["/tmp/y"]}, "project", ".mcp.json")
    again = check_project_servers([changed], "/ws", UserChoices(), ledger)[0]
    assert (again.standing, again.check.verdict) == ("ask", "changed")
    # Another folder's approval does not carry over.
    assert check_project_servers([server], "/other", UserChoices(), ledger)[0].standing == "ask"
    enable_all = UserChoices(enable_all=True, disabled=("evil",))
    assert check_project_servers([server], "/ws", enable_all, ledger)[0].standing == "disabled"
    named = UserChoices(enabled=("evil",))
    assert check_project_servers([changed], "/ws", named, TrustLedger())[0].standing == "start"


def test_a_project_layer_cannot_approve_its_own_servers() -> None:
    approving = {
        "enableAllProjectMcpServers": True,
        "enabledMcpjsonServers": ["evil"],
        "mcpServers": {"evil": {"command": "touch"}},
    }
    project = merge_layers([SettingsLayer(".claude/settings.json", approving, "project")])
    assert project.get("enableAllProjectMcpServers") is None
    assert project.get("enabledMcpjsonServers") is None
    assert project.get("mcpServers") is None
    assert any("enableAllProjectMcpServers" in w for w in project.warnings)
    user = merge_layers([SettingsLayer("settings.json", approving, "user")])
    assert user.get("enableAllProjectMcpServers") is True
    assert user.warnings == []  # mcpServers is no longer an unknown key


def test_results_and_cap() -> None:
    blocks = result_blocks(
        [
            {"type": "text", "text": "hi"},
            {"type": "image", "mimeType": "image/png", "data": "AAAA"},
            {"type": "resource", "resource": {"uri": "test://1", "text": "body"}},
            {
                "type": "resource",
                "resource": {"uri": "test://2", "blob": "AAAA", "mimeType": "x/y"},
            },
            {"type": "audio", "mimeType": "audio/wav", "data": "AA"},
        ]
    )
    assert blocks[0] == {"type": "text", "text": "hi"}
    assert blocks[1]["type"] == "image"
    assert blocks[2]["text"] == "[resource test://1]\nbody"
    assert "binary resource test://2" in blocks[3]["text"]
    assert "audio" in blocks[4]["text"]
    assert result_blocks([], {"n": 1}) == [{"type": "text", "text": '{"n": 1}'}]
    big = capped([{"type": "text", "text": "x" * 1000}], max_tokens=100)
    assert len(big[0]["text"]) == 400
    assert "MAX_MCP_OUTPUT_TOKENS" in big[-1]["text"]
    assert capped([{"type": "text", "text": "x" * 400}], max_tokens=100)[-1]["text"] == "x" * 400


def test_elicitation_form_fields_and_answers() -> None:
    from domain.mcp.elicitation import MISSING, form_fields, parse_answer

    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "age": {"type": "integer", "default": 42},
            "ok": {"type": "boolean"},
            "pet": {"type": "string", "enum": ["cat", "dog"]},
            "hero": {"type": "string", "oneOf": [{"const": "h1", "title": "Superman"}]},
            "tools": {"type": "array", "items": {"enum": ["a", "b"]}, "default": ["a"]},
            "score": {"type": "number"},
        },
        "required": ["name", "ok"],
    }
    fields = {f.name: f for f in form_fields(schema)}
    assert [f.kind for f in fields.values()] == [
        "string",
        "integer",
        "boolean",
        "choice",
        "choice",
        "choices",
        "number",
    ]
    assert "required" in fields["name"].label()
    assert "default 42" in fields["age"].label()
    assert "h1 (Superman)" in fields["hero"].label()
    assert parse_answer(fields["name"], "") == (None, "name is required")
    assert parse_answer(fields["name"], " Ada ") == ("Ada", None)
    assert parse_answer(fields["age"], "") == (42, None)
    assert parse_answer(fields["age"], "4.5")[1] == "'4.5' is not a whole number"
    assert parse_answer(fields["score"], "4.5") == (4.5, None)
    assert parse_answer(fields["ok"], "yes") == (True, None)
    assert parse_answer(fields["ok"], "maybe")[1] == "answer yes or no"
    assert parse_answer(fields["pet"], "cow")[1] == "choose one of cat, dog"
    assert parse_answer(fields["pet"], "") == (MISSING, None)
    assert parse_answer(fields["tools"], "a, b") == (["a", "b"], None)
    assert parse_answer(fields["tools"], "") == (["a"], None)
    assert parse_answer(fields["tools"], "c")[1] == "c: choose from a, b"
    assert form_fields([]) == []
