"""An in-memory ``InstructionFileReader``: path -> text, where None marks an unreadable file."""

from __future__ import annotations

from collections.abc import Mapping

from domain.instruction_memory import UnreadableInstructionFile


class InMemoryFiles:
    def __init__(self, files: Mapping[str, str | None]) -> None:
        self.files = dict(files)
        self.reads: list[str] = []

    def text_of(self, path: str) -> str | None:
        self.reads.append(path)
        if path not in self.files:
            return None
        text = self.files[path]
        if text is None:
            raise UnreadableInstructionFile(path, "permission denied")
        return text
