"""A custom command's arguments, as Claude Code substitutes them.

``$ARGUMENTS`` is the argument string as typed (quotes kept); ``$ARGUMENTS[N]`` and ``$N``
(``$0``…``$9``) are single arguments, 0-based, where quoted words group (``"Alice Smith" Bob``:
``$0`` is ``Alice Smith``). A placeholder past the last argument stays as written.
"""

from __future__ import annotations

import re
import shlex

_PLACEHOLDER = re.compile(r"\$ARGUMENTS\[(?P<index>\d+)\]|\$ARGUMENTS\b|\$(?P<digit>\d)(?!\d)")


def split_arguments(raw: str) -> list[str]:
    """Words, with quoted ones grouped; unbalanced quotes fall back to plain words."""
    try:
        return shlex.split(raw)
    except ValueError:
        return raw.split()


def has_placeholders(text: str) -> bool:
    return _PLACEHOLDER.search(text) is not None


def substitute(text: str, raw: str) -> str:
    """One pass over ``text``: an argument's own ``$1`` or ``$ARGUMENTS`` is never replaced."""
    words = split_arguments(raw)

    def replace(match: re.Match[str]) -> str:
        index = match.group("index") or match.group("digit")
        if index is None:
            return raw
        position = int(index)
        return words[position] if position < len(words) else match.group(0)

    return _PLACEHOLDER.sub(replace, text)
