"""The pure OAuth rules for remote MCP servers: the Bearer challenge, the step-up scope, the
scope union a login asks for, and what a client ID metadata document URL must look like."""

from __future__ import annotations

import pytest

from domain.mcp.config import parse_entry
from domain.mcp.errors import McpConfigError
from domain.mcp.oauth_rules import (
    bearer_challenge,
    covers,
    metadata_url_problem,
    scope_union,
    step_up_scope,
)


def test_a_bearer_challenge_gives_its_parameters_unquoted() -> None:
    header = (
        'Bearer error="insufficient_scope", scope="files:read files:write", '
        'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", '
        'error_description="needs \\"write\\""'
    )
    assert bearer_challenge(header) == {
        "error": "insufficient_scope",
        "scope": "files:read files:write",
        "resource_metadata": "https://mcp.example.com/.well-known/oauth-protected-resource",
        "error_description": 'needs "write"',
    }


def test_another_schemes_challenge_is_not_read_as_bearers() -> None:
    header = 'Basic realm="x", Bearer error=insufficient_scope, scope="a b", Digest realm="y"'
    assert bearer_challenge(header) == {"error": "insufficient_scope", "scope": "a b"}
    assert bearer_challenge('Basic realm="x", scope="a"') == {}
    assert bearer_challenge("bearer") == {}
    assert bearer_challenge("") == {}


def test_only_a_403_insufficient_scope_is_a_step_up() -> None:
    challenge = 'Bearer error="insufficient_scope", scope="mcp:write"'
    assert step_up_scope(403, challenge) == "mcp:write"
    assert step_up_scope(401, challenge) is None
    assert step_up_scope(403, 'Bearer error="invalid_token"') is None
    assert step_up_scope(403, "") is None
    # No scope named: still a step-up, with nothing to add.
    assert step_up_scope(403, 'Bearer error="insufficient_scope"') == ""


def test_the_scope_union_keeps_each_scope_once_in_first_seen_order() -> None:
    assert scope_union("mcp", "mcp mcp:write", None, "", "a  mcp") == "mcp mcp:write a"
    assert scope_union() == ""
    assert covers("mcp mcp:write", "mcp:write")
    assert not covers("mcp", "mcp mcp:write")
    assert covers("mcp", None)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://hexclaw.example/client.json", None),
        ("https://127.0.0.1:8443/a/b", None),
        ("http://hexclaw.example/client.json", "must be an https URL"),
        ("https://hexclaw.example", "must have a path"),
        ("https://hexclaw.example/", "must have a path"),
        ("https://hexclaw.example/c.json#x", "must not have a fragment"),
        ("https://me:pw@hexclaw.example/c.json", "must not carry a user name or password"),
        ("https:///c.json", "names no host"),
        ("client.json", "must be an https URL"),
        ("HTTPS://[::1]:8443/c.json", None),
        ("https://h.example/a b.json", "must not contain spaces"),
    ],
)
def test_a_metadata_document_url_is_https_with_a_path(url: str, problem: str | None) -> None:
    found = metadata_url_problem(url)
    assert found == problem if problem is None else (found or "").startswith(problem)


def test_the_server_entry_reads_client_metadata_url_and_refuses_a_bad_one() -> None:
    entry = {
        "url": "https://mcp.example/mcp",
        "oauth": {"clientMetadataUrl": "https://h.example/c"},
    }
    assert parse_entry("s", entry, "user", "f").oauth_metadata_url == "https://h.example/c"
    assert (
        parse_entry("s", {"url": "https://mcp.example/mcp"}, "user", "f").oauth_metadata_url == ""
    )
    bad = {"url": "https://mcp.example/mcp", "oauth": {"clientMetadataUrl": "http://h.example/c"}}
    with pytest.raises(McpConfigError, match=r"oauth\.clientMetadataUrl must be an https URL"):
        parse_entry("s", bad, "user", "f")
    with pytest.raises(McpConfigError, match=r"oauth\.clientMetadataUrl must be a string"):
        parse_entry("s", {"url": "https://m/mcp", "oauth": {"clientMetadataUrl": 1}}, "user", "f")
