"""Hidden characters named where the user decides on what they read."""

from __future__ import annotations

import pytest

from domain.display.terminal_safety import is_hidden, revealed, revealed_text


@pytest.mark.parametrize(
    "char",
    [
        "\u2800",
        "\u3164",
        "\u115f",
        "\u200b",
        "\u200d",
        "\u202e",
        "\u2066",
        "\ufeff",
        "\u00a0",
        "\u3000",
        "\u2028",
        "\x1b",
        "\x07",
        "\u0301",
        "\ufe0f",
        "\U000e0041",
        "\ue000",
    ],
)
def test_invisible_and_reordering_characters_are_hidden(char: str) -> None:
    assert is_hidden(char)
    assert revealed_text(f"a{char}b") == f"a⟨U+{ord(char):04X}⟩b" or char in "\x1b"


@pytest.mark.parametrize("char", [" ", "a", "é", "λ", "中", "-", "|", ";", "~"])
def test_what_shows_as_itself_is_kept(char: str) -> None:
    assert not is_hidden(char)
    assert revealed_text(char) == char


def test_a_line_break_stays_one_but_is_marked() -> None:
    assert revealed("make\ntest\tx") == [
        ("make", False),
        ("⏎", True),
        ("\n", False),
        ("test", False),
        ("⟨TAB⟩", True),
        ("x", False),
    ]
    assert revealed_text("\x1b]0;t\x07") == "⟨ESC⟩]0;t⟨U+0007⟩"
