"""Reads instruction files (CLAUDE.md and the like) for ``domain.context.instruction_memory``."""

from __future__ import annotations

import os

from adapters.files.bounded_read import NotARegularFile, read_bounded
from domain.context.instruction_memory import UnreadableInstructionFile

# Far above any budget: a huge file costs only this much to read before it is cut.
MAX_READ_BYTES = 1 << 20


class MemoryFiles:
    def real_path(self, path: str) -> str:
        return os.path.realpath(path)

    def text_of(self, path: str) -> str | None:
        try:
            data = read_bounded(path, MAX_READ_BYTES).data
        except (FileNotFoundError, NotADirectoryError):
            return None
        except NotARegularFile as exc:
            raise UnreadableInstructionFile(path, f"it is {exc.kind}, not a file") from None
        except PermissionError:
            raise UnreadableInstructionFile(path, "permission denied") from None
        except OSError as exc:
            raise UnreadableInstructionFile(path, exc.strerror or type(exc).__name__) from None
        if b"\x00" in data:
            raise UnreadableInstructionFile(path, "it is not a text file")
        # A read can stop inside a multi-byte character; "replace" keeps the rest usable.
        return data.decode("utf-8", errors="replace").removeprefix("\ufeff")
