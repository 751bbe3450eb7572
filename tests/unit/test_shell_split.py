"""The splitter's tables, walked entry by entry, and the lexing rules that mutation testing
showed no other test pinned down. The lists here are written from bash's manual, not
imported from the splitter, so that dropping an entry from one of its tables fails a test;
``tests/integration/test_shell_split_vs_bash.py`` checks the same rules against a real bash.
"""

from __future__ import annotations

import pytest

from domain.permissions.shell_split import (
    CommandLine,
    is_command_variable,
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
