"""NotebookEdit: replace, insert or delete one cell of a Jupyter notebook."""

from __future__ import annotations

import json
import uuid
from typing import Any

from adapters.tools.support.file_change import FileChanges
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolOutcome

SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "notebook_path": {"type": "string"},
        "cell_id": {"type": "string"},
        "new_source": {"type": "string"},
        "cell_type": {"type": "string", "enum": ["code", "markdown"]},
        "edit_mode": {"type": "string", "enum": ["replace", "insert", "delete"]},
    },
    "required": ["notebook_path", "new_source"],
    "additionalProperties": False,
}
DESCRIPTION = """Edit one cell of a Jupyter notebook (.ipynb).
- Read the notebook first: Read shows each cell with its id.
- edit_mode replace (default) sets the source of cell_id (a code cell's outputs are cleared); \
insert adds a new cell after cell_id (at the start without cell_id) and needs cell_type; \
delete removes cell_id.
- Cells without an id can be named cell-N (N counts from 0)."""
EDIT_MODES = ("replace", "insert", "delete")


class NotebookEditTool:
    name = "NotebookEdit"

    def __init__(self, changes: FileChanges) -> None:
        self.changes = changes

    def definition(self) -> JSONObject:
        return {"name": self.name, "description": DESCRIPTION, "input_schema": SCHEMA}

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        path = tool_input.get("notebook_path")
        return self.changes.workspace.access(
            self.name, "write", path if isinstance(path, str) else None
        )

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        path = args.string("notebook_path")
        source = args.string("new_source", allow_empty=True)
        cell_id = args.optional_string("cell_id")
        cell_type = args.optional_string("cell_type")
        mode = args.optional_string("edit_mode") or "replace"
        if mode not in EDIT_MODES:
            raise ToolError(f"NotebookEdit: edit_mode must be one of {', '.join(EDIT_MODES)}")
        if cell_type not in (None, "code", "markdown"):
            raise ToolError("NotebookEdit: cell_type must be code or markdown")
        if not path.endswith(".ipynb"):
            raise ToolError(f"{path} is not a Jupyter notebook (.ipynb); use Edit for other files")
        loaded = self.changes.load(path)
        if not loaded.exists:
            raise ToolError(f"{loaded.shown} does not exist")
        try:
            notebook: Any = json.loads(loaded.text)
            cells: list[Any] = notebook["cells"]
        except (ValueError, KeyError, TypeError):
            raise ToolError(f"{loaded.shown} is not a valid notebook (no cells list)") from None
        if mode == "insert":
            if cell_type is None:
                raise ToolError("NotebookEdit: insert needs cell_type (code or markdown)")
            at = 0 if cell_id is None else _find(cells, cell_id) + 1
            cells.insert(at, _new_cell(cell_type, source, with_id=_uses_ids(cells)))
            detail = f"inserted a {cell_type} cell at position {at}"
        else:
            if cell_id is None:
                raise ToolError(f"NotebookEdit: {mode} needs cell_id")
            index = _find(cells, cell_id)
            if mode == "delete":
                del cells[index]
                detail = f"deleted cell {cell_id}"
            else:
                _replace(cells[index], source, cell_type)
                detail = f"replaced cell {cell_id}"
        return self.changes.store(
            loaded, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", detail
        )


def _find(cells: list[Any], cell_id: str) -> int:
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and cell.get("id") == cell_id:
            return index
    if cell_id.startswith("cell-") and cell_id[5:].isdigit() and int(cell_id[5:]) < len(cells):
        return int(cell_id[5:])
    raise ToolError(f"no cell with id {cell_id!r}; Read the notebook to see the cell ids")


def _uses_ids(cells: list[Any]) -> bool:
    return not cells or any(isinstance(c, dict) and "id" in c for c in cells)


def _source_lines(source: str) -> list[str]:
    return source.splitlines(keepends=True)


def _new_cell(cell_type: str, source: str, with_id: bool) -> JSONObject:
    cell: JSONObject = {"cell_type": cell_type, "metadata": {}, "source": _source_lines(source)}
    if with_id:
        cell["id"] = uuid.uuid4().hex[:8]
    if cell_type == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _replace(cell: Any, source: str, cell_type: str | None) -> None:
    if not isinstance(cell, dict):
        raise ToolError("that cell is not a JSON object; the notebook looks damaged")
    cell["source"] = _source_lines(source)
    if cell_type is not None:
        cell["cell_type"] = cell_type
    if cell.get("cell_type") == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    else:
        cell.pop("execution_count", None)
        cell.pop("outputs", None)
