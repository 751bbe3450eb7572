"""Completion of slash commands, their arguments and ``@`` file mentions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from domain.commands.parser import (
    ArgumentKind,
    CommandSpec,
    Completion,
    complete_command_line,
    mention_at_cursor,
    mention_folder,
    path_completions,
)
from domain.context.file_mentions import Attachment, find_mentions, prompt_content
from domain.messages.content import TextBlock

SPECS = (
    CommandSpec("help", "every command"),
    CommandSpec("model", "show or change the model", "model", "[name]"),
    CommandSpec("memory", "instruction files"),
    CommandSpec("permissions", "mode and rules", "permission_mode", "[mode]"),
    CommandSpec("resume", "continue a saved session", "session_id", "[id]"),
    CommandSpec("exit", "leave", aliases=("quit",)),
)
VALUES: Mapping[ArgumentKind, Sequence[str]] = {
    "model": ("claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"),
    "permission_mode": ("default", "acceptEdits", "plan", "bypassPermissions"),
    "session_id": ("0b7f-aaaa", "0c11-bbbb"),
}


def values_of(kind: ArgumentKind) -> Sequence[str]:
    return VALUES.get(kind, ())


def texts(completions: list[Completion]) -> list[str]:
    return [c.text for c in completions]


def test_a_slash_offers_every_command_with_its_summary() -> None:
    completions = complete_command_line("/", SPECS, values_of)
    assert texts(completions) == ["/help", "/model", "/memory", "/permissions", "/resume", "/exit"]
    assert completions[1].meta == "show or change the model"
    assert all(c.start == -1 for c in completions)


def test_a_prefix_narrows_the_commands_and_replaces_what_was_typed() -> None:
    completions = complete_command_line("/m", SPECS, values_of)
    assert texts(completions) == ["/model", "/memory"]
    assert completions[0].start == -2
    assert texts(complete_command_line("/MO", SPECS, values_of)) == ["/model"]


def test_model_names_complete_after_model() -> None:
    completions = complete_command_line("/model claude-s", SPECS, values_of)
    assert texts(completions) == ["claude-sonnet-4-5"]
    assert completions[0].start == -len("claude-s")
    assert texts(complete_command_line("/model ", SPECS, values_of)) == list(VALUES["model"])


def test_permission_modes_and_session_ids_complete() -> None:
    assert texts(complete_command_line("/permissions a", SPECS, values_of)) == ["acceptEdits"]
    assert texts(complete_command_line("/resume 0c", SPECS, values_of)) == ["0c11-bbbb"]


def test_nothing_completes_for_commands_without_arguments_or_past_the_first() -> None:
    assert complete_command_line("/help ", SPECS, values_of) == []
    assert complete_command_line("/model claude-opus-4-5 x", SPECS, values_of) == []
    assert complete_command_line("/nosuch ", SPECS, values_of) == []
    assert complete_command_line("hello /m", SPECS, values_of) == []


def test_a_complete_argument_is_not_offered_again() -> None:
    assert complete_command_line("/permissions plan", SPECS, values_of) == []


@pytest.mark.parametrize(
    ("before", "partial"),
    [
        ("@", ""),
        ("look at @src/ap", "src/ap"),
        ("first line\n@READ", "READ"),
        ("mail me at a@b.c", None),
        ("@src/app.py and then ", None),
        ("plain", None),
    ],
)
def test_the_mention_under_the_cursor(before: str, partial: str | None) -> None:
    assert mention_at_cursor(before) == partial


def test_paths_complete_inside_their_folder() -> None:
    entries = [("app.py", False), ("api", True), ("README.md", False), (".env", False)]
    completions = path_completions("src/ap", entries)
    assert texts(completions) == ["src/api/", "src/app.py"]
    assert [c.display for c in completions] == ["api/", "app.py"]
    assert all(c.start == -len("src/ap") for c in completions)
    assert mention_folder("src/ap") == "src"
    assert mention_folder("READ") == ""


def test_hidden_files_only_when_asked_for() -> None:
    entries = [("app.py", False), (".env", False), (".github", True)]
    assert texts(path_completions("", entries)) == ["app.py"]
    assert texts(path_completions(".", entries)) == [".env", ".github/"]


def test_mentions_are_found_once_in_order_without_trailing_punctuation() -> None:
    text = "compare @src/app.py with @tests/test_app.py, then fix @src/app.py."
    assert find_mentions(text) == ["src/app.py", "tests/test_app.py"]


def test_email_addresses_are_not_mentions() -> None:
    assert find_mentions("write to ops@example.com") == []
    assert find_mentions("a@b @c") == ["c"]


def test_attached_files_follow_the_prompt() -> None:
    content = prompt_content("explain @a.py", [Attachment("a.py", "print(1)")])
    assert content[0] == TextBlock(text="explain @a.py")
    second = content[1]
    assert isinstance(second, TextBlock)
    assert '<file path="a.py">\nprint(1)\n</file>' in second.text
