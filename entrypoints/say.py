"""The lines hexclaw prints itself (warnings, errors, listings), all through the one sanitiser.

Rule a reader must not break: nothing reaches a terminal here without ``printable``. Warnings
quote what a cloned folder wrote (settings keys, env names, ``@import`` targets) and listings
show what was typed or piped (a session's first prompt): an escape sequence in them would set
the window title (OSC 0), write the clipboard (OSC 52) or redraw the screen.
"""

from __future__ import annotations

import sys
from typing import TextIO

from domain.display.terminal_safety import printable


def one_line(text: str) -> str:
    """``text`` made safe, its line breaks and tabs as single spaces."""
    return " ".join(printable(text).split())


def warn(text: str) -> None:
    """``hexclaw: warning: …`` on stderr, one line."""
    sys.stderr.write(f"hexclaw: warning: {one_line(text)}\n")
    sys.stderr.flush()


def error(text: str) -> None:
    """``hexclaw: …`` on stderr, one line."""
    sys.stderr.write(f"hexclaw: {one_line(text)}\n")
    sys.stderr.flush()


def line(text: str, out: TextIO | None = None) -> None:
    """A line of a listing on stdout (or ``out``), made safe; it may span lines."""
    stream = out or sys.stdout
    stream.write(printable(text) + "\n")
    stream.flush()
