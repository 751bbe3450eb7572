"""Claude Code's permission-rule syntax: parsing, and what each kind of rule matches."""

from __future__ import annotations

import pytest

from domain.permissions.path_patterns import matches
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import (
    InvalidPermissionRule,
    PermissionRule,
    RuleContext,
    covering_rule,
    parse_rule,
    parse_rule_list,
    path_filter,
    session_rules,
    split_rule_list,
    touching_rule,
    unchecked_rule,
)
from domain.permissions.shell_split import parse_command_line
from domain.tools.calls import ToolAccess

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
    assert session_rules(bash("npm   test")) == [
        PermissionRule("Bash", "npm test", "session", exact=True)
    ]
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


# The splitter follows bash where it can and says "dynamic" where it cannot.


@pytest.mark.parametrize(
    ("command", "texts"),
    [
        # An unquoted "#" that starts a word is a comment to the end of the line...
        ("git diff #'\ntouch x\n#'", ("git diff", "touch x")),
        ("echo a;#b\ntouch x", ("echo a", "touch x")),
        ("echo a&#b\ntouch x", ("echo a", "touch x")),
        # ...but not inside a word, after a backslash or inside quotes.
        ("echo a#b; touch x", ("echo a#b", "touch x")),
        ("echo \\#b; touch x", ("echo \\#b", "touch x")),
        ("echo '#'; touch x", ("echo '#'", "touch x")),
        ("echo $#; touch x", ("echo $#", "touch x")),
        # $'…' honours backslash escapes, so \\' does not end it.
        ("git diff $'\\'' ; touch x #'", ("git diff $'\\''", "touch x")),
        # A line continuation disappears, even inside a word or an operator.
        ("gi\\\nt diff", ("git diff",)),
        ("echo a &\\\n& touch x", ("echo a", "touch x")),
        # Redirections stay in the text of their piece.
        ("git diff 2>&1 | tee out", ("git diff 2>&1", "tee out")),
    ],
)
def test_pieces_follow_bash(command: str, texts: tuple[str, ...]) -> None:
    line = parse_command_line(command)
    assert line.texts == texts
    assert not line.dynamic


@pytest.mark.parametrize(
    "command",
    [
        "echo 'a\nb'",  # a newline inside quotes
        'echo "a\nb"',
        "echo $'a\nb'",
        "echo 'unbalanced",
        'echo "unbalanced',
        "echo $'\\cA'",  # an escape whose value is not certain
        "echo $(date)",
        'echo "$(date)"',
        "echo `date`",
        "cat <(ls)",
        "tee >(wc)",
        "echo $((1 + 2))",
        "(( x = 1 )) ; touch p",
        "echo $[1 + 2]",
        "cat <<EOF\nrm -rf x\nEOF",
        "echo ${x:-'}'}",  # bash has rules of its own for quotes inside ${…}
        'echo "${x:-"a"}"',
        "echo ${x:-{}}",
        "f() { touch p; }",
        "X=(a b)",
        "$CMD -rf x",  # what runs is decided when it runs
        "X=1 ${CMD} x",
        "{rm,-rf,x}",
        "/bin/r? x",
        "r[m] x",
        # An array subscript is evaluated, substitution included, by printf -v, read,
        # test -v, declare and [[ -eq ]], even when the word was quoted.
        "printf -v 'a[$(touch p)]' x",
        "test -v 'a[`touch p`]'",
        "printf -v $'a[\\x24(touch p)]' x",
    ],
)
def test_lines_the_splitter_cannot_account_for_are_dynamic(command: str) -> None:
    assert parse_command_line(command).dynamic


@pytest.mark.parametrize(
    "command",
    [
        "[ -f x ] && echo yes",
        "ls *.py {a,b}.txt",
        "xargs -I{} echo {}",
        "echo ${HOME}/x \"$HOME\" '$(not run)'",
        'echo $\'tab\\there\' "a\\"b"',
        "X=1 Y=$Z make",
        "if true; then echo; fi",
    ],
)
def test_ordinary_lines_are_not_dynamic(command: str) -> None:
    assert not parse_command_line(command).dynamic


def test_substitution_bodies_are_pieces_too() -> None:
    line = parse_command_line('echo "$(rm -rf x; ls `pwd`)" <(cat y)')
    assert {"rm -rf x", "ls `pwd`", "pwd", "cat y"} <= set(line.texts)


@pytest.mark.parametrize(
    ("command", "writes"),
    [
        ("echo a >&2", False),
        ("echo a >&2x", True),  # ">&word" is a file named 2x, not a descriptor
        ("echo a 2>&1-", False),
        ("echo a >/dev/null", False),
        ("echo a > /dev/stderr", False),
        ("echo a >/dev/nullx", True),
        ('echo a >"/dev/null"', True),  # quoted: not worth telling apart
        ("echo a >| out", True),
        ("echo a &>> out", True),
        ("echo a <> out", True),
        ("cat < in", False),
        ("echo a>out", True),
    ],
)
def test_redirections_into_files_are_marked(command: str, writes: bool) -> None:
    (piece,) = parse_command_line(command).commands
    assert piece.writes_files is writes


@pytest.mark.parametrize(
    "command",
    [
        # The reviewer's bypasses of an allow rule.
        "git diff #'\ntouch /tmp/rev/PWNED1\n#'",
        "git diff $'\\'' ; touch /tmp/rev/PWNED2 #'",
        "git diff 'a\n' ; touch x",
        'git diff "${x:-\'"\'}" ; touch x ; echo "\'}"',
        "git diff >&2x",
        "git diff > /dev/nullx",
        "git diff <<X\ntouch x\nX",
    ],
)
def test_a_prefix_rule_does_not_cover_what_it_cannot_see(command: str) -> None:
    assert covering_rule([parse_rule("Bash(git diff:*)")], bash(command), CTX) is None


@pytest.mark.parametrize(
    "command",
    [
        "ls && rm -rf build",
        'echo "$(rm -rf build)"',
        "echo `rm -rf build`",
        "/bin/rm -rf build",
        "./rm -rf build",
        "command rm -rf build",
        "command -p rm -rf build",
        "builtin command rm -rf build",
        "exec rm -rf build",
        "exec -a name rm -rf build",
        "nohup rm -rf build &",
        "time rm -rf build",
        "time -p rm -rf build",
        "/usr/bin/time -f %e rm -rf build",
        "nice rm -rf build",
        "nice -n 10 rm -rf build",
        "nice -5 rm -rf build",
        "timeout 5 rm -rf build",
        "timeout -s KILL -k 1 5s rm -rf build",
        "timeout --signal=TERM 5 rm -rf build",
        "env rm -rf build",
        "env -i A=1 B=2 rm -rf build",
        "env -u HOME -C /tmp rm -rf build",
        "env -S 'rm -rf' build",
        "env --split-string='rm -rf build'",
        "sudo rm -rf build",
        "sudo -u root -E rm -rf build",
        "sudo -s rm -rf build",
        "sudo --user=root rm -rf build",
        "xargs rm -rf",
        "find . | xargs -0 -n 1 rm",
        "xargs -I{} rm -rf {}",
        "find . -name '*.o' -exec rm {} \\;",
        "bash -c 'rm -rf build'",
        "sh -ec 'cd /tmp && rm -rf build'",
        "bash -o pipefail -c 'ls | rm -rf build'",
        "eval rm -rf build",
        "eval 'ls; rm -rf build'",
        "X=1 rm -rf build",
        "2>/dev/null rm -rf build",
        "{ rm -rf build; }",
        "if true; then rm -rf build; fi",
        "! rm -rf build",
        "'rm' -rf build",
        '"r"m -rf build',
        "r\\m -rf build",
        "$'\\x72m' -rf build",
        "sudo --strange-option rm -rf build",  # an unknown option: every later word may run
        "timeout 5 nice -n 1 sudo env A=1 command rm -rf build",
    ],
)
def test_a_deny_rule_sees_through_paths_wrappers_and_substitutions(command: str) -> None:
    assert touching_rule([parse_rule("Bash(rm:*)")], bash(command), CTX) is not None


@pytest.mark.parametrize(
    "command",
    [
        "echo 'rm -rf build'",
        "echo rm -rf build",
        "grep -r rm src",
        "nice -n 5 grep rm notes.txt",
        "git log --grep rm",
        "timeout 5 echo rm",
        "bash script.sh rm",
        "rmdir build",
        "/usr/bin/rmdir build",
    ],
)
def test_a_deny_rule_does_not_reach_arguments(command: str) -> None:
    assert touching_rule([parse_rule("Bash(rm:*)")], bash(command), CTX) is None


def test_deny_rules_with_two_words_match_through_paths_and_wrappers() -> None:
    rules = [parse_rule("Bash(git push:*)")]
    assert touching_rule(rules, bash("/usr/bin/git push --force"), CTX) is not None
    assert touching_rule(rules, bash("sudo -u ci git push"), CTX) is not None
    assert touching_rule(rules, bash("git pull"), CTX) is None


@pytest.mark.parametrize(
    ("command", "unchecked"),
    [
        ('echo "$(date)"', True),
        ("$CMD -rf build", True),
        ('bash -c "$SCRIPT"', True),
        ("eval $X", True),
        ("sudo $X", True),
        ("echo ok && ls", False),
        ("bash -c 'ls -la'", False),
        ("bash script.sh", False),
    ],
)
def test_a_line_that_cannot_be_fully_read_leaves_deny_rules_unchecked(
    command: str, unchecked: bool
) -> None:
    rules = [parse_rule("Bash(rm:*)")]
    assert (unchecked_rule(rules, [], bash(command)) is not None) is unchecked


def test_unchecked_needs_a_bash_rule_with_a_specifier_and_yields_to_an_exact_allow() -> None:
    dynamic = bash('echo "$(date)"')
    assert unchecked_rule([parse_rule("Bash")], [], dynamic) is None
    assert unchecked_rule([parse_rule("Read(./.env)")], [], dynamic) is None
    deny = [parse_rule("Bash(rm:*)")]
    exact = session_rules(dynamic)
    assert unchecked_rule(deny, exact, dynamic) is None
    assert unchecked_rule(deny, [parse_rule("Bash(echo:*)")], dynamic) is deny[0]


def test_the_policy_asks_when_a_deny_rule_cannot_be_checked() -> None:
    rules = PermissionRules(allow=[parse_rule("Bash")], deny=[parse_rule("Bash(rm:*)")])
    policy = PermissionPolicy("default", rules, CTX)
    assert policy.decide(bash("ls -la")).verdict == "allow"
    assert policy.decide(bash("command rm -rf x")).verdict == "deny"
    decision = policy.decide(bash("$(printf rm) -rf x"))
    assert decision.verdict == "ask"
    assert "Bash(rm:*)" in decision.reason
    policy.set_mode("bypassPermissions")
    assert policy.decide(bash("$(printf rm) -rf x")).verdict == "ask"
    assert policy.decide(bash("ls $(pwd)")).verdict == "ask"
    policy.allow_for_session(bash("ls $(pwd)"))
    assert policy.decide(bash("ls $(pwd)")).verdict == "allow"


def test_an_ask_rule_also_asks_through_wrappers() -> None:
    rules = PermissionRules(allow=[parse_rule("Bash")], ask=[parse_rule("Bash(git push:*)")])
    policy = PermissionPolicy("default", rules, CTX)
    assert policy.decide(bash("env GIT_TRACE=1 git push")).verdict == "ask"
    assert policy.decide(bash("git status")).verdict == "allow"


@pytest.mark.parametrize(
    ("allowed", "command"),
    [
        ("rm *.tmp", "rm -rf ~ x.tmp"),
        ("echo a:*", "echo a; rm x"),
        ("echo a:*", "echo ab"),
        ("git * main", "git push origin main"),
    ],
)
def test_a_session_rule_for_a_command_allows_exactly_that_command(
    allowed: str, command: str
) -> None:
    policy = PermissionPolicy("default", PermissionRules(), CTX)
    policy.allow_for_session(bash(allowed))
    assert policy.decide(bash(allowed)).verdict == "allow"
    assert policy.decide(bash(command)).verdict == "ask"


def test_a_session_rule_covers_its_piece_of_a_chain() -> None:
    rules = PermissionRules(allow=[parse_rule("Bash(npm test)")])
    policy = PermissionPolicy("default", rules, CTX)
    policy.allow_for_session(bash("rm *.tmp"))
    assert policy.decide(bash("rm *.tmp && npm test")).verdict == "allow"
    assert policy.decide(bash("rm x.tmp && npm test")).verdict == "ask"


def test_the_path_filter_hides_what_read_deny_rules_cover() -> None:
    rules = [
        parse_rule("Read(./.env)"),
        parse_rule("Read(*.pem)"),
        parse_rule("Grep(./secrets/**)"),
        parse_rule("Bash"),
    ]
    grep = path_filter(rules, "Grep", CTX)
    assert grep is not None
    hidden = ["/ws/.env", "/ws/deep/key.pem", "/ws/secrets/a/b"]
    shown = ["/ws/app/.env", "/ws/src/a.py"]
    assert [grep(p) for p in hidden + shown] == [True, True, True, False, False]
    glob = path_filter(rules, "Glob", CTX)
    assert glob is not None
    assert [glob("/ws/.env"), glob("/ws/secrets/a")] == [True, False]
    assert path_filter([parse_rule("Edit(./.env)")], "Grep", CTX) is None
    everything = path_filter([parse_rule("Read")], "LS", CTX)
    assert everything is not None
    assert everything("/ws/anything")


@pytest.mark.parametrize(
    ("command", "covered"),
    [
        ("make test", True),
        ("make \t test", True),
        ("  make test\n", True),
        ("make\ntest", False),  # two commands: make, then the test builtin
        ("make \\\ntest", True),  # a continuation disappears: this is make test
        ("make\u00a0test", False),  # a no-break space is part of a word to bash
    ],
)
def test_an_exact_rule_folds_blanks_but_not_newlines(command: str, covered: bool) -> None:
    rule = parse_rule("Bash(make test)")
    assert (covering_rule([rule], bash(command), CTX) is not None) is covered
    (session,) = session_rules(bash("make\ntest"))
    assert covering_rule([session], bash("make test"), CTX) is None


# Each of these runs what a variable holds when x='a[$(touch P)]' (checked against bash).
EVALUATING = [
    "echo ${_@P}",
    "echo ${x@P}",
    "echo ${!x}",
    "echo ${HOME:_}",
    'echo "${@:x}"',
    "echo ${v[x]}",
    "echo ${BASH_VERSINFO[_]}",
    "echo ${x/a/b}",  # not on the allowlist, though harmless
    "echo $_",
    "echo $BASH_COMMAND",
    "echo ${__hexclaw_command}",
    "echo $'a' $\"b\"",
    "declare -i v=x",
    "typeset -i v; v=x",
    "local -n r=v",
    "v[x]=1",
    "let x",
    "test -v 'v[x]'",
    "[[ x -eq 0 ]]",
    "read 'v[x]'",
    "printf -v 'v[x]' 1",
    "unset 'v[x]'",
    "mapfile -C cb v",
    "function f { true; }",
    "coproc true",
    "case x in x) true;; esac",
    "alias ls=true",
    "trap 'true' EXIT",
    "hash -p /bin/true ls",
    "set -x",
    "PS4='$x' make",
    "export PAGER=less",
    "GIT_PAGER=x git log",
    "f () { true; }",
    # time, command and builtin hand the words to the builtin after them.
    "time [[ x -eq 0 ]]",
    "time -p let x",
    "command let x",
    "builtin printf -v 'v[x]' 1",
    "command -p test -v 'v[x]'",
    "! let x",
]


@pytest.mark.parametrize("command", EVALUATING)
def test_expansions_and_builtins_that_evaluate_are_dynamic(command: str) -> None:
    assert parse_command_line(command).dynamic
    assert (
        covering_rule([parse_rule(f"Bash({command.split(maxsplit=1)[0]}:*)")], bash(command), CTX)
        is None
    )


@pytest.mark.parametrize(
    "command",
    [
        "echo ${HOME} $HOME ${#HOME} $? $# $@ ${1} $$",
        "echo ${x:-a} ${x-b.c} ${x:=d} ${x:+e/f} ${x:?g h} ${x=i}",
        'echo "${x:-a b}"',
        "set -euo pipefail",
        "export A=1 B=2",
        "declare x=1",
        "X=1 make",
        "{fd}>/dev/null echo hi",
        "printf '[%s]' a",
        "[ -f x ]",
    ],
)
def test_the_static_forms_stay_static(command: str) -> None:
    assert not parse_command_line(command).dynamic
