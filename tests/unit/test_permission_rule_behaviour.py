"""Behaviours of the rule matcher that a mutation run found no test pinning down, and the
tool families walked tool by tool (written here, not imported, so a tool dropped from a family
fails a test)."""

from __future__ import annotations

import pytest

from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import (
    InvalidPermissionRule,
    PermissionRule,
    RuleContext,
    covering_rule,
    exact_text,
    parse_rule,
    session_rules,
    split_rule_list,
    touching_rule,
)
from domain.tools.calls import ToolAccess

CTX = RuleContext(workspace="/w/ws", home="/home/me")
EDIT_FAMILY = ["Edit", "Write", "MultiEdit", "NotebookEdit"]
READ_FAMILY = ["Read", "Glob", "Grep", "LS"]


def bash(command: str) -> ToolAccess:
    return ToolAccess(tool="Bash", kind="execute", command=command)


def reads(tool: str, *paths: str) -> ToolAccess:
    return ToolAccess(tool=tool, kind="read", paths=paths)


def writes(tool: str, *paths: str) -> ToolAccess:
    return ToolAccess(tool=tool, kind="write", paths=paths)


@pytest.mark.parametrize("tool", EDIT_FAMILY)
def test_an_edit_rule_covers_every_tool_that_edits(tool: str) -> None:
    rule = parse_rule("Edit(src/**)")
    assert rule.covers_tool(tool)
    assert touching_rule([rule], writes(tool, "/w/ws/src/a.py"), CTX) == rule
    assert session_rules(writes(tool, "/w/ws/a.py")) == [
        PermissionRule("Edit", "//w/ws/a.py", "session")
    ]
    assert not parse_rule("Read(src/**)").covers_tool(tool)


@pytest.mark.parametrize("tool", READ_FAMILY)
def test_a_read_rule_covers_every_tool_that_reads(tool: str) -> None:
    rule = parse_rule("Read(src/**)")
    assert rule.covers_tool(tool)
    assert touching_rule([rule], reads(tool, "/w/ws/src/a.py"), CTX) == rule
    assert session_rules(reads(tool, "/w/ws/a.py")) == [
        PermissionRule("Read", "//w/ws/a.py", "session")
    ]
    assert not parse_rule("Edit(src/**)").covers_tool(tool)


def test_a_session_rule_for_a_tool_of_no_family_names_the_tool() -> None:
    access = ToolAccess(tool="NotebookRead", kind="read", paths=("/w/ws/n.ipynb",))
    assert session_rules(access) == [PermissionRule("NotebookRead", "//w/ws/n.ipynb", "session")]


def test_a_rule_for_another_tool_does_not_stop_the_search_for_a_touching_one() -> None:
    rules = [parse_rule("Read(x)"), parse_rule("WebFetch"), parse_rule("Bash(rm:*)")]
    assert touching_rule(rules, bash("rm -rf y"), CTX) == rules[2]


def test_a_deny_rule_naming_a_whole_line_touches_that_line_exactly() -> None:
    rule = parse_rule("Bash(echo a; rm b)")
    assert touching_rule([rule], bash("echo a;  rm b"), CTX) == rule
    assert touching_rule([rule], bash("echo a; rm c"), CTX) is None


def test_an_exact_allow_rule_covers_a_line_the_splitter_cannot_follow() -> None:
    rule = parse_rule("Bash(echo $(date))")
    assert covering_rule([rule], bash("echo  $(date)"), CTX) == rule
    assert covering_rule([rule], bash("echo $(id)"), CTX) is None


def test_a_session_rule_with_a_star_matches_only_that_very_text() -> None:
    [rule] = session_rules(bash("ls *.py"))
    assert rule.exact
    assert covering_rule([rule], bash("ls *.py"), CTX) == rule
    assert covering_rule([rule], bash("ls a.py"), CTX) is None
    pattern = parse_rule("Bash(ls *)")
    assert covering_rule([pattern], bash("ls a.py"), CTX) == pattern


@pytest.mark.parametrize(
    ("rule", "inside", "outside"),
    [
        ("Read(../shared/**)", "/w/shared/a.md", "/w/ws/shared/a.md"),
        ("Read(../../etc/**)", "/etc/passwd", "/w/etc/passwd"),
        ("Read(./../shared/a.md)", "/w/shared/a.md", "/w/ws/shared/a.md"),
    ],
)
def test_a_rule_path_climbs_one_folder_for_each_leading_dot_dot(
    rule: str, inside: str, outside: str
) -> None:
    parsed = parse_rule(rule)
    assert touching_rule([parsed], reads("Read", inside), CTX) == parsed
    assert touching_rule([parsed], reads("Read", outside), CTX) is None


@pytest.mark.parametrize("host", ["example.com", "Example.COM.", "example.com."])
def test_a_domain_rule_ignores_case_and_a_trailing_dot(host: str) -> None:
    access = ToolAccess(tool="WebFetch", kind="network", domain=host)
    for rule in ("WebFetch(domain:example.com.)", "WebFetch(domain:EXAMPLE.com)"):
        parsed = parse_rule(rule)
        assert touching_rule([parsed], access, CTX) == parsed
    other = ToolAccess(tool="WebFetch", kind="network", domain="example.com.evil")
    assert touching_rule([parse_rule("WebFetch(domain:example.com)")], other, CTX) is None


@pytest.mark.parametrize(
    "access",
    [
        ToolAccess(tool="Bash", kind="execute", command=""),
        ToolAccess(tool="Bash", kind="execute", command=None),
        ToolAccess(tool="WebFetch", kind="network", domain=None),
        ToolAccess(tool="Write", kind="write"),
        ToolAccess(tool="Read", kind="read"),
    ],
)
def test_allowing_for_the_session_a_call_that_names_nothing_allows_nothing_more(
    access: ToolAccess,
) -> None:
    # It added a whole-tool rule: "allow for this session" on an empty Bash command then let
    # every later command run unasked.
    assert session_rules(access) == []
    policy = PermissionPolicy("default", PermissionRules(), CTX)
    policy.allow_for_session(access)
    assert policy.rules.allow == []
    assert policy.decide(bash("rm -rf ~")).verdict == "ask"
    assert policy.decide(writes("Write", "/w/ws/a.py")).verdict == "ask"
    fetch = ToolAccess(tool="WebFetch", kind="network", domain="evil.example")
    assert policy.decide(fetch).verdict == "ask"


def test_a_tool_that_names_no_reach_of_its_own_is_allowed_whole_for_the_session() -> None:
    access = ToolAccess(tool="mcp__srv__tool", kind="none")
    assert session_rules(access) == [PermissionRule("mcp__srv__tool", None, "session")]


def test_a_call_with_no_command_is_matched_by_no_command_rule() -> None:
    none = ToolAccess(tool="Bash", kind="execute", command=None)
    for rule in ("Bash(X*)", "Bash(XXXX)"):
        parsed = parse_rule(rule)
        assert touching_rule([parsed], none, CTX) is None
        assert covering_rule([parsed], none, CTX) is None
    nowhere = ToolAccess(tool="WebFetch", kind="network", domain=None)
    assert covering_rule([parse_rule("WebFetch(domain:x.com)")], nowhere, CTX) is None


def test_an_invalid_rule_is_refused_with_an_example_and_where_it_came_from() -> None:
    with pytest.raises(InvalidPermissionRule) as plain:
        parse_rule("Bash(")
    assert str(plain.value) == (
        "invalid permission rule 'Bash(': expected Tool or Tool(specifier), "
        'e.g. "Bash(npm test)" or "Edit(docs/**)"'
    )
    with pytest.raises(InvalidPermissionRule) as sourced:
        parse_rule("WebFetch(example.com)", "s.json")
    assert str(sourced.value) == (
        "s.json: invalid permission rule 'WebFetch(example.com)': WebFetch rules look like "
        "WebFetch(domain:example.com)"
    )
    assert parse_rule("Read").source == ""


def test_a_rule_list_splits_only_outside_nested_parentheses() -> None:
    assert split_rule_list("Bash(a (b) c, d) Read(x),Edit") == [
        "Bash(a (b) c, d)",
        "Read(x)",
        "Edit",
    ]
    assert split_rule_list("Bash(a ((b)), c)") == ["Bash(a ((b)), c)"]


def test_a_pattern_rule_is_never_taken_for_an_exact_one() -> None:
    rule = parse_rule("Bash(echo $(id) *)")
    assert covering_rule([rule], bash("echo $(id) *"), CTX) is None


def test_exact_text_folds_only_spaces_and_tabs_and_keeps_each_line() -> None:
    assert exact_text(" make \n  test\t") == "make\ntest"
    assert exact_text("\vls\r") == "\vls\r"
    assert exact_text("XlsX") == "XlsX"
    assert exact_text("ls\r\nX") == "ls\r\nX"


def test_a_home_rule_of_the_home_folder_itself_names_the_home_folder() -> None:
    rule = parse_rule("Read(~)")
    assert touching_rule([rule], reads("Read", "/home/me"), CTX) == rule
    assert touching_rule([rule], reads("Read", "/w/ws/~"), CTX) is None


def test_climbing_above_the_root_stays_at_the_root() -> None:
    rule = parse_rule("Read(../../../etc/**)")
    assert touching_rule([rule], reads("Read", "/etc/passwd"), CTX) == rule
    trailing = RuleContext(workspace="/w/XX/", home="/home/me")
    up = parse_rule("Read(../a)")
    assert touching_rule([up], reads("Read", "/w/a"), trailing) == up


def test_a_session_rule_for_a_blank_command_matches_only_blank_commands() -> None:
    [rule] = session_rules(bash("   "))
    assert covering_rule([rule], bash("\t"), CTX) == rule
    assert covering_rule([rule], bash("ls"), CTX) is None
    assert covering_rule([rule], bash("XXXX"), CTX) is None


def test_only_a_leading_dot_dot_climbs() -> None:
    rule = parse_rule("Read(X../a)")
    assert touching_rule([rule], reads("Read", "/w/ws/X../a"), CTX) == rule
    assert touching_rule([rule], reads("Read", "/w/a"), CTX) is None
