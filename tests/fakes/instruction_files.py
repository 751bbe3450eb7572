"""An in-memory ``InstructionFileReader``: path -> text, where None marks an unreadable file."""

from __future__ import annotations

from collections.abc import Mapping

from domain.context.instruction_memory import UnreadableInstructionFile


class InMemoryFiles:
    def __init__(
        self, files: Mapping[str, str | None], links: Mapping[str, str] | None = None
    ) -> None:
        self.files = dict(files)
        # Symbolic links: a path (file or folder) -> where it leads.
        self.links = dict(links or {})
        self.reads: list[str] = []

    def real_path(self, path: str) -> str:
        for link, target in self.links.items():
            if path == link or path.startswith(link + "/"):
                return self.real_path(target + path[len(link) :])
        return path

    def text_of(self, path: str) -> str | None:
        self.reads.append(path)
        path = self.real_path(path)
        if path not in self.files:
            return None
        text = self.files[path]
        if text is None:
            raise UnreadableInstructionFile(path, "permission denied")
        return text
