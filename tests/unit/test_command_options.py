"""The table of options that write or run: every entry is caught where it means that, in
every spelling git takes, and the harmless look-alikes are not."""

from __future__ import annotations

import pytest

from domain.permissions.command_options import (
    GIT_ANY,
    GIT_GLOBAL,
    GIT_RUNNING,
    GIT_RUNNING_ACTIONS,
    GIT_SHORT,
    OTHER,
    risky_option,
)
from domain.permissions.rules import RuleContext, covering_rule, parse_rule
from domain.permissions.shell_split import parse_command_line
from domain.tools.calls import ToolAccess

CTX = RuleContext(workspace="/ws", home="/home/me")


def risky(command: str) -> bool:
    (piece,) = parse_command_line(command).commands
    return risky_option(piece.words) is not None


def spellings() -> list[str]:
    """One command line per table entry (and per way of writing it)."""
    lines = []
    for option in GIT_GLOBAL.options:
        lines.append(f"git {option.name} x status")
    for option in GIT_ANY.options:
        lines += [f"git diff {option.name}=x", f"git log {option.name} x"]
        lines.append(f"git grep {option.name[:-2]}=x -e a")  # an abbreviation
    for subcommand, table in GIT_SHORT.items():
        for option in table.options:
            lines += [f"git {subcommand} -{option.name}x", f"git {subcommand} -q{option.name} x"]
    lines += [f"git {name} a b" for name in sorted(GIT_RUNNING)]
    lines += [f"git {sub} {action} x" for sub, action in GIT_RUNNING_ACTIONS.items()]
    for command, table in OTHER.items():
        lines += [f"{command} . {option.name} x" for option in table.long()]
        lines += [f"{command} -{option.name} x" for option in table.short()]
    return lines


@pytest.mark.parametrize("command", spellings())
def test_every_entry_of_the_table_is_caught(command: str) -> None:
    assert risky(command)
    rule = parse_rule(f"Bash({command.split(maxsplit=1)[0]}:*)")
    access = ToolAccess(tool="Bash", kind="execute", command=command)
    assert covering_rule([rule], access, CTX) is None
    # An exact rule for the very command still allows it.
    exact = parse_rule(f"Bash({command})")
    assert covering_rule([exact], access, CTX) is exact


@pytest.mark.parametrize(
    "command",
    [
        "git diff $X",  # a word hexclaw cannot read could be --output=…
        'git log "$OPT"',
        "git $SUB x",
        "git --unknown-global diff",  # a global option it does not know
        "git grep -inO -e a",  # a letter inside a cluster
        "find . -name *.py",  # a glob could match a file named -delete
    ],
)
def test_words_it_cannot_read_count_as_risky(command: str) -> None:
    assert risky(command)


@pytest.mark.parametrize(
    "command",
    [
        "git diff --stat HEAD~1",
        "git diff --text a b",  # --text is an option of its own, not --textconv cut short
        "git diff --no-ext-diff --no-textconv",
        "git diff -- --output=x",  # after --, a path
        "git diff -- $X",
        "git log --oneline -5 --output-indicator-new=+",
        "git grep -o -n -e foo",  # -o only prints the match
        "git --no-pager log -p",
        "git clone --filter=blob:none url",
        "git log -c",  # a combined diff, not a config value
        "find . -name '*.py' -type f",
        "rg -n pattern src",
        "sort -k2 file",
        "ls -la",
    ],
)
def test_harmless_options_are_not_risky(command: str) -> None:
    assert not risky(command)
