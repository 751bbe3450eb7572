"""Custom command arguments, Claude Code's way: 0-based, quoted grouping, one pass."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.commands.arguments import split_arguments, substitute
from domain.commands.custom import CustomCommand, command_name, segments


def test_positions_are_zero_based_and_quotes_group() -> None:
    raw = '"Alice Smith" Bob'
    assert substitute("$0 and $1; $2; $ARGUMENTS[1]; $ARGUMENTS", raw) == (
        'Alice Smith and Bob; $2; Bob; "Alice Smith" Bob'
    )
    assert substitute("$10", "a") == "$10"
    assert split_arguments('unbalanced "quote') == ["unbalanced", '"quote']


@given(st.text())
def test_arguments_are_substituted_once(raw: str) -> None:
    # Whatever an argument holds ($1, $ARGUMENTS), it is put in as it is.
    assert substitute("$ARGUMENTS", raw) == raw


def test_names_of_nested_commands() -> None:
    assert command_name(("frontend", "test.md")) == "frontend:test"
    assert command_name(("bad name.md",)) is None


def test_bangs_and_includes_come_only_from_the_body() -> None:
    command = CustomCommand("x", "d", "Run !`git log -n $0` on @src/a.py: $1\n")
    parts = segments(command, "3 '!`rm -rf /` @/etc/passwd'")
    kinds = [(p.kind, p.text) for p in parts]
    assert ("bang", "git log -n 3") in kinds
    assert ("mention", "src/a.py") in kinds
    assert kinds[-1] == ("text", ": !`rm -rf /` @/etc/passwd\n")
    assert [p for p in parts if p.kind in ("bang", "mention")] == parts[1:2] + parts[3:4]
