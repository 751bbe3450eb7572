"""Write: create a file or replace all of it (an existing file must have been read first)."""

from __future__ import annotations

from adapters.tools.support.tool_base import FileWritingTool
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

SCHEMA: JSONObject = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}},
    "required": ["file_path", "content"],
    "additionalProperties": False,
}
DESCRIPTION = """Write a file, replacing all of its content, or create it (parent directories \
are created).
- file_path: absolute, or relative to the workspace root.
- An existing file must have been read with Read in this session and not changed since; \
otherwise the write is refused.
- Prefer Edit or MultiEdit to change part of an existing file.
- The file's existing encoding and line endings are kept."""


class WriteTool(FileWritingTool):
    name = "Write"
    description = DESCRIPTION
    input_schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        path = args.string("file_path")
        content = args.string("content", allow_empty=True)
        loaded = self.changes.load(path)
        return self.changes.store(loaded, content)
