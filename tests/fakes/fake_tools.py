"""An in-memory ``ToolRunner`` for loop tests: a few working tools over a dict of files.

It honours the port: definitions in the API's shape, an access for every call, and failures
returned as ``is_error`` outcomes, never raised. The one exception is on purpose: a call whose
id is in ``interrupt_on`` raises ``KeyboardInterrupt`` halfway through, as Ctrl-C would.
"""

from __future__ import annotations

from typing import Any

from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolCall, ToolOutcome

_SCHEMAS: dict[str, JSONObject] = {
    "Read": {
        "type": "object",
        "properties": {"file_path": {"type": "string"}},
        "required": ["file_path"],
    },
    "Write": {
        "type": "object",
        "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}},
        "required": ["file_path", "content"],
    },
    "Bash": {
        "type": "object",
        "properties": {"command": {"type": "string"}},
        "required": ["command"],
    },
}


class FakeToolRunner:
    def __init__(
        self,
        files: dict[str, str] | None = None,
        interrupt_on: frozenset[str] = frozenset(),
    ) -> None:
        self.files: dict[str, str] = dict(files or {})
        self.interrupt_on = interrupt_on
        self.runs: list[ToolCall] = []
        self.shell_log: list[str] = []

    def definitions(self) -> list[JSONObject]:
        return [
            {"name": name, "description": f"{name} (in-memory fake)", "input_schema": schema}
            for name, schema in _SCHEMAS.items()
        ]

    def access_of(self, call: ToolCall) -> ToolAccess:
        if call.name == "Read":
            return ToolAccess(tool="Read", kind="read", paths=(_text(call.input, "file_path"),))
        if call.name == "Write":
            return ToolAccess(tool="Write", kind="write", paths=(_text(call.input, "file_path"),))
        if call.name == "Bash":
            return ToolAccess(tool="Bash", kind="execute", command=_text(call.input, "command"))
        return ToolAccess(tool=call.name, kind="none")

    def run(self, call: ToolCall) -> ToolOutcome:
        self.runs.append(call)
        if call.name == "Read":
            return self._read(call.input)
        if call.name == "Write":
            return self._write(call.input)
        if call.name == "Bash":
            return self._bash(call)
        return ToolOutcome(content=f"Unknown tool {call.name!r}.", is_error=True)

    def _read(self, tool_input: dict[str, Any]) -> ToolOutcome:
        path = _text(tool_input, "file_path")
        if path not in self.files:
            return ToolOutcome(content=f"File does not exist: {path}", is_error=True)
        lines = self.files[path].splitlines()
        numbered = "\n".join(f"{n:6}\t{line}" for n, line in enumerate(lines, start=1))
        return ToolOutcome(content=numbered, summary=f"read {len(lines)} lines")

    def _write(self, tool_input: dict[str, Any]) -> ToolOutcome:
        path = _text(tool_input, "file_path")
        content = _text(tool_input, "content")
        self.files[path] = content
        return ToolOutcome(content=f"Wrote {len(content)} characters to {path}")

    def _bash(self, call: ToolCall) -> ToolOutcome:
        """``echo WORDS`` prints, ``exit N`` fails with N; each command is logged as it starts."""
        command = _text(call.input, "command")
        self.shell_log.append(command)
        if call.id in self.interrupt_on:
            raise KeyboardInterrupt
        if command.startswith("echo "):
            return ToolOutcome(content=command.removeprefix("echo ") + "\n")
        if command.startswith("exit "):
            code = command.removeprefix("exit ").strip()
            return ToolOutcome(content=f"Exit code {code}", is_error=code != "0")
        return ToolOutcome(content=f"command not found: {command}", is_error=True)


def _text(tool_input: dict[str, Any], key: str) -> str:
    value = tool_input.get(key, "")
    return value if isinstance(value, str) else str(value)
