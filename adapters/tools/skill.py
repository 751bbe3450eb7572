"""Skill: loads a skill's instructions (or runs a custom command the model may use), as
Claude Code's Skill tool does; the listing of what exists is in the system prompt."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.tools.support.tool_base import UnguardedTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.commands.custom import CustomCommand
from domain.messages.content import JSONObject
from domain.skills.definitions import SkillDefinition
from domain.tools.calls import ToolOutcome

SCHEMA: JSONObject = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"skill": {"type": "string"}, "args": {"type": "string"}},
    "required": ["skill"],
    "additionalProperties": False,
}
DESCRIPTION = """Load a skill: its instructions and the folder its files are in.
- Use it when a task fits one of the skills listed in the system prompt; skill is its name \
(for a listed /command, its name with or without the slash), args optional arguments.
- After loading, follow the skill's instructions; its files are readable with Read, and its \
scripts run through Bash under the usual permission rules."""

# A custom command expanded: (command, arguments) -> the text the model gets.
CommandRunner = Callable[[CustomCommand, str], str]


class SkillTool(UnguardedTool):
    name = "Skill"
    description = DESCRIPTION
    input_schema = SCHEMA

    def __init__(
        self,
        skills: Sequence[SkillDefinition],
        commands: Sequence[CustomCommand],
        grant_read: Callable[[str], None],
        run_command: CommandRunner,
    ) -> None:
        self._skills = {s.name: s for s in skills}
        self._commands = {c.name: c for c in commands if not c.disable_model_invocation}
        self._grant_read = grant_read
        self._run_command = run_command

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        name = args.string("skill").strip()
        extra = args.optional_string("args") or ""
        skill = self._skills.get(name)
        if skill is not None:
            self._grant_read(skill.base_dir)
            return ToolOutcome(
                content=[
                    {"type": "text", "text": f"Launching skill: {name}"},
                    {"type": "text", "text": skill.loaded_text()},
                ],
                summary=f"loaded skill {name}",
            )
        command = self._commands.get(name.removeprefix("/"))
        if command is not None:
            return ToolOutcome(
                content=self._run_command(command, extra), summary=f"ran /{command.name}"
            )
        known = ", ".join([*self._skills, *(f"/{c}" for c in self._commands)]) or "none"
        raise ToolError(f"Unknown skill {name!r}. Available: {known}.")
