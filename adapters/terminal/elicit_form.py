"""An MCP server's elicitation request asked as a form on the terminal, one field a line."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from adapters.terminal.yes_no import ask_line, ask_yes_no
from domain.display.terminal_safety import printable
from domain.mcp.elicitation import MISSING, form_fields, parse_answer

ATTEMPTS = 3


def ask_form(server: str, message: str, schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """The answer's content, or None to decline (a "no", the end of input, three wrong
    answers to one field)."""
    fields = form_fields(schema)
    _say(f"The MCP server {server} asks: {message}")
    if not ask_yes_no("Answer it? (no declines)"):
        return None
    content: dict[str, Any] = {}
    for field in fields:
        if field.description:
            _say(f"  {field.description}")
        for _attempt in range(ATTEMPTS):
            typed = ask_line(f"  {printable(field.label())}: ")
            if typed is None:
                return None
            value, problem = parse_answer(field, typed)
            if problem is None:
                break
            _say(f"  {problem}")
        else:
            return None
        if value is not MISSING:
            content[field.name] = value
    return content


def _say(text: str) -> None:
    sys.stdout.write(printable(text) + "\n")
    sys.stdout.flush()
