"""Text from the model, tools or files made safe to show on a terminal.

A terminal obeys control characters in what it prints: ESC starts sequences that set the
window title, write the clipboard (OSC 52), move the cursor or redefine keys, and the C1
range (0x80-0x9f) holds 8-bit forms of the same introducers. Anything hexclaw shows comes from
sources it does not trust, so every C0 and C1 control character is dropped, except newline
and tab, which only lay text out. What is left of a sequence stays visible as plain text, so
an attempt shows instead of hiding.

Where the user decides on what they read (the permission question), dropping is not enough:
``revealed`` names every character that would not show as itself, so a command cannot look
like another (U+2800 blanks pushing ``; rm …`` off the screen, a bidi override reordering it).
"""

from __future__ import annotations

import unicodedata

_KEPT = frozenset("\n\t")
_CONTROL = [c for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if chr(c) not in _KEPT]
_DROP: dict[int, None] = dict.fromkeys(_CONTROL)


def printable(text: str) -> str:
    """``text`` without C0/C1 control characters (DEL included); newline and tab are kept."""
    return text.translate(_DROP)


# Characters a reader cannot see, or that change how the text around them is drawn: format
# characters (bidi overrides and isolates, zero-width ones, tags), controls, separators, any
# space but the plain one, private-use and unassigned code points, combining marks, and blank
# letters and symbols (Braille blank, Hangul fillers) that render as empty cells.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Mn", "Me"})
_BLANK_LOOKING = frozenset({0x2800, 0x3164, 0x115F, 0x1160, 0xFFA0, 0x180E, 0x034F, 0x2062})


def is_hidden(char: str) -> bool:
    """Whether ``char`` would not show as itself (or would bend what is around it)."""
    if char == " ":
        return False
    code = ord(char)
    if code in _BLANK_LOOKING or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    category = unicodedata.category(char)
    return category in _HIDDEN_CATEGORIES or category == "Zs"


def revealed(text: str) -> list[tuple[str, bool]]:
    """``text`` as runs to draw, each ``(text, marked)``: every hidden character becomes a
    visible name (``⟨U+2800⟩``, ``⟨TAB⟩``), marked so it can be drawn apart. A line break
    stays a line break, shown as ``⏎`` first, since it separates commands in a shell."""
    runs: list[tuple[str, bool]] = []
    plain: list[str] = []
    for char in text:
        if not is_hidden(char):
            plain.append(char)
            continue
        if plain:
            runs.append(("".join(plain), False))
            plain = []
        if char == "\n":
            runs += [("⏎", True), ("\n", False)]
        else:
            runs.append((_NAMES.get(char, f"⟨U+{ord(char):04X}⟩"), True))
    if plain:
        runs.append(("".join(plain), False))
    return runs


def revealed_text(text: str) -> str:
    """``revealed`` as one string, for where runs cannot be styled."""
    return "".join(run for run, _ in revealed(text))


_NAMES = {"\t": "⟨TAB⟩", "\r": "⟨CR⟩", "\x1b": "⟨ESC⟩"}
