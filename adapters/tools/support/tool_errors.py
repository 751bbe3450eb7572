"""Errors inside tools. The registry turns them into ``is_error`` results the model reads."""

from __future__ import annotations

from domain.errors import HexclawError


class ToolError(HexclawError):
    """A call that cannot be done as asked; the message tells the model what to change."""


class ToolInputError(ToolError):
    """The call's input does not fit the tool's schema."""
