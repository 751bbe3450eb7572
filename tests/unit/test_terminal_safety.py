"""Control characters are dropped from what the terminal shows; text and layout stay."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.display.terminal_safety import printable

C0 = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"]
C1 = [chr(c) for c in range(0x80, 0xA0)]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("title \x1b]2;PWNED-TITLE\x1b\\ done", "title ]2;PWNED-TITLE\\ done"),
        ("clip \x1b]52;c;cm0gLXJmIH4=\x07!", "clip ]52;c;cm0gLXJmIH4=!"),
        ("\x1b[2J\x1b[Hcleared", "[2J[Hcleared"),
        ("eight-bit \x9b31m red \x9d0;t\x9c", "eight-bit 31m red 0;t"),
        ("bell\x07 backspace\x08 del\x7f", "bell backspace del"),
        ("over\rwrite", "overwrite"),
        ("windows\r\nline", "windows\nline"),
    ],
)
def test_sequences_lose_their_control_characters(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_newline_tab_and_ordinary_unicode_are_kept() -> None:
    text = "def f():\n\treturn 'héllo ✓ 漢字 🙂 ¡ ÿ'\n"
    assert printable(text) == text


@pytest.mark.parametrize("control", C0 + C1 + ["\x7f"])
def test_every_c0_and_c1_control_is_dropped(control: str) -> None:
    assert printable(f"a{control}b") == "ab"


@given(st.text())
def test_nothing_dangerous_survives_and_nothing_else_changes(text: str) -> None:
    shown = printable(text)
    assert not any(c in shown for c in C0 + C1 + ["\x7f"])
    assert shown == "".join(c for c in text if c not in C0 and c not in C1 and c != "\x7f")
    assert printable(shown) == shown
