"""Errors of file-defined extensions."""

from __future__ import annotations

from domain.errors import HexclawError


class ExtensionError(HexclawError):
    """A command, skill or agent file cannot be used as asked."""
