"""Errors found before a command can start: the place hexclaw runs in cannot be used."""

from __future__ import annotations

from domain.errors import HexclawError


class WorkingDirectoryUnusable(HexclawError):
    """The working directory was deleted (or cannot be read) after the shell entered it."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the working directory cannot be used ({reason}); was it deleted? "
            "cd to an existing folder and run hexclaw again"
        )
