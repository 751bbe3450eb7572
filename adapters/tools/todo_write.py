"""TodoWrite: the session's task list, replaced whole by each call and shown when it changes."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from adapters.tools.support.tool_base import UnguardedTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.repr_base import Record
from domain.tools.calls import ToolOutcome

STATUSES = ("pending", "in_progress", "completed")
MARKS = {"pending": "[ ]", "in_progress": "[~]", "completed": "[x]"}
SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "todos": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "content": {"type": "string"},
                    "status": {"type": "string", "enum": list(STATUSES)},
                    "activeForm": {"type": "string"},
                },
                "required": ["content", "status", "activeForm"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["todos"],
    "additionalProperties": False,
}
DESCRIPTION = """Keep a task list for the current work, shown to the user as it changes.
- Use it for work with three or more steps, or when the user gives several tasks; skip it for \
a single small task.
- Each call replaces the whole list. content is the task ("Run the tests"), activeForm the same \
in the present continuous ("Running the tests").
- Keep exactly one task in_progress while working; mark a task completed as soon as it is \
done, not in batches, and only when it is really done (tests pass, nothing left)."""


@attrs.frozen(repr=False)
class Todo(Record):
    content: str
    status: str
    active_form: str

    def to_json(self) -> JSONObject:
        return {"content": self.content, "status": self.status, "activeForm": self.active_form}


def render(todos: list[Todo]) -> str:
    return "\n".join(f"{MARKS[t.status]} {t.content}" for t in todos) or "(no tasks)"


class TodoWriteTool(UnguardedTool):
    name = "TodoWrite"
    description = DESCRIPTION
    input_schema = SCHEMA

    def __init__(self, on_change: Callable[[list[Todo]], None] | None = None) -> None:
        self.todos: list[Todo] = []
        self.on_change = on_change

    def for_subagent(self) -> TodoWriteTool:
        """A subagent keeps a task list of its own: it never replaces the parent's."""
        return TodoWriteTool()

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        todos: list[Todo] = []
        for number, raw in enumerate(args.object_list("todos"), start=1):
            item = ToolInput(f"TodoWrite task {number}", raw)
            status = item.string("status")
            if status not in STATUSES:
                raise ToolError(
                    f"TodoWrite task {number}: status must be one of {', '.join(STATUSES)}"
                )
            todos.append(Todo(item.string("content"), status, item.string("activeForm")))
        old, self.todos = self.todos, todos
        if todos != old and self.on_change is not None:
            self.on_change(todos)
        done = sum(t.status == "completed" for t in todos)
        return ToolOutcome(
            content="The task list is updated:\n" + render(todos),
            summary=f"Tasks: {done}/{len(todos)} done",
            structured={
                "oldTodos": [t.to_json() for t in old],
                "newTodos": [t.to_json() for t in todos],
            },
        )
