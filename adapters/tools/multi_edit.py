"""MultiEdit: several Edit replacements in one file, applied in order, all or nothing."""

from __future__ import annotations

from adapters.tools.support.text_edits import apply_edit
from adapters.tools.support.tool_base import FileWritingTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "file_path": {"type": "string"},
        "edits": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "old_string": {"type": "string"},
                    "new_string": {"type": "string"},
                    "replace_all": {"type": "boolean"},
                },
                "required": ["old_string", "new_string"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["file_path", "edits"],
    "additionalProperties": False,
}
DESCRIPTION = """Make several exact-text replacements in one file in a single step.
- Same rules as Edit for each edit; edits apply in order, each to the result of the previous one.
- If any edit fails, none is applied and the file is unchanged.
- The file must have been read in this session, unless the first edit creates it \
(empty old_string)."""


class MultiEditTool(FileWritingTool):
    name = "MultiEdit"
    description = DESCRIPTION
    input_schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        path = args.string("file_path")
        edits = args.object_list("edits")
        if not edits:
            raise ToolError("MultiEdit: `edits` is empty; give at least one edit")
        loaded = self.changes.load(path)
        text = loaded.text
        total = 0
        for number, raw in enumerate(edits, start=1):
            edit = ToolInput(f"MultiEdit edit {number} of {len(edits)}", raw)
            old = edit.string("old_string", allow_empty=True)
            new = edit.string("new_string", allow_empty=True)
            if not loaded.exists and number == 1 and old:
                raise ToolError(f"{loaded.shown} does not exist; use Write to create it")
            try:
                text, count = apply_edit(
                    text, old, new, edit.optional_bool("replace_all"), loaded.shown
                )
            except ToolError as exc:
                raise ToolError(
                    f"edit {number} of {len(edits)} failed, so no edit was applied: {exc}"
                ) from None
            total += count
        return self.changes.store(loaded, text, f"{len(edits)} edits, {total} places")
