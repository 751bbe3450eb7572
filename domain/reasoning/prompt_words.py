"""The words of a prompt that ask for more thinking, as Claude Code reads them.

"ultrathink" and "think harder" (and their kin) ask for the most, "think hard" for a middle
budget, a bare "think" for a small one. Words are matched whole and case-insensitively, in
the text the user typed (never in attached files or tool results).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from domain.messages.content import ConversationMessage, TextBlock, ToolResultBlock


class ThinkLevel:
    """The budgets the words ask for (plain ints: an enum costs startup time on every run)."""

    NONE = 0
    BASIC = 4_000
    MIDDLE = 10_000
    HIGHEST = 31_999


_PHRASES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        ThinkLevel.HIGHEST,
        (
            "ultrathink",
            "think harder",
            "think intensely",
            "think longer",
            "think really hard",
            "think super hard",
            "think very hard",
        ),
    ),
    (
        ThinkLevel.MIDDLE,
        ("megathink", "think hard", "think about it", "think a lot", "think deeply", "think more"),
    ),
    (ThinkLevel.BASIC, ("think",)),
)
_patterns: list[tuple[int, re.Pattern[str]]] = []


def think_level(text: str) -> int:
    """The highest level the text asks for (a ``ThinkLevel`` value)."""
    if "think" not in text.lower():
        return ThinkLevel.NONE
    if not _patterns:
        # Compiled at the first prompt that could match, not at every start.
        for level, phrases in _PHRASES:
            alternatives = "|".join(re.escape(p) for p in phrases)
            _patterns.append((level, re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)))
    for level, pattern in _patterns:
        if pattern.search(text):
            return level
    return ThinkLevel.NONE


def typed_prompt(messages: Sequence[ConversationMessage]) -> str:
    """The text the user typed for the turn under way: the first text block of the newest
    user message that has one (tool results alone are skipped; attachments come after the
    prompt, so they are never read)."""
    for message in reversed(messages):
        if message.role != "user":
            continue
        for block in message.content:
            if isinstance(block, TextBlock):
                return block.text
        if not all(isinstance(b, ToolResultBlock) for b in message.content):
            return ""
    return ""
