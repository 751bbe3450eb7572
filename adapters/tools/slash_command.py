"""SlashCommand: the model runs a custom command whose frontmatter allows it."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.tools.skill import CommandRunner
from adapters.tools.support.tool_base import UnguardedTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.commands.custom import CustomCommand
from domain.commands.parser import parse_slash
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

SCHEMA: JSONObject = {
    "type": "object",
    "properties": {"command": {"type": "string"}},
    "required": ["command"],
    "additionalProperties": False,
}
DESCRIPTION = """Run one of the custom slash commands listed in the system prompt.
- command is the command line as a user would type it: "/review src/app.py".
- Only listed commands run; the expanded command text comes back as the result, and its \
!`cmd` lines run only as the permission rules allow."""


class SlashCommandTool(UnguardedTool):
    name = "SlashCommand"
    description = DESCRIPTION
    input_schema = SCHEMA

    def __init__(self, commands: Sequence[CustomCommand], run_command: CommandRunner) -> None:
        # A command without a description is not listed, so the model cannot know it.
        self._commands = {
            c.name.lower(): c for c in commands if not c.disable_model_invocation and c.description
        }
        self._run_command = run_command

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        line = ToolInput(self.name, tool_input).string("command").strip()
        invocation = parse_slash(line if line.startswith("/") else "/" + line)
        command = self._commands.get(invocation.name) if invocation is not None else None
        if invocation is None or command is None:
            known = ", ".join(f"/{c.name}" for c in self._commands.values()) or "none"
            raise ToolError(f"{line!r} is not a command you may run. Available: {known}.")
        return ToolOutcome(
            content=self._run_command(command, invocation.args),
            summary=f"ran /{command.name}",
        )
