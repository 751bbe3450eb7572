"""What tools share: the definition offered to the model, and the two common answers to
"what does this call touch?" that the permission check asks before it runs.

A tool states its access explicitly by choosing a base: there is no default, so a new
tool cannot skip the permission check by forgetting ``access_of``.
"""

from __future__ import annotations

from typing import ClassVar

from adapters.tools.support.background_jobs import BackgroundJobs
from adapters.tools.support.file_change import FileChanges
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess


class DefinedTool:
    """A tool whose name, description and input schema are fixed when it is written."""

    name: str
    description: ClassVar[str]
    input_schema: ClassVar[JSONObject]

    def definition(self) -> JSONObject:
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        }


class FileWritingTool(DefinedTool):
    """A tool that changes the one file its input names: the check sees a write to that path."""

    path_field: ClassVar[str] = "file_path"

    def __init__(self, changes: FileChanges) -> None:
        self.changes = changes

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        path = tool_input.get(self.path_field)
        # A missing or mistyped path still gets a decision; run() then rejects the input.
        return self.changes.workspace.access(
            self.name, "write", path if isinstance(path, str) else None
        )


class UnguardedTool(DefinedTool):
    """A tool that reads or writes no file, runs no new command and reaches no host."""

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        return ToolAccess(tool=self.name, kind="none")


class BackgroundJobTool(UnguardedTool):
    """A tool over the jobs Bash started in the background: they were permitted when started."""

    def __init__(self, jobs: BackgroundJobs) -> None:
        self.jobs = jobs
