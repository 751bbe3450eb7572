"""What the wrapper walker says a command runs, in the cases a mutation run found no test
pinning down: attached option values, several options in a row, ``--``, non-literal bodies,
git's global options, find's terminators, and the nesting limit reached by every way of
nesting (each adds one level, up to eight)."""

from __future__ import annotations

import pytest

from domain.permissions.shell_split import parse_command_line
from domain.permissions.shell_wrappers import Executed, executed


def run(line: str) -> Executed:
    return executed(parse_command_line(line).commands[0])


def shown(line: str) -> str:
    return line.replace("'", "")


@pytest.mark.parametrize(
    "line",
    [
        "env -S'rm x; id'",
        "env --split-string='rm x; id'",
        "flock L -c'rm x; id'",
        "flock L --command='rm x; id'",
        "su --command='rm x; id' u",
        "script -c'rm x; id' log",
        "sudo -su root 'rm x; id'",
    ],
)
def test_a_shell_line_attached_to_its_option_is_read_as_commands(line: str) -> None:
    found = run(line)
    assert found.certain
    assert found.commands[0] == shown(line)
    assert found.commands[1:3] == ("rm x", "rm x")
    assert "id" in found.commands


def test_a_body_option_takes_every_later_word_and_a_shell_option_only_the_next() -> None:
    assert run("env -S rm x") == Executed(("env -S rm x", "rm x", "rm x"), True)
    assert run("flock L -c 'rm x' y") == Executed(("flock L -c rm x y", "rm x", "rm x"), True)
    assert run("bash -c 'rm x' name") == Executed(("bash -c rm x name", "rm x", "rm x"), True)


@pytest.mark.parametrize(
    "line",
    [
        "nice -n 5 -- rm x",
        "nice -- rm x",
        "time --format=x --output=y -p rm x",
        "setsid --fork --wait -c rm x",
        "timeout --signal KILL --kill-after 9 -v 5 rm x",
        "git -p --no-pager log",
    ],
)
def test_several_options_in_a_row_are_all_skipped(line: str) -> None:
    found = run(line)
    assert found.certain
    assert found.commands[-1] in ("rm x", "git log")
    assert len(found.commands) == 2


def test_a_lone_dash_is_an_operand_not_an_option() -> None:
    assert run("nohup - rm x") == Executed(("nohup - rm x", "- rm x"), True)


def test_the_suffixes_after_an_unknown_option_skip_later_options() -> None:
    assert run("nice --bogus -x rm y").commands == ("nice --bogus -x rm y", "rm y", "y")


@pytest.mark.parametrize(
    "line",
    [
        "sudo -s $X",
        "watch $X",
        'flock L -c "$X"',
        'su -c "$X" u',
        'env -S "$X"',
        "bash -c '$X; ls'",
        "find . -exec $X {} \\; -exec ls \\;",
        "env PAGER=less git log",
    ],
)
def test_a_body_or_command_that_is_not_literal_makes_the_verdict_uncertain(line: str) -> None:
    assert run(line).certain is False


def test_a_shells_options_end_at_its_first_operand() -> None:
    assert run("bash -c -- 'rm x'") == Executed(("bash -c -- rm x", "rm x", "rm x"), True)
    assert run("bash -x --norc -c 'rm x'").commands[1:] == ("rm x", "rm x")
    assert run("bash -x --rcfile rc -c 'rm x'").commands[1:] == ("rm x", "rm x")
    assert run("bash -xo posix -c 'rm x'").commands[1:] == ("rm x", "rm x")
    assert run("bash -X -c 'rm x'").commands[1:] == ("rm x", "rm x")
    assert run("bash Xs -c 'rm x'") == Executed(("bash Xs -c rm x",), True)
    assert run("bash + -c 'rm x'") == Executed(("bash + -c rm x",), True)


def test_gits_global_options_with_values_lead_to_the_subcommand() -> None:
    for line in (
        "git --git-dir=x --work-tree=y --namespace=n push",
        "git --git-dir x --work-tree y --namespace n push",
        "git --git-dir=a=b push",
    ):
        assert run(line) == Executed((line, "git push"), True)
    assert run("git --no-pager") == Executed(("git --no-pager",), True)


@pytest.mark.parametrize(
    "line", ["git -C $D push", "git -C $D", "git --exec-path=x log", "git -c core.pager=less"]
)
def test_a_git_option_that_is_not_understood_makes_the_verdict_uncertain(line: str) -> None:
    assert run(line).certain is False


def test_a_git_alias_body_is_read_whole() -> None:
    found = run("git -c alias.x='!rm a=b' x")
    assert found.certain
    assert "rm a=b" in found.commands


def test_find_reads_each_action_up_to_its_terminator() -> None:
    assert run("find -exec rm {} \\;") == Executed(("find -exec rm {} ;", "rm {}"), True)
    assert run("find . -exec \\; -name x") == Executed(("find . -exec ; -name x",), True)
    assert run("find \\; -exec rm x \\;").commands[1:] == ("rm x",)
    assert run("find . -exec rm x").commands == ("find . -exec rm x", "rm x")
    assert run("find . -exec rm {} + -name x").commands == ("find . -exec rm {} + -name x", "rm {}")


def test_coproc_is_a_definition_only_before_a_brace() -> None:
    assert run("coproc x") == Executed(("coproc x", "x"), True)
    assert run("coproc c {").certain is False


@pytest.mark.parametrize(
    ("prefix", "deepest"),
    [
        ("nohup ", 8),
        ("nice --bogus ", 7),
        ("su ", 7),
        ("find -exec ", 8),
        ("eval ", 8),
        ("env -S ", 8),
        ("sudo -s ", 8),
        ("watch ", 8),
    ],
)
def test_every_way_of_nesting_counts_toward_the_same_limit(prefix: str, deepest: int) -> None:
    assert run(prefix * deepest + "rm x").certain
    assert not run(prefix * (deepest + 1) + "rm x").certain


def test_a_definition_is_read_eight_deep() -> None:
    assert "rm x" in run("coproc c { " * 8 + "rm x").commands
    assert "rm x" not in run("coproc c { " * 9 + "rm x").commands


def test_the_walk_names_no_more_commands_once_its_budget_is_spent() -> None:
    assert len(run("nice --bogus " + " ".join(["a"] * 198)).commands) == 199
    assert len(run("nice --bogus " + " ".join(["a"] * 199)).commands) == 199
    assert len(run("nice --bogus " + " ".join(["a"] * 200)).commands) == 199


def test_long_shell_options_take_their_words_as_short_ones_do() -> None:
    assert run("env --split-string rm x") == Executed(
        ("env --split-string rm x", "rm x", "rm x"), True
    )
    assert run("flock L --command 'rm x' y") == Executed(
        ("flock L --command rm x y", "rm x", "rm x"), True
    )
    assert run('flock L --command "$X"').certain is False
    assert run("watch --interval 5 'rm x'") == Executed(
        ("watch --interval 5 rm x", "rm x", "rm x"), True
    )


def test_nesting_through_an_operand_or_an_unknown_option_counts_too() -> None:
    assert not run("su " + "nohup " * 8 + "rm x").certain
    assert run("su " + "nohup " * 7 + "rm x").certain
    assert not run("nice --bogus " + "nohup " * 8 + "rm x").certain
    assert run("nice --bogus " + "nohup " * 7 + "rm x").certain


def test_a_git_global_option_that_is_not_literal_is_uncertain() -> None:
    assert run("git $X log").certain is False
