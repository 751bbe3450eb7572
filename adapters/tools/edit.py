"""Edit: replace one exact, unique string in a file (or every occurrence with replace_all)."""

from __future__ import annotations

from adapters.tools.support.text_edits import apply_edit
from adapters.tools.support.tool_base import FileWritingTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

SCHEMA: JSONObject = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "file_path": {"type": "string"},
        "old_string": {"type": "string"},
        "new_string": {"type": "string"},
        "replace_all": {"default": False, "type": "boolean"},
    },
    "required": ["file_path", "old_string", "new_string"],
    "additionalProperties": False,
}
DESCRIPTION = """Replace exact text in a file.
- The file must have been read with Read in this session and not changed since.
- old_string must match the file exactly (whitespace and indentation included, without the \
line-number prefix Read shows) and must occur exactly once; add surrounding lines to make it \
unique, or set replace_all to true to replace every occurrence.
- An empty old_string creates a new file with new_string as its content.
- The file's encoding and line endings are kept."""


class EditTool(FileWritingTool):
    name = "Edit"
    description = DESCRIPTION
    input_schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        path = args.string("file_path")
        old = args.string("old_string", allow_empty=True)
        new = args.string("new_string", allow_empty=True)
        replace_all = args.optional_bool("replace_all")
        loaded = self.changes.load(path)
        if not loaded.exists and old:
            raise ToolError(f"{loaded.shown} does not exist; use Write to create it")
        new_text, count = apply_edit(loaded.text, old, new, replace_all, loaded.shown)
        places = "1 place" if count == 1 else f"{count} places"
        return self.changes.store(loaded, new_text, f"replaced {places}")
