"""The splitter's tables, walked entry by entry, and the lexing rules that mutation testing
showed no other test pinned down. The lists here are written from bash's manual, not
imported from the splitter, so that dropping an entry from one of its tables fails a test;
``tests/integration/test_shell_split_vs_bash.py`` checks the same rules against a real bash.
"""

from __future__ import annotations

import subprocess

import pytest

from domain.permissions.shell_split import (
    CommandLine,
    is_command_variable,
    normalize,
    parse_command_line,
)

RESERVED = [
    "!",
    "{",
    "}",
    "if",
    "then",
    "elif",
    "else",
    "fi",
    "while",
    "until",
    "do",
    "done",
    "esac",
]
DYNAMIC_COMMANDS = [
    "function", "coproc", "case", "select", "[[", "let", "alias", "unalias", "trap", "hash",
    "enable", "bind", "complete", "compgen", "shopt", "fc", "history", "mapfile", "readarray",
]  # fmt: skip
SUBSCRIPT_EVALUATORS = [
    "read", "unset", "wait", "getopts", "declare", "typeset", "local", "export", "readonly",
]  # fmt: skip
DECLARING = ["declare", "typeset", "local", "export", "readonly"]
PASS_TO_BUILTIN = ["time", "command", "builtin"]
DYNAMIC_NAMES = [
    "_",
    "BASH_COMMAND",
    "BASH_EXECUTION_STRING",
    "__hexclaw_command",
    "__hexclaw_cwd_file",
]
COMMAND_VARIABLES = [
    "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND", "BASH_ENV", "ENV", "SHELLOPTS",
    "BASHOPTS", "BASH_XTRACEFD", "PATH", "IFS", "CDPATH", "GLOBIGNORE", "EXECIGNORE", "HOME",
    "PAGER", "MANPAGER", "MANOPT", "LESS", "LESSOPEN", "LESSCLOSE", "EDITOR", "VISUAL",
    "SSH_ASKPASS", "SUDO_ASKPASS", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "NODE_OPTIONS",
    "PERL5OPT", "PERL5LIB", "RUBYOPT", "RUBYLIB", "TERMINFO",
    "GIT_SSH_COMMAND", "LD_PRELOAD", "BASH_FUNC_X", "DYLD_INSERT_LIBRARIES",
]  # fmt: skip
WRITING = [">", ">>", ">|", "<>", "&>", "&>>", ">&"]
READING = ["<", "<<<", "<&"]
QUIET = ["/dev/null", "/dev/stdout", "/dev/stderr"]
ANSI_C = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
    "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip


def words(line: CommandLine) -> list[list[str]]:
    return [[w.value for w in c.words] for c in line.commands]


@pytest.mark.parametrize("word", RESERVED)
def test_a_reserved_word_is_skipped_to_find_the_command_it_introduces(word: str) -> None:
    assert parse_command_line(f"{word} let x=1").dynamic
    assert parse_command_line(f"{word} $cmd x").dynamic
    assert not parse_command_line(f"{word} echo x").dynamic


@pytest.mark.parametrize("name", DYNAMIC_COMMANDS)
def test_a_command_that_evaluates_or_redefines_makes_the_line_dynamic(name: str) -> None:
    assert parse_command_line(f"{name} x").dynamic
    assert not parse_command_line(f"echo {name} x").dynamic


@pytest.mark.parametrize("name", SUBSCRIPT_EVALUATORS)
def test_a_builtin_given_a_subscripted_name_makes_the_line_dynamic(name: str) -> None:
    assert parse_command_line(f"{name} 'a[$(id)]'").dynamic
    assert parse_command_line(f"{name} 'a[i]'").dynamic
    assert not parse_command_line(f"{name} a").dynamic


@pytest.mark.parametrize("name", DECLARING)
def test_a_declaring_builtin_with_an_option_makes_the_line_dynamic(name: str) -> None:
    assert parse_command_line(f"{name} -i x=1").dynamic
    assert parse_command_line(f"{name} +n x").dynamic
    assert parse_command_line(f"{name} PAGER=x").dynamic
    assert not parse_command_line(f"{name} x=1").dynamic


@pytest.mark.parametrize("name", PASS_TO_BUILTIN)
def test_a_builtin_runner_is_looked_through(name: str) -> None:
    assert parse_command_line(f"{name} let x=1").dynamic
    assert parse_command_line(f"{name} -p -- let x=1").dynamic
    assert not parse_command_line(f"{name} echo x").dynamic


@pytest.mark.parametrize("name", DYNAMIC_NAMES)
def test_a_variable_holding_text_this_line_chose_is_dynamic_in_braces(name: str) -> None:
    assert parse_command_line(f"echo ${{{name}}}").dynamic
    assert parse_command_line(f"echo ${{{name}:-x}}").dynamic
    assert not parse_command_line("echo ${HOME} ${HOME:-x}").dynamic


@pytest.mark.parametrize("name", COMMAND_VARIABLES)
def test_assigning_a_variable_a_program_runs_makes_the_line_dynamic(name: str) -> None:
    assert is_command_variable(name)
    assert parse_command_line(f"{name}=x echo").dynamic
    assert not parse_command_line(f"X{name}=x echo").dynamic


@pytest.mark.parametrize("operator", WRITING)
def test_every_writing_redirection_marks_its_piece_as_writing(operator: str) -> None:
    [piece] = parse_command_line(f"cat {operator} out.txt").commands
    assert piece.writes_files
    [glued] = parse_command_line(f"cat{operator}out.txt").commands
    assert glued.writes_files
    assert words(parse_command_line(f"cat{operator}out.txt")) == [["cat"]]


@pytest.mark.parametrize("operator", READING)
def test_a_reading_redirection_writes_nothing(operator: str) -> None:
    [piece] = parse_command_line(f"cat {operator} in.txt").commands
    assert not piece.writes_files


@pytest.mark.parametrize("target", QUIET)
def test_writing_to_a_standard_device_writes_no_file(target: str) -> None:
    [piece] = parse_command_line(f"echo a > {target}").commands
    assert not piece.writes_files
    [quoted] = parse_command_line(f'echo a > "$x{target}"').commands
    assert quoted.writes_files


@pytest.mark.parametrize(("letter", "char"), list(ANSI_C.items()))
def test_every_ansi_c_escape_has_bashs_value(letter: str, char: str) -> None:
    line = parse_command_line(f"echo $'<\\{letter}>'")
    assert words(line) == [["echo", f"<{char}>"]]
    assert not line.dynamic


# Words whose value the splitter must read exactly as bash does: quotes, escapes, ANSI-C
# strings and line continuations. bash itself says what each value is.
LITERAL_WORDS = [
    "plain a#b",
    "''a a''b '' x",
    "'a b' 'a\"b' 'a\\b'",
    '"a\\$b" "a\\`b" "a\\"b" "a\\\\b" "a\\xb" "a\\\'b"',
    '"a\\\nb" "a$" "$" "a $ b"',
    "a\\\nb \\a \\' \\\" \\\\ \\$x",
    "a\\",
    "$'\\101\\0101\\7x' $'\\x41\\x4g' $'\\u00e9\\U0001F600' $'a\\'b' $'\\q'",
    "$'\\1010' $'\\18' $'\\x' $'\\z\\\\' $'a\\qb' $'\\qab' $'d'x",
    "\"$'a'\" \"$\"'x'",
    "'a'\"b\"c$'d' a$ $. a$%",
    "-- a=b ./x {} [ ] X Xa x\"[a\"] x'*' X'*' a~ x\\q",
    '"\\X" "\\q"',
]


@pytest.mark.parametrize("args", LITERAL_WORDS)
def test_quoted_and_escaped_words_have_the_value_bash_gives_them(args: str) -> None:
    line = f"printf '%s\\0' {args}"
    bash = subprocess.run(
        ["bash", "-c", line],
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    ).stdout.decode()
    parsed = parse_command_line(line)
    [command] = parsed.commands
    assert parsed.dynamic is False
    assert all(w.literal is True for w in command.words)
    # The text is the line as written, less its line continuations.
    assert command.text == normalize(line.replace("\\\n", ""))
    assert [w.value for w in command.words[2:]] == bash.split("\0")[:-1]


Shape = tuple[bool, list[tuple[str, bool, list[tuple[str, str, bool]]]]]


def shape(line: str) -> Shape:
    """Whether the line is dynamic, and each piece: its text, whether it writes, its words."""
    parsed = parse_command_line(line)
    return parsed.dynamic, [
        (c.text, c.writes_files, [(w.raw, w.value, w.literal) for w in c.words])
        for c in parsed.commands
    ]


ECHO = ("echo", "echo", True)


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("echo 'abc", ("'abc", "abc", True)),
        ("echo $'abc", ("$'abc", "abc", True)),
        ('echo "abc', ('"abc', "abc", True)),
        ("echo ${x", ("${x", "${x", False)),
        ("echo $'a\\", ("$'a\\", "a\\", True)),
        ('echo "a\\"', ('"a\\"', 'a"', True)),
    ],
)
def test_an_unclosed_quote_or_expansion_makes_the_line_dynamic(
    line: str, word: tuple[str, str, bool]
) -> None:
    assert shape(line) == (True, [(line, False, [ECHO, word])])


def test_substitutions_are_words_of_no_known_value_and_their_bodies_are_pieces() -> None:
    line = "echo $(rm x) <(id) `ls`"
    assert shape(line) == (
        True,
        [
            ("rm x", False, [("rm", "rm", True), ("x", "x", True)]),
            ("id", False, [("id", "id", True)]),
            ("ls", False, [("ls", "ls", True)]),
            (
                line,
                False,
                [
                    ECHO,
                    ("$(rm x)", "$(rm x)", False),
                    ("<(id)", "<(id)", False),
                    ("`ls`", "`ls`", False),
                ],
            ),
        ],
    )
    assert shape("echo $[1+1]") == (
        True,
        [("echo $[1+1]", False, [ECHO, ("$[1+1]", "$[1+1]", False)])],
    )
    assert shape("echo `` x") == (
        True,
        [("echo `` x", False, [ECHO, ("``", "``", False), ("x", "x", True)])],
    )
    assert shape("echo `id") == (
        True,
        [("id", False, [("id", "id", True)]), ("echo `id", False, [ECHO, ("`id", "`id", False)])],
    )


def test_a_backquoted_body_is_read_after_its_escapes_are_removed() -> None:
    line = "echo `echo \\`rm x\\``"
    assert [text for text, _, _ in shape(line)[1]] == ["rm x", "echo `rm x`", line]
    # An unbalanced parenthesis inside backquotes does not end the body early.
    assert "rm x" in parse_command_line("echo `echo a) ; rm x`").texts


def test_parentheses_nest_inside_a_substitution_until_the_one_that_closes_it() -> None:
    for inner in ("(a)", "( (a) )"):
        line = f"echo $( {inner} ) ; rm x"
        assert parse_command_line(line).texts == ("a", f"echo $( {inner} )", "rm x")
    assert shape("(echo a)") == (False, [("echo a", False, [ECHO, ("a", "a", True)])])


def test_a_parenthesis_after_a_word_or_doubled_is_not_a_subshell() -> None:
    assert shape("echo X(ls)") == (
        True,
        [("echo X", False, [ECHO, ("X", "X", True)]), ("ls", False, [("ls", "ls", True)])],
    )
    assert parse_command_line("echo a; (( x = 1 ))").dynamic
    assert not parse_command_line("echo a; (echo b)").dynamic


def test_substitutions_are_read_sixteen_deep_and_no_deeper() -> None:
    def nested(depth: int) -> str:
        return "echo " + "$(" * depth + "rm x" + ")" * depth

    assert "rm x" in parse_command_line(nested(16)).texts
    assert "rm x" not in parse_command_line(nested(17)).texts
    assert parse_command_line(nested(17)).dynamic


def test_only_the_braced_forms_that_run_nothing_are_static() -> None:
    assert not parse_command_line("echo ${PATH:-x} ${x:=y} ${#x}").dynamic
    assert parse_command_line("echo ${PATH:=x}").dynamic
    assert parse_command_line("echo ${x/a/b}").dynamic
    assert shape("echo ${} b}") == (
        True,
        [("echo ${} b}", False, [ECHO, ("${}", "${}", False), ("b}", "b}", True)])],
    )
    assert shape("echo ${x}y") == (
        False,
        [("echo ${x}y", False, [ECHO, ("${x}y", "${x}y", False)])],
    )


def test_a_locale_string_is_dynamic_and_keeps_its_text() -> None:
    assert shape('echo $"abc" x') == (
        True,
        [('echo $"abc" x', False, [ECHO, ('$"abc"', "abc", True), ("x", "x", True)])],
    )


def test_an_assignment_value_with_brackets_is_no_subscript() -> None:
    assert not parse_command_line("a=b[1]=c echo").dynamic
    assert parse_command_line("a[1]=c echo").dynamic
    assert not parse_command_line("PATHs=1 echo").dynamic


@pytest.mark.parametrize(
    ("line", "dynamic"),
    [
        ("test -v 'a[i]'", True),
        ("[ -v 'a[i]' ]", True),
        ("test -R 'a[i]'", True),
        ("test -r 'a[i]'", False),
        ("printf -va[i] x", True),
        ("printf -v[ x", True),
        ("printf -v x 'a[i]'", False),
    ],
)
def test_printf_and_test_evaluate_a_subscript_only_in_the_name_they_are_given(
    line: str, dynamic: bool
) -> None:
    assert parse_command_line(line).dynamic is dynamic


def test_a_descriptor_number_before_a_redirection_is_not_a_word() -> None:
    assert shape("echo a 12>f") == (False, [("echo a 12>f", True, [ECHO, ("a", "a", True)])])
    assert shape("echo a2>f") == (False, [("echo a2>f", True, [ECHO, ("a2", "a2", True)])])
    assert shape("echo >&2 x") == (False, [("echo >&2 x", False, [ECHO, ("x", "x", True)])])
    assert shape("cat <&0 x") == (
        False,
        [("cat <&0 x", False, [("cat", "cat", True), ("x", "x", True)])],
    )


def test_a_redirection_left_without_its_target_still_counts() -> None:
    assert shape("cat >2<f")[1][0][1] is True
    assert shape("cat <2<f")[1][0][1] is False


def test_a_here_document_makes_the_line_dynamic() -> None:
    assert parse_command_line("cat <<EOF").dynamic
    assert parse_command_line("cat <<-EOF").dynamic
    assert not parse_command_line("cat <<<EOF").dynamic


def test_leading_blanks_and_comments_make_no_word() -> None:
    assert shape(" echo a") == (False, [("echo a", False, [ECHO, ("a", "a", True)])])
    assert shape("#c") == (False, [])
    assert parse_command_line("echo a #c\nrm x").texts == ("echo a", "rm x")


@pytest.mark.parametrize(
    ("body", "certain"),
    [
        ("a\\0b", False),
        ("\\U00110000", False),
        ("\\U0010FFFF", True),
        ("a\\cb", False),
        ("\\1", True),
    ],
)
def test_an_ansi_c_string_bash_would_cut_or_cannot_encode_is_not_literal(
    body: str, certain: bool
) -> None:
    line = parse_command_line(f"echo $'{body}'")
    assert line.dynamic is not certain
    assert line.commands[0].words[1].literal is certain


def test_a_tilde_at_the_start_of_a_word_and_a_brace_sequence_are_not_literal() -> None:
    assert shape("echo ~/x {1..3} {a,b} a~") == (
        False,
        [
            (
                "echo ~/x {1..3} {a,b} a~",
                False,
                [
                    ECHO,
                    ("~/x", "~/x", False),
                    ("{1..3}", "{1..3}", False),
                    ("{a,b}", "{a,b}", False),
                    ("a~", "a~", True),
                ],
            )
        ],
    )


def test_a_quoted_word_holding_a_subscript_and_a_substitution_is_dynamic() -> None:
    assert parse_command_line("echo 'a[$(id)]'").dynamic is True
    assert parse_command_line("echo 'a[`id`]'").dynamic is True
    assert parse_command_line("echo 'a[x]' '$(id)' '`id`'").dynamic is False


def test_a_redirection_at_the_end_of_a_piece_still_counts_and_ends_there() -> None:
    assert shape("echo a >") == (False, [("echo a >", True, [ECHO, ("a", "a", True)])])
    assert shape("cat <")[1][0][1] is False
    assert shape("echo a >; rm x")[1][1] == ("rm x", False, [("rm", "rm", True), ("x", "x", True)])


def test_control_operators_split_without_blanks_around_them() -> None:
    assert parse_command_line("echo a;rm x|id&ls").texts == ("echo a", "rm x", "id", "ls")


def test_backquotes_inside_double_quotes_are_a_substitution() -> None:
    assert parse_command_line('echo "`rm x`"').texts == ("rm x", 'echo "`rm x`"')


def test_a_braced_form_is_one_word_whatever_it_holds() -> None:
    assert parse_command_line("echo ${x;y}").texts == ("echo ${x;y}",)


def test_only_an_option_makes_a_declaration_dynamic() -> None:
    assert not parse_command_line("declare X=1").dynamic
    assert not parse_command_line("[ -r 'a[i]' ]").dynamic


def test_backquotes_count_toward_the_nesting_limit() -> None:
    def nested(depth: int, inner: str) -> tuple[str, ...]:
        return parse_command_line("echo " + "$(" * depth + inner + ")" * depth).texts

    assert "rm x" in nested(15, "`rm x`")
    assert "rm x" not in nested(16, "`rm x`")
    assert "rm x" in nested(14, "`$(rm x)`")
    assert "rm x" not in nested(15, "`$(rm x)`")


def test_what_follows_a_closing_parenthesis_is_read() -> None:
    line = parse_command_line("(echo a)>f")
    assert [(c.text, c.writes_files) for c in line.commands] == [("echo a", False), (">f", True)]


def test_a_braced_form_ending_in_an_operator_is_still_one_word() -> None:
    assert parse_command_line("echo ${x;}").texts == ("echo ${x;}",)
