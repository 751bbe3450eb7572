"""Reading the instruction files the context plans."""

from __future__ import annotations

from typing import Protocol


class InstructionFileReader(Protocol):
    def text_of(self, path: str) -> str | None:
        """The text of an instruction file (CLAUDE.md and the like), or None if there is none.

        Raises ``domain.context.instruction_memory.UnreadableInstructionFile`` when the file exists
        but cannot be read.
        """
        ...

    def real_path(self, path: str) -> str:
        """``path`` with every symbolic link in it followed (as far as it exists)."""
        ...
