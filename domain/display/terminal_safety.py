"""Text from the model, tools or files made safe to show on a terminal.

A terminal obeys control characters in what it prints: ESC starts sequences that set the
window title, write the clipboard (OSC 52), move the cursor or redefine keys, and the C1
range (0x80-0x9f) holds 8-bit forms of the same introducers. Anything hexclaw shows comes from
sources it does not trust, so every C0 and C1 control character is dropped, except newline
and tab, which only lay text out. What is left of a sequence stays visible as plain text, so
an attempt shows instead of hiding.
"""

from __future__ import annotations

_KEPT = frozenset("\n\t")
_CONTROL = [c for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if chr(c) not in _KEPT]
_DROP: dict[int, None] = dict.fromkeys(_CONTROL)


def printable(text: str) -> str:
    """``text`` without C0/C1 control characters (DEL included); newline and tab are kept."""
    return text.translate(_DROP)
