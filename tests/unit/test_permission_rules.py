"""Claude Code's permission-rule syntax: parsing, and what each kind of rule matches."""

from __future__ import annotations

import pytest

from domain.path_patterns import matches
from domain.permission_rules import (
    InvalidPermissionRule,
    PermissionRule,
    RuleContext,
    covering_rule,
    parse_rule,
    parse_rule_list,
    session_rules,
    split_rule_list,
    touching_rule,
)
from domain.shell_split import parse_command_line
from domain.tool_calls import ToolAccess

CTX = RuleContext(workspace="/ws", home="/home/me")


def bash(command: str) -> ToolAccess:
    return ToolAccess(tool="Bash", kind="execute", command=command)


def path_access(tool: str, kind: str, *paths: str) -> ToolAccess:
    return ToolAccess(tool=tool, kind=kind, paths=paths)  # type: ignore[arg-type]


def fetch(domain: str) -> ToolAccess:
    return ToolAccess(tool="WebFetch", kind="network", domain=domain)


@pytest.mark.parametrize(
    ("text", "tool", "specifier"),
    [
        ("Bash", "Bash", None),
        ("Bash(npm test)", "Bash", "npm test"),
        ("  Bash( git diff:* ) ", "Bash", "git diff:*"),
        ("Bash(*)", "Bash", None),
        ("Bash()", "Bash", None),
        ("Read(./src/**)", "Read", "./src/**"),
        ("WebFetch(domain:example.com)", "WebFetch", "domain:example.com"),
        ("mcp__github__create_issue", "mcp__github__create_issue", None),
        ("Bash(echo (a))", "Bash", "echo (a)"),
    ],
)
def test_parse_rule(text: str, tool: str, specifier: str | None) -> None:
    rule = parse_rule(text, "test")
    assert (rule.tool, rule.specifier, rule.source) == (tool, specifier, "test")


@pytest.mark.parametrize(
    "text", ["", "Bash(npm test", "(x)", "Bash npm", "WebFetch(example.com)", "1Tool"]
)
def test_invalid_rules_are_errors_that_name_the_source(text: str) -> None:
    with pytest.raises(InvalidPermissionRule, match="--allowedTools"):
        parse_rule(text, "--allowedTools")


def test_rule_lists_split_on_commas_and_spaces_outside_parentheses() -> None:
    assert split_rule_list('Bash(git diff:*) Edit,Read  "x"') == [
        "Bash(git diff:*)",
        "Edit",
        "Read",
        '"x"',
    ]
    rules = parse_rule_list(["Bash(npm run test:*),Edit", "Read"], "cli")
    assert [str(r) for r in rules] == ["Bash(npm run test:*)", "Edit", "Read"]


@pytest.mark.parametrize(
    ("rule", "command", "touches", "covers"),
    [
        ("Bash(npm test)", "npm test", True, True),
        ("Bash(npm test)", "npm  test", True, True),
        ("Bash(npm test)", "npm test --watch", False, False),
        ("Bash(git diff:*)", "git diff", True, True),
        ("Bash(git diff:*)", "git diff HEAD~1 -- src", True, True),
        ("Bash(git diff:*)", "git diffuse", False, False),
        ("Bash(git diff:*)", "git status", False, False),
        # A prefix rule never covers a second command chained after the first.
        ("Bash(git diff:*)", "git diff && rm -rf ~", True, False),
        ("Bash(git diff:*)", "git diff; rm -rf ~", True, False),
        ("Bash(git diff:*)", "git diff | sh", True, False),
        ("Bash(git diff:*)", "git diff & rm x", True, False),
        ("Bash(git diff:*)", "git diff\nrm x", True, False),
        # ...nor a command substitution or a redirection into a file.
        ("Bash(git diff:*)", "git diff $(rm x)", True, False),
        ("Bash(git diff:*)", "git diff `rm x`", True, False),
        ("Bash(git diff:*)", "git diff > patch.txt", True, False),
        ("Bash(git diff:*)", "git diff 2>&1", True, True),
        ("Bash(git diff:*)", "git diff 2>/dev/null", True, True),
        # Operators inside quotes are text, not operators.
        ("Bash(git commit:*)", "git commit -m 'a && b; c'", True, True),
        ("Bash(git * main)", "git merge main", True, True),
        ("Bash(git * main)", "git merge dev", False, False),
        ("Bash", "anything && at all", True, True),
    ],
)
def test_bash_rules(rule: str, command: str, touches: bool, covers: bool) -> None:
    rules = [parse_rule(rule)]
    assert (touching_rule(rules, bash(command), CTX) is not None) is touches
    assert (covering_rule(rules, bash(command), CTX) is not None) is covers


def test_a_chain_is_covered_when_every_piece_has_an_allow_rule() -> None:
    rules = [parse_rule("Bash(npm run build:*)"), parse_rule("Bash(npm test)")]
    assert covering_rule(rules, bash("npm run build && npm test"), CTX) is not None
    assert covering_rule(rules, bash("npm run build && npm publish"), CTX) is None


def test_a_deny_rule_finds_a_command_hidden_in_a_chain_or_substitution() -> None:
    rules = [parse_rule("Bash(rm:*)")]
    assert touching_rule(rules, bash("ls && rm -rf build"), CTX) is not None
    assert touching_rule(rules, bash("echo $(rm -rf build)"), CTX) is not None
    assert touching_rule(rules, bash("echo 'rm -rf build'"), CTX) is None


@pytest.mark.parametrize(
    ("rule", "tool", "path", "expected"),
    [
        ("Read(./src/**)", "Read", "/ws/src/a/b.py", True),
        ("Read(./src/**)", "Read", "/ws/src", True),
        ("Read(./src/**)", "Read", "/ws/lib/src/a.py", False),
        ("Read(./src/**)", "Grep", "/ws/src/x", True),
        ("Read(src/**)", "Read", "/ws/srcx/a", False),
        ("Edit(docs/**)", "Edit", "/ws/docs/guide/intro.md", True),
        ("Edit(docs/**)", "Write", "/ws/docs/new.md", True),
        ("Edit(docs/**)", "MultiEdit", "/ws/docs/a.md", True),
        ("Edit(docs/**)", "NotebookEdit", "/ws/docs/n.ipynb", True),
        ("Edit(docs/**)", "Edit", "/ws/src/docs/a.md", False),
        ("Edit(docs/**)", "Read", "/ws/docs/a.md", False),
        ("Edit(*.md)", "Edit", "/ws/deep/down/README.md", True),
        ("Edit(*.md)", "Edit", "/ws/README.mdx", False),
        ("Edit(/config.json)", "Edit", "/ws/config.json", True),
        ("Edit(/config.json)", "Edit", "/ws/sub/config.json", False),
        ("Read(.env)", "Read", "/ws/app/.env", True),
        ("Read(//etc/**)", "Read", "/etc/passwd", True),
        ("Read(//etc/**)", "Read", "/ws/etc/passwd", False),
        ("Read(~/.ssh/**)", "Read", "/home/me/.ssh/id_rsa", True),
        ("Read(../shared/**)", "Read", "/shared/notes.md", True),
        ("Edit(src/*.py)", "Edit", "/ws/src/a.py", True),
        ("Edit(src/*.py)", "Edit", "/ws/src/sub/a.py", False),
        ("Edit(src/**/*.py)", "Edit", "/ws/src/sub/deeper/a.py", True),
        ("Edit(src/**/*.py)", "Edit", "/ws/src/a.py", True),
        ("Edit(file?.txt)", "Edit", "/ws/file1.txt", True),
        ("Edit(file[0-9].txt)", "Edit", "/ws/file7.txt", True),
        ("Edit(file[!0-9].txt)", "Edit", "/ws/file7.txt", False),
        ("Write(docs/**)", "Edit", "/ws/docs/a.md", False),
    ],
)
def test_path_rules(rule: str, tool: str, path: str, expected: bool) -> None:
    kind = "write" if tool in ("Edit", "Write", "MultiEdit", "NotebookEdit") else "read"
    access = path_access(tool, kind, path)
    assert (touching_rule([parse_rule(rule)], access, CTX) is not None) is expected


def test_an_allow_rule_must_cover_the_path_as_given_and_as_resolved() -> None:
    # docs/link.md is a symlink to src/main.py: allowing docs/** must not allow editing src.
    access = path_access("Edit", "write", "/ws/docs/link.md", "/ws/src/main.py")
    rules = [parse_rule("Edit(docs/**)")]
    assert covering_rule(rules, access, CTX) is None
    assert touching_rule(rules, access, CTX) is not None
    both = [*rules, parse_rule("Edit(src/**)")]
    assert covering_rule(both, access, CTX) is not None


@pytest.mark.parametrize(
    ("rule", "domain", "expected"),
    [
        ("WebFetch(domain:example.com)", "example.com", True),
        ("WebFetch(domain:example.com)", "EXAMPLE.com", True),
        ("WebFetch(domain:example.com)", "docs.example.com", False),
        ("WebFetch(domain:example.com)", "example.com.evil.net", False),
        ("WebFetch(domain:*.example.com)", "docs.example.com", True),
        ("WebFetch(domain:*.example.com)", "example.com", False),
        ("WebFetch", "anything.org", True),
    ],
)
def test_webfetch_domain_rules(rule: str, domain: str, expected: bool) -> None:
    assert (covering_rule([parse_rule(rule)], fetch(domain), CTX) is not None) is expected


def test_bare_edit_and_read_rules_cover_their_tool_families() -> None:
    assert parse_rule("Edit").covers_tool("Write")
    assert parse_rule("Edit").covers_tool("NotebookEdit")
    assert parse_rule("Read").covers_tool("Grep")
    assert not parse_rule("Read").covers_tool("Edit")
    assert not parse_rule("Write").covers_tool("Edit")


def test_session_rules_are_as_narrow_as_the_call() -> None:
    assert session_rules(bash("npm   test")) == [PermissionRule("Bash", "npm test", "session")]
    assert session_rules(fetch("example.com")) == [
        PermissionRule("WebFetch", "domain:example.com", "session")
    ]
    odd = path_access("Write", "write", "/ws/a[1]*.txt")
    (rule,) = session_rules(odd)
    assert rule.tool == "Edit"
    assert touching_rule([rule], odd, CTX) is not None
    assert touching_rule([rule], path_access("Write", "write", "/ws/a1.txt"), CTX) is None


def test_gitignore_patterns_match_relative_to_their_base() -> None:
    assert matches("**", "/ws", "/ws/anything/at/all")
    assert not matches("**", "/ws", "/elsewhere")
    assert matches("build/", "/ws", "/ws/a/build/out.o")
    assert matches(r"\*.txt", "/ws", "/ws/*.txt")
    assert not matches(r"\*.txt", "/ws", "/ws/a.txt")


def test_command_lines_split_into_simple_commands() -> None:
    line = parse_command_line('cd "a b" && make -j4 || echo "fail; really" | tee log')
    assert line.texts == ('cd "a b"', "make -j4", 'echo "fail; really"', "tee log")
    assert not line.dynamic
    assert parse_command_line('echo "$(date)"').dynamic
    assert parse_command_line("cat <(ls)").dynamic
    assert parse_command_line("echo hi > out.txt").commands[0].writes_files
    assert not parse_command_line("echo hi >&2").commands[0].writes_files
