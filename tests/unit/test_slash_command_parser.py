"""Recognising slash commands and suggesting the one the user meant."""

from __future__ import annotations

import pytest

from domain.commands.parser import (
    CommandSpec,
    SlashInvocation,
    edit_distance,
    find_command,
    nearest_command,
    parse_slash,
)

SPECS = (
    CommandSpec("help", "every command"),
    CommandSpec("model", "show or change the model", "model", "[name]"),
    CommandSpec("memory", "instruction files"),
    CommandSpec("compact", "summarise the conversation", "text", "[focus]"),
    CommandSpec("config", "merged settings"),
    CommandSpec("clear", "start a new session"),
    CommandSpec("cost", "what this session cost"),
    CommandSpec("exit", "leave", aliases=("quit",)),
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/help", SlashInvocation("help", "")),
        ("  /model   claude-opus-4-5  ", SlashInvocation("model", "claude-opus-4-5")),
        ("/Compact keep the test plan", SlashInvocation("compact", "keep the test plan")),
        ("/compact\nfocus on\nthe API", SlashInvocation("compact", "focus on\nthe API")),
        ("/exit", SlashInvocation("exit", "")),
    ],
)
def test_commands_are_recognised_with_their_arguments(line: str, expected: SlashInvocation) -> None:
    assert parse_slash(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "explain /model",
        "/usr/bin/env is missing on this box",
        "//not a command",
        "/",
        "",
        "hello",
    ],
)
def test_paths_and_plain_messages_are_not_commands(line: str) -> None:
    assert parse_slash(line) is None


def test_words_split_the_arguments() -> None:
    invocation = parse_slash("/export  notes/chat.md extra")
    assert invocation is not None
    assert invocation.words == ["notes/chat.md", "extra"]


def test_aliases_find_their_command() -> None:
    spec = find_command("quit", SPECS)
    assert spec is not None
    assert spec.name == "exit"
    assert find_command("nope", SPECS) is None


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("hlep", "help"),
        ("modle", "model"),
        ("mdoel", "model"),
        ("comapct", "compact"),
        ("cots", "cost"),
        ("exti", "exit"),
        ("quti", "exit"),
        ("conf", "config"),
        ("mem", "memory"),
        ("clea", "clear"),
    ],
)
def test_typos_and_prefixes_get_the_nearest_command(typed: str, suggested: str) -> None:
    assert nearest_command(typed, SPECS) == suggested


@pytest.mark.parametrize("typed", ["frobnicate", "xyzzy", "deploy-to-production"])
def test_nothing_is_suggested_for_unrelated_words(typed: str) -> None:
    assert nearest_command(typed, SPECS) is None


def test_usage_shows_the_argument_hint() -> None:
    assert SPECS[1].usage == "/model [name]"
    assert SPECS[0].usage == "/help"


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("", "", 0), ("abc", "", 3), ("kitten", "sitting", 3), ("ab", "ba", 1), ("help", "help", 0)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance
