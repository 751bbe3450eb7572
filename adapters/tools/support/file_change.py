"""The steps every file-changing tool shares: resolve the target as permission saw it, check it
was read and is unchanged, decode it keeping encoding and line endings, write it back safely,
and report a short diff.
"""

from __future__ import annotations

import os
import stat

import attrs

from adapters.tools.support.diffs import describe_change
from adapters.tools.support.file_state import FileStateTracker
from adapters.tools.support.safe_write import write_file
from adapters.tools.support.text_files import TextContent, decode_text, encode_text
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.workspace import ResolvedPath, Workspace, open_for_reading
from domain.repr_base import Record
from domain.tools.calls import ToolOutcome


@attrs.frozen(repr=False)
class LoadedFile(Record):
    target: ResolvedPath
    shown: str
    content: TextContent | None  # None when the file does not exist yet

    @property
    def exists(self) -> bool:
        return self.content is not None

    @property
    def text(self) -> str:
        return self.content.text if self.content is not None else ""


class FileChanges:
    def __init__(self, workspace: Workspace, files: FileStateTracker) -> None:
        self.workspace = workspace
        self.files = files

    def load(self, raw_path: str) -> LoadedFile:
        target = self.workspace.write_target(raw_path)
        shown = self.workspace.display(target.given)
        try:
            fd = open_for_reading(target)
        except (FileNotFoundError, NotADirectoryError):
            return LoadedFile(target, shown, None)
        # The checks are made on what was opened, not on the path.
        current = os.fstat(fd)
        if not stat.S_ISREG(current.st_mode):
            os.close(fd)
            if stat.S_ISDIR(current.st_mode):
                raise ToolError(f"{shown} is a directory, not a file")
            raise ToolError(f"{shown} is not a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            self.files.check_unchanged(target.real, current, shown)
            data = handle.read()
        return LoadedFile(target, shown, decode_text(data, shown))

    def store(self, loaded: LoadedFile, new_text: str, detail: str = "") -> ToolOutcome:
        like = loaded.content or TextContent("")
        new_stat = write_file(loaded.target.real, encode_text(new_text, like))
        self.files.remember(loaded.target.real, new_stat)
        change = describe_change(loaded.shown, loaded.text, new_text)
        if loaded.exists:
            what = f": {detail}" if detail else ""
            summary = f"Updated {loaded.shown}{what} ({change.counts})"
        else:
            summary = f"Created {loaded.shown} ({len(new_text.splitlines())} lines)"
        return ToolOutcome(
            content=f"{summary}.",
            summary=summary,
            diff=change.diff,
            structured={
                "type": "update" if loaded.exists else "create",
                "filePath": loaded.target.given,
                "added": change.added,
                "removed": change.removed,
            },
        )
